"""Benchmark: nginx + 2 gunicorn instances (deploy/stack.py) side by side with gunicorn alone, same run.

Users follow bench/load.py's visit (Sammenlign, 5 kommune switches, the map; think time 0.2-1.0 s) and, as a
first-time visitor on release day does, first fetch every script and stylesheet the page names. Each
simulated user connects from its own loopback address (127.0.x.y), so nginx's per-client rate limit on the
callback endpoint applies as it would to real visitors.

Runs: gunicorn alone (3 workers) at 100 and 500 users; through nginx at 100 and 500; 500 with one instance
SIGKILLed (master and workers) mid-run; 500 with a new database file swapped in mid-run while a probe polls
/healthz. Reports p50/p95/max, errors, req/s, RSS per worker, static requests that reached gunicorn, the
restart time, and whether every health answer after the swap named the new file. Exits 1 on any failed
request in the nginx runs, a static request reaching Python, or an old file served after the swap.

Usage: python bench/proxy_load.py [--users 100,500] [--workers-per-instance 2]
"""
from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import requests
from requests.adapters import HTTPAdapter

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

HEADERS = {"Accept-Encoding": "gzip, deflate, br, zstd"}
STATIC_PREFIXES = ("/_dash-component-suites/", "/assets/", "/geo/", "/_favicon.ico")


class SourceAddressAdapter(HTTPAdapter):
    """Connections from a given local address (any 127.x.y.z is this machine on Linux)."""

    def __init__(self, address: str, **kw):
        self.address = address
        super().__init__(**kw)

    def init_poolmanager(self, *args, **kw):
        kw["source_address"] = (self.address, 0)
        super().init_poolmanager(*args, **kw)


def loopback_address(client: int) -> str:
    return f"127.0.{1 + client // 250}.{2 + client % 250}"


def loopback_session(client: int) -> requests.Session:
    s = requests.Session()
    s.headers.update(HEADERS)
    adapter = SourceAddressAdapter(loopback_address(client))
    s.mount("http://", adapter)
    return s


