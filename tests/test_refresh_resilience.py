"""A refresh that survives a publisher failing: the live HTTP path against the replay server, one source made to
answer 500 (or garbage) to every request. The other sources are renewed, the failing one keeps the previous
database's rows (``refresh_cards`` says which), exit 3; ``--strict`` stops with exit 1 and the old file as it was.
Also: a card with nothing to keep stays empty, and ``--record`` + ``loaders.snapshot --from-record`` rebuild the
same database."""
from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

import pytest
import requests

from bench.replay_server import SSB_HOST, RedirectAdapter, SnapshotScopedLiveTransport, SnapshotServer
from loaders import db
from loaders.cards import load_cards
from loaders import refresh as refresh_module
from loaders.__main__ import main
from loaders.http import HttpClient
from loaders.refresh import refresh
from loaders.snapshot.__main__ import from_record
from loaders.transport import RecordingTransport, ReplayTransport

INDICATOR_COLUMNS = "indicator_id, geo_code, period, breakdown, borders, geo_vintage, value, numerator, denominator, status"


class FailingServer(SnapshotServer):
    """The replay server, with every request to one snapshot folder (publisher) answered by ``fault``."""

    def __init__(self, snapshot_dir, failing: str, fault: tuple[int, bytes]):
        super().__init__(snapshot_dir, ssb_limit=(10_000, 60.0))
        self.failing, self.fault = failing, fault
        self.hosts = {requests.utils.urlparse(e["url"]).hostname
                      for _, e, src in self.entries.values() if src == failing}

    def _answer(self, method, host, target, body, now, scheme):
        status, headers, content, source = super()._answer(method, host, target, body, now, scheme)
        if source == self.failing:
            return self.fault[0], {}, self.fault[1], source
        return status, headers, content, source


def live_through(server: SnapshotServer, transport_class=SnapshotScopedLiveTransport):
    base = server.start()
    session = requests.Session()
    adapter = RedirectAdapter(base)
    session.mount("https://", adapter)
    session.mount("http://", adapter)
    client = HttpClient(session=session, limits={SSB_HOST: (10_000, 60.0)}, max_attempts=1, timeout=(5.0, 60.0))
    return transport_class(client)


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def rows(path: Path, sql: str, params=()) -> list[tuple]:
    con = db.connect(path, read_only=True)
    try:
        return con.execute(sql, list(params)).fetchall()
    finally:
        con.close()


def indicator_values(path: Path, source: str) -> list[tuple]:
    return rows(path, f"""SELECT {INDICATOR_COLUMNS} FROM indicator_values WHERE indicator_id IN
                          (SELECT indicator_id FROM indicators WHERE sources LIKE ?) ORDER BY ALL""", [f"%{source}/%"])


@pytest.mark.parametrize("failing,fault", [("udir", (500, b"Internal Server Error")),
                                           ("nav", (200, b"<html><body>Vedlikehold</body></html>"))],
                         ids=["udir-500", "nav-garbage"])
def test_failing_source_keeps_its_previous_rows_and_exit_3(built_db, tmp_path, snapshot_dir, monkeypatch, capsys,
                                                           failing, fault):
    refresh_with_one_source_failing(built_db, tmp_path, snapshot_dir, monkeypatch, capsys, failing, fault)


def refresh_with_one_source_failing(built_db, tmp_path, snapshot_dir, monkeypatch, capsys, failing, fault):
    """Copy the offline build, refresh it live through the server with ``failing`` answering ``fault``, check
    the outcome; return the new file and the failing source's fetched dates before."""
    path = tmp_path / "innenfor.duckdb"
    shutil.copyfile(built_db, path)
    before_values = indicator_values(path, failing)
    before_fetched = dict(rows(path, "SELECT table_id, fetched_at FROM provenance WHERE source = ?", [failing]))
    assert before_values and before_fetched
    server = FailingServer(snapshot_dir, failing, fault)
    transport = live_through(server)
    monkeypatch.setattr(refresh_module, "make_transport", lambda offline, snapshot: transport)
    try:
        code = main(["refresh", "--quiet", "--db", str(path)])
    finally:
        server.stop()
    out = capsys.readouterr()
    assert code == 3, out.err
    assert any(h.status == fault[0] and h.source == failing for h in server.hits)

    cards = rows(path, """SELECT source, table_id, outcome, reason, rows FROM refresh_cards
                          WHERE refreshed_at = (SELECT max(refreshed_at) FROM refresh_cards) ORDER BY ALL""")
    kept = {(s, t) for s, t, o, _, _ in cards if o == "kept"}
    assert kept == {(failing, t) for t in before_fetched}
    assert all(o == "renewed" for s, _, o, _, _ in cards if s != failing)
    assert all(reason for s, _, o, reason, _ in cards if o == "kept")
    assert {o for s, _, o, _, _ in cards if s != failing} == {"renewed"}
    # the kept source: the same indicator values, and provenance still says when they were fetched
    assert indicator_values(path, failing) == before_values
    assert dict(rows(path, "SELECT table_id, fetched_at FROM provenance WHERE source = ?", [failing])) == before_fetched
    renewed = rows(path, "SELECT min(fetched_at) FROM provenance WHERE source <> ?", [failing])[0][0]
    assert renewed > max(before_fetched.values())
    # the report names the kept cards with their reason
    for table_id in before_fetched:
        assert any(f"{failing}/{table_id}" in line and "BEHOLDT" in line for line in out.out.splitlines())
    # the previous refresh's card rows are kept as history
    assert rows(path, "SELECT count(DISTINCT refreshed_at) FROM refresh_cards")[0][0] == 2
    return path, before_fetched


