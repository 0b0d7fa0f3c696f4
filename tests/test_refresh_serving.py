"""Readers keep working while a refresh swaps a new file in.

The app opens the database read-only per request; a refresh writes ``<db>.tmp-<pid>`` and ``os.replace``s
it over the old file. A reader process opens, queries and closes the file in a tight loop while three
refreshes swap in new files: every read must succeed, and the reader must have seen more than one
version (otherwise the test proved nothing).

The swaps are ``--only klass/104`` refreshes run in-process with the indicator build stubbed out: what is
under test is the swap, and the copied file already holds the indicators.
"""
from __future__ import annotations

import json
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

import loaders.refresh as refresh_mod
from loaders.transport import ReplayTransport

READER = r"""
import json, sys, time
from pathlib import Path
import duckdb
path, stop = sys.argv[1], Path(sys.argv[2])
ok, failed, versions, errors = 0, 0, set(), []
while not stop.exists():
    try:
        con = duckdb.connect(path, read_only=True)
        try:
            n = con.execute("SELECT count(*) FROM refresh_log").fetchone()[0]
            con.execute("SELECT count(*) FROM observations WHERE geo_code = '4003'").fetchone()
        finally:
            con.close()
        ok += 1
        versions.add(n)
    except Exception as exc:
        failed += 1
        errors.append(f"{type(exc).__name__}: {exc}"[:200])
print(json.dumps({"ok": ok, "failed": failed, "versions": sorted(versions), "errors": errors[:5]}))
"""


def test_readers_see_old_or_new_file_never_an_error(built_db, tmp_path, snapshot_dir, monkeypatch):
    path = tmp_path / "innenfor.duckdb"
    shutil.copyfile(built_db, path)
    stop = tmp_path / "stop"
    reader = subprocess.Popen([sys.executable, "-c", READER, str(path), str(stop)],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    monkeypatch.setattr(refresh_mod, "build_indicators", lambda con, path, **_: con)
    try:
        time.sleep(1.5)  # let the reader import duckdb and start reading
        for _ in range(3):
            refresh_mod.refresh(path, ReplayTransport(snapshot_dir), only="klass/104", progress=False)
            time.sleep(0.3)
    finally:
        stop.touch()
        out, err = reader.communicate(timeout=30)
    assert reader.returncode == 0, err[-2000:]
    stats = json.loads(out)
    assert stats["failed"] == 0, stats["errors"]
    assert stats["ok"] > 20
    assert len(stats["versions"]) >= 2, f"the reader never saw a swap: {stats}"


@pytest.mark.parametrize("only", ["klass", "klass/104"])
def test_only_refresh_keeps_other_sources(built_db, tmp_path, snapshot_dir, monkeypatch, only):
    """``--only`` reloads one source into a copy: every other source's rows are still there afterwards."""
    from loaders import db

    path = tmp_path / "innenfor.duckdb"
    shutil.copyfile(built_db, path)
    monkeypatch.setattr(refresh_mod, "build_indicators", lambda con, path, **_: con)
    with db.connect(path, read_only=True) as con:
        before = dict(con.execute("SELECT source || '/' || table_id, n_rows FROM provenance").fetchall())
    refresh_mod.refresh(path, ReplayTransport(snapshot_dir), only=only, progress=False)
    with db.connect(path, read_only=True) as con:
        after = dict(con.execute("SELECT source || '/' || table_id, n_rows FROM provenance").fetchall())
        assert db.validate(con) == []
    assert after == before
