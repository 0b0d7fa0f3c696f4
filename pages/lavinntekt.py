"""Lavinntekt etter alder (KS Vedlegg 7): the share in persistent low income by age group over 3-year periods,
children's persistent and annual low income, and a chosen kommune's children (``?kommune=4003``). A period
the database has no figure for is a gap in the line and is listed, never bridged or filled."""
from __future__ import annotations

import dash
from dash import Input, Output, State, callback, dcc, html

from components import appendix, charts, queries
from components.pages_common import download_buttons, query_arg, unavailable, unit_names
from components.store import DataUnavailable, cached

PATH = "/lavinntekt"
dash.register_page(__name__, path=PATH, name="Lavinntekt", title="Lavinntekt etter alder – Innenfor", order=6,
                   nav=True, description="Vedvarende lavinntekt etter alder, og barn i lavinntekt")

AGES = (("", "alle aldre", "#000000", 3), ("alder=0-17", "0–17 år", "#0072B2", 2),
        ("alder=18-34", "18–34 år", "#E69F00", 2), ("alder=35-49", "35–49 år", "#009E73", 2),
        ("alder=50-66", "50–66 år", "#CC79A7", 2), ("alder=67+", "67 år og eldre", "#D55E00", 2))
LIMITS = (("", "under 60 % av medianen (EU60)", "#0072B2"), ("grense=eu50", "under 50 % av medianen (EU50)",
                                                               "#D55E00"))


def _unit_title(meta: dict) -> str:
    unit = meta["unit_short"]
    return meta["unit"] + (f" ({unit})" if unit and unit != meta["unit"] else "")


def _block(meta: dict, fig: dict, table, gap_lines: list[str], extra=None) -> html.Section:
    ind = meta["indicator_id"]
    return html.Section([
        html.H2(meta["title_nb"], id=f"li-{ind}-h"), html.P(meta["description_nb"], className="lead-small"),
        dcc.Graph(id=f"li-graph-{ind}", figure=fig, config=charts.graph_config(f"innenfor-{ind}"), className="graph"),
        extra, appendix.gaps_note(gap_lines), appendix.table_details(table), appendix.about(meta),
    ], className="indicator appendix-section")


def by_age(meta: dict) -> html.Section:
    rows = queries.series(meta["indicator_id"], [queries.LAND], [b for b, *_ in AGES])
    periods = appendix.three_year_periods(rows["period"].unique())
    specs = [{"name": label, "label": label, "rows": appendix.by_period(rows, queries.LAND, b), "colour": colour,
              "width": width} for b, label, colour, width in AGES]
    dec, unit = int(meta["decimals"]), meta["unit_short"]
    fig = appendix.line_figure(f"Vedvarende lavinntekt etter alder, Norge, {periods[0]} – {periods[-1]}",
                               _unit_title(meta), periods, specs, dec, unit, height=420)
    table = appendix.series_table(f"{meta['title_nb']}, Norge: andel ({meta['unit']}) og antall personer "
                                  "(avrundet til hundre av SSB)", periods, specs, dec, unit, "li-alder",
                                  count_field="numerator", count_label="antall")
    extra = html.P("Antall personer står i tabellen (avrundet til nærmeste hundre av SSB). Bare landstall: SSB "
                   "publiserer ikke denne aldersfordelingen per kommune i tabellen vi bruker.", className="note")
    return _block(meta, fig, table, appendix.gap_lines("Norge", specs, periods), extra)


