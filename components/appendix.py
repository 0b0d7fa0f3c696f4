"""Pieces the KS appendix pages share (Psykisk helse, Lavinntekt): a kommune picker that keeps the choice in the
URL, line charts of a few series over periods with gaps left open, the table behind each chart, the years
without a figure listed with their reason, and the definition one click away."""
from __future__ import annotations

import pandas as pd
from dash import ALL, Input, Output, callback, ctx, dcc, html, no_update

from components import charts, export, fmt, queries
from components.pages_common import source_labels, triggered_id, unit_names
from components.search import DROPDOWN_LABELS, NAV_URL, kommune_options, name_id
from components.tables import data_table

PICKER = "appendix-kommune"
NOT_IN_DB = "ikke i databasen"


def kommune_picker(path: str, current: str | None) -> html.Label:
    return html.Label([
        html.Span("Vis en kommune ved siden av landet", className="control-label", id=name_id({"type": PICKER, "path": path})),
        dcc.Dropdown(id={"type": PICKER, "path": path}, options=kommune_options(), value=current, clearable=True,
                     searchable=True, placeholder="Skriv for eksempel «Skien» eller «4003»", labels=DROPDOWN_LABELS,
                     className="kommune-search"),
    ], className="search-box control")


@callback(Output(NAV_URL, "href", allow_duplicate=True), Input({"type": PICKER, "path": ALL}, "value"),
          prevent_initial_call=True)
def choose_kommune(values):
    """The chosen kommune goes into the URL (?kommune=4003), so the view can be shared."""
    trig = ctx.triggered_id
    if not trig:
        return no_update
    for item, value in zip(ctx.inputs_list[0], values):
        if item["id"] == trig:
            return f"{trig['path']}?kommune={value}" if value else trig["path"]
    return no_update


def resolve_kommune(kommune) -> tuple[str | None, html.P | None]:
    """A valid 4-digit kommune code on today's borders, or None and a message saying why not."""
    if not kommune:
        return None, None
    code = str(kommune).strip()
    codes = set(queries.kommuner()["code"])
    if code.isdigit() and code.zfill(4) in codes:
        return code.zfill(4), None
    return None, html.P(f"Vi har ingen kommune med nummer «{code}» i dagens inndeling (2024). Viser bare landet.",
                        className="notice")


def by_period(rows: pd.DataFrame, code: str, breakdown: str) -> pd.DataFrame:
    sub = rows[(rows["geo_code"] == code) & (rows["breakdown"] == breakdown)]
    return sub.drop_duplicates("period").set_index("period")


def cell(sub: pd.DataFrame, period: str, decimals: int, unit: str = "") -> str:
    """A table cell: the value, else the publisher's reason in words (never 0), else 'ikke i databasen'."""
    if period not in sub.index:
        return NOT_IN_DB
    r = sub.loc[period]
    return fmt.value_text(r["value"], decimals, unit, r["status"], r["status_nb"])


def line_figure(title: str, unit_title: str, periods: list[str], specs: list[dict], decimals: int,
                unit_short: str, height: int = 380, labels: dict | None = None) -> dict:
    """One line per spec ({name, rows (indexed by period), colour, dash, symbol}); a missing value is a gap,
    never a line drawn across it and never 0; the hover says why it is missing."""
    labels = labels or {}
    traces = []
    for s in specs:
        sub = s["rows"]
        ys, hovers = [], []
        for p in periods:
            text = cell(sub, p, decimals, unit_short)
            missing = p not in sub.index or fmt.is_missing(sub.loc[p, "value"])
            ys.append(None if missing else float(sub.loc[p, "value"]))
            hovers.append(f"{s['name']}<br>{labels.get(p, p)}: {text}")
        traces.append({"type": "scatter", "mode": "lines+markers", "x": [labels.get(p, p) for p in periods], "y": ys,
                       "name": s["name"], "connectgaps": False, "hovertext": hovers, "hoverinfo": "text",
                       "line": {"color": s["colour"], "width": s.get("width", 2), "dash": s.get("dash", "solid")},
                       "marker": {"size": s.get("size", 7), "symbol": s.get("symbol", "circle"),
                                  "color": s["colour"]}})
    return {"data": traces, "layout": charts.base_layout(
        title, height=height,
        xaxis={"type": "category", "gridcolor": "#eef0f3", "automargin": True,
               "tickangle": -45 if len(periods) > 8 or any(len(p) > 6 for p in periods) else 0},
        yaxis={"title": {"text": unit_title}, "rangemode": "tozero", "gridcolor": "#e5e7eb", "automargin": True},
        legend={"orientation": "h", "y": -0.3, "yanchor": "top", "x": 0},
        margin={"l": 10, "r": 20, "t": 50, "b": 30})}


def series_table(caption: str, periods: list[str], specs: list[dict], decimals: int, unit_short: str,
                 table_id: str, count_field: str | None = None, count_label: str = "antall"):
    """Periods down, series across; with ``count_field`` ('numerator' / 'denominator') the count beside the share
    of every series whose spec does not say ``counts: False``."""
    columns, fields = ["Periode"], []
    for s in specs:
        columns.append(s["name"])
        fields.append((s, None))
        if count_field and s.get("counts", True):
            columns.append(f"{s['name']}, {count_label}")
            fields.append((s, count_field))
    body = []
    for p in periods:
        row = [p]
        for s, field in fields:
            sub = s["rows"]
            if field is None:
                row.append(cell(sub, p, decimals, unit_short))
            else:
                n = sub.loc[p, field] if p in sub.index else None
                row.append(fmt.number(n, 0) if not fmt.is_missing(n) else "")
        body.append(row)
    return data_table(caption, columns, body, numeric=set(range(1, len(columns))), table_id=table_id)


