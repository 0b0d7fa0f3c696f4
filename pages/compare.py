"""Sammenlign: one kommune against chosen comparators, its fylke and Norway, per indicator.

The whole view lives in the URL (``/kommune/4001?med=4003,4005&sett=naboer&ind=a,b``) so a link reproduces it.
The page's own ``dcc.Location(refresh=False)`` rewrites the URL without asking Dash Pages to re-render.
"""
from __future__ import annotations

from urllib.parse import urlencode

import dash
import pandas as pd
from dash import Input, Output, State, callback, dcc, html, no_update

from components import charts, export, fmt, queries, trend_text
from components.pages_common import (download_buttons, kept_note, period_note, query_arg, source_labels, triggered_id,
                                     unavailable, unit_names, unknown_kommune)
from components.search import DROPDOWN_LABELS, name_id
from components.store import DataUnavailable, cached
from components.tables import data_table

dash.register_page(__name__, path_template="/kommune/<knr>", name="Sammenlign", title="Sammenlign – Innenfor",
                   order=1, nav=True, description="Sammenlign en kommune med andre kommuner, fylket og landet")

URL = "cmp-url"
KOMMUNE = "cmp-kommune"
SETT = "cmp-sett"
MED = "cmp-med"
IND = "cmp-ind"
OUT = "cmp-out"
DL = "cmp"

SETS = {"naboer": "Nabokommuner", "fylke": "Samme fylke", "storrelse": "Lik størrelse",
        "lignende": "Lignende kommuner"}
DEFAULT_SET = "naboer"


def _split(text) -> list[str]:
    return [t.strip() for t in str(text or "").split(",") if t.strip()]


DEFAULT_INDICATORS = 6  # the first few by sort order; the rest are one click away in the list


def kommune_indicators(meta: pd.DataFrame) -> list[str]:
    ids = [r.indicator_id for r in meta.itertuples() if "kommune" in r.levels.split(",")]
    return ids[:DEFAULT_INDICATORS]


def state_from_query(knr: str, med, sett, ind, meta: pd.DataFrame, known: set[str]) -> dict:
    sett = sett if sett in SETS else DEFAULT_SET
    chosen = [c for c in _split(med) if c in known and c != knr] if med is not None else queries.comparators(knr, sett)
    ids = set(meta["indicator_id"])
    inds = [i for i in _split(ind) if i in ids] or kommune_indicators(meta)
    return {"knr": knr, "sett": sett, "med": chosen, "ind": inds}


def set_options(knr: str) -> list[dict]:
    """The four comparator sets; those the build has no members for are shown but disabled."""
    kinds = set(queries.comparator_kinds(knr))
    return [{"label": label if kind in kinds else f"{label} (ikke tilgjengelig)", "value": kind,
             "disabled": kind not in kinds} for kind, label in SETS.items()]


@cached(size=2)
def kommune_options() -> list[dict]:
    """The 357 kommuner as dropdown options, built once per database file (shared: do not mutate)."""
    units = queries.kommuner()
    return [{"label": f"{r.name} ({r.code})", "value": r.code, "search": f"{r.name} {r.code}"}
            for r in units.sort_values("name").itertuples()]


@cached(size=2)
def indicator_options() -> list[dict]:
    return [{"label": r.short_title_nb, "value": r.indicator_id} for r in queries.indicators().itertuples()]


def layout(knr: str | None = None, med=None, sett=None, ind=None, **_query):
    """The page for one URL, remembered per database file: a repeated visit costs only serialisation."""
    try:
        return _layout(*(query_arg(a) for a in (knr, med, sett, ind)))
    except DataUnavailable as exc:
        return unavailable(exc)


VIEW_MEMO = 512  # every kommune's default view (357) and room for the others asked for


