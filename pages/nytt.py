"""Nytt i tallene: what the latest refresh brought compared with the release it replaced — new periods,
revised figures, and units whose latest value differs significantly from the period before (two-proportion
test on counts, Benjamini–Hochberg across units; see indicators/trend.py). Rates without counts show the
change and claim no significance."""
from __future__ import annotations

import io

import dash
import pandas as pd
from dash import Input, Output, State, callback, dcc, html, no_update
from openpyxl import Workbook
from openpyxl.styles import Font

from components import fmt, queries
from components.pages_common import download_buttons, triggered_id, unavailable, unit_names
from components.store import DataUnavailable
from components.tables import data_table

dash.register_page(__name__, path="/nytt", name="Nytt i tallene", title="Nytt i tallene – Innenfor", order=7,
                   nav=True, description="Nye perioder, reviderte tall og signifikante endringer siden forrige utgave")

DL = "nytt"
ALL = "alle"


def _kommune_link(code: str, level: str, names: dict):
    name = f"{names.get(code, code)} ({code})"
    return {"text": name, "href": f"/kommune/{code}"} if level == "kommune" else name


def _in_fylke(frame: pd.DataFrame, fylke: str | None, parents: dict) -> pd.DataFrame:
    if not fylke or fylke == ALL or frame.empty:
        return frame
    return frame[(frame["geo_code"] == fylke) | (frame["geo_code"].map(parents) == fylke)]


def _of(frame: pd.DataFrame, indicator: str | None) -> pd.DataFrame:
    return frame if not indicator or indicator == ALL or frame.empty else frame[frame["indicator_id"] == indicator]


def sections(fylke: str | None, indicator: str | None) -> dict[str, pd.DataFrame]:
    """The page's three lists as plain frames with Norwegian column names (shown and exported alike)."""
    meta = queries.indicators().set_index("indicator_id")
    names, units = unit_names(), queries.geo_units()
    parents = dict(zip(units["code"], units["parent_code"]))
    title = meta["short_title_nb"].to_dict()

    def value(ind, v):
        return fmt.value_text(v, int(meta.loc[ind, "decimals"]), meta.loc[ind, "unit_short"]) \
            if not fmt.is_missing(v) else "ikke publisert"

    new = _of(queries.release_new_periods(), indicator)
    new_rows = pd.DataFrame({"Indikator": new["indicator_id"].map(title), "Nivå": new["geo_level"].map(fmt.LEVEL_NB),
                             "Ny periode": new["period"], "Antall enheter": new["units"]})
    rev = _in_fylke(_of(queries.release_revisions(), indicator), fylke, parents)
    rev_rows = pd.DataFrame({
        "Indikator": rev["indicator_id"].map(title), "_code": rev["geo_code"], "_level": rev["geo_level"],
        "Enhet": [f"{names.get(c, c)} ({c})" for c in rev["geo_code"]], "Periode": rev["period"],
        "Før": [value(i, v) for i, v in zip(rev["indicator_id"], rev["previous_value"])],
        "Nå": [value(i, v) for i, v in zip(rev["indicator_id"], rev["new_value"])]})
    ch = _in_fylke(_of(queries.indicator_changes(), indicator), fylke, parents)
    ch = ch[ch["geo_level"].isin(["kommune", "fylke"])]
    if not indicator or indicator == ALL:
        ch = ch[ch["significant"]]  # every unit's change is listed once an indicator is chosen
    ch_rows = pd.DataFrame({
        "Indikator": ch["indicator_id"].map(title), "_code": ch["geo_code"], "_level": ch["geo_level"],
        "Enhet": [f"{names.get(c, c)} ({c})" for c in ch["geo_code"]],
        "Fra": ch["previous_period"], "Til": ch["latest_period"],
        "Før": [value(i, v) for i, v in zip(ch["indicator_id"], ch["previous_value"])],
        "Nå": [value(i, v) for i, v in zip(ch["indicator_id"], ch["latest_value"])],
        "Endring": [fmt.number(d, int(meta.loc[i, "decimals"])) for i, d in zip(ch["indicator_id"], ch["change"])],
        "Justert p (BH)": [fmt.number(q, 3) if not fmt.is_missing(q) else "" for q in ch["q_value"]],
        "Vurdering": [_change_words(s, v, r, meta.loc[i, "polarity"]) for i, s, v, r in
                      zip(ch["indicator_id"], ch["significant"], ch["verdict"], ch["reason_nb"])]})
    return {"Nye perioder": new_rows, "Reviderte tall": rev_rows, "Endring fra forrige periode": ch_rows}


def _change_words(significant, verdict, reason, polarity) -> str:
    if isinstance(reason, str) and reason:
        return f"ikke testet: {reason}"
    if significant:
        return {"improving": "signifikant bedring", "worsening": "signifikant forverring",
                "increasing": "signifikant økning", "decreasing": "signifikant nedgang"}.get(verdict, "signifikant")
    return "ingen signifikant endring"


def _table(caption: str, frame: pd.DataFrame, table_id: str, empty: str):
    if frame.empty:
        return html.P(empty, className="note")
    shown = [c for c in frame.columns if not c.startswith("_")]
    rows = []
    for rec in frame.to_dict("records"):
        row = [rec[c] for c in shown]
        if "_code" in rec and "Enhet" in shown:
            row[shown.index("Enhet")] = _kommune_link(rec["_code"], rec["_level"], unit_names())
        rows.append(row)
    return data_table(caption, shown, rows, table_id=table_id)


