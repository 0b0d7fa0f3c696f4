"""Shared fixtures. ``shared_data`` finds ../shared/data: a test that needs the publishers' verbatim files
skips with a visible reason on a clone without it, and fails under CI=true, where it must be present."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("INNENFOR_SHARED", ROOT.parent / "shared" / "data"))
SNAPSHOT = ROOT / "data" / "snapshot"


@pytest.fixture(scope="session")
def shared_data() -> Path:
    if not SHARED.is_dir():
        message = f"the publishers' original files are not at {SHARED} (a clone without ../shared)"
        if os.environ.get("CI") == "true":
            pytest.fail(message + " — CI must have them")
        pytest.skip(message)
    return SHARED


@pytest.fixture(scope="session")
def snapshot_dir() -> Path:
    return SNAPSHOT


@pytest.fixture(scope="session")
def built_db(tmp_path_factory) -> Path:
    """The real offline build, once per test session: every card replayed from data/snapshot."""
    from loaders.refresh import refresh
    from loaders.transport import ReplayTransport

    path = tmp_path_factory.mktemp("db") / "innenfor.duckdb"
    refresh(path, ReplayTransport(SNAPSHOT), progress=False, mode="offline")
    return path


@pytest.fixture(scope="module")
def app_db(built_db):
    """The Dash app (every page and callback registered) reading the offline build."""
    old = os.environ.get("INNENFOR_DB")
    os.environ["INNENFOR_DB"] = str(built_db)
    import app  # noqa: F401

    yield built_db
    if old is None:
        os.environ.pop("INNENFOR_DB", None)
    else:
        os.environ["INNENFOR_DB"] = old


@pytest.fixture()
def db_con(built_db):
    from loaders import db

    con = db.connect(built_db, read_only=True)
    yield con
    con.close()
