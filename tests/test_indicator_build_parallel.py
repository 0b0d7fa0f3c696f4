"""The refresh computes indicators in worker processes; the figures must be exactly those of one process."""
from __future__ import annotations

import shutil

from indicators import build
from loaders import db

TABLES = ("indicators", "indicator_values", "comparator_sets")


def _differences(con, table: str) -> tuple[int, int]:
    one_way = f"SELECT count(*) FROM (SELECT * FROM {table} EXCEPT ALL SELECT * FROM serial.{table})"
    other_way = f"SELECT count(*) FROM (SELECT * FROM serial.{table} EXCEPT ALL SELECT * FROM {table})"
    return con.execute(one_way).fetchone()[0], con.execute(other_way).fetchone()[0]


def test_worker_processes_give_the_single_process_figures(built_db, tmp_path):
    serial = tmp_path / "serial.duckdb"
    shutil.copyfile(built_db, serial)
    con = db.connect(serial)
    try:
        counts = build.build_all(con)  # everything in this process, through one connection
    finally:
        con.close()
    assert counts["neet_15_29"] > 60_000
    con = db.connect(built_db, read_only=True)  # built by the refresh, i.e. in worker processes
    try:
        con.execute(f"ATTACH '{serial}' AS serial (READ_ONLY)")
        for table in TABLES:
            assert con.execute(f"SELECT count(*) FROM {table}").fetchone()[0] > 0
            assert _differences(con, table) == (0, 0), table
    finally:
        con.close()


def test_one_worker_computes_in_this_process(built_db, tmp_path):
    copy = tmp_path / "copy.duckdb"
    shutil.copyfile(built_db, copy)
    built = build.compute_in_processes(copy, workers=1)
    order = [ind.indicator_id for ind in build.all_indicators()]
    ids = [ind.indicator_id for ind, _ in built]
    assert len(ids) > 10 and ids == sorted(ids, key=order.index)  # registry order, as build_all gives it
    con = db.connect(copy)  # the read-only connection was closed: the file opens for writing again
    try:
        assert build.store(con, built)["befolkning"] > 0
    finally:
        con.close()