def run_users(n_users: int, base: str, plans: list, static: list[str], seed: int) -> tuple[list[float], list[str]]:
    import random

    latencies, errors, lock = [], [], threading.Lock()

    def user(i: int):
        rnd = random.Random(seed * 1000 + i)
        time.sleep(rnd.uniform(0, 2.0))
        s = loopback_session(i)
        plan = plans[i % len(plans)]
        first = [plan[0][0]] + [("GET", u, None) for u in static] + plan[0][1:]
        for action in [first] + plan[1:]:
            for method, path, payload in action:
                t = time.perf_counter()
                try:
                    r = s.request(method, base + path, json=payload, timeout=30)
                    _ = r.content
                    ok, what = r.status_code == 200, r.status_code
                except requests.RequestException as exc:
                    ok, what = False, type(exc).__name__
                dt = time.perf_counter() - t
                with lock:
                    latencies.append(dt)
                    if not ok:
                        errors.append(f"{method} {path}: {what}")
            time.sleep(rnd.uniform(0.2, 1.0))

    threads = [threading.Thread(target=user, args=(i,)) for i in range(n_users)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return latencies, errors


def summary(label: str, n: int, lat: list[float], errors: list[str], wall: float, rss: list[float]) -> str:
    from bench.load import pct

    return (f"  {label:<22} N={n:3d} (load avg {os.getloadavg()[0]:4.1f}): {len(lat):6d} req in {wall:5.1f} s "
            f"({len(lat) / wall:6.1f} req/s)  "
            f"p50 {statistics.median(lat) * 1e3:6.1f} ms  p95 {pct(lat, 0.95) * 1e3:7.1f} ms  "
            f"max {max(lat) * 1e3:7.1f} ms  errors {len(errors)}  RSS/worker MB "
            + ", ".join(f"{r:.0f}" for r in rss))


def wait_ok(url: str, seconds: float) -> bool:
    deadline = time.time() + seconds
    while time.time() < deadline:
        try:
            if requests.get(url, timeout=2).ok:
                return True
        except requests.RequestException:
            pass
        time.sleep(0.2)
    return False


def gunicorn_alone(db: Path, port: int, workers: int, log: Path) -> subprocess.Popen:
    env = {**os.environ, "INNENFOR_DB": str(db), "HOST": "127.0.0.1", "PORT": str(port),
           "WEB_CONCURRENCY": str(workers)}
    return subprocess.Popen([str(Path(sys.executable).with_name("gunicorn")), "-c", str(ROOT / "gunicorn.conf.py"),
                             "app:server"], cwd=ROOT, env=env, stdout=open(log, "w"), stderr=subprocess.STDOUT)


def instance_workers(run: Path) -> list[int]:
    from bench.load import workers_of

    state = json.loads((run / "state.json").read_text())
    return [w for c in state["children"] if c["name"].startswith("app") for w in workers_of(c["pid"])]


def gunicorn_static_hits(run: Path) -> int:
    n = 0
    for f in run.glob("access-app*.log"):
        n += sum(1 for m in re.finditer(r'"(?:GET|HEAD) (\S+)', f.read_text()) if m.group(1).startswith(STATIC_PREFIXES))
    return n


def nginx_static_count(run: Path) -> int:
    text = (run / "nginx-access.log").read_text()
    return sum(1 for m in re.finditer(r'"GET (\S+)[^"]*" 200 \d+ up="-"', text) if m.group(1).startswith(STATIC_PREFIXES))


def health_probe(base: str, stop: threading.Event, out: list):
    """(start time, instance, inode, status) every 50 ms until stopped."""
    s = loopback_session(999)
    while not stop.is_set():
        t = time.time()
        try:
            r = s.get(base + "/healthz", timeout=30)
            h = r.json()
            out.append((t, h.get("instance"), h.get("inode"), r.status_code))
        except (requests.RequestException, ValueError) as exc:
            out.append((t, None, None, type(exc).__name__))
        time.sleep(0.05)


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--users", default="100,500")
    ap.add_argument("--alone-workers", type=int, default=3)
    ap.add_argument("--workers-per-instance", type=int, default=2)
    args = ap.parse_args()
    from bench.callback_cost import database
    from bench.load import free_port, rss_mb, visit_plans, workers_of

    source_db = database()
    tmp = Path(tempfile.mkdtemp(prefix="innenfor-proxy-bench-"))
    tmp.chmod(0o755)  # nginx's unprivileged workers read the static folder under it
    db = tmp / "data" / "innenfor.duckdb"
    db.parent.mkdir()
    shutil.copy2(source_db, db)
    os.environ["INNENFOR_DB"] = str(db)
    import app  # noqa: F401

    plans = visit_plans()
    users = [int(x) for x in args.users.split(",")]
    big = max(users)
    ok = True
    print(f"proxy_load: nproc={os.cpu_count()}; think time 0.2-1.0 s; each user also fetches the page's scripts "
          f"and stylesheets once; database copy {db}")

    # 1. gunicorn alone
    port = free_port()
    proc = gunicorn_alone(db, port, args.alone_workers, tmp / "alone.log")
    base = f"http://127.0.0.1:{port}"
    try:
        if not wait_ok(base + "/healthz", 120):
            print("gunicorn did not start; see", tmp / "alone.log")
            return 1
        static = re.findall(r'(?:src|href)="(/(?:_dash-component-suites|assets)/[^"]+)"', requests.get(base + "/").text)
        print(f"gunicorn alone, {args.alone_workers} workers; {sum(len(a) for a in plans[0]) + len(static)} requests per user")
        for n in users:
            start = time.perf_counter()
            lat, errors = run_users(n, base, plans, static, seed=n)
            print(summary("gunicorn alone", n, lat, errors, time.perf_counter() - start,
                          [rss_mb(p) for p in workers_of(proc.pid)]), flush=True)
    finally:
        proc.terminate()
        proc.wait(timeout=30)

    # 2. nginx + 2 instances
    run = tmp / "stack"
    nport, p1, p2 = free_port(), free_port(), free_port()
    stack = subprocess.Popen([sys.executable, "-m", "deploy.stack", "--run-dir", str(run), "--port", str(nport),
                              "--app-ports", f"{p1},{p2}", "--workers", str(args.workers_per_instance), "--db", str(db)],
                             cwd=ROOT, stdout=open(tmp / "stack.log", "w"), stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{nport}"
    try:
        if not all(wait_ok(f"http://127.0.0.1:{p}/healthz", 180) for p in (p1, p2)) or not wait_ok(base + "/healthz", 10):
            print("the stack did not start; see", tmp)
            return 1
        print(f"nginx + 2 instances x {args.workers_per_instance} workers")
        for n in users:
            start = time.perf_counter()
            lat, errors = run_users(n, base, plans, static, seed=n)
            print(summary("nginx + 2 instances", n, lat, errors, time.perf_counter() - start,
                          [rss_mb(p) for p in instance_workers(run)]), flush=True)
            ok &= not errors
            for e in errors[:5]:
                print("    error:", e)

        # 3. one instance SIGKILLed mid-run
        victim = next(c for c in json.loads((run / "state.json").read_text())["children"] if c["name"] == "app1")
        done = threading.Event()
        restart = {}

        def killer():
            time.sleep(6.0)  # all users have arrived (they start within 2 s) and are mid-visit
            os.killpg(victim["pid"], signal.SIGSTOP)  # frozen 0.5 s: requests are certainly in flight on it
            time.sleep(0.5)
            os.killpg(victim["pid"], signal.SIGKILL)
            t = time.time()
            restart["killed_at"] = t
            while not done.is_set() and time.time() - t < 120:
                try:
                    state = json.loads((run / "state.json").read_text())
                    restarted = any(c["name"] == "app1" and c["restarts"] >= 1 for c in state["children"])
                    if restarted and requests.get(f"http://127.0.0.1:{p1}/healthz", timeout=1).ok:
                        restart["answering_after_s"] = time.time() - t
                        return
                except (requests.RequestException, ValueError):
                    pass
                time.sleep(0.2)

        log_before = len((run / "nginx-access.log").read_text().splitlines())
        k = threading.Thread(target=killer)
        k.start()
        start = time.perf_counter()
        lat, errors = run_users(big, base, plans, static, seed=big + 1)
        wall = time.perf_counter() - start
        done.set()
        k.join()
        lines = (run / "nginx-access.log").read_text().splitlines()[log_before:]
        retried = [line for line in lines if re.search(r'up="[^"]+, [^"]+"', line)]
        retried_posts = sum(1 for line in retried if '"POST ' in line)
        print(summary("nginx, app1 SIGKILLed", big, lat, errors, wall, [rss_mb(p) for p in instance_workers(run)]))
        print(f"    killed instance app1 (master {victim['pid']} + workers; frozen 0.5 s, then SIGKILL) at 6 s; "
              f"requests retried on the other instance: {len(retried)} ({retried_posts} callbacks); "
              f"restarted instance answering after "
              f"{restart.get('answering_after_s', float('nan')):.1f} s; failed user requests: {len(errors)}")
        ok &= not errors and "answering_after_s" in restart
        for e in errors[:5]:
            print("    error:", e)

        # 4. a new database swapped in mid-run
        new = db.with_name("innenfor.duckdb.new")
        shutil.copy2(db, new)
        import duckdb

        con = duckdb.connect(str(new))
        con.execute("INSERT INTO refresh_log SELECT refreshed_at + INTERVAL 1 DAY, 'bench-swap', tables, rows, "
                    "seconds, summary FROM refresh_log ORDER BY refreshed_at DESC LIMIT 1")
        con.close()
        stop, probes = threading.Event(), []
        probe = threading.Thread(target=health_probe, args=(base, stop, probes))
        swap = {}

        def swapper():
            time.sleep(6.0)
            os.replace(new, db)
            swap["at"], swap["inode"] = time.time(), os.stat(db).st_ino

        probe.start()
        s_thread = threading.Thread(target=swapper)
        s_thread.start()
        start = time.perf_counter()
        lat, errors = run_users(big, base, plans, static, seed=big + 2)
        wall = time.perf_counter() - start
        s_thread.join()
        stop.set()
        probe.join()
        after = [p for p in probes if p[0] > swap["at"]]
        stale = [p for p in after if p[2] is not None and p[2] != swap["inode"]]
        failed_probes = [p for p in probes if p[3] != 200]
        instances = sorted({p[1] for p in after if p[1]})
        print(summary("nginx, db swapped", big, lat, errors, wall, [rss_mb(p) for p in instance_workers(run)]))
        print(f"    swapped at 6 s; health probes started after the swap: {len(after)}, answered by {instances}; "
              f"naming the old file: {len(stale)}; failed probes (whole run): {len(failed_probes)}; "
              f"failed user requests: {len(errors)}")
        ok &= not errors and not stale and not failed_probes and len(after) > 0
        for e in errors[:5]:
            print("    error:", e)

        reached = gunicorn_static_hits(run)
        print(f"static requests answered by nginx itself: {nginx_static_count(run)}; static requests that reached "
              f"gunicorn: {reached}")
        ok &= reached == 0
    finally:
        stack.send_signal(signal.SIGTERM)
        stack.wait(timeout=60)
    print("logs in", tmp)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
