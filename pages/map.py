"""Kart: a choropleth of fylker (default) or kommuner for one indicator and period.

Values published on older borders are drawn on the boundary file of their division (fylker 2020/2018/2017),
never on today's units; where no such file exists the map says so and the table shows the figures.
"""
from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urlencode

import dash
import pandas as pd
from dash import Input, Output, State, callback, dcc, html, no_update

from components import charts, export, fmt, queries, trend_text
from components.pages_common import (download_buttons, kept_note, query_arg, source_labels, triggered_id, unavailable,
                                     unit_names)
from components.search import DROPDOWN_LABELS, NAV_URL, name_id
from components.store import DataUnavailable, cached
from components.tables import data_table

dash.register_page(__name__, path="/kart", name="Kart", title="Kart – Innenfor", order=2, nav=True,
                   description="Fylker og kommuner i kart")

URL, IND, NIVA, PERIODE, GRAPH, INFO, TABLE, DL = ("map-url", "map-ind", "map-niva", "map-periode", "map-graph",
                                                    "map-info", "map-table", "map")
GEO_DIR = Path(__file__).resolve().parents[1] / "data" / "geo"
FYLKE_FILES = (2017, 2018, 2020, 2024)  # fylker-<year>.geojson: the divisions of 2017, 2018, 2020 and 2024
LEVELS = {"fylke": "Fylker", "kommune": "Kommuner"}
DEFAULT_PATTERN = r"frafall"


def default_indicator(meta: pd.DataFrame) -> str | None:
    for r in meta.itertuples():
        if re.search(DEFAULT_PATTERN, f"{r.indicator_id} {r.title_nb}".lower()) and "fylke" in r.levels:
            return r.indicator_id
    return meta["indicator_id"].iloc[0] if not meta.empty else None


def boundary_file(level: str, borders: str, vintage) -> tuple[str | None, int | None]:
    """(file stem, division year) for rows on these borders, or (None, year) when we have no such file."""
    if borders == "2024" or (not fmt.is_missing(vintage) and int(vintage) >= 2024):
        year = 2024
    elif fmt.is_missing(vintage):
        return None, None
    elif level == "fylke":
        year = max([y for y in FYLKE_FILES if y <= int(vintage)] or [FYLKE_FILES[0]])
    else:
        return None, int(vintage)
    stem = f"{'fylker' if level == 'fylke' else 'kommuner'}-{year}"
    return (stem if (GEO_DIR / f"{stem}.geojson").is_file() else None), year


def layout(ind=None, niva=None, periode=None, **_query):
    """The page for one URL, remembered per database file (the map itself is drawn by ``render``)."""
    try:
        return _layout(query_arg(ind), query_arg(niva), query_arg(periode))
    except DataUnavailable as exc:
        return unavailable(exc)


@cached(size=128)
def _layout(ind: str | None, niva: str | None, periode: str | None):
    """Shared between requests: never mutated."""
    try:
        meta = queries.indicators()
        if meta.empty:
            return html.Div([html.H1("Kart"), html.P("Indikatorene er ikke bygget ennå.", className="notice")])
        ind = ind if ind in set(meta["indicator_id"]) else default_indicator(meta)
        niva = niva if niva in LEVELS else "fylke"
        periods = queries.map_periods(ind, niva)
        period_type = meta.set_index("indicator_id").loc[ind, "period_type"]
    except DataUnavailable as exc:
        return unavailable(exc)
    periode = periode if periode in periods else (periods[0] if periods else None)
    return html.Div([
        dcc.Location(id=URL, refresh=False),
        html.H1("Kart"),
        html.P("Velg indikator, nivå og periode. Pek på et område for tall, periode, status og enhet; "
               "klikk på en kommune for å sammenligne den.", className="lead"),
        html.Div([
            html.Label([html.Span("Indikator", className="control-label", id=name_id(IND)),
                        dcc.Dropdown(id=IND, labels=DROPDOWN_LABELS, options=[{"label": r.title_nb, "value": r.indicator_id}
                                                      for r in meta.itertuples()], value=ind, clearable=False)],
                       className="control wide"),
            html.Fieldset([html.Legend("Nivå", className="control-label"),
                           dcc.RadioItems(id=NIVA, options=[{"label": v, "value": k} for k, v in LEVELS.items()],
                                          value=niva, inline=True, className="radio-row")], className="control"),
            html.Label([html.Span("Periode", className="control-label", id=name_id(PERIODE)),
                        dcc.Dropdown(id=PERIODE, labels=DROPDOWN_LABELS, options=period_options(periods, period_type), value=periode,
                                     clearable=False)],
                       className="control"),
        ], className="controls"),
        download_buttons(DL),
        html.Div(id=INFO),
        # No dcc.Loading and no responsive resizing here: each would redraw the whole map (seconds for 357
        # kommuner in software rendering).
        dcc.Graph(id=GRAPH, config={**charts.graph_config("innenfor-kart"), "responsive": False},
                  className="graph map", figure=charts.empty_figure("Laster kart …")),
        html.Details([html.Summary("Vis tabell"), html.Div(id=TABLE)], className="table-details", open=False),
    ])


