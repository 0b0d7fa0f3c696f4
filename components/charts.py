"""Plotly figures as plain dicts (no validation cost in callbacks). Every figure carries its period, unit
and source in the title or axis, Norwegian separators, and missing values as words, not zeros."""
from __future__ import annotations

import textwrap

import pandas as pd

from components import fmt

FONT = {"family": "system-ui, -apple-system, 'Segoe UI', Roboto, Arial, sans-serif", "size": 13, "color": "#1f2933"}
NORGE_COLOUR = "#000000"
FYLKE_COLOUR = "#6A3D9A"
CHOSEN_OUTLINE = "#000000"
SEQUENTIAL = [[0, "#eff3ff"], [0.25, "#bdd7e7"], [0.5, "#6baed6"], [0.75, "#3182bd"], [1, "#08306b"]]
LINE_COLOURS = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#999999"]


def graph_config(filename: str) -> dict:
    """dcc.Graph config: local topojson (no CDN), PNG download from the modebar, no plotly logo, no
    "Share chart" button (it would upload the figure to a plotly server)."""
    return {"topojsonURL": "/assets/topojson/", "displaylogo": False, "responsive": True,
            "toImageButtonOptions": {"format": "png", "filename": filename, "scale": 2},
            "modeBarButtonsToRemove": ["select2d", "lasso2d", "autoScale2d", "sendChartToCloud"]}


def wrapped(text: str, width: int = 24) -> str:
    """Long axis labels on several lines (plotly does not wrap): on a 320 px phone a one-line label would
    take the whole width, and plotly clips what its margin cannot hold."""
    return "<br>".join(textwrap.wrap(text, width, break_long_words=False)) or text


TITLE_CHARS = 32  # what a 15 px title holds on a 320 px phone (288 px of chart, DejaVu Sans)
TITLE_LINE_PX = 19


def base_layout(title: str, height: int = 360, **extra) -> dict:
    """Titles wrap at TITLE_CHARS (plotly clips a long one-line title on a phone); every extra line gets
    its own room in the top margin and the figure's height, so the plot area keeps its size."""
    text = wrapped(title, TITLE_CHARS)
    extra_px = TITLE_LINE_PX * text.count("<br>")
    layout = {"title": {"text": text, "x": 0, "xanchor": "left", "font": {"size": 15}},
              "separators": ", ", "font": FONT, "height": height, "paper_bgcolor": "#ffffff",
              "plot_bgcolor": "#ffffff", "margin": {"l": 10, "r": 20, "t": 60, "b": 40},
              "hoverlabel": {"font": {"family": FONT["family"]}}}
    layout.update(extra)
    if extra_px:
        layout["margin"] = {**layout["margin"], "t": layout["margin"].get("t", 60) + extra_px}
        layout["height"] = layout["height"] + extra_px
    return layout


def empty_figure(message: str, height: int = 200) -> dict:
    return {"data": [], "layout": base_layout("", height=height, xaxis={"visible": False}, yaxis={"visible": False},
                                              annotations=[{"text": message, "showarrow": False, "x": 0.5, "y": 0.5,
                                                            "xref": "paper", "yref": "paper",
                                                            "font": {"size": 14}}])}


def _records(rows) -> list[dict]:
    """Rows as plain dicts: figures are built cell by cell, and pandas indexing per cell costs ~100 µs."""
    return rows.to_dict("records") if isinstance(rows, pd.DataFrame) else list(rows)


