"""Garbage on the command line: a clean one-line error, exit 1, and the database untouched.

``--only`` is matched against the source cards' keys, never put into SQL; these tests hold that in place.
"""
from __future__ import annotations

import hashlib
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from loaders import db
from loaders.__main__ import main

ROOT = Path(__file__).resolve().parents[1]

HOSTILE = [
    "'; DROP TABLE observations; --",
    "ssb/13556' OR '1'='1",
    "nosuchsource",
    "ssb/99999",
    "../../etc/passwd",
    "ssb\nDROP TABLE provenance",
    "",
    "   ",
    "ø" * 5000,
]


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture()
def db_copy(built_db, tmp_path) -> Path:
    path = tmp_path / "innenfor.duckdb"
    shutil.copyfile(built_db, path)
    return path


def error_lines(text: str) -> list[str]:
    return [line for line in text.splitlines() if line.strip()]


@pytest.mark.parametrize("only", HOSTILE, ids=lambda s: repr(s[:20]))
def test_hostile_only_fails_cleanly(db_copy, capsys, only):
    digest = sha256(db_copy)
    assert main(["refresh", "--offline", "--quiet", "--db", str(db_copy), "--only", only]) == 1
    err = error_lines(capsys.readouterr().err)
    assert err[0].startswith("refresh failed: ") and "Traceback" not in "\n".join(err)
    assert err[1:] == [f"the previous database at {db_copy} is unchanged"]
    assert sha256(db_copy) == digest
    assert sorted(p.name for p in db_copy.parent.iterdir()) == ["innenfor.duckdb"]
    con = db.connect(db_copy, read_only=True)
    try:
        assert db.validate(con) == []
        assert con.execute("SELECT count(*) FROM observations").fetchone()[0] > 0
    finally:
        con.close()


def test_sql_injection_through_the_real_command(db_copy):
    """The real process: exit code 1, no traceback, the message names the bad value, the file is the same."""
    digest = sha256(db_copy)
    proc = subprocess.run([sys.executable, "-m", "loaders", "refresh", "--offline", "--quiet", "--db", str(db_copy),
                           "--only", "'; DROP TABLE observations; --"],
                          cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 1
    assert proc.stdout == ""
    lines = error_lines(proc.stderr)
    assert lines[0] == "refresh failed: --only \"'; DROP TABLE observations; --\" matches no source card"
    assert len(lines) == 2 and "Traceback" not in proc.stderr
    assert sha256(db_copy) == digest


def test_only_on_a_missing_database_fails_without_creating_it(tmp_path, capsys):
    path = tmp_path / "nothing.duckdb"
    assert main(["refresh", "--offline", "--quiet", "--db", str(path), "--only", "klass"]) == 1
    assert error_lines(capsys.readouterr().err)[0].startswith("refresh failed: --only klass needs an existing database")
    assert list(tmp_path.iterdir()) == []