@callback(Output(PERIODE, "options"), Output(PERIODE, "value"), Input(IND, "value"), Input(NIVA, "value"),
          State(PERIODE, "value"), prevent_initial_call=True)
def periods(ind, niva, current):
    options = queries.map_periods(ind, niva)
    period_type = queries.indicators().set_index("indicator_id").loc[ind, "period_type"]
    return (period_options(options, period_type),
            current if current in options else (options[0] if options else None))


def period_options(periods: list[str], period_type: str) -> list[dict]:
    """Dropdown options; a cohort is named by what it is ('startet Vg1 2019'), the URL keeps the year."""
    return [{"label": fmt.period_label(p, period_type), "value": p} for p in periods]


def pick_division(rows: pd.DataFrame, level: str) -> tuple[pd.DataFrame, str, int | None]:
    """One division per map. A period can have figures on today's borders (harmonised) and on the borders
    they were published on; prefer the one we have boundaries for, then the one with more units."""
    today = rows[rows["borders"] == "2024"]
    old = rows[rows["borders"] != "2024"]
    vintage = None
    if not old.empty and old["geo_vintage"].notna().any():
        vintage = int(old["geo_vintage"].dropna().max())
        old = old[old["geo_vintage"] == vintage]
    options = [(today, "2024", 2024), (old, "as_published", vintage)]
    options = [o for o in options if not o[0].empty]
    if not options:
        return rows, "2024", 2024
    return max(options, key=lambda o: (boundary_file(level, o[1], o[2])[0] is not None, len(o[0]), o[1] == "2024"))


def _names_for(level: str, vintage, names: dict) -> dict:
    if fmt.is_missing(vintage) or int(vintage) >= 2024:
        return names
    hist = queries.historic_names(level)
    hist = hist[(hist["valid_from"] <= int(vintage)) & (hist["valid_to"] >= int(vintage))]
    return {**names, **dict(zip(hist["code"], hist["name"]))}


def _trend_words(ind: str) -> dict[str, str]:
    """code -> recent-trend verdict in words (today's borders only: the verdict is about today's units)."""
    return {code: words for (i, code), words in trend_text.lookup(None).items() if i == ind}


