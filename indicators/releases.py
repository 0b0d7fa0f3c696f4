"""«Nytt i tallene»: what the new database adds to or changes in the one it replaces.

At the swap, the refresh keeps the database being replaced as ``<stem>.previous.duckdb`` and writes the
comparison into the new file (`release_new_periods`, `release_revisions`), so the app reads it like any other
table. What is new per source table is the refresh's own record (`refresh_cards`, when present); the indicator
periods and revised figures here are what that means for the indicators, found by comparing the two files.
"""
from __future__ import annotations

import os
import shutil
from pathlib import Path

import pandas as pd

from .schema import SCHEMA

REVISION_TOLERANCE = 1e-9  # relative: float noise from re-summing is not a revision


def previous_path(db_path: Path | str) -> Path:
    db_path = Path(db_path)
    return db_path.with_name(f"{db_path.stem}.previous{db_path.suffix}")


def keep_previous_release(new_file: Path | str, db_path: Path | str) -> None:
    """Called by the refresh just before ``new_file`` replaces ``db_path``: compare the two, store the
    comparison in ``new_file``, and keep the database being replaced beside it as the previous release."""
    from loaders import db

    db_path, new_file = Path(db_path), Path(new_file)
    con = db.connect(new_file)
    try:
        record_release(con, db_path if db_path.exists() else None)
        con.execute("CHECKPOINT")
    finally:
        con.close()
    if db_path.exists():
        keep = previous_path(db_path)
        tmp = keep.with_name(keep.name + f".tmp-{os.getpid()}")
        shutil.copyfile(db_path, tmp)
        os.replace(tmp, keep)


def record_release(con, previous: Path | None) -> None:
    """Replace the release tables in ``con`` with the comparison against the database file ``previous``."""
    con.execute(SCHEMA)
    for table in ("release_new_periods", "release_revisions", "release_info"):
        con.execute(f"DELETE FROM {table}")
    if previous is None:
        con.execute("INSERT INTO release_info VALUES (NULL, false)")
        return
    con.execute(f"ATTACH '{_quote(previous)}' AS prev (READ_ONLY)")
    try:
        has_values = con.execute("SELECT count(*) FROM duckdb_tables() WHERE database_name = 'prev' "
                                 "AND table_name = 'indicator_values'").fetchone()[0]
        if not has_values:
            con.execute("INSERT INTO release_info VALUES (NULL, false)")
            return
        con.execute("""INSERT INTO release_new_periods
            SELECT indicator_id, geo_level, period, count(DISTINCT geo_code) FROM indicator_values cur
            WHERE borders = '2024' AND breakdown = '' AND NOT EXISTS (
                SELECT 1 FROM prev.indicator_values p WHERE p.indicator_id = cur.indicator_id
                AND p.geo_level = cur.geo_level AND p.period = cur.period AND p.borders = '2024')
            GROUP BY ALL""")
        con.execute(f"""INSERT INTO release_revisions
            SELECT cur.indicator_id, cur.geo_code, cur.geo_level, cur.period, cur.breakdown, p.value, cur.value
            FROM indicator_values cur JOIN prev.indicator_values p
              ON p.indicator_id = cur.indicator_id AND p.geo_code = cur.geo_code AND p.period = cur.period
             AND p.breakdown = cur.breakdown AND p.borders = cur.borders
             AND p.geo_vintage IS NOT DISTINCT FROM cur.geo_vintage
            WHERE cur.borders = '2024' AND (
                (p.value IS NULL) <> (cur.value IS NULL)
                OR abs(p.value - cur.value) > {REVISION_TOLERANCE} * greatest(abs(p.value), abs(cur.value), 1))""")
        refreshed = con.execute("SELECT max(refreshed_at) FROM prev.refresh_log").fetchone()[0] if con.execute(
            "SELECT count(*) FROM duckdb_tables() WHERE database_name = 'prev' AND table_name = 'refresh_log'"
        ).fetchone()[0] else None
        con.execute("INSERT INTO release_info VALUES (?, true)", [refreshed])
    finally:
        con.execute("DETACH prev")


def card_news(con) -> pd.DataFrame:
    """The refresh's per-card record of new periods, when this database has one (`refresh_cards`)."""
    present = con.execute("SELECT count(*) FROM duckdb_tables() WHERE table_name = 'refresh_cards'").fetchone()[0]
    if not present:
        return pd.DataFrame(columns=["source", "table_id", "outcome", "new_periods"])
    return con.execute("SELECT source, table_id, outcome, new_periods FROM refresh_cards "
                       "WHERE coalesce(new_periods, '') <> '' ORDER BY source, table_id").df()


def _quote(path: Path) -> str:
    return str(path).replace("'", "''")
