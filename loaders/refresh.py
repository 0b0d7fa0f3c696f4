"""Build a new database from the source cards and swap it in atomically.

Steps: copy nothing from the old file (unless ``--only``), load every card through one transport,
build the indicators, validate, then ``os.replace`` (``swap_in``). A card that fails keeps its rows from
the previous database (``kept``) or stays ``empty``; every card's outcome goes to ``refresh_cards``.
With ``strict``, or when nothing usable was built, the half-built file is removed and the previous
database stays byte-for-byte as it was.
"""
from __future__ import annotations

import importlib
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
from .workers import WORKER_MODULES, die_with_parent, pool_context
from .transport import LiveTransport, ReplayTransport, Transport


@dataclass
class CardOutcome:
    """What one card's refresh came to; a row of ``refresh_cards`` and a line of the report."""
    source: str
    table_id: str
    outcome: str = "renewed"           # renewed | kept | empty
    reason: str = ""
    rows: int = 0
    requests: int = 0
    new_periods: list[str] = field(default_factory=list)
    changed: int = 0                    # values that differ from the previous database
    largest_change: str = ""            # the largest absolute change, and where
    fetched_at: object = None           # when kept: when the kept rows were fetched
    skipped: dict[str, int] = field(default_factory=dict)  # region codes left out: kind -> how many codes

    @property
    def key(self) -> str:
        return f"{self.source}/{self.table_id}"

    def line(self) -> str:
        if self.outcome == "renewed":
            new = (f"nye perioder {', '.join(self.new_periods[:4])}" + (" …" if len(self.new_periods) > 4 else "")
                   if self.new_periods else "ingen nye perioder")
            changed = f"{self.changed:,d} verdier endret" + (f" (største {self.largest_change})"
                                                             if self.changed else "")
            skipped = ("; utelatte regionkoder: " + ", ".join(f"{kind} {n}" for kind, n in sorted(self.skipped.items()))
                       if self.skipped else "")
            return (f"  {self.key:<34} fornyet  {self.rows:>9,d} rader  {self.requests:>3} forespørsler  {new}; "
                    f"{changed}{skipped}")
        when = f" (hentet {self.fetched_at:%Y-%m-%d})" if hasattr(self.fetched_at, "strftime") else ""
        word = "BEHOLDT" if self.outcome == "kept" else "TOM    "
        return f"  {self.key:<34} {word} {self.rows:>9,d} rader{when}: {self.reason}"


@dataclass
class RefreshSummary:
    tables: list[tuple[str, int, int | None]] = field(default_factory=list)  # key, rows now, rows before
    cards: list[CardOutcome] = field(default_factory=list)
    indicator_failures: dict[str, str] = field(default_factory=dict)
    seconds: float = 0.0
    requests: int = 0

    @property
    def all_renewed(self) -> bool:
        return all(c.outcome == "renewed" for c in self.cards) and not self.indicator_failures

    def lines(self) -> list[str]:
        out = [c.line() for c in self.cards]
        for ind, why in self.indicator_failures.items():
            out.append(f"  indikator {ind} ikke bygget: {why}")
        total = sum(n for _, n, _ in self.tables)
        counts = {o: sum(c.outcome == o for c in self.cards) for o in ("renewed", "kept", "empty")}
        out.append(f"{len(self.tables)} tabeller, {total:,d} rader, {self.requests} forespørsler, "
                   f"{self.seconds:.1f} s; fornyet {counts['renewed']}, beholdt {counts['kept']}, tom {counts['empty']}")
        return out


def one_line(exc: BaseException) -> str:
    text = " ".join(str(exc).split()) or type(exc).__name__
    return text if isinstance(exc, LoaderError) else f"{type(exc).__name__}: {text}"[:300]


def loader_module(card: SourceCard):
    return importlib.import_module(f"loaders.{card.loader}")


def fetch_one(card: SourceCard, transport: Transport):
    try:
        return loader_module(card).fetch(card, transport)
    except LoaderError as exc:
        raise LoaderError(f"{card.key}: {exc}") from exc


def _replay_in_worker(card: SourceCard, snapshot_root: str):
    return compact(fetch_one(card, ReplayTransport(snapshot_root)))


def _fetch_or_error(card: SourceCard, transport: Transport):
    begin = getattr(transport, "begin_card", None)
    if begin:
        begin(card)
    try:
        return fetch_one(card, transport)
    except Exception as exc:  # noqa: BLE001 - one card's failure is reported, the refresh goes on
        return exc


