"""Profil: every indicator for one kommune against Norway in one barometer (like FHI's folkehelsebarometer),
with a table beside it and a print stylesheet for a clean A4 page."""
from __future__ import annotations

import dash
import pandas as pd
from dash import Input, Output, State, callback, dcc, html, no_update

from components import charts, export, fmt, queries, trend_text
from components.pages_common import download_buttons, triggered_id, unavailable, unit_names, unknown_kommune
from components.store import DataUnavailable
from components.tables import data_table

dash.register_page(__name__, path_template="/profil/<knr>", name="Profil", title="Profil – Innenfor", order=3,
                   nav=True, description="Alle indikatorer for én kommune")

DL = "prof"
KNR = "prof-knr"


def barometer_rows(knr: str, fylke: str | None, meta: pd.DataFrame, rows: pd.DataFrame, names: dict,
                   trends: dict | None = None):
    """Per indicator: the kommune's position for the spine chart and the figures for the table (the last
    column is the recent-trend verdict from ``trends``, (indicator_id, code) -> words)."""
    spine, table, trends = [], [], trends or {}
    for i, m in enumerate(r for r in meta.itertuples() if r.indicator_id in set(rows["indicator_id"])):
        sub = rows[rows["indicator_id"] == m.indicator_id].set_index("geo_code")
        if knr not in sub.index:
            continue
        own, period = sub.loc[knr], sub.loc[knr, "period"]
        norge = sub.loc[queries.LAND] if queries.LAND in sub.index else None
        fy = sub.loc[fylke] if fylke and fylke in sub.index else None
        dec, unit = int(m.decimals), m.unit_short
        spread = sub[(sub["geo_level"] == "kommune") & sub["value"].notna()]["value"]
        count = m.unit == "personer"  # a count is not comparable with Norway's: table only
        entry = {"index": len(spine), "label": f"{m.short_title_nb} ({period})", "comparison": fmt.clean(own["comparison"]),
                 "pos": None, "lo": None}
        nv = None if norge is None else fmt.clean(norge["value"])
        if nv is not None and not spread.empty and not count:
            scale = max(abs(spread.max() - nv), abs(spread.min() - nv)) or 1.0
            entry.update(lo=(spread.min() - nv) / scale, hi=(spread.max() - nv) / scale,
                         q1=(spread.quantile(0.25) - nv) / scale, q3=(spread.quantile(0.75) - nv) / scale)
            if not fmt.is_missing(own["value"]):
                entry["pos"] = (float(own["value"]) - nv) / scale
        own_text = fmt.value_text(own["value"], dec, unit, own["status"], own["status_nb"])
        entry["missing_text"] = (own_text if fmt.is_missing(own["value"])
                                 else f"{own_text} – ingen tall for landet å sammenligne med")
        entry["hover"] = (f"{m.title_nb}, {period}<br>{names.get(knr)}: {own_text}<br>Norge: "
                          f"{fmt.value_text(nv, dec, unit)}<br>{fmt.comparison_text(own['comparison'])}")
        if not count:
            spine.append(entry)
        table.append([m.short_title_nb, period, own_text,
                      fmt.value_text(fy["value"], dec, unit, fy["status"], fy["status_nb"]) if fy is not None
                      else "ikke tilgjengelig",
                      fmt.value_text(nv, dec, unit, norge["status"], norge["status_nb"]) if norge is not None
                      else "ikke tilgjengelig",
                      m.unit, "" if count else fmt.comparison_text(own["comparison"]),
                      trends.get((m.indicator_id, knr), "")])
    return spine, table


def layout(knr: str | None = None, **_query):
    try:
        units = queries.geo_units()
        if knr not in set(units.loc[units["level"] == "kommune", "code"]):
            return unknown_kommune(knr or "", "profil")
        meta = queries.indicators()
        rows = queries.latest_with_spread(knr)
    except DataUnavailable as exc:
        return unavailable(exc)
    names = unit_names()
    fylke = units.set_index("code")["parent_code"].get(knr)
    spine, table = barometer_rows(knr, fylke, meta, rows, names, trend_text.lookup([knr]))
    title = f"Profil for {names[knr]}"
    without = [m.short_title_nb for m in meta.itertuples()
               if "kommune" in m.levels.split(",") and m.short_title_nb not in {r[0] for r in table}]
    legend = html.P(["Punktet viser kommunen, den svarte streken landet. Det lyse feltet er spennet mellom "
                     "kommunene, det mørkere feltet den midterste halvdelen. Farge og form: ",
                     html.Span("● bedre enn landet", className="c-better"), ", ",
                     html.Span("◆ som landet", className="c-similar"), ", ",
                     html.Span("■ dårligere enn landet", className="c-worse"), "; ",
                     "for indikatorer der verken høyt eller lavt er bedre: ",
                     html.Span("▲ høyere", className="c-higher"), " / ",
                     html.Span("▼ lavere enn landet", className="c-lower"), ", ",
                     "○ ikke vurdert (uten tellere kan ikke forskjellen testes)."], className="note")
    return html.Div([
        dcc.Store(id=KNR, data=knr),
        html.H1(title),
        html.P([f"Alle indikatorer for {names[knr]} ({knr}) i {names.get(fylke, '')}, siste periode, mot landet. ",
                dcc.Link("Sammenlign med andre kommuner", href=f"/kommune/{knr}"), "."], className="lead"),
        html.Div([download_buttons(DL),
                  html.Button("Skriv ut", id="prof-print", className="btn btn-secondary", n_clicks=0)],
                 className="toolbar no-print"),
        dcc.Graph(figure=charts.spine(spine) if spine else charts.empty_figure("Ingen tall for kommunen."),
                  config=charts.graph_config(f"innenfor-profil-{knr}"), className="graph", id="prof-spine"),
        legend,
        data_table(f"{title}: tallene bak figuren", ["Indikator", "Periode", names[knr], names.get(fylke, "Fylket"),
                                                     "Norge", "Enhet", "Mot landet", "Trend"], table,
                   numeric={2, 3, 4}, table_id="prof-table"),
        html.P(f"Ingen tall for {names[knr]} i databasen: {', '.join(without)}.", className="note") if without else None,
        html.P("Kilder og definisjoner: se Om data. Tall som er skjermet vises med forklaring. Antall (personer) "
               "står bare i tabellen: de kan ikke sammenlignes med landet.", className="muted"),
    ], className="profile")


dash.clientside_callback("function(n) { if (n) { window.print(); } return ''; }",
                         Output("prof-print", "title"), Input("prof-print", "n_clicks"), prevent_initial_call=True)


@callback(Output(f"{DL}-download", "data"), Input(f"{DL}-xlsx-btn", "n_clicks"), Input(f"{DL}-csv-btn", "n_clicks"),
          State(KNR, "data"), prevent_initial_call=True)
def download(_x, _c, knr):
    if not knr:
        return no_update
    units = queries.geo_units().set_index("code")
    fylke = units["parent_code"].get(knr)
    codes = [knr, *([fylke] if isinstance(fylke, str) else []), queries.LAND]
    meta = queries.indicators()
    frame = export.long_frame(queries.values_for(codes), meta, unit_names(), code_order=codes)
    meta = meta[meta["indicator_id"].isin(set(frame["indicator_id"]))]
    stem = f"innenfor-profil-{knr}"
    if triggered_id() == f"{DL}-csv-btn":
        return dcc.send_bytes(export.to_csv(frame), f"{stem}.csv")
    return dcc.send_bytes(export.to_excel(frame, meta, f"Innenfor: profil for {unit_names().get(knr, knr)}"),
                          f"{stem}.xlsx")