@cached(size=VIEW_MEMO)
def _layout(knr: str | None, med: str | None, sett: str | None, ind: str | None):
    """Shared between requests (its option lists too): never mutated."""
    try:
        units = queries.kommuner()
        meta = queries.indicators()
    except DataUnavailable as exc:
        return unavailable(exc)
    known = set(units["code"])
    knr = (knr or "").strip()
    if knr not in known:
        return unknown_kommune(knr, "kommune")
    state = state_from_query(knr, med, sett, ind, meta, known)
    k_options = kommune_options()
    ind_options = indicator_options()
    return html.Div([
        dcc.Location(id=URL, refresh=False),
        html.H1(id="cmp-title", children=f"Sammenlign {unit_names().get(knr, knr)}"),
        html.P("Velg kommune og hvem den skal sammenlignes med. Fargen på søylene sier om kommunen ligger bedre, "
               "likt eller dårligere an enn landet (der det er vurdert), og står også i teksten.", className="lead"),
        html.Div([
            html.Label([html.Span("Kommune", className="control-label", id=name_id(KOMMUNE)),
                        dcc.Dropdown(id=KOMMUNE, labels=DROPDOWN_LABELS, options=k_options, value=knr, clearable=False)], className="control"),
            html.Fieldset([
                html.Legend("Sammenlign med", className="control-label"),
                dcc.RadioItems(id=SETT, options=set_options(knr),
                               value=state["sett"], inline=True, className="radio-row"),
            ], className="control"),
            html.Label([html.Span("Kommuner i sammenligningen (legg til eller fjern)", className="control-label",
                                  id=name_id(MED)),
                        dcc.Dropdown(id=MED, labels=DROPDOWN_LABELS, options=k_options, value=state["med"], multi=True,
                                     placeholder="Ingen andre kommuner valgt")], className="control wide"),
            html.Label([html.Span("Indikatorer (legg til flere fra listen)", className="control-label", id=name_id(IND)),
                        dcc.Dropdown(id=IND, labels=DROPDOWN_LABELS, options=ind_options, value=state["ind"], multi=True,
                                     placeholder="Velg indikatorer")], className="control wide"),
        ], className="controls"),
        html.Div([download_buttons(DL),
                  html.P("Lenken i adressefeltet gjenskaper denne visningen.", className="muted")],
                 className="toolbar"),
        dcc.Loading(html.Div(id=OUT), type="dot", delay_show=400),
    ])


@callback(Output(SETT, "options"), Input(KOMMUNE, "value"), prevent_initial_call=True)
def sets_for(knr):
    return set_options(knr) if knr else no_update


@callback(Output(MED, "value"), Input(KOMMUNE, "value"), Input(SETT, "value"), prevent_initial_call=True)
def preselect(knr, sett):
    """A new kommune or comparator set pre-selects that set's members (the user can still edit them)."""
    if not knr:
        return no_update
    return queries.comparators(knr, sett or DEFAULT_SET)


@callback(Output(OUT, "children"), Output(URL, "pathname"), Output(URL, "search"), Output("cmp-title", "children"),
          Input(KOMMUNE, "value"), Input(MED, "value"), Input(IND, "value"), Input(SETT, "value"),
          State(URL, "pathname"), State(URL, "search"))
def render(knr, med, inds, sett, cur_path, cur_search):
    if not knr:
        return no_update, no_update, no_update, no_update
    med = [m for m in (med or []) if m != knr]
    inds = inds or []
    search = "?" + urlencode({"med": ",".join(med), "sett": sett or DEFAULT_SET, "ind": ",".join(inds)}, safe=",")
    path = f"/kommune/{knr}"
    names = unit_names()
    body = sections(knr, med, inds, names)
    return (body, path if path != cur_path else no_update, search if search != cur_search else no_update,
            f"Sammenlign {names.get(knr, knr)}")


def warm_default_views() -> int:
    """Render the page and the sections of every kommune's default view (its neighbours, the default
    indicators) into the memo; returns how many. What a first visitor to /kommune/<knr> is shown."""
    meta = queries.indicators()
    inds = tuple(kommune_indicators(meta))
    codes = list(queries.kommuner()["code"])
    for knr in codes:
        _layout(knr, None, None, None)
        _sections(knr, tuple(m for m in queries.comparators(knr, DEFAULT_SET) if m != knr), inds)
    return len(codes)


def units_in_view(knr: str, med: list[str]) -> list[str]:
    units = queries.geo_units()
    parent = units.set_index("code")["parent_code"].get(knr)
    return [knr, *med, *([parent] if isinstance(parent, str) else []), queries.LAND]


def sections(knr: str, med: list[str], inds: list[str], names: dict) -> list:
    if not inds:
        return [html.P("Velg minst én indikator.", className="notice")]
    return list(_sections(knr, tuple(med), tuple(inds)))


