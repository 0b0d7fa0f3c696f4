"""The questions the pages ask the database. One function = one SQL query (cached by ``store``)."""
from __future__ import annotations

import pandas as pd

from components.store import query  # noqa: F401  (pages use queries.query for one-off reads)

LAND = "0"
VALUE_COLUMNS = ("indicator_id, geo_code, geo_level, period, value, numerator, denominator, ci_low, ci_high, "
                 "comparison, status, status_nb, borders, geo_vintage, flag_nb")


def _in(codes) -> tuple[str, tuple]:
    codes = tuple(dict.fromkeys(str(c) for c in codes)) or ("",)
    return ", ".join("?" for _ in codes), codes


def indicators() -> pd.DataFrame:
    return query("SELECT * FROM indicators ORDER BY sort_order, indicator_id")


def geo_units() -> pd.DataFrame:
    return query("SELECT code, level, name, parent_code FROM geo_units ORDER BY code")


def kommuner() -> pd.DataFrame:
    return query("SELECT code, name, parent_code FROM geo_units WHERE level = 'kommune' ORDER BY code")


def code_change(code: str) -> pd.DataFrame:
    """What became of an old unit code (merged, split, renumbered), newest change first."""
    return query("""SELECT old_code, new_code, changed_on, kind, old_name, new_name FROM geo_code_changes
                    WHERE old_code = ? ORDER BY changed_on DESC""", (code,))


def comparator_kinds(code: str) -> list[str]:
    found = query("SELECT DISTINCT kind FROM comparator_sets WHERE code = ?", (code,))
    return sorted(found["kind"])


def comparators(code: str, kind: str) -> list[str]:
    found = query("SELECT member_code FROM comparator_sets WHERE code = ? AND kind = ? ORDER BY rank, member_code",
                  (code, kind))
    return [c for c in found["member_code"] if c != code]


def values_for(codes) -> pd.DataFrame:
    """Every period of every indicator for these units on today's borders (totals, no breakdowns)."""
    marks, params = _in(codes)
    return query(f"""SELECT {VALUE_COLUMNS} FROM indicator_values
                     WHERE breakdown = '' AND borders = '2024' AND geo_code IN ({marks})
                     ORDER BY indicator_id, period, geo_code""", params)


def latest_with_spread(code: str) -> pd.DataFrame:
    """For each indicator, the latest period the unit has a row for, and all units' rows in that period."""
    return query(f"""
        WITH latest AS (
            SELECT indicator_id, max(period) AS period FROM indicator_values
            WHERE geo_code = ? AND breakdown = '' AND borders = '2024' GROUP BY indicator_id)
        SELECT {VALUE_COLUMNS} FROM indicator_values v JOIN latest USING (indicator_id, period)
        WHERE v.breakdown = '' AND v.borders = '2024'""", (code,))


def headline(ids) -> pd.DataFrame:
    """Norway's rows for some indicators (every period; the page takes the latest with a value)."""
    marks, params = _in(ids)
    return query(f"""SELECT {VALUE_COLUMNS} FROM indicator_values
                     WHERE geo_code = '0' AND breakdown = '' AND indicator_id IN ({marks})
                     ORDER BY indicator_id, period""", params)


def map_periods(indicator_id: str, level: str) -> list[str]:
    found = query("""SELECT DISTINCT period FROM indicator_values
                     WHERE indicator_id = ? AND geo_level = ? AND breakdown = '' ORDER BY period DESC""",
                  (indicator_id, level))
    return list(found["period"])


def map_values(indicator_id: str, level: str, period: str) -> pd.DataFrame:
    return query(f"""SELECT {VALUE_COLUMNS} FROM indicator_values
                     WHERE indicator_id = ? AND geo_level = ? AND period = ? AND breakdown = ''
                     ORDER BY geo_code""", (indicator_id, level, period))


def historic_names(level: str) -> pd.DataFrame:
    return query("""SELECT code, name, valid_from, valid_to FROM geo_units_history WHERE level = ?""", (level,))


def provenance() -> pd.DataFrame:
    return query("""SELECT source, table_id, title, publisher, licence, url, api_updated, fetched_at, transport,
                    n_rows FROM provenance ORDER BY source, table_id""")


def last_refresh() -> pd.DataFrame:
    return query("SELECT refreshed_at, mode, tables, rows, seconds FROM refresh_log ORDER BY refreshed_at DESC LIMIT 1")


def coverage() -> pd.DataFrame:
    """Per indicator and level: how many units and which periods the database holds."""
    return query("""SELECT indicator_id, geo_level, borders, count(DISTINCT geo_code) AS units,
                           min(period) AS first_period, max(period) AS last_period,
                           count(*) FILTER (WHERE value IS NULL) AS missing, count(*) AS n_rows
                    FROM indicator_values WHERE breakdown = '' GROUP BY ALL ORDER BY ALL""")


def status_codes() -> pd.DataFrame:
    return query("SELECT source, symbol, meaning_nb FROM status_codes ORDER BY source, symbol")


def series(indicator_id: str, codes, breakdowns) -> pd.DataFrame:
    """Every period of one indicator for some units and breakdowns, on today's borders (appendix pages)."""
    marks, params = _in(codes)
    bmarks, bparams = _in(breakdowns)
    return query(f"""SELECT {VALUE_COLUMNS}, breakdown FROM indicator_values
                     WHERE indicator_id = ? AND borders = '2024' AND geo_code IN ({marks})
                     AND breakdown IN ({bmarks}) ORDER BY geo_code, breakdown, period""",
                 (indicator_id, *params, *bparams))