def content(fylke: str | None, indicator: str | None) -> html.Div:
    info = queries.release_info()
    if info.empty or not bool(info["compared"].iloc[0]):
        intro = html.P("Databasen har ingen tidligere utgave å sammenligne med (første oppdatering på denne "
                       "maskinen). Nye perioder og reviderte tall vises etter neste oppdatering; endringene fra "
                       "forrige periode under gjelder likevel.", className="note")
    else:
        when = info["previous_refreshed_at"].iloc[0]
        intro = html.P(f"Sammenlignet med utgaven fra {str(when)[:16] if not pd.isna(when) else 'forrige oppdatering'}.",
                       className="lead-small")
    parts = sections(fylke, indicator)
    cards = queries.card_news()
    return html.Div([
        intro,
        html.H2("Nye perioder"),
        _table("Perioder som ikke fantes i forrige utgave", parts["Nye perioder"], "nytt-perioder",
               "Ingen nye perioder siden forrige utgave."),
        html.Details([html.Summary("Nytt per kildetabell (oppdateringens egen logg)"),
                      data_table("Nye perioder per kildetabell", ["Kilde", "Tabell", "Utfall", "Nye perioder"],
                                 cards.values.tolist(), table_id="nytt-kort")]) if len(cards) else None,
        html.H2("Reviderte tall"),
        _table("Tall som var publisert før og nå har en annen verdi", parts["Reviderte tall"], "nytt-revidert",
               "Ingen reviderte tall."),
        html.H2("Endring fra forrige periode"),
        html.P("Signifikant betyr: endringen er testet med antall og nevner (test for to andeler), og holder "
               "etter kontroll for falske funn blant alle kommunene (Benjamini–Hochberg, 5 %). Uten tellere "
               "vises endringen uten påstand om signifikans. Velg en indikator for å se alle enhetene.",
               className="note"),
        _table("Kommuner og fylker med endring fra forrige periode", parts["Endring fra forrige periode"],
               "nytt-endring", "Ingen signifikante endringer med dette utvalget."),
    ])


def layout(**_query):
    try:
        meta, units = queries.indicators(), queries.geo_units()
        body = content(None, None)
    except DataUnavailable as exc:
        return unavailable(exc)
    fylker = units[units["level"] == "fylke"]
    return html.Div([
        html.H1("Nytt i tallene"),
        html.P("Hva siste oppdatering førte med seg: nye perioder, tall som er endret, og kommuner og fylker "
               "der siste tall skiller seg signifikant fra perioden før.", className="lead"),
        html.Div([
            html.Label(["Fylke", dcc.Dropdown(id="nytt-fylke", value=ALL, clearable=False,
                                              options=[{"label": "Alle fylker", "value": ALL}] +
                                              [{"label": n, "value": c} for c, n in zip(fylker["code"], fylker["name"])])]),
            html.Label(["Indikator", dcc.Dropdown(id="nytt-indikator", value=ALL, clearable=False,
                                                  options=[{"label": "Alle indikatorer", "value": ALL}] +
                                                  [{"label": t, "value": i} for i, t in
                                                   zip(meta["indicator_id"], meta["title_nb"])])]),
        ], className="filters no-print"),
        html.Div(download_buttons(DL), className="toolbar no-print"),
        html.Div(body, id="nytt-innhold"),
    ], className="nytt")


@callback(Output("nytt-innhold", "children"), Input("nytt-fylke", "value"), Input("nytt-indikator", "value"),
          prevent_initial_call=True)
def refilter(fylke, indicator):
    try:
        return content(fylke, indicator)
    except DataUnavailable as exc:
        return unavailable(exc)


def workbook(parts: dict[str, pd.DataFrame], title: str) -> bytes:
    wb = Workbook()
    wb.remove(wb.active)
    for name, frame in parts.items():
        ws = wb.create_sheet(name[:31])
        ws.append([f"{title}: {name}"])
        ws["A1"].font = Font(bold=True, size=13)
        shown = [c for c in frame.columns if not c.startswith("_")]
        ws.append(shown)
        for cell in ws[2]:
            cell.font = Font(bold=True)
        for rec in frame[shown].itertuples(index=False):
            ws.append(list(rec))
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def csv_bytes(parts: dict[str, pd.DataFrame]) -> bytes:
    frames = [f.drop(columns=[c for c in f.columns if c.startswith("_")]).assign(Del=name)
              for name, f in parts.items()]
    whole = pd.concat(frames, ignore_index=True)
    whole = whole[["Del"] + [c for c in whole.columns if c != "Del"]]
    return ("\ufeff" + whole.to_csv(index=False, sep=";", decimal=",")).encode("utf-8")


@callback(Output(f"{DL}-download", "data"), Input(f"{DL}-xlsx-btn", "n_clicks"), Input(f"{DL}-csv-btn", "n_clicks"),
          State("nytt-fylke", "value"), State("nytt-indikator", "value"), prevent_initial_call=True)
def download(_x, _c, fylke, indicator):
    try:
        parts = sections(fylke, indicator)
    except DataUnavailable:
        return no_update
    if triggered_id() == f"{DL}-csv-btn":
        return dcc.send_bytes(csv_bytes(parts), "innenfor-nytt.csv")
    return dcc.send_bytes(workbook(parts, "Innenfor: nytt i tallene"), "innenfor-nytt.xlsx")