def test_kept_sources_are_named_in_om_data_and_under_their_charts(app_db, tmp_path, snapshot_dir, monkeypatch,
                                                                  capsys):
    import plotly

    from components.pages_common import kept_note
    from pages import about

    path, fetched = refresh_with_one_source_failing(
        app_db, tmp_path, snapshot_dir, monkeypatch, capsys, "udir", (500, b"Internal Server Error"))
    monkeypatch.setenv("INNENFOR_DB", str(path))
    page = json.dumps(about.layout(), cls=plotly.utils.PlotlyJSONEncoder)
    assert "Kilder som ikke ble fornyet" in page
    for table_id, when in fetched.items():
        assert f"udir/{table_id}" in page and f"{when:%Y-%m-%d %H:%M}" in page
    assert "answered 500" in page or "HTTP 500" in page
    note = kept_note("udir/GSK-GSI")
    assert note is not None and "udir/GSK-GSI" in note.children and f"{fetched['GSK-GSI']:%Y-%m-%d}" in note.children
    assert kept_note("ssb/13556") is None
    monkeypatch.setenv("INNENFOR_DB", str(app_db))
    assert kept_note("udir/GSK-GSI") is None
    assert "Kilder som ikke ble fornyet" not in json.dumps(about.layout(), cls=plotly.utils.PlotlyJSONEncoder)


def test_strict_stops_with_exit_1_and_the_old_file_byte_identical(built_db, tmp_path, snapshot_dir, monkeypatch,
                                                                   capsys):
    path = tmp_path / "innenfor.duckdb"
    shutil.copyfile(built_db, path)
    digest = sha256(path)
    server = FailingServer(snapshot_dir, "udir", (500, b"Internal Server Error"))
    transport = live_through(server)
    monkeypatch.setattr(refresh_module, "make_transport", lambda offline, snapshot: transport)
    try:
        code = main(["refresh", "--quiet", "--strict", "--db", str(path)])
    finally:
        server.stop()
    err = capsys.readouterr().err
    assert code == 1
    assert "udir/" in err and "500" in err
    assert sha256(path) == digest
    assert sorted(p.name for p in tmp_path.iterdir()) == ["innenfor.duckdb"]


def test_a_card_with_nothing_to_keep_stays_empty_with_its_reason(tmp_path, snapshot_dir):
    """No previous database, and Udir's recorded answers are garbage: the build finishes, Udir's cards are
    `empty` with the reason, their indicators are left out, every other source is there."""
    snap = tmp_path / "snapshot"
    shutil.copytree(snapshot_dir, snap)
    for entry in json.loads((snap / "udir" / "index.json").read_text(encoding="utf-8")):
        (snap / "udir" / entry["file"]).write_bytes(b"<html>Service Unavailable</html>")
    path = tmp_path / "fresh.duckdb"
    summary = refresh(path, ReplayTransport(snap), progress=False, mode="offline")
    assert not summary.all_renewed
    outcomes = {c.key: (c.outcome, c.reason) for c in summary.cards}
    udir_cards = {k: v for k, v in outcomes.items() if k.startswith("udir/")}
    assert udir_cards and all(o == "empty" and reason for o, reason in udir_cards.values())
    assert all(o == "renewed" for k, (o, _) in outcomes.items() if not k.startswith("udir/"))
    stored = dict(((s + "/" + t), (o, r)) for s, t, o, r in
                  rows(path, "SELECT source, table_id, outcome, reason FROM refresh_cards"))
    assert stored == outcomes
    assert rows(path, "SELECT count(*) FROM provenance WHERE source = 'udir'")[0][0] == 0
    assert indicator_values(path, "udir") == []
    assert indicator_values(path, "ssb") != []


def test_record_then_from_record_builds_the_same_database(built_db, tmp_path, snapshot_dir):
    """A refresh recorded through the replay server (the live HTTP path), turned into a snapshot, replays
    into the same observations and indicator values as the offline build from data/snapshot."""
    server = SnapshotServer(snapshot_dir, ssb_limit=(10_000, 60.0))
    record = tmp_path / "record"
    transport = RecordingTransport(live_through(server), record)
    try:
        summary = refresh(tmp_path / "recorded.duckdb", transport, progress=False, mode="live")
    finally:
        server.stop()
    assert summary.all_renewed
    assert json.loads((record / "recording.json").read_text())["queries"] == "replay"
    served = sum(server.served.values())
    recorded = sum(len(json.loads(p.read_text())) for p in record.glob("*/index.json"))
    transcriptions = sum(card.loader == "avskrift" for card in load_cards())  # read from files, not over HTTP
    assert recorded == len(server.served) + transcriptions and served >= recorded - transcriptions > 0

    out = tmp_path / "snapshot"
    assert sorted(from_record(record, out)) == sorted(p.parent.name for p in record.glob("*/index.json"))
    rebuilt = tmp_path / "rebuilt.duckdb"
    refresh(rebuilt, ReplayTransport(out), progress=False, mode="offline")
    obs = "SELECT source, table_id, measure, dims, geo_code, geo_vintage, period, value, status FROM observations ORDER BY ALL"
    assert rows(rebuilt, obs) == rows(built_db, obs)
    values = f"SELECT {INDICATOR_COLUMNS} FROM indicator_values ORDER BY ALL"
    assert rows(rebuilt, values) == rows(built_db, values)
