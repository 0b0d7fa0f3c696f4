"""CSV and Excel exports of what a page shows: one sheet per indicator and a sources sheet, like the KS
appendix workbooks. Missing values stay empty cells with their status in words beside them."""
from __future__ import annotations

import io

import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from components import fmt, queries

COLUMNS = ["Indikator", "Geokode", "Navn", "Nivå", "Periode", "Verdi", "Enhet", "Status", "Forklaring",
           "Sammenlignet med landet", "Merknad"]


GROUP, COUNT, TOTAL = "Gruppe", "Antall", "Antall i alt"
COUNT_COLUMNS = (COUNT, TOTAL)
TREND = "Trend siste fem perioder"


def _trend_column(values: pd.DataFrame) -> list[str]:
    from components import trend_text

    frame = queries.trends(values["geo_code"].unique())
    frame = frame[frame["indicator_id"].isin(set(values["indicator_id"]))]
    last = {(r.indicator_id, r.geo_code): r.last_period for r in frame.itertuples()}
    words = {(r["indicator_id"], r["geo_code"]): trend_text.text(r) for r in frame.to_dict("records")}
    total = values["breakdown"].fillna("") == "" if "breakdown" in values else pd.Series(True, index=values.index)
    today = values["borders"] == "2024" if "borders" in values else pd.Series(True, index=values.index)
    column = trend_text.export_column(values, words, last)
    return [t if ok else "" for t, ok in zip(column, total & today)]


def long_frame(values: pd.DataFrame, meta: pd.DataFrame, names: dict, level_order=("kommune", "fylke", "land"),
               code_order: list[str] | None = None, groups: dict[str, str] | None = None,
               counts: bool = False, trends: bool = True) -> pd.DataFrame:
    """The rows behind the charts in the export's shape, sorted by indicator, unit, period.

    ``groups`` (breakdown -> label, in display order) adds a «Gruppe» column for pages that show breakdowns
    (gender, age); ``counts`` adds the publisher's counts behind a share (numerator and denominator);
    ``trends`` adds the recent-trend verdict (indicators/trend.py) on the row of its window's last period."""
    if values.empty:
        extra = ([GROUP] if groups else []) + (list(COUNT_COLUMNS) if counts else []) + ([TREND] if trends else [])
        return pd.DataFrame(columns=["indicator_id"] + COLUMNS + extra)
    m = meta.set_index("indicator_id")
    order = {c: i for i, c in enumerate(code_order or [])}
    out = pd.DataFrame({
        "indicator_id": values["indicator_id"],
        "Indikator": values["indicator_id"].map(m["title_nb"]),
        "Geokode": values["geo_code"],
        "Navn": values["geo_code"].map(lambda c: names.get(c, c)),
        "Nivå": values["geo_level"].map(lambda lv: fmt.LEVEL_NB.get(lv, lv)),
        "Periode": values["period"],
        "Verdi": values["value"].map(fmt.clean),
        "Enhet": values["indicator_id"].map(m["unit"]),
        "Status": values["status"].map(lambda s: s if isinstance(s, str) else ""),
        "Forklaring": [fmt.status_text(s, nb) if fmt.is_missing(v) else ""
                       for v, s, nb in zip(values["value"], values["status"], values["status_nb"])],
        "Sammenlignet med landet": [fmt.comparison_text(c) if lv != "land" else ""
                                    for c, lv in zip(values["comparison"], values["geo_level"])],
        "Merknad": values["flag_nb"].map(lambda s: s if isinstance(s, str) else ""),
    })
    if trends:
        out[TREND] = _trend_column(values)
    keys = ["indicator_id", "_lvl", "_ord", "Geokode", "Periode"]
    if groups:
        group_order = {b: i for i, b in enumerate(groups)}
        out.insert(out.columns.get_loc("Nivå") + 1, GROUP, values["breakdown"].map(lambda b: groups.get(b, b)))
        out["_grp"] = values["breakdown"].map(lambda b: group_order.get(b, len(group_order)))
        keys.insert(4, "_grp")
    if counts:
        at = out.columns.get_loc("Enhet") + 1
        out.insert(at, TOTAL, values["denominator"].map(fmt.clean))
        out.insert(at, COUNT, values["numerator"].map(fmt.clean))
    out["_lvl"] = values["geo_level"].map({lv: i for i, lv in enumerate(level_order)})
    out["_ord"] = values["geo_code"].map(lambda c: order.get(c, len(order)))
    out = out.sort_values(keys, kind="stable").drop(columns=[k for k in keys if k.startswith("_")])
    return out.reset_index(drop=True)


