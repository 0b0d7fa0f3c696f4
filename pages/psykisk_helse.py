"""Psykisk helse blant unge (KS Vedlegg 5): Norway's trend by gender for Ungdata's depressive symptoms and life
satisfaction, and young users of GP/emergency care with mental health problems; a chosen kommune beside Norway
(``?kommune=4003``). Years without a figure are listed with FHI's reason, never drawn as 0."""
from __future__ import annotations

import dash
from dash import Input, Output, State, callback, dcc, html

from components import appendix, charts, queries
from components.pages_common import download_buttons, query_arg, unavailable, unit_names
from components.store import DataUnavailable, cached

PATH = "/psykisk-helse"
dash.register_page(__name__, path=PATH, name="Psykisk helse", title="Psykisk helse blant unge – Innenfor", order=5,
                   nav=True, description="Psykiske plager og livskvalitet blant unge, landet og kommunen")

GENDER = (("", "alle", "#000000"), ("kjonn=gutter", "gutter", "#0072B2"), ("kjonn=jenter", "jenter", "#D55E00"))
AGE = (("", "15–24 år", "#000000"), ("alder=0-14", "0–14 år", "#009E73"))
DL = "ph"
SECTIONS = (("psykiske_plager_ungdom", GENDER), ("livskvalitet_ungdom", GENDER), ("psykiske_lidelser_primaer", AGE))


def _specs(rows, code: str, unit_name: str, series, kommune: bool) -> list[dict]:
    """Norway solid with dots; the kommune dashed with larger diamonds in the same colour per series."""
    out = []
    for breakdown, label, colour in series:
        sub = appendix.by_period(rows, code, breakdown)
        if kommune and sub.empty:
            continue
        out.append({"name": f"{unit_name}, {label}", "label": label, "rows": sub, "colour": colour,
                    "dash": "dash" if kommune else "solid", "symbol": "diamond" if kommune else "circle",
                    "size": 11 if kommune else 7, "width": 2})
    return out


def section(meta: dict, series, knr: str | None, names: dict) -> tuple[html.Section, bool]:
    """One indicator: chart, years without figures, table, definition. Returns whether the kommune had a value."""
    ind = meta["indicator_id"]
    codes = [queries.LAND] + ([knr] if knr else [])
    rows = queries.series(ind, codes, [b for b, _, _ in series])
    periods = sorted(rows["period"].unique())
    dec, unit = int(meta["decimals"]), meta["unit_short"]
    norge = _specs(rows, queries.LAND, "Norge", series, kommune=False)
    specs = list(norge)
    kommune_specs, kommune_has_value = [], False
    notes = []
    if knr:
        kommune_specs = _specs(rows, knr, names.get(knr, knr), series, kommune=True)
        specs += kommune_specs
        kommune_has_value = any(s["rows"]["value"].notna().any() for s in kommune_specs)
        if not kommune_specs:
            notes.append(html.P(f"Databasen har ingen tall for {names.get(knr, knr)} på denne indikatoren.",
                                className="note"))
    gap_lines = appendix.gap_lines("Norge", norge, periods)
    if kommune_specs:
        gap_lines += appendix.gap_lines(names.get(knr, knr), kommune_specs, periods)
    unit_title = meta["unit"] + (f" ({unit})" if unit and unit != meta["unit"] else "")
    fig = appendix.line_figure(f"{meta['short_title_nb']}, {periods[0]}–{periods[-1]}" if periods else
                               meta["short_title_nb"], unit_title, periods, specs, dec, unit)
    table = appendix.series_table(f"{meta['title_nb']} ({meta['unit']})", periods, specs, dec, unit,
                                  table_id=f"ph-{ind}")
    graph = dcc.Graph(id=f"ph-graph-{ind}", figure=fig, config=charts.graph_config(f"innenfor-{ind}"),
                           className="graph")
    body = [html.H2(meta["title_nb"], id=f"ph-{ind}-h"), html.P(meta["description_nb"], className="lead-small"),
            graph, *notes, appendix.gaps_note(gap_lines), appendix.table_details(table), appendix.about(meta)]
    return html.Section(body, className="indicator appendix-section"), kommune_has_value


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
        metas = appendix.indicator_meta([i for i, _ in SECTIONS])
        names = unit_names()
        picker = appendix.kommune_picker(PATH, knr)
        sections, any_value = [], False
        for ind, series in SECTIONS:
            if ind not in metas:
                sections.append(html.P(f"Indikatoren «{ind}» er ikke bygget i denne databasen.", className="notice"))
                continue
            sec, has = section(metas[ind], series, knr, names)
            sections.append(sec)
            any_value = any_value or has
    except DataUnavailable as exc:
        return unavailable(exc)
    status = None
    if knr and not any_value:
        status = html.P([f"Databasen har ingen tall for {names.get(knr, knr)} på disse indikatorene. "
                         "Det lagrede utdraget (offline) har bare Telemarks kommuner; en direkte oppdatering fra "
                         "FHI (make refresh) henter alle kommuner. Under vises landet."],
                        className="notice", id="ph-no-figures")
    elif knr:
        status = html.P(f"{names.get(knr, knr)} vises med stiplede linjer og ruter, landet med heltrukne linjer. "
                        "Kommunene gjør Ungdata-undersøkelsen omtrent hvert tredje år, så kommunens tall er enkeltpunkter "
                        "uten linje mellom årene.", className="note")
    return html.Div([
        html.H1("Psykisk helse blant unge"),
        html.P("Hvordan unge har det: ungdomsskoleelever med mye psykiske plager og elever som er godt fornøyd med "
               "livet (Ungdata), og unge som går til fastlege eller legevakt med psykiske plager eller lidelser. "
               "Landet etter kjønn og alder; velg en kommune for å se dens tall ved siden av.", className="lead"),
        html.Div(picker, className="controls"),
        html.Div(download_buttons(DL), className="toolbar"),
        problem, status,
        *sections,
    ], className="appendix-page")


@callback(Output(f"{DL}-download", "data"), Input(f"{DL}-xlsx-btn", "n_clicks"), Input(f"{DL}-csv-btn", "n_clicks"),
          State({"type": appendix.PICKER, "path": PATH}, "value"), prevent_initial_call=True)
def download(_x, _c, kommune):
    """The figures of the page (Norway and the chosen kommune, every series drawn) as Excel or CSV."""
    knr, _ = appendix.resolve_kommune(kommune)
    codes = [queries.LAND] + ([knr] if knr else [])
    parts = [(ind, codes, {b: label for b, label, _ in series}) for ind, series in SECTIONS]
    names = unit_names()
    where = f"Norge og {names.get(knr, knr)}" if knr else "Norge"
    return appendix.download(DL, parts, f"Innenfor: Psykisk helse blant unge, {where}",
                             f"innenfor-psykisk-helse{'-' + knr if knr else ''}")
