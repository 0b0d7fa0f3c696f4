"""Command line: ``python -m loaders refresh [--offline] [--snapshot DIR] [--db PATH] [--only SRC[/TABLE]]
[--strict] [--record DIR]``, ``python -m loaders check [--offline]`` and ``python -m loaders status``.

refresh exits 0 when every card was renewed, 3 when some kept the previous rows or stayed empty (the new file
is in place; the report says which and why), 1 when nothing usable was built (the old file is untouched)."""
from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from . import db
from .errors import LoaderError


def default_db() -> Path:
    return Path(os.environ.get("INNENFOR_DB", db.DEFAULT_DB))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m loaders", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    ref = sub.add_parser("refresh", help="build a new database and swap it in")
    ref.add_argument("--offline", action="store_true", help="replay the recorded responses in the snapshot")
    ref.add_argument("--snapshot", type=Path, help="snapshot folder (default data/snapshot)")
    ref.add_argument("--db", type=Path, default=None, help="database file (default data/innenfor.duckdb, env INNENFOR_DB)")
    ref.add_argument("--only", help="SOURCE or SOURCE/TABLE: reload just that into a copy of the current database")
    ref.add_argument("--quiet", action="store_true", help="no progress bar")
    ref.add_argument("--strict", action="store_true",
                     help="all or nothing: any card that fails stops the refresh and leaves the old file as it was")
    ref.add_argument("--record", type=Path, metavar="DIR",
                     help="write every request and response byte for byte into DIR (snapshot layout)")
    chk = sub.add_parser("check", help="preflight: cheap requests only; one line per card, ok or what differs")
    chk.add_argument("--offline", action="store_true", help="against the snapshot instead of the live APIs")
    chk.add_argument("--snapshot", type=Path, help="snapshot folder (default data/snapshot)")
    st = sub.add_parser("status", help="what the database holds and from when")
    st.add_argument("--db", type=Path, default=None)
    args = parser.parse_args(argv)
    path = getattr(args, "db", None) or default_db()

    if args.command == "status":
        return status(path)
    if args.command == "check":
        from .preflight import main as check
        return check(offline=args.offline, snapshot=args.snapshot)

    from .refresh import make_transport, refresh
    from .transport import RecordingTransport
    try:
        transport = make_transport(args.offline, args.snapshot)
        if args.record:
            transport = RecordingTransport(transport, args.record)
        summary = refresh(path, transport, only=args.only, progress=not args.quiet,
                          mode="offline" if args.offline else "live", strict=args.strict)
    except (LoaderError, ValueError, OSError) as exc:
        print(f"refresh failed: {exc}", file=sys.stderr)
        print(f"the previous database at {path} is unchanged", file=sys.stderr)
        return 1
    print("\n".join(summary.lines()))
    print(f"database: {path}")
    if not summary.all_renewed:
        print("some sources were not renewed (kept from the previous database, or empty): see above",
              file=sys.stderr)
        return 3
    return 0


def status(path: Path) -> int:
    if not path.exists():
        print(f"no database at {path}; run: python -m loaders refresh --offline")
        return 1
    con = db.connect(path, read_only=True)
    try:
        last = con.execute("SELECT refreshed_at, mode, tables, rows, seconds FROM refresh_log "
                           "ORDER BY refreshed_at DESC LIMIT 1").fetchone()
        if last:
            print(f"last refresh {last[0]:%Y-%m-%d %H:%M} UTC ({last[1]}), {last[2]} tables, {last[3]:,d} rows, {last[4]:.1f} s")
        for row in con.execute("""SELECT source || '/' || table_id, n_rows, api_updated, fetched_at, transport
                                  FROM provenance ORDER BY 1""").fetchall():
            print(f"  {row[0]:<28} {row[1]:>9,d} rows  updated {row[2] or '?':<20} fetched {row[3]:%Y-%m-%d} ({row[4]})")
        tables = {r[0] for r in con.execute("SELECT table_name FROM duckdb_tables()").fetchall()}
        if "refresh_cards" in tables:
            for key, outcome, reason in con.execute("""
                    SELECT source || '/' || table_id, outcome, reason FROM refresh_cards
                    QUALIFY row_number() OVER (PARTITION BY source, table_id ORDER BY refreshed_at DESC) = 1
                        AND outcome <> 'renewed' ORDER BY 1""").fetchall():
                print(f"  {key:<28} {outcome}: {reason}")
    finally:
        con.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