def latest_bars(meta: dict, rows: pd.DataFrame | list[dict], names: dict, chosen: str, period: str,
                norge: dict | None, fylke: dict | None, fylke_name: str) -> dict:
    """Horizontal bars for kommuner in one period, coloured by comparison with Norway, with Norway and the
    fylke as vertical reference lines. Missing values get a written reason where the bar would be."""
    unit, dec = meta["unit_short"], int(meta["decimals"])
    recs = _records(rows)
    # missing first, then ascending (stable, like the DataFrame sort it replaces)
    recs = ([r for r in recs if fmt.is_missing(r["value"])]
            + sorted((r for r in recs if not fmt.is_missing(r["value"])), key=lambda r: r["value"]))
    labels, values, colours, texts, hovers, outlines = [], [], [], [], [], []
    for r in recs:
        code, value, comparison, status, status_nb = (r["geo_code"], r["value"], r.get("comparison"),
                                                      r.get("status"), r.get("status_nb"))
        name = names.get(code, code)
        label = f"<b>{name}</b>" if code == chosen else name
        labels.append(label)
        missing = fmt.is_missing(value)
        values.append(None if missing else float(value))
        colours.append(fmt.comparison_colour(comparison))
        outlines.append(3 if code == chosen else 0)
        if missing:
            texts.append(fmt.status_text(status, status_nb))
        else:
            short = fmt.COMPARISON_SHORT.get(comparison) if isinstance(comparison, str) else None
            texts.append(fmt.value_text(value, dec, unit) + (f" · {short}" if short else "")
                         + (f"<br>trend: {r['trend_short']}" if r.get("trend_short") else ""))
        hovers.append(f"{name}<br>{period}: {fmt.value_text(value, dec, unit, status, status_nb)}"
                      f"<br>{fmt.comparison_text(comparison)}" + (f"<br>{r['trend_nb']}" if r.get("trend_nb") else ""))
    shapes, annotations, ref_texts = [], [], []
    for ref, label, colour, dash, sign in ((norge, "Norge", NORGE_COLOUR, "solid", "━━"),
                                           (fylke, fylke_name, FYLKE_COLOUR, "dash", "╍╍")):
        if ref and not fmt.is_missing(ref.get("value")):
            x = float(ref["value"])
            shapes.append({"type": "line", "xref": "x", "yref": "paper", "x0": x, "x1": x, "y0": 0, "y1": 1,
                           "line": {"color": colour, "width": 2, "dash": dash}})
            ref_texts.append(f"<span style='color:{colour}'>{sign} {label}: {fmt.value_text(x, dec, unit)}</span>")
        elif ref:
            ref_texts.append(f"{label}: {fmt.status_text(ref.get('status'), ref.get('status_nb'))}")
    if ref_texts:
        annotations.append({"x": 0, "y": 1.02, "xref": "paper", "yref": "paper", "xanchor": "left",
                            "yanchor": "bottom", "showarrow": False, "text": "   ".join(ref_texts),
                            "font": {"size": 12}})
    # Values stand in their own column right of the plot area, so no reference line runs through them.
    for label, text, value in zip(labels, texts, values):
        if value is None:
            annotations.append({"x": 0, "y": label, "xref": "x", "yref": "y", "xanchor": "left", "showarrow": False,
                                "text": f"<i>{text}</i>", "font": {"color": "#444", "size": 12}})
        else:
            annotations.append({"x": 1, "y": label, "xref": "paper", "yref": "y", "xanchor": "left", "xshift": 6,
                                "showarrow": False, "text": text, "font": {"color": "#1f2933", "size": 12}})
    trace = {"type": "bar", "orientation": "h", "y": labels, "x": values,
             "marker": {"color": colours, "line": {"color": CHOSEN_OUTLINE, "width": outlines}},
             "hovertext": hovers, "hoverinfo": "text", "showlegend": False}
    unit_title = meta["unit"] + (f" ({unit})" if unit and unit != meta["unit"] else "")
    height = max(220, 90 + 34 * len(labels))
    present = [v for v in values if v is not None] + [float(r["value"]) for r in (norge, fylke)
                                                      if r and not fmt.is_missing(r.get("value"))]
    x_max = max(present) * 1.05 if present else 1
    label_chars = max((len(line) for t, v in zip(texts, values) if v is not None  # the value column's widest line
                       for line in t.split("<br>")), default=0)
    return {"data": [trace], "layout": base_layout(
        f"{meta['short_title_nb']}, {period}", height=height, shapes=shapes, annotations=annotations,
        xaxis={"title": {"text": unit_title}, "range": [0, x_max], "gridcolor": "#e5e7eb", "zeroline": True,
               "automargin": True},
        yaxis={"automargin": True, "type": "category"}, bargap=0.25,
        margin={"l": 10, "r": 12 + 7 * label_chars, "t": 80, "b": 50})}


MAX_SERIES_KOMMUNER = 8