def children(meta: dict, knr: str | None, names: dict) -> html.Section:
    codes = [queries.LAND] + ([knr] if knr else [])
    rows = queries.series(meta["indicator_id"], codes, [""])
    periods = appendix.three_year_periods(rows["period"].unique())
    norge = {"name": "Norge", "label": "landet", "rows": appendix.by_period(rows, queries.LAND, ""),
             "colour": "#000000", "width": 2}
    specs = [norge]
    notes = []
    if knr:
        own = appendix.by_period(rows, knr, "")
        if own.empty:
            notes.append(html.P(f"Databasen har ingen tall for barn i vedvarende lavinntekt i {names.get(knr, knr)}. "
                                "Det lagrede utdraget (offline) har bare et utvalg kommuner; en direkte oppdatering "
                                "fra FHI (make refresh) henter alle kommuner.", className="notice",
                                id="li-no-kommune"))
        else:
            specs.append({"name": names.get(knr, knr), "label": "kommunen", "rows": own, "colour": "#0072B2",
                          "dash": "dash", "symbol": "diamond", "size": 10, "width": 3, "counts": False})
            flags = sorted({f for f in own["flag_nb"] if isinstance(f, str)})
            if flags:
                notes.append(html.P(f"{names.get(knr, knr)}: {'; '.join(flags)} (tallene er publisert for "
                                    "inndelingen fra 2020 og gjelder samme område som i dag).", className="note"))
    dec, unit = int(meta["decimals"]), meta["unit_short"]
    fig = appendix.line_figure(f"Barn 0–17 år i vedvarende lavinntekt, {periods[0]} – {periods[-1]}",
                               _unit_title(meta), periods, specs, dec, unit)
    missing = [p for p in periods if p not in norge["rows"].index or norge["rows"]["value"].isna().get(p, True)]
    if len(missing) >= 3:  # say in the chart itself why Norway's line stops
        fig["layout"]["annotations"] = [{"x": missing[len(missing) // 2], "y": 0.04, "xref": "x", "yref": "paper",
                                         "showarrow": False, "text": f"<i>Norge: ingen tall {missing[0]} til "
                                         f"{missing[-1]}</i>", "font": {"size": 12, "color": "#444"},
                                         "bgcolor": "rgba(255,255,255,0.8)"}]
    held = [p for p in periods if any(p in s["rows"].index for s in specs)]
    table = appendix.series_table(f"{meta['title_nb']} ({meta['unit']}); antall barn der SSB oppgir det", held, specs,
                                  dec, unit, "li-barn", count_field="numerator", count_label="antall barn")
    gap_lines = [f"{line}. Linjen er brutt der; vi trekker ingen linje over perioder uten tall."
                 for line in appendix.gap_lines("Norge", [norge], periods)]
    gap_lines += appendix.gap_lines(names.get(knr, knr), specs[1:], periods) if len(specs) > 1 else []
    extra = html.Div([*notes, html.P("Landstallene til og med 2009-2011 er SSBs (tabell 12944), 2021-2023 er FHIs "
                                     "(tabell 403): samme inntektsstatistikk og definisjon, men to kilder.",
                                     className="note")])
    return _block(meta, fig, table, gap_lines, extra)


def annual(meta: dict) -> html.Section:
    rows = queries.series(meta["indicator_id"], [queries.LAND], [b for b, *_ in LIMITS])
    periods = sorted(rows["period"].unique())
    specs = [{"name": label, "label": label, "rows": appendix.by_period(rows, queries.LAND, b), "colour": colour,
              "counts": b == ""} for b, label, colour in LIMITS]
    dec, unit = int(meta["decimals"]), meta["unit_short"]
    fig = appendix.line_figure(f"Barn under 18 år i lavinntekt (årlig), Norge, {periods[0]}–{periods[-1]}",
                               _unit_title(meta), periods, specs, dec, unit)
    table = appendix.series_table(f"{meta['title_nb']}, Norge ({meta['unit']}), med antall barn i alt",
                                  periods, specs, dec, unit, "li-aarlig", count_field="denominator",
                                  count_label="barn i alt")
    return _block(meta, fig, table, appendix.gap_lines("Norge", specs, periods))


DL = "li"
CHILDREN = {"": "0–17 år"}
BLOCKS = ("lavinntekt_alder", "barn_vedvarende_lavinntekt", "barn_lavinntekt_aarlig")


def layout(kommune=None, **_query):
    """The page for one kommune (or none), remembered per database file: ~100 ms to build."""
    try:
        return _layout(query_arg(kommune))
    except DataUnavailable as exc:
        return unavailable(exc)


@cached(size=64)
def _layout(kommune: str | None):
    """Shared between requests: never mutated."""
    try:
        knr, problem = appendix.resolve_kommune(kommune)
        metas = appendix.indicator_meta(BLOCKS)
        names = unit_names()
        picker = appendix.kommune_picker(PATH, knr)
        sections = []
        for ind in BLOCKS:
            if ind not in metas:
                sections.append(html.P(f"Indikatoren «{ind}» er ikke bygget i denne databasen.", className="notice"))
            elif ind == "lavinntekt_alder":
                sections.append(by_age(metas[ind]))
            elif ind == "barn_vedvarende_lavinntekt":
                sections.append(children(metas[ind], knr, names))
            else:
                sections.append(annual(metas[ind]))
    except DataUnavailable as exc:
        return unavailable(exc)
    return html.Div([
        html.H1("Lavinntekt etter alder"),
        html.P("Hvor mange som bor i husholdninger med vedvarende lavinntekt – under 60 % av medianinntekten i snitt "
               "over tre år – etter alder, og hvor mange barn som vokser opp i lavinntekt. Velg en kommune for å se "
               "kommunens barnetall ved siden av landet.", className="lead"),
        html.Div(picker, className="controls"),
        html.Div(download_buttons(DL), className="toolbar"),
        problem,
        *sections,
    ], className="appendix-page")


@callback(Output(f"{DL}-download", "data"), Input(f"{DL}-xlsx-btn", "n_clicks"), Input(f"{DL}-csv-btn", "n_clicks"),
          State({"type": appendix.PICKER, "path": PATH}, "value"), prevent_initial_call=True)
def download(_x, _c, kommune):
    """The figures of the page (age groups, children for Norway and the chosen kommune, annual limits)."""
    knr, _ = appendix.resolve_kommune(kommune)
    parts = [("lavinntekt_alder", [queries.LAND], {b: label for b, label, *_ in AGES}),
             ("barn_vedvarende_lavinntekt", [queries.LAND] + ([knr] if knr else []), CHILDREN),
             ("barn_lavinntekt_aarlig", [queries.LAND], {b: label for b, label, _ in LIMITS})]
    names = unit_names()
    where = f"Norge og {names.get(knr, knr)}" if knr else "Norge"
    return appendix.download(DL, parts, f"Innenfor: Lavinntekt etter alder, {where}",
                             f"innenfor-lavinntekt{'-' + knr if knr else ''}")
