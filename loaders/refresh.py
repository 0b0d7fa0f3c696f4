"""Build a new database from the source cards and swap it in atomically.

Steps: copy nothing from the old file (unless ``--only``), load every card through one transport,
build the indicators, validate, then ``os.replace``. Any failure removes the half-built file and
leaves the previous database byte-for-byte as it was.
"""
from __future__ import annotations

import importlib
import multiprocessing
import os
import shutil
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

from tqdm import tqdm

from . import db
from .cards import SourceCard, load_cards
from .errors import LoaderError
from .result import compact
from .workers import die_with_parent
from .transport import LiveTransport, ReplayTransport, Transport


@dataclass
class RefreshSummary:
    tables: list[tuple[str, int, int | None]] = field(default_factory=list)  # key, rows now, rows before
    seconds: float = 0.0
    requests: int = 0

    def lines(self) -> list[str]:
        out = []
        for key, now, before in self.tables:
            change = "ny" if before is None else ("uendret" if before == now else f"{now - before:+d} rader")
            out.append(f"  {key:<28} {now:>9,d} rader  ({change})")
        total = sum(n for _, n, _ in self.tables)
        out.append(f"{len(self.tables)} tabeller, {total:,d} rader, {self.requests} forespørsler, "
                   f"{self.seconds:.1f} s")
        return out


def loader_module(card: SourceCard):
    return importlib.import_module(f"loaders.{card.loader}")


def fetch_one(card: SourceCard, transport: Transport):
    try:
        return loader_module(card).fetch(card, transport)
    except LoaderError as exc:
        raise LoaderError(f"{card.key}: {exc}") from exc


def _replay_in_worker(card: SourceCard, snapshot_root: str):
    return compact(fetch_one(card, ReplayTransport(snapshot_root)))


def start_fetching(cards: list[SourceCard], transport: Transport):
    """Return an iterator of (card, LoadResult) in card order.

    Replays are CPU-bound parsing of independent files, so they run in two forked worker processes
    (started here, before the database is opened). Live fetches stay sequential in this process, so
    one rate limiter sees every request to a publisher."""
    workers = min(2, os.cpu_count() or 1)
    if not (isinstance(transport, ReplayTransport) and workers > 1 and len(cards) > 2):
        return ((card, fetch_one(card, transport)) for card in cards)
    pool = ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("fork"),
                               initializer=die_with_parent, initargs=(os.getpid(),))
    futures = [pool.submit(_replay_in_worker, card, str(transport.root)) for card in cards]

    def results():
        try:
            for card, future in zip(cards, futures):
                yield card, future.result()
        finally:
            pool.shutdown(cancel_futures=True)
    return results()


def build_indicators(con, path: Path):
    """Last step of every refresh: turn observations into indicator values. They are computed in worker
    processes reading the file read-only, so ``con`` is checkpointed and closed for that, and the connection
    the values were stored through is returned (go on with that one)."""
    try:
        build = importlib.import_module("indicators.build")
    except ModuleNotFoundError as exc:
        if exc.name in ("indicators.build",):
            return con
        raise
    con.execute("CHECKPOINT")
    con.close()
    built = build.compute_in_processes(path)
    con = db.connect(path)
    build.store(con, built)
    return con


def record_live_only(con, transport: Transport) -> None:
    """What a live refresh would add: the live-only cards, and the cards whose snapshot holds a narrower
    selection than the live query (so the app can say what the offline snapshot lacks)."""
    rows = []
    if transport.name == "replay":
        for card in load_cards():
            if not card.offline:
                rows.append((card.source, card.table_id, card.title, card.publisher, "bare i direkte oppdatering"))
            elif card.snapshot_query:
                rows.append((card.source, card.table_id, card.title, card.publisher,
                             "offline-utdraget har et utvalg; direkte oppdatering henter alt"))
    con.execute("DELETE FROM live_only_sources")
    if rows:
        con.executemany("INSERT INTO live_only_sources VALUES (?, ?, ?, ?, ?)", rows)