@cached(size=128)
def map_view(ind: str, niva: str, periode: str):
    """Figure, notice and table for one indicator, level and period: 20-80 ms for 357 kommuner and asked for
    again and again, so remembered per database file (shared between requests: never mutated)."""
    meta_all = queries.indicators().set_index("indicator_id")
    m = {"indicator_id": ind, **meta_all.loc[ind].to_dict()}
    rows = queries.map_values(ind, niva, periode)
    names = unit_names()
    if rows.empty:
        return charts.empty_figure("Ingen tall for dette valget."), [], []
    rows, borders, vintage = pick_division(rows, niva)
    stem, year = boundary_file(niva, borders, vintage)
    names = _names_for(niva, vintage, names)
    label = fmt.period_label(periode, m.get("period_type"))
    info = [html.P([f"{m['title_nb']}, {label}. Enhet: {m['unit']}. Kilde: {source_labels(m['sources'])}."],
                   className="meta")]
    if borders != "2024":
        info.append(html.P(f"Tallene er publisert for inndelingen fra {year or 'ukjent år'}"
                           + (f" og vises på grensene fra {year}." if stem else
                              ". Vi har ikke kartgrenser for den inndelingen, så tallene vises bare i tabellen."),
                           className="note border-note"))
    if isinstance(m.get("note_nb"), str) and m["note_nb"]:
        info.append(html.P(f"Merk: {m['note_nb']}", className="note"))
    trends = _trend_words(ind) if borders == "2024" else {}
    kept = kept_note(m["sources"])
    if kept is not None:
        info.append(kept)
    if stem:
        all_codes = list(queries.geo_units().query("level == @niva")["code"]) if borders == "2024" else []
        fig = charts.choropleth(m, rows, f"/geo/{stem}.geojson", names, label, all_codes, trends)
    else:
        fig = charts.empty_figure("Ingen kartgrenser for denne inndelingen – se tabellen under.", height=260)
    dec = int(m["decimals"])
    ordered = rows.sort_values(["value", "geo_code"], ascending=[False, True], na_position="last")
    body = [[names.get(r["geo_code"], r["geo_code"]), r["geo_code"],
             fmt.value_text(r["value"], dec, "", r["status"], r["status_nb"]),
             fmt.comparison_text(r["comparison"]), trends.get(r["geo_code"], "")]
            for r in ordered.to_dict("records")]
    table = data_table(f"{m['title_nb']}, {label} ({m['unit']})", ["Navn", "Nummer", "Verdi", "Mot landet", "Trend"],
                       body, numeric={2}, table_id="map-data-table")
    return fig, info, table


@callback(Output(GRAPH, "figure"), Output(INFO, "children"), Output(TABLE, "children"), Output(URL, "search"),
          Input(IND, "value"), Input(NIVA, "value"), Input(PERIODE, "value"), State(URL, "search"))
def render(ind, niva, periode, cur_search):
    if not ind or not periode:
        return charts.empty_figure("Ingen perioder for dette valget."), [], [], no_update
    fig, info, table = map_view(ind, niva, periode)
    search = "?" + urlencode({"ind": ind, "niva": niva, "periode": periode})
    return fig, info, table, (search if search != cur_search else no_update)


@callback(Output(NAV_URL, "href", allow_duplicate=True), Input(GRAPH, "clickData"), State(NIVA, "value"),
          prevent_initial_call=True)
def open_kommune(click, niva):
    """Clicking a kommune opens its Sammenlign page."""
    if niva != "kommune" or not click or not click.get("points"):
        return no_update
    code = click["points"][0].get("location")
    return f"/kommune/{code}" if code else no_update


@callback(Output(f"{DL}-download", "data"), Input(f"{DL}-xlsx-btn", "n_clicks"), Input(f"{DL}-csv-btn", "n_clicks"),
          State(IND, "value"), State(NIVA, "value"), State(PERIODE, "value"), prevent_initial_call=True)
def download(_x, _c, ind, niva, periode):
    if not ind or not periode:
        return no_update
    rows = queries.map_values(ind, niva, periode)
    meta = queries.indicators()
    meta = meta[meta["indicator_id"] == ind]
    frame = export.long_frame(rows, meta, unit_names())
    stem = f"innenfor-kart-{ind}-{niva}-{periode}"
    if triggered_id() == f"{DL}-csv-btn":
        return dcc.send_bytes(export.to_csv(frame), f"{stem}.csv")
    return dcc.send_bytes(export.to_excel(frame, meta, f"Innenfor: {meta['title_nb'].iloc[0]}, {periode}"),
                          f"{stem}.xlsx")
