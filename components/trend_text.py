"""The recent-trend verdict (indicators/trend.py) in words, for Sammenlign, Profil, the map and exports."""
from __future__ import annotations

import pandas as pd

from components import fmt, queries


def text(row) -> str:
    """«Trend 2020–2024: Forverring (p = 0,048)» or «Trend: ingen vurdering – <reason>»."""
    if row is None:
        return ""
    window = f"{row['first_period']}–{row['last_period']}"
    if isinstance(row.get("reason_nb"), str) and row["reason_nb"]:
        return f"Trend {window}: ingen vurdering – {row['reason_nb']}"
    p = row.get("p_value")
    return f"Trend {window}: {row['verdict_nb']}" + ("" if fmt.is_missing(p) else f" (p = {fmt.number(p, 3)})")


def short(row) -> str:
    """A significant verdict in one word, beside a bar: «forverring», «bedring», «økende», «synkende». No
    significant change and no verdict say nothing there (the hover and Profil say it in full): on a 320 px phone
    the value column has room for one short word, not «ingen signifikant endring» for every unit."""
    verdict = None if row is None else row.get("verdict")
    if not isinstance(verdict, str) or verdict == "no_change" or not isinstance(row.get("verdict_nb"), str):
        return ""
    return row["verdict_nb"].lower()


def rows_by_key(codes=None) -> dict[tuple[str, str], dict]:
    return {(r["indicator_id"], r["geo_code"]): r for r in queries.trends(codes).to_dict("records")}


def lookup(codes=None) -> dict[tuple[str, str], str]:
    """(indicator_id, geo_code) -> the verdict in words, for the total (no breakdown)."""
    frame = queries.trends(codes)
    return {(r["indicator_id"], r["geo_code"]): text(r) for r in frame.to_dict("records")}


def export_column(values: pd.DataFrame, trends: dict[tuple[str, str], str], last_periods: dict) -> list[str]:
    """The verdict on the row of the window's last period only (it is a statement about that window)."""
    return [trends.get((i, c), "") if last_periods.get((i, c)) == p else ""
            for i, c, p in zip(values["indicator_id"], values["geo_code"], values["period"])]