def time_series(meta: dict, rows: pd.DataFrame | list[dict], names: dict, chosen: str, order: list[str]) -> dict:
    """One line per unit over the periods; Norway black, the fylke purple dashed, the chosen kommune thick.
    With more than MAX_SERIES_KOMMUNER other kommuner only the chosen one, the fylke and Norway are drawn
    (the table keeps them all) — forty lines are not readable."""
    if len(order) - 3 > MAX_SERIES_KOMMUNER:
        order = [c for c in order if c == chosen or len(c) < 4]
    unit, dec = meta["unit_short"], int(meta["decimals"])
    recs = _records(rows)
    periods = sorted({r["period"] for r in recs})
    by_code: dict[str, dict] = {}
    for r in recs:
        by_code.setdefault(r["geo_code"], {})[r["period"]] = r
    traces = []
    palette = iter(LINE_COLOURS * 4)
    for code in order:
        sub = by_code.get(code)
        if not sub:
            continue
        name = names.get(code, code)
        level = next(iter(sub.values()))["geo_level"]
        ys, hovers = [], []
        for p in periods:
            if p in sub:
                r = sub[p]
                ys.append(None if fmt.is_missing(r["value"]) else float(r["value"]))
                hovers.append(f"{name}<br>{p}: {fmt.value_text(r['value'], dec, unit, r['status'], r['status_nb'])}")
            else:
                ys.append(None)
                hovers.append(f"{name}<br>{p}: ikke tilgjengelig")
        if level == "land":
            line = {"color": NORGE_COLOUR, "width": 2}
        elif level == "fylke":
            line = {"color": FYLKE_COLOUR, "width": 2, "dash": "dash"}
        elif code == chosen:
            line = {"color": "#0072B2", "width": 4}
        else:
            line = {"color": next(palette), "width": 1.5}
        traces.append({"type": "scatter", "mode": "lines+markers", "x": periods, "y": ys, "name": name,
                       "line": line, "marker": {"size": 6}, "hovertext": hovers, "hoverinfo": "text",
                       "connectgaps": False})
    return {"data": traces, "layout": base_layout(
        f"{meta['short_title_nb']} over tid ({meta['unit']})", height=380,
        xaxis={"type": "category", "gridcolor": "#eef0f3", "automargin": True, "tickangle": -45},
        yaxis={"title": {"text": meta["unit"]}, "rangemode": "tozero", "gridcolor": "#e5e7eb", "automargin": True},
        legend={"orientation": "h", "y": -0.28, "yanchor": "top", "x": 0},
        margin={"l": 10, "r": 20, "t": 50, "b": 30})}


def choropleth(meta: dict, rows: pd.DataFrame | list[dict], geojson_url: str, names: dict, period: str,
               all_codes: list[str], extra: dict[str, str] | None = None) -> dict:
    """Units with a value on a sequential scale; units whose value is missing drawn grey with the reason.
    ``extra`` (code -> text) adds a last hover line per unit, e.g. its recent-trend verdict."""
    extra = extra or {}
    unit, dec = meta["unit_short"], int(meta["decimals"])
    recs = _records(rows)  # plain dicts: itertuples makes a namedtuple class and boxes every cell
    have = [r for r in recs if not fmt.is_missing(r["value"])]
    miss = [r for r in recs if fmt.is_missing(r["value"])]
    present = {r["geo_code"] for r in recs}  # once, not per unit: 357 kommuner x a 357-element set was 45 ms
    absent = [c for c in all_codes if c not in present]

    def hover(r):
        code, value, status, status_nb, flag = r["geo_code"], r["value"], r["status"], r["status_nb"], r["flag_nb"]
        return (f"<b>{names.get(code, code)}</b> ({code})<br>{meta['short_title_nb']}, {period}: "
                f"{fmt.value_text(value, dec, unit, status, status_nb)}<br>Enhet: {meta['unit']}"
                + (f"<br>Status: {fmt.status_text(status, status_nb)}" if fmt.is_missing(value) else
                   "<br>Status: publisert tall") + (f"<br>{flag}" if isinstance(flag, str) else "")
                + (f"<br>{extra[code]}" if code in extra else ""))

    have_codes = [r["geo_code"] for r in have]
    traces = [{"type": "choropleth", "geojson": geojson_url, "featureidkey": "properties.code",
               "locations": have_codes, "z": [float(r["value"]) for r in have],
               "hovertext": [hover(r) for r in have], "hoverinfo": "text",
               "customdata": have_codes, "colorscale": SEQUENTIAL,
               "marker": {"line": {"color": "#ffffff", "width": 0.6}},
               "colorbar": {"title": {"text": meta["unit"] + (f" ({unit})" if unit else "")},
                            "thickness": 14, "len": 0.7}, "name": meta["short_title_nb"]}]
    gray_codes = [r["geo_code"] for r in miss] + absent
    if gray_codes:
        texts = [hover(r) for r in miss] + [
            f"<b>{names.get(c, c)}</b> ({c})<br>{meta['short_title_nb']}, {period}: ikke tilgjengelig" for c in absent]
        traces.append({"type": "choropleth", "geojson": geojson_url, "featureidkey": "properties.code",
                       "locations": gray_codes, "z": [0] * len(gray_codes), "showscale": False,
                       "colorscale": [[0, "#d9d9d9"], [1, "#d9d9d9"]], "hovertext": texts, "hoverinfo": "text",
                       "customdata": gray_codes, "marker": {"line": {"color": "#ffffff", "width": 0.6}},
                       "name": "skjermet / ikke tilgjengelig"})
    return {"data": traces, "layout": base_layout(
        f"{meta['title_nb']}, {period}", height=640,
        geo={"fitbounds": "locations", "visible": False, "projection": {"type": "mercator"}},
        margin={"l": 0, "r": 0, "t": 50, "b": 0})}


