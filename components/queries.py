"""The questions the pages ask the database. One function = one SQL query (cached by ``store``)."""
from __future__ import annotations

import pandas as pd

from components.store import cached, query  # noqa: F401  (pages use queries.query for one-off reads)

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


@cached(size=4)
def _comparator_table() -> dict[str, dict[str, list[str]]]:
    """All comparator sets in one read (a few thousand rows): code -> kind -> members in rank order.
    One query per process and file instead of a connection per kommune a user picks."""
    found = query("SELECT code, kind, member_code FROM comparator_sets ORDER BY code, kind, rank, member_code")
    table: dict[str, dict[str, list[str]]] = {}
    for code, kind, member in zip(found["code"], found["kind"], found["member_code"]):
        table.setdefault(code, {}).setdefault(kind, []).append(member)
    return table


def comparator_kinds(code: str) -> list[str]:
    return sorted(_comparator_table().get(code, {}))


def comparators(code: str, kind: str) -> list[str]:
    return [c for c in _comparator_table().get(code, {}).get(kind, []) if c != code]


def _totals() -> pd.DataFrame:
    """Every total (no breakdown) on every division: ~35 000 rows, read once per file and kept in memory.
    The pages' per-kommune and per-map reads filter it instead of opening the file for each user's choice
    (a connection and a scan cost ~60 ms; a filter of this frame ~2 ms)."""
    return query(f"""SELECT {VALUE_COLUMNS} FROM indicator_values WHERE breakdown = ''
                     ORDER BY indicator_id, period, geo_code, borders""")


@cached(size=2)
def _totals_2024() -> pd.DataFrame:
    totals = _totals()
    return totals[totals["borders"] == "2024"].reset_index(drop=True)


@cached(size=2)
def _records_by_code() -> dict[str, list[dict]]:
    by_code: dict[str, list[dict]] = {}
    for r in _totals_2024().to_dict("records"):
        by_code.setdefault(r["geo_code"], []).append(r)
    return by_code


def records_for(codes) -> list[dict]:
    """``values_for`` as plain dicts in the same order (indicator, period, unit code), for building figures
    and tables cell by cell without pandas indexing. Shared between requests: do not mutate."""
    by_code = _records_by_code()
    out = [r for c in dict.fromkeys(str(c) for c in codes) for r in by_code.get(c, ())]
    out.sort(key=lambda r: (r["indicator_id"], r["period"], r["geo_code"]))
    return out


@cached(size=2)
def indicator_meta() -> dict[str, dict]:
    """indicator_id -> its row of ``indicators`` as a dict (shared: do not mutate)."""
    return {r["indicator_id"]: r for r in indicators().to_dict("records")}


def values_for(codes) -> pd.DataFrame:
    """Every period of every indicator for these units on today's borders (totals, no breakdowns),
    ordered by indicator, period and unit code."""
    totals = _totals_2024()
    wanted = set(str(c) for c in codes)
    return totals[totals["geo_code"].isin(wanted)].reset_index(drop=True)


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
    """Periods with totals for this indicator and level, newest first."""
    return list(_map_periods(str(indicator_id), str(level)))


@cached(size=2)
def _map_index() -> dict[tuple[str, str, str], list[int]]:
    """(indicator, level, period) -> row positions in ``_totals()``: one pass per file instead of three string
    comparisons over 35 000 rows for every map a user opens."""
    totals = _totals()
    index: dict[tuple[str, str, str], list[int]] = {}
    for i, key in enumerate(zip(totals["indicator_id"], totals["geo_level"], totals["period"])):
        index.setdefault(key, []).append(i)
    return index


@cached(size=256)
def _map_periods(indicator_id: str, level: str) -> tuple[str, ...]:
    found = {p for (i, lv, p) in _map_index() if i == indicator_id and lv == level}
    return tuple(sorted(found, reverse=True))


@cached(size=256)
def map_values(indicator_id: str, level: str, period: str) -> pd.DataFrame:
    """Totals for one indicator, level and period on every division, ordered by unit code (shared: do not
    mutate)."""
    rows = _map_index().get((indicator_id, level, period), [])
    found = _totals().take(rows)
    return found.sort_values("geo_code", kind="stable").reset_index(drop=True)


def historic_names(level: str) -> pd.DataFrame:
    return query("""SELECT code, name, valid_from, valid_to FROM geo_units_history WHERE level = ?""", (level,))


def provenance() -> pd.DataFrame:
    return query("""SELECT source, table_id, title, publisher, licence, url, api_updated, fetched_at, transport,
                    n_rows FROM provenance ORDER BY source, table_id""")


def not_renewed() -> pd.DataFrame:
    """Source tables whose latest refresh did not renew them: ``kept`` (the figures are from an earlier fetch)
    or ``empty`` (nothing could be fetched), with the reason and when the kept figures were fetched."""
    from components.store import has_table
    if not has_table("refresh_cards"):
        return pd.DataFrame(columns=["source", "table_id", "outcome", "reason", "refreshed_at", "fetched_at", "title"])
    return query("""SELECT c.source, c.table_id, c.outcome, c.reason, c.refreshed_at, p.fetched_at, p.title
                    FROM refresh_cards c LEFT JOIN provenance p USING (source, table_id)
                    QUALIFY row_number() OVER (PARTITION BY c.source, c.table_id ORDER BY c.refreshed_at DESC) = 1
                        AND c.outcome <> 'renewed'
                    ORDER BY c.source, c.table_id""")


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


def has_table(name: str) -> bool:
    """Whether the served database has a table (files built before a feature lack its tables)."""
    return bool(len(query("SELECT 1 FROM duckdb_tables() WHERE table_name = ?", (name,))))


def trends(codes=None) -> pd.DataFrame:
    """Recent-trend verdicts (indicators/trend.py) for the total, optionally for some units only."""
    if not has_table("indicator_trends"):
        return pd.DataFrame(columns=["indicator_id", "geo_code", "geo_level", "first_period", "last_period",
                                     "p_value", "verdict", "verdict_nb", "reason_nb"])
    sql = """SELECT indicator_id, geo_code, geo_level, first_period, last_period, p_value, verdict, verdict_nb,
                    reason_nb FROM indicator_trends WHERE breakdown = ''"""
    if codes is None:
        return query(sql + " ORDER BY ALL")
    marks, params = _in(codes)
    return query(sql + f" AND geo_code IN ({marks}) ORDER BY ALL", params)


def release_info() -> pd.DataFrame:
    if not has_table("release_info"):
        return pd.DataFrame(columns=["previous_refreshed_at", "compared"])
    return query("SELECT previous_refreshed_at, compared FROM release_info")


def release_new_periods() -> pd.DataFrame:
    return query("SELECT indicator_id, geo_level, period, units FROM release_new_periods ORDER BY ALL")


def release_revisions() -> pd.DataFrame:
    return query("""SELECT indicator_id, geo_code, geo_level, period, previous_value, new_value
                    FROM release_revisions WHERE breakdown = '' ORDER BY ALL""")


def indicator_changes() -> pd.DataFrame:
    return query("""SELECT indicator_id, geo_code, geo_level, previous_period, latest_period, previous_value,
                           latest_value, change, p_value, q_value, significant, verdict, reason_nb
                    FROM indicator_changes ORDER BY ALL""")


def card_news() -> pd.DataFrame:
    if not has_table("refresh_cards"):
        return pd.DataFrame(columns=["source", "table_id", "outcome", "new_periods"])
    return query("""SELECT source, table_id, outcome, new_periods FROM refresh_cards
                    WHERE coalesce(new_periods, '') <> '' ORDER BY source, table_id""")
