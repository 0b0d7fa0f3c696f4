"""A refresh killed with SIGKILL at any moment leaves the previous database exactly as it was.

The real command runs as a subprocess and is killed after delays spread over the build's own duration
(taken from the good build's ``refresh_log``). After every kill the old file must be byte-for-byte the same
and still open read-only and validate; the half-built ``*.tmp-<pid>`` file (and its ``.wal``) may be left
behind, and the next refresh must remove them and succeed.
"""
from __future__ import annotations

import hashlib
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

from loaders import db
from loaders.refresh import remove_stale_temporaries

ROOT = Path(__file__).resolve().parents[1]
ROUNDS = 6
KILL_BUDGET_S = 30.0   # seconds of kill delays in all (at least 3 kills); the build itself runs once more


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def temporaries(path: Path) -> list[str]:
    return sorted(p.name for p in path.parent.iterdir()
                  if p.name.startswith(path.name + ".tmp-") or p.name == path.name + ".wal")


def refresh_cmd(path: Path) -> list[str]:
    return [sys.executable, "-m", "loaders", "refresh", "--offline", "--quiet", "--db", str(path)]


def assert_intact(path: Path, digest: str) -> None:
    assert sha256(path) == digest, "the previous database changed"
    con = db.connect(path, read_only=True)
    try:
        assert db.validate(con) == []
        assert con.execute("SELECT count(*) FROM observations").fetchone()[0] > 0
    finally:
        con.close()


def dead_pid() -> int:
    """The pid of a process that has certainly exited (and been reaped)."""
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


def test_stale_temporaries_of_dead_processes_are_removed_live_ones_kept(tmp_path):
    target = tmp_path / "x.duckdb"
    target.write_bytes(b"db")
    dead = dead_pid()
    sleeper = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    try:
        stale = [tmp_path / f"x.duckdb.tmp-{dead}", tmp_path / f"x.duckdb.tmp-{dead}.wal"]
        live = [tmp_path / f"x.duckdb.tmp-{sleeper.pid}", tmp_path / f"x.duckdb.tmp-{sleeper.pid}.wal"]
        other = tmp_path / "y.duckdb.tmp-1"   # another database's temporary: not ours to touch
        for p in stale + live + [other]:
            p.write_bytes(b"half")
        remove_stale_temporaries(target)
        assert not any(p.exists() for p in stale)
        assert all(p.exists() for p in live) and other.exists() and target.read_bytes() == b"db"
    finally:
        sleeper.kill()
        sleeper.wait()


def children(pid: int) -> list[int]:
    """Processes whose parent is ``pid`` (the refresh's pool workers), from /proc."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found.append(int(stat.parent.name))
    return found


def assert_gone(pids: list[int], within_s: float = 5.0) -> None:
    """A killed refresh's workers die with it (they would otherwise wait for work forever)."""
    def running(pid: int) -> bool:
        try:
            return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
        except OSError:
            return False

    deadline = time.monotonic() + within_s
    alive = pids
    while alive and time.monotonic() < deadline:
        alive = [p for p in alive if running(p)]
        time.sleep(0.05)
    assert not alive, f"workers {alive} outlived the killed refresh"


def test_sigkill_during_refresh_leaves_previous_database_intact(built_db, tmp_path):
    path = tmp_path / "innenfor.duckdb"
    shutil.copyfile(built_db, path)
    con = db.connect(path, read_only=True)
    build_s = con.execute("SELECT max(seconds) FROM refresh_log").fetchone()[0]
    con.close()
    # the subprocess also pays ~2 s of imports before the build starts; kill a little past the end too
    span = build_s + 3.0
    seed = int(os.environ.get("KILL_SEED") or random.randrange(1 << 30))
    print(f"KILL_SEED={seed} (set it to replay these kill points)")
    rng = random.Random(seed)
    delays = [max(0.2, (i + rng.random()) / ROUNDS * span) for i in range(ROUNDS)]
    rng.shuffle(delays)
    # a bounded run: keep the shuffled delays while they fit the budget, but always the 3 shortest
    keep, total = set(sorted(range(ROUNDS), key=delays.__getitem__)[:3]), 0.0
    for i in range(ROUNDS):
        if i in keep or total + delays[i] <= KILL_BUDGET_S - sum(delays[k] for k in keep if k > i):
            keep.add(i)
            total += delays[i]
    delays = [d for i, d in enumerate(delays) if i in keep]
    digest = sha256(path)
    killed_pids = []
    for delay in delays:
        proc = subprocess.Popen(refresh_cmd(path), cwd=ROOT, stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL)
        try:
            proc.wait(timeout=delay)
        except subprocess.TimeoutExpired:
            workers = children(proc.pid)
            proc.send_signal(signal.SIGKILL)
            proc.wait()
            killed_pids.append(proc.pid)
            assert_intact(path, digest)
            assert_gone(workers)
        else:  # finished before the kill: then it must have swapped in a complete, valid file
            assert proc.returncode == 0, "the refresh itself failed (is the offline build broken?)"
            assert temporaries(path) == []
            digest = sha256(path)
            assert_intact(path, digest)
        # whatever a killed run left behind belongs to a dead pid and is only its own
        for name in temporaries(path):
            pid = name.split(".tmp-")[-1].split(".")[0]
            assert pid.isdigit() and int(pid) in killed_pids, name
    assert len(killed_pids) >= 3, f"only {len(killed_pids)} kills (build {build_s:.1f} s)"

    done = subprocess.run(refresh_cmd(path), cwd=ROOT, capture_output=True, text=True, timeout=240)
    assert done.returncode == 0, done.stderr[-2000:]
    assert temporaries(path) == [], "the next refresh must clean up the killed runs' temporaries"
    assert sha256(path) != digest
    assert_intact(path, sha256(path))