def start_fetching(cards: list[SourceCard], transport: Transport):
    """Return an iterator of (card, LoadResult or the exception the card failed with) in card order.

    Replays are CPU-bound parsing of independent files, so they run in two forked worker processes
    (started here, before the database is opened). Live fetches stay sequential in this process, so
    one rate limiter sees every request to a publisher."""
    workers = min(2, os.cpu_count() or 1)
    if not (isinstance(transport, ReplayTransport) and workers > 1 and len(cards) > 2):
        return ((card, _fetch_or_error(card, transport)) for card in cards)
    pool = ProcessPoolExecutor(max_workers=workers, mp_context=pool_context(WORKER_MODULES),
                               initializer=die_with_parent, initargs=(os.getpid(),))
    futures = [pool.submit(_replay_in_worker, card, str(transport.root)) for card in cards]

    def results():
        try:
            for card, future in zip(cards, futures):
                try:
                    yield card, future.result()
                except Exception as exc:  # noqa: BLE001
                    yield card, exc
        finally:
            pool.shutdown(cancel_futures=True)
    return results()


def build_indicators(con, path: Path, errors: dict[str, str] | None = None):
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
    built = build.compute_in_processes(path, errors=errors)
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


EXTRA_TABLES = ("geo_units", "geo_units_history", "geo_code_changes", "geo_neighbours")


def attach_previous(con, path: Path) -> bool:
    """The database being replaced, attached read-only as ``prev``: the rows a failed card keeps, and what
    the report compares against. False when there is none (or it cannot be read)."""
    if not path.exists():
        return False
    try:
        quoted = str(path).replace("'", "''")
        con.execute(f"ATTACH '{quoted}' AS prev (READ_ONLY)")
        tables = {r[0] for r in con.execute(
            "SELECT table_name FROM duckdb_tables() WHERE database_name = 'prev'").fetchall()}
    except Exception:  # noqa: BLE001 - an unreadable old file is replaced, not a reason to stop
        return False
    if not {"observations", "provenance"} <= tables:
        con.execute("DETACH prev")
        return False
    return True


def compare_with_previous(con, out: CardOutcome) -> None:
    """New periods and changed values of one renewed card against the previous database."""
    key = [out.source, out.table_id]
    out.new_periods = sorted(r[0] for r in con.execute("""
        SELECT DISTINCT period FROM observations WHERE source = ? AND table_id = ?
        EXCEPT SELECT DISTINCT period FROM prev.observations WHERE source = ? AND table_id = ?""",
        key + key).fetchall())
    changed = con.execute("""
        WITH n AS (SELECT * FROM observations WHERE source = ? AND table_id = ?),
             o AS (SELECT * FROM prev.observations WHERE source = ? AND table_id = ?)
        SELECT count(*), arg_max(n.geo_code || ' ' || n.period || ' ' || n.measure || ': '
                                 || coalesce(CAST(o.value AS VARCHAR), o.status, '') || ' -> '
                                 || coalesce(CAST(n.value AS VARCHAR), n.status, ''),
                                 coalesce(abs(n.value - o.value), 0))
        FROM n JOIN o ON n.measure = o.measure AND n.dims = o.dims AND n.geo_code = o.geo_code
             AND n.geo_vintage IS NOT DISTINCT FROM o.geo_vintage AND n.period = o.period
        WHERE n.value IS DISTINCT FROM o.value OR n.status IS DISTINCT FROM o.status""", key + key).fetchone()
    out.changed, out.largest_change = int(changed[0]), changed[1] or ""


def keep_previous(con, out: CardOutcome, has_previous: bool) -> None:
    """A card that failed: carry its rows and provenance over from the previous database (kept), or leave it
    empty when there is nothing to keep."""
    key = [out.source, out.table_id]
    con.execute("DELETE FROM observations WHERE source = ? AND table_id = ?", key)
    con.execute("DELETE FROM provenance WHERE source = ? AND table_id = ?", key)
    prov = con.execute("SELECT fetched_at FROM prev.provenance WHERE source = ? AND table_id = ?",
                       key).fetchone() if has_previous else None
    if prov is None:
        out.outcome = "empty"
        return
    con.execute("INSERT INTO observations SELECT * FROM prev.observations WHERE source = ? AND table_id = ?", key)
    con.execute("INSERT INTO provenance SELECT * FROM prev.provenance WHERE source = ? AND table_id = ?", key)
    out.outcome, out.fetched_at = "kept", prov[0]
    out.rows = con.execute("SELECT count(*) FROM observations WHERE source = ? AND table_id = ?", key).fetchone()[0]


def keep_previous_extra_tables(con) -> None:
    """Geo tables a kept card (KLASS, boundaries) did not renew: the previous database's copy."""
    for name in EXTRA_TABLES:
        if con.execute(f"SELECT count(*) FROM {name}").fetchone()[0] == 0:
            try:
                con.execute(f"INSERT INTO {name} SELECT * FROM prev.{name}")
            except Exception:  # noqa: BLE001 - the previous file lacks the table: stays empty, validate says so
                pass


