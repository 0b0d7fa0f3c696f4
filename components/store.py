"""Read-only access to the built DuckDB file, with results cached per file identity.

A refresh builds a new file and swaps it in with ``os.replace``; the (inode, mtime, size) triple then
changes, so cached results of the old file are simply never asked for again. Every query opens its own
read-only connection: cheap next to rendering, safe across threads and across a swap.
"""
from __future__ import annotations

import functools
import os
from collections import OrderedDict
from pathlib import Path
from threading import Lock

import pandas as pd

from loaders import db

_CACHE: OrderedDict = OrderedDict()
_CACHE_SIZE = 256
_LOCK = Lock()


class DataUnavailable(RuntimeError):
    """The database file is missing or cannot be read (shown to users as a friendly message)."""


def db_path() -> Path:
    return Path(os.environ.get("INNENFOR_DB", str(db.DEFAULT_DB)))


def identity() -> tuple:
    try:
        st = os.stat(db_path())
    except FileNotFoundError as exc:
        raise DataUnavailable(f"databasen finnes ikke ({db_path()})") from exc
    return (st.st_ino, st.st_mtime_ns, st.st_size)


def query(sql: str, params: tuple | list = ()) -> pd.DataFrame:
    """Run one read-only query; results are cached per database file and must not be mutated by callers."""
    key = (sql, tuple(params))
    before = identity()
    with _LOCK:
        hit = _CACHE.get((before, key))
        if hit is not None:
            _CACHE.move_to_end((before, key))
            return hit
    try:
        con = db.connect(db_path(), read_only=True)
    except Exception as exc:  # the file vanished between stat and open, or is not a database
        raise DataUnavailable(str(exc)) from exc
    try:
        frame = con.execute(sql, list(params)).df()
    finally:
        con.close()
    if identity() == before:  # do not file a result from a new database under the old one's key
        with _LOCK:
            _CACHE[(before, key)] = frame
            while len(_CACHE) > _CACHE_SIZE:
                _CACHE.popitem(last=False)
    return frame


def cached(size: int = 128):
    """Memoise a pure function of the database per file identity (LRU, ``size`` entries per function).

    For results derived from several queries (a whole rendered view, a lookup table): arguments must be
    hashable, and callers must not mutate what they get back. A swapped-in file has a new identity, so its
    results are computed afresh and the old ones age out.
    """
    def wrap(fn):
        memo: OrderedDict = OrderedDict()
        lock = Lock()

        @functools.wraps(fn)
        def inner(*args):
            before = identity()
            key = (before, args)
            with lock:
                if key in memo:
                    memo.move_to_end(key)
                    return memo[key]
            value = fn(*args)
            if identity() == before:
                with lock:
                    memo[key] = value
                    while len(memo) > size:
                        memo.popitem(last=False)
            return value

        inner.cache_clear = memo.clear
        return inner
    return wrap


def has_table(name: str) -> bool:
    found = query("SELECT count(*) AS n FROM information_schema.tables WHERE table_name = ?", (name,))
    return bool(found["n"].iloc[0])