def three_year_periods(periods) -> list[str]:
    """Every 3-year period from the first to the last, so a missing stretch shows as a gap on the axis."""
    starts = sorted({int(p[:4]) for p in periods if len(p) == 9 and p[4] == "-"})
    if not starts:
        return sorted(periods)
    return [f"{y}-{y + 2}" for y in range(starts[0], starts[-1] + 1)]


def gaps(sub: pd.DataFrame, periods: list[str]) -> list[tuple[str, tuple[str, ...]]]:
    """(reason, periods) for the periods of one series without a value, e.g. ('Skjermet', ('2019',))."""
    reasons: dict[str, list[str]] = {}
    for p in periods:
        if p in sub.index and not fmt.is_missing(sub.loc[p, "value"]):
            continue
        reason = (fmt.status_text(sub.loc[p, "status"], sub.loc[p, "status_nb"]) if p in sub.index
                  else NOT_IN_DB)
        reasons.setdefault(reason, []).append(p)
    return [(reason, tuple(ps)) for reason, ps in reasons.items()]


def gap_lines(unit_name: str, specs: list[dict], periods: list[str]) -> list[str]:
    """'Skien (alle, gutter, jenter): 2016, 2017 – Ingen Ungdata-undersøkelse dette året', series with the same
    gaps named together."""
    grouped: dict[tuple, list[str]] = {}
    for s in specs:
        for reason, ps in gaps(s["rows"], periods):
            grouped.setdefault((reason, ps), []).append(s["label"])
    return [f"{unit_name} ({', '.join(labels)}): {runs(ps, periods)} – {reason}"
            for (reason, ps), labels in grouped.items()]


def runs(some: tuple[str, ...], periods: list[str]) -> str:
    """'2010-2012 til 2020-2022' for three or more neighbouring periods, else the periods listed."""
    index = {p: i for i, p in enumerate(periods)}
    groups: list[list[str]] = []
    for p in some:
        if groups and index[p] == index[groups[-1][-1]] + 1:
            groups[-1].append(p)
        else:
            groups.append([p])
    return ", ".join(f"{g[0]} til {g[-1]}" if len(g) >= 3 else ", ".join(g) for g in groups)


def gaps_note(lines: list[str], heading: str = "Perioder uten tall") -> html.Div | None:
    if not lines:
        return None
    return html.Div([html.P(heading + ":", className="gaps-heading"),
                     html.Ul([html.Li(line) for line in lines])], className="note gaps")


def about(meta: dict) -> html.Details:
    """Source, unit and definition one click away."""
    unit = meta["unit"] + (f" ({meta['unit_short']})" if meta.get("unit_short") else "")
    return html.Details([
        html.Summary("Om tallene: kilde, enhet og definisjon"),
        html.P([html.Strong("Kilde: "), source_labels(meta["sources"]), ". ", html.Strong("Enhet: "), unit, "."]),
        html.P(meta["definition_nb"]),
        html.P(f"Merk: {meta['note_nb']}", className="note") if isinstance(meta.get("note_nb"), str)
        and meta["note_nb"] else None,
        html.P(dcc.Link("Alle definisjoner under Om data", href="/om")),
    ], className="table-details about-figures")


def table_details(table) -> html.Details:
    return html.Details([html.Summary("Vis tabell"), table], className="table-details", open=False)


def indicator_meta(ids) -> dict[str, dict]:
    meta = queries.indicators()
    meta = meta[meta["indicator_id"].isin(list(ids))]
    return {r["indicator_id"]: r for r in meta.to_dict("records")}


def download(prefix: str, parts: list[tuple[str, list[str], dict[str, str]]], title: str, stem: str):
    """The Excel or CSV export of an appendix page: ``parts`` are (indicator, unit codes, {breakdown: label})
    as the page draws them; one sheet per indicator with group, counts, status words and a sources sheet."""
    meta = queries.indicators()
    meta = meta[meta["indicator_id"].isin([ind for ind, _, _ in parts])]
    frames = []
    for ind, codes, groups in parts:
        if ind not in set(meta["indicator_id"]):
            continue
        rows = queries.series(ind, codes, list(groups))
        frames.append(export.long_frame(rows, meta, unit_names(), level_order=("land", "fylke", "kommune"),
                                        code_order=codes, groups=groups, counts=True))
    frames = [f for f in frames if not f.empty]
    if not frames:
        return no_update
    frame = pd.concat(frames, ignore_index=True)
    if triggered_id() == f"{prefix}-csv-btn":
        return dcc.send_bytes(export.to_csv(frame), f"{stem}.csv")
    shown = meta.set_index("indicator_id").loc[list(dict.fromkeys(frame["indicator_id"]))].reset_index()
    return dcc.send_bytes(export.to_excel(frame, shown, title), f"{stem}.xlsx")