def record_cards(con, outcomes: list[CardOutcome], stamp: datetime, has_previous: bool, only: str | None) -> None:
    """``refresh_cards``: the previous refreshes' rows (history), then this refresh's, one per card."""
    if has_previous and not only:
        try:
            con.execute("INSERT INTO refresh_cards SELECT * FROM prev.refresh_cards")
        except Exception:  # noqa: BLE001 - a previous file from before refresh_cards
            pass
    con.executemany("INSERT INTO refresh_cards VALUES (?, ?, ?, ?, ?, ?, ?)", [
        (stamp, o.source, o.table_id, o.outcome, o.reason, o.rows, ",".join(o.new_periods)) for o in outcomes])


def swap_in(tmp: Path, db_path: Path) -> None:
    """The one step that changes what readers see: the finished file replaces the old one atomically. Just before,
    the release comparison («Nytt i tallene») is written into the new file and the old one is kept beside it."""
    from indicators.releases import keep_previous_release
    keep_previous_release(tmp, db_path)
    db.fsync_replace(tmp, db_path)


def refresh(db_path: Path, transport: Transport, only: str | None = None, progress: bool = True,
            mode: str | None = None, strict: bool = False) -> RefreshSummary:
    """Build a new database and swap it in. A card that fails keeps the previous database's rows (or stays
    empty) unless ``strict``, where any failure stops the refresh with the old file untouched. Raises
    LoaderError when nothing usable was built (no card renewed, or the new file fails validation)."""
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
            has_previous = attach_previous(con, db_path)
            bar = tqdm(fetched, total=len(cards), desc="refresh", unit="tabell", disable=not progress, file=sys.stderr)
            for card, result in bar:
                bar.set_postfix_str(card.key)
                out = CardOutcome(card.source, card.table_id)
                summary.cards.append(out)
                if not isinstance(result, BaseException):
                    problems = db.card_problems(result.rows)
                    if problems:
                        result = LoaderError(f"{card.key}: " + "; ".join(problems))
                if isinstance(result, BaseException):
                    out.reason = one_line(result).removeprefix(f"{card.key}: ")
                    if strict:
                        raise LoaderError(f"{card.key}: {out.reason}") from result
                    keep_previous(con, out, has_previous)
                    if out.outcome == "kept":
                        summary.tables.append((card.key, out.rows, before.get(card.key)))
                    continue
                n = db.replace_observations(con, card.source, card.table_id, result.rows)
                for name, frame in result.extra_tables.items():
                    db.replace_table(con, name, frame)
                con.execute("DELETE FROM provenance WHERE source = ? AND table_id = ?", [card.source, card.table_id])
                con.execute("INSERT INTO provenance VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", [
                    card.source, card.table_id, result.title or card.title, card.publisher, card.licence,
                    card.url, result.api_updated, datetime.now(timezone.utc).replace(tzinfo=None),
                    transport.name, n])
                out.rows, out.requests, out.skipped = n, result.requests, dict(result.skipped)
                if has_previous:
                    compare_with_previous(con, out)
                summary.tables.append((card.key, n, before.get(card.key)))
                summary.requests += result.requests
            if not any(o.outcome == "renewed" for o in summary.cards):
                raise LoaderError("no source could be renewed: " + "; ".join(
                    f"{o.key}: {o.reason}" for o in summary.cards[:5]))
            if has_previous:
                keep_previous_extra_tables(con)
            stamp = datetime.now(timezone.utc).replace(tzinfo=None)
            record_cards(con, summary.cards, stamp, has_previous, only)
            if has_previous:
                con.execute("DETACH prev")
            record_live_only(con, transport)
            con = build_indicators(con, tmp, errors=None if strict else summary.indicator_failures)
            problems = db.validate(con)
            if problems:
                raise LoaderError("validation failed: " + "; ".join(problems))
            summary.seconds = time.perf_counter() - started
            con.execute("INSERT INTO refresh_log VALUES (?, ?, ?, ?, ?, ?)", [
                stamp, mode or transport.name, len(summary.tables),
                sum(n for _, n, _ in summary.tables), summary.seconds, "\n".join(summary.lines())])
            con.execute("CHECKPOINT")
        finally:
            con.close()
        swap_in(tmp, db_path)
    finally:
        tmp.unlink(missing_ok=True)
        Path(str(tmp) + ".wal").unlink(missing_ok=True)
    return summary


def make_transport(offline: bool, snapshot: Path | None) -> Transport:
    if offline:
        return ReplayTransport(snapshot) if snapshot else ReplayTransport()
    return LiveTransport()
