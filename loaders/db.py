"""The DuckDB database: schema, writing tidy rows, and the checks a new file must pass before it is swapped in.

The web app opens the file read-only; a refresh writes a new file and replaces the old one with
``os.replace``, so readers see either the old database or the new one.
"""
from __future__ import annotations

import os
from pathlib import Path

import duckdb
import pandas as pd

from .result import OBS_COLUMNS

DEFAULT_DB = Path(__file__).resolve().parent.parent / "data" / "innenfor.duckdb"
DUCKDB_CONFIG = {"autoinstall_known_extensions": False, "autoload_known_extensions": False}

SCHEMA = """
CREATE TABLE IF NOT EXISTS observations (
    source VARCHAR NOT NULL, table_id VARCHAR NOT NULL, measure VARCHAR NOT NULL, dims VARCHAR NOT NULL,
    geo_code VARCHAR NOT NULL, geo_vintage INTEGER, period VARCHAR NOT NULL,
    value DOUBLE, status VARCHAR, unit VARCHAR
);
CREATE TABLE IF NOT EXISTS provenance (
    source VARCHAR NOT NULL, table_id VARCHAR NOT NULL, title VARCHAR, publisher VARCHAR, licence VARCHAR,
    url VARCHAR, api_updated VARCHAR, fetched_at TIMESTAMP, transport VARCHAR, n_rows BIGINT,
    PRIMARY KEY (source, table_id)
);
CREATE TABLE IF NOT EXISTS status_codes (
    source VARCHAR NOT NULL, symbol VARCHAR NOT NULL, meaning_nb VARCHAR NOT NULL, PRIMARY KEY (source, symbol)
);
CREATE TABLE IF NOT EXISTS geo_units (
    code VARCHAR PRIMARY KEY, level VARCHAR NOT NULL, name VARCHAR NOT NULL, parent_code VARCHAR
);
CREATE TABLE IF NOT EXISTS geo_units_history (
    code VARCHAR NOT NULL, level VARCHAR NOT NULL, name VARCHAR NOT NULL, parent_code VARCHAR,
    valid_from INTEGER NOT NULL, valid_to INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS geo_code_changes (
    old_code VARCHAR NOT NULL, new_code VARCHAR NOT NULL, changed_on DATE NOT NULL, kind VARCHAR NOT NULL,
    level VARCHAR NOT NULL, old_name VARCHAR, new_name VARCHAR
);
CREATE TABLE IF NOT EXISTS geo_neighbours (
    code VARCHAR NOT NULL, neighbour_code VARCHAR NOT NULL, kind VARCHAR NOT NULL,
    PRIMARY KEY (code, neighbour_code)
);
CREATE TABLE IF NOT EXISTS live_only_sources (
    source VARCHAR NOT NULL, table_id VARCHAR NOT NULL, title VARCHAR, publisher VARCHAR, note VARCHAR
);
-- One row per card per refresh: renewed (fetched now), kept (the previous database's rows carried over, with
-- their original fetched_at in provenance) or empty (failed, nothing to keep). new_periods: comma-separated
-- periods present now but absent for that card in the previous database ('' when none).
CREATE TABLE IF NOT EXISTS refresh_cards (
    refreshed_at TIMESTAMP, source VARCHAR, table_id VARCHAR, outcome VARCHAR, reason VARCHAR, rows BIGINT,
    new_periods VARCHAR
);
CREATE TABLE IF NOT EXISTS refresh_log (
    refreshed_at TIMESTAMP, mode VARCHAR, tables INTEGER, rows BIGINT, seconds DOUBLE, summary VARCHAR
);
"""

# Symbols as the publishers define them (SSB statbank, FHI /flag, Udir). Shown in words in the app.
STATUS_CODES = [
    ("ssb", "..", "Tall ikke tilgjengelig eller for usikre til å publiseres"),
    ("ssb", ".", "Ikke mulig å oppgi tall"),
    ("ssb", ":", "Skjermet (vernet av personvernhensyn)"),
    ("ssb", "...", "Tall kan ikke offentliggjøres ennå"),
    ("ssb", "-", "Null"),
    ("fhi", "..", "Manglende data"),
    ("fhi", ".", "Kan ikke beregnes (f.eks. ingen undersøkelse det året)"),
    ("fhi", ":", "Skjermet (anonymisert)"),
    ("fhi", "-", "Ikke tilgjengelig"),
    ("udir", "*", "Skjermet (færre enn 10 elever eller fare for identifisering)"),
    ("udir", "", "Ikke tilgjengelig (enheten fantes ikke)"),
    ("imdi", ":", "Skjermet (vernet av personvernhensyn)"),
    ("imdi", ".", "Ikke mulig å oppgi tall"),
    ("nav", "*", "Skjermet (færre enn 4 personer)"),
]