def _previous_counts(path: Path) -> dict[str, int]:
    if not path.exists():
        return {}
    try:
        con = db.connect(path, read_only=True)
        try:
            return {f"{s}/{t}": n for s, t, n in
                    con.execute("SELECT source, table_id, n_rows FROM provenance").fetchall()}
        finally:
            con.close()
    except Exception:  # an unreadable old file is replaced, not a reason to stop
        return {}


def remove_stale_temporaries(target: Path) -> None:
    """Half-built files of a refresh that was killed; only those whose process is gone."""
    for tmp in target.parent.glob(target.name + ".tmp-*"):
        pid_text = tmp.name.split(".tmp-")[-1].split(".")[0]
        if pid_text.isdigit() and _alive(int(pid_text)) and int(pid_text) != os.getpid():
            continue
        tmp.unlink(missing_ok=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def refresh(db_path: Path, transport: Transport, only: str | None = None, progress: bool = True,
            mode: str | None = None) -> RefreshSummary:
    db_path = Path(db_path)
    db_path.parent.mkdir(parents=True, exist_ok=True)
    if only is not None and not only.strip():  # "--only ''" must not silently become a full refresh
        raise LoaderError("--only needs SOURCE or SOURCE/TABLE, got an empty value")
    remove_stale_temporaries(db_path)
    cards = [c for c in load_cards(only) if (c.offline if transport.name == "replay" else c.live)]
    before = _previous_counts(db_path)
    tmp = db_path.with_name(f"{db_path.name}.tmp-{os.getpid()}")
    started = time.perf_counter()
    summary = RefreshSummary()
    try:
        if only:
            if not db_path.exists():
                raise LoaderError(f"--only {only} needs an existing database at {db_path}")
            shutil.copyfile(db_path, tmp)
        fetched = start_fetching(cards, transport)
        con = db.connect(tmp)
        try:
            db.create_schema(con)
            bar = tqdm(fetched, total=len(cards), desc="refresh", unit="tabell", disable=not progress, file=sys.stderr)
            for card, result in bar:
                bar.set_postfix_str(card.key)
                n = db.replace_observations(con, card.source, card.table_id, result.rows)
                for name, frame in result.extra_tables.items():
                    db.replace_table(con, name, frame)
                con.execute("DELETE FROM provenance WHERE source = ? AND table_id = ?", [card.source, card.table_id])
                con.execute("INSERT INTO provenance VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", [
                    card.source, card.table_id, result.title or card.title, card.publisher, card.licence,
                    card.url, result.api_updated, datetime.now(timezone.utc).replace(tzinfo=None),
                    transport.name, n])
                summary.tables.append((card.key, n, before.get(card.key)))
                summary.requests += result.requests
            record_live_only(con, transport)
            con = build_indicators(con, tmp)
            problems = db.validate(con)
            if problems:
                raise LoaderError("validation failed: " + "; ".join(problems))
            summary.seconds = time.perf_counter() - started
            con.execute("INSERT INTO refresh_log VALUES (?, ?, ?, ?, ?, ?)", [
                datetime.now(timezone.utc).replace(tzinfo=None), mode or transport.name, len(summary.tables),
                sum(n for _, n, _ in summary.tables), summary.seconds, "\n".join(summary.lines())])
            con.execute("CHECKPOINT")
        finally:
            con.close()
        from indicators.releases import keep_previous_release  # «Nytt i tallene»: compare, keep the old file
        keep_previous_release(tmp, db_path)
        db.fsync_replace(tmp, db_path)
    finally:
        tmp.unlink(missing_ok=True)
        Path(str(tmp) + ".wal").unlink(missing_ok=True)
    return summary


def make_transport(offline: bool, snapshot: Path | None) -> Transport:
    if offline:
        return ReplayTransport(snapshot) if snapshot else ReplayTransport()
    return LiveTransport()