def spine(rows: list[dict]) -> dict:
    """A barometer like FHI's: per indicator the kommune's distance from Norway, scaled by the widest
    kommune in that period (-1..1); grey band = range of all kommuner, darker = middle half."""
    ys = [wrapped(r["label"]) for r in rows]
    shapes = []
    for r in rows:
        if r.get("lo") is None:
            continue
        for lo, hi, colour, width in ((r["lo"], r["hi"], "#e5e7eb", 0.36), (r["q1"], r["q3"], "#bfc5cc", 0.36)):
            shapes.append({"type": "rect", "xref": "x", "yref": "y", "x0": lo, "x1": hi,
                           "y0": r["index"] - width, "y1": r["index"] + width, "line": {"width": 0},
                           "fillcolor": colour, "layer": "below"})
    shapes.append({"type": "line", "xref": "x", "yref": "paper", "x0": 0, "x1": 0, "y0": 0, "y1": 1,
                   "line": {"color": NORGE_COLOUR, "width": 2}})
    shown = [r for r in rows if r.get("pos") is not None]
    missing = [r for r in rows if r.get("pos") is None]
    trace = {"type": "scatter", "mode": "markers", "x": [r["pos"] for r in shown], "y": [r["index"] for r in shown],
             "marker": {"size": 14, "color": [fmt.comparison_colour(r["comparison"]) for r in shown],
                        "symbol": [{"better": "circle", "similar": "diamond", "worse": "square", "higher": "triangle-up",
                                     "lower": "triangle-down"}.get(
                            r["comparison"], "circle-open") for r in shown],
                        "line": {"color": "#000", "width": 1}},
             "hovertext": [r["hover"] for r in shown], "hoverinfo": "text", "showlegend": False}
    annotations = [{"x": 0, "y": r["index"], "xref": "x", "yref": "y", "showarrow": False, "xanchor": "left",
                    "text": f"<i>{r['missing_text']}</i>", "font": {"size": 12, "color": "#444"}} for r in missing]
    annotations.append({"x": 0, "y": 1.0, "xref": "x", "yref": "paper", "yanchor": "bottom", "showarrow": False,
                        "text": "Norge", "font": {"size": 12}})
    return {"data": [trace], "layout": base_layout(
        "Kommunen sammenlignet med landet, siste periode", height=max(260, 90 + 34 * len(rows)), shapes=shapes,
        annotations=annotations,
        xaxis={"range": [-1.1, 1.1], "zeroline": False, "tickvals": [-1, 0, 1],
               "ticktext": ["lavere enn landet", "landet", "høyere enn landet"], "gridcolor": "#f0f0f0"},
        yaxis={"tickvals": list(range(len(ys))), "ticktext": ys, "automargin": True, "zeroline": False,
               "showgrid": False,
               "range": [len(ys) - 0.5, -0.5]},
        margin={"l": 10, "r": 20, "t": 60, "b": 40})}