def connect(path: Path | str, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    return duckdb.connect(str(path), read_only=read_only, config=DUCKDB_CONFIG)


def create_schema(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(SCHEMA)
    con.execute("DELETE FROM status_codes")
    con.executemany("INSERT INTO status_codes VALUES (?, ?, ?)", STATUS_CODES)


def replace_observations(con, source: str, table_id: str, rows: pd.DataFrame) -> int:
    con.execute("DELETE FROM observations WHERE source = ? AND table_id = ?", [source, table_id])
    if rows.empty:
        return 0
    frame = rows[OBS_COLUMNS]  # noqa: F841  (referenced by DuckDB below)
    con.execute("INSERT INTO observations SELECT * FROM frame")
    return len(rows)


def card_problems(rows: pd.DataFrame) -> list[str]:
    """What would make one card's rows unusable: duplicate keys, or a value and a status (or neither)."""
    problems = []
    dup = rows.duplicated(["measure", "dims", "geo_code", "geo_vintage", "period"]).sum()
    if dup:
        problems.append(f"{int(dup)} duplicate keys")
    bad = (rows["value"].isna() != rows["status"].notna()).sum()
    if bad:
        problems.append(f"{int(bad)} rows have a value and a status, or neither")
    return problems


def replace_table(con, name: str, frame: pd.DataFrame) -> None:
    """Replace the whole content of a (schema-defined) table with a frame's rows, columns by name."""
    cols = [r[0] for r in con.execute(f"DESCRIBE {name}").fetchall()]
    missing = [c for c in cols if c not in frame.columns]
    if missing:
        raise ValueError(f"{name}: frame lacks columns {missing}")
    data = frame[cols]  # noqa: F841
    con.execute(f"DELETE FROM {name}")
    con.execute(f"INSERT INTO {name} SELECT * FROM data")


def validate(con) -> list[str]:
    """Problems that must stop a refresh from swapping in the new file. Empty list = fine."""
    problems = []
    counts = dict(con.execute("SELECT level, count(*) FROM geo_units GROUP BY level").fetchall())
    if counts != {"land": 1, "fylke": 15, "kommune": 357}:
        problems.append(f"geo_units should hold 1 land + 15 fylker + 357 kommuner, holds {counts}")
    dup = con.execute("""
        SELECT count(*) FROM (SELECT 1 FROM observations
        GROUP BY source, table_id, measure, dims, geo_code, geo_vintage, period HAVING count(*) > 1)""").fetchone()[0]
    if dup:
        problems.append(f"observations has {dup} duplicate keys")
    bad_status = con.execute("""
        SELECT count(*) FROM observations WHERE (value IS NULL) <> (status IS NOT NULL)""").fetchone()[0]
    if bad_status:
        problems.append(f"{bad_status} observations have a value and a status, or neither")
    empty = con.execute("""
        SELECT p.source || '/' || p.table_id FROM provenance p
        LEFT JOIN (SELECT source, table_id, count(*) n FROM observations GROUP BY ALL) o USING (source, table_id)
        WHERE p.n_rows > 0 AND coalesce(o.n, 0) <> p.n_rows""").fetchall()
    if empty:
        problems.append(f"row counts differ from provenance for {[e[0] for e in empty]}")
    asym = con.execute("""
        SELECT count(*) FROM geo_neighbours a LEFT JOIN geo_neighbours b
        ON a.code = b.neighbour_code AND a.neighbour_code = b.code WHERE b.code IS NULL""").fetchone()[0]
    if asym:
        problems.append(f"geo_neighbours is not symmetric ({asym} one-way pairs)")
    return problems


def fsync_replace(tmp: Path, target: Path) -> None:
    with open(tmp, "rb") as fh:
        os.fsync(fh.fileno())
    os.replace(tmp, target)