@cached(size=VIEW_MEMO)
def _sections(knr: str, med: tuple, inds: tuple) -> tuple:
    """The rendered sections of one view, kept per database file: a repeated view costs only serialisation.
    The component trees are shared between requests and never mutated."""
    names = unit_names()
    meta = queries.indicator_meta()
    codes = units_in_view(knr, list(med))
    fylke = codes[-2] if len(codes) >= 3 and len(codes[-2]) == 2 else None
    by_indicator: dict[str, list[dict]] = {}
    for r in queries.records_for(codes):
        by_indicator.setdefault(r["indicator_id"], []).append(r)
    out = []
    for ind in inds:
        if ind not in meta:
            continue
        m = dict(meta[ind])
        out.append(indicator_section(m, by_indicator.get(ind, []), knr, list(med), fylke, codes, names))
    return tuple(out)


def indicator_section(m: dict, rows: list[dict], knr: str, med: list[str], fylke: str | None,
                      codes: list[str], names: dict) -> html.Section:
    """One indicator: bars for the latest period, a time series and a table. ``rows`` are this indicator's
    rows for ``codes`` as dicts, ordered by period and unit code."""
    ind = m["indicator_id"]
    kommune_rows = [r for r in rows if r["geo_level"] == "kommune"]
    own = [r for r in kommune_rows if r["geo_code"] == knr]
    head = [html.H2(m["title_nb"], id=f"ind-{ind}"), html.P(m["description_nb"]),
            html.P(f"Enhet: {m['unit']} · Periode: {period_note(m)} · Kilde: {source_labels(m['sources'])}",
                   className="meta")]
    if isinstance(m.get("note_nb"), str) and m["note_nb"]:
        head.append(html.P(f"Merk: {m['note_nb']}", className="note"))
    kept = kept_note(m["sources"])
    if kept is not None:
        head.append(kept)
    if not rows:
        return html.Section(head + [html.P("Ingen tall for disse enhetene.", className="notice")],
                            className="indicator")
    graphs = []
    if own:
        period = max(r["period"] for r in own)
        shown = {knr, *med}
        trends = trend_text.rows_by_key(sorted(shown))
        latest = [_with_trend(r, trends.get((ind, r["geo_code"]))) for r in kommune_rows
                  if r["period"] == period and r["geo_code"] in shown]
        present = {r["geo_code"] for r in latest}
        # a comparator without a row for this period is named as such, not dropped
        latest += [{"geo_code": c, "value": None, "comparison": None, "status": None,
                    "status_nb": f"ikke tilgjengelig for {period}"} for c in med if c not in present]
        ref = {r["geo_code"]: r for r in rows if r["period"] == period}
        norge = _ref(ref.get(queries.LAND))
        fylke_ref = _ref(ref.get(fylke)) if fylke else None
        bar = charts.latest_bars(m, latest, names, knr, period, norge, fylke_ref, names.get(fylke, "Fylket"))
        graphs.append(dcc.Graph(figure=bar, config=charts.graph_config(f"{ind}-{knr}-{period}"), className="graph",
                                id={"type": "cmp-bar", "ind": ind}))
        if m.get("polarity") == "neutral":
            colours = [html.Span("lilla = høyere enn landet", className="c-higher"), ", ",
                       html.Span("grønn = lavere enn landet", className="c-lower"), ", ",
                       html.Span("grå = som landet", className="c-similar")]
        else:
            colours = [html.Span("blå = bedre enn landet", className="c-better"), ", ",
                       html.Span("grå = som landet", className="c-similar"), ", ",
                       html.Span("oransje = dårligere enn landet", className="c-worse")]
        head.append(html.P(["Søylenes farge: ", *colours,
                            ", lyseblå = ikke vurdert. Svart strek: Norge, stiplet strek: fylket. «Trend» ved "
                            "søylen: en statistisk sikker utvikling over de fem siste periodene (test for trend på "
                            "antall; se Om data). Uten sikker endring, eller uten vurdering, står det bare når du "
                            "peker på søylen."],
                           className="muted legend-note"))
    else:
        graphs.append(html.P(f"{names.get(knr, knr)} har ingen tall for denne indikatoren.", className="notice"))
    periods = sorted({r["period"] for r in rows})
    if len(periods) == 1:  # one column of dots is no time series: say so instead
        graphs.append(html.P(f"Bare én periode ({periods[0]}) for disse enhetene, så ingen tidsserie. "
                             "Tallene står i søylene og i tabellen.", className="notice"))
    else:
        series = charts.time_series(m, rows, names, knr, codes)
        if len(med) > charts.MAX_SERIES_KOMMUNER:
            head.append(html.P(f"Tidsserien viser {names.get(knr, knr)}, fylket og landet når mer enn "
                               f"{charts.MAX_SERIES_KOMMUNER} kommuner er valgt; alle står i tabellen.",
                               className="muted"))
        graphs.append(dcc.Graph(figure=series, config=charts.graph_config(f"{ind}-{knr}-tidsserie"),
                                className="graph", id={"type": "cmp-series", "ind": ind}))
    gaps = [r for r in rows if fmt.is_missing(r["value"])]
    gap_note = None
    if gaps:
        listed = "; ".join(f"{names.get(r['geo_code'], r['geo_code'])} {r['period']}: "
                           f"{fmt.status_text(r['status'], r['status_nb'])}" for r in gaps)
        gap_note = html.P(f"Mangler i figurene: {listed}.", className="note")
    return html.Section(head + [html.Div(graphs, className="graph-row"), gap_note, table(m, rows, codes, names)],
                        className="indicator")