def to_csv(frame: pd.DataFrame) -> bytes:
    """Semicolon-separated with decimal comma: opens as numbers in a Norwegian Excel."""
    body = frame.drop(columns=["indicator_id"]).to_csv(index=False, sep=";", decimal=",")
    return ("\ufeff" + body).encode("utf-8")


def _sheet_name(title: str, used: set[str]) -> str:
    base = "".join(ch for ch in title if ch not in '[]:*?/\\')[:31].strip() or "Indikator"
    name, i = base, 2
    while name in used:
        suffix = f" ({i})"
        name, i = base[:31 - len(suffix)] + suffix, i + 1
    used.add(name)
    return name


def _autosize(ws) -> None:
    for col in ws.columns:
        width = max(len(str(c.value)) if c.value is not None else 0 for c in col)
        ws.column_dimensions[get_column_letter(col[0].column)].width = min(max(10, width + 2), 60)


def to_excel(frame: pd.DataFrame, meta: pd.DataFrame, title: str) -> bytes:
    wb = Workbook()
    about = wb.active
    about.title = "Om uttaket"
    about.append([title])
    about["A1"].font = Font(bold=True, size=14)
    about.append(["Kilde: Innenfor, bygget fra offentlige tall. Se arket «Kilder» for utgiver, lisens og dato."])
    about.append(["Tomme celler i «Verdi» er tall som ikke er publisert; årsaken står i «Forklaring»."])
    about.append([])
    about.append(["Ark", "Indikator", "Enhet", "Definisjon"])
    for cell in about[5]:
        cell.font = Font(bold=True)
    used = {"Om uttaket", "Kilder"}
    m = meta.set_index("indicator_id")
    for ind, rows in frame.groupby("indicator_id", sort=False):
        info = m.loc[ind]
        name = _sheet_name(info["short_title_nb"], used)
        about.append([name, info["title_nb"], info["unit"], info["definition_nb"]])
        ws = wb.create_sheet(name)
        ws.append([info["title_nb"]])
        ws["A1"].font = Font(bold=True, size=13)
        ws.append([f"Enhet: {info['unit']}. {info['description_nb']}"])
        if isinstance(info.get("note_nb"), str) and info["note_nb"]:
            ws.append([f"Merk: {info['note_nb']}"])
        ws.append([])
        header = [c for c in frame.columns if c not in ("indicator_id", "Indikator")]
        ws.append(header)
        for cell in ws[ws.max_row]:
            cell.font = Font(bold=True)
        decimals = int(info["decimals"])
        number_format = "#,##0" + ("." + "0" * decimals if decimals else "")
        count_cols = [header.index(c) + 1 for c in COUNT_COLUMNS if c in header]
        for rec in rows[header].itertuples(index=False):
            ws.append([None if fmt.is_missing(v) else v for v in rec])
            ws.cell(row=ws.max_row, column=header.index("Verdi") + 1).number_format = number_format
            for col in count_cols:
                ws.cell(row=ws.max_row, column=col).number_format = "#,##0"
        _autosize(ws)
    src = wb.create_sheet("Kilder")
    src.append(["Kilde", "Tabell", "Tittel", "Utgiver", "Lisens", "Adresse", "Sist oppdatert hos utgiver",
                "Hentet", "Indikatorer"])
    for cell in src[1]:
        cell.font = Font(bold=True)
    prov = queries.provenance()
    keys = {}
    for ind in frame["indicator_id"].unique():
        for key in str(m.loc[ind, "sources"]).split(","):
            keys.setdefault(key.strip(), []).append(m.loc[ind, "short_title_nb"])
    for p in prov.itertuples():
        key = f"{p.source}/{p.table_id}"
        if key in keys:
            src.append([p.source, p.table_id, p.title, p.publisher, p.licence, p.url, p.api_updated or "",
                        str(p.fetched_at)[:19], ", ".join(keys[key])])
    _autosize(about)
    _autosize(src)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