def _with_trend(row: dict, trend: dict | None) -> dict:
    """A copy of a (shared, cached) value row with its recent-trend verdict for the bar's label and hover."""
    return row if trend is None else {**row, "trend_short": trend_text.short(trend), "trend_nb": trend_text.text(trend)}


def _ref(row: dict | None) -> dict | None:
    """A reference row (Norway, the fylke) without its unit code, as the bar chart expects it."""
    return None if row is None else {k: v for k, v in row.items() if k != "geo_code"}


def table(m: dict, rows: list[dict], codes: list[str], names: dict) -> html.Details:
    periods = sorted({r["period"] for r in rows})
    dec, unit = int(m["decimals"]), m["unit_short"]
    by_code: dict[str, dict] = {}
    for r in rows:
        by_code.setdefault(r["geo_code"], {})[r["period"]] = r
    body = []
    for code in codes:
        sub = by_code.get(code)
        if not sub:
            continue
        cells = [names.get(code, code)]
        for p in periods:
            cells.append(fmt.value_text(sub[p]["value"], dec, "", sub[p]["status"], sub[p]["status_nb"])
                         if p in sub else "ikke tilgjengelig")
        last = sub.get(periods[-1])
        cells.append(fmt.comparison_text(last["comparison"]) if last is not None and code != queries.LAND else "")
        body.append(cells)
    caption = f"{m['title_nb']} ({m['unit']}{', ' + unit if unit else ''}), alle perioder"
    return html.Details([html.Summary("Vis tabell"),
                         data_table(caption, ["Enhet", *periods, f"Mot landet {periods[-1]}"], body,
                                    numeric=set(range(1, len(periods) + 1)), table_id=f"tbl-{m['indicator_id']}")],
                        className="table-details")


@callback(Output(f"{DL}-download", "data"), Input(f"{DL}-xlsx-btn", "n_clicks"), Input(f"{DL}-csv-btn", "n_clicks"),
          State(KOMMUNE, "value"), State(MED, "value"), State(IND, "value"), prevent_initial_call=True)
def download(_x, _c, knr, med, inds):
    if not knr or not inds:
        return no_update
    med = [m for m in (med or []) if m != knr]
    names = unit_names()
    codes = units_in_view(knr, med)
    values = queries.values_for(codes)
    values = values[values["indicator_id"].isin(inds)]
    meta = queries.indicators()
    meta = meta[meta["indicator_id"].isin(inds)]
    frame = export.long_frame(values, meta, names, code_order=codes)
    frame["indicator_id"] = pd.Categorical(frame["indicator_id"], categories=inds, ordered=True)
    frame = frame.sort_values("indicator_id", kind="stable")
    frame["indicator_id"] = frame["indicator_id"].astype(str)
    stem = f"innenfor-{knr}-sammenligning"
    if triggered_id() == f"{DL}-csv-btn":
        return dcc.send_bytes(export.to_csv(frame), f"{stem}.csv")
    title = f"Innenfor: {names.get(knr, knr)} sammenlignet med {len(med)} kommuner, fylket og landet"
    return dcc.send_bytes(export.to_excel(frame, meta, title), f"{stem}.xlsx")
