"""Benchmark: N simulated users against gunicorn (started here on a free 127.0.0.1 port, offline database).

Each user (a thread with its own requests.Session, loopback only) loads Sammenlign for a kommune (HTML shell,
layout, dependencies, the page-content callback and the first render), switches kommune 5 times (comparator
options, pre-selection, render), then opens the map (page content, map render, boundary file). Between
actions a user thinks 0.2-1.0 s (seeded); users start spread over 2 s. Reports p50/p95 latency over all
requests, errors, and RSS per gunicorn worker, for N = 10, 50, 100.
Targets at N=100: p95 < 300 ms, 0 errors, RSS < 400 MB per worker. Exits 1 if missed.

Usage: python bench/load.py [--users 10,50,100] [--workers 3] [--threads 1]
"""
from __future__ import annotations

import argparse
import os
import random
import socket
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from bench.callback_cost import body, database  # noqa: E402

P95_MAX_MS, RSS_MAX_MB = 300.0, 400.0
HEADERS = {"Accept-Encoding": "gzip, deflate, br, zstd"}
CB = "/_dash-update-component"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def workers_of(master: int) -> list[int]:
    out = subprocess.run(["ps", "-o", "pid=", "--ppid", str(master)], capture_output=True, text=True).stdout
    return [int(p) for p in out.split()]


def user_script(knr_list: list[str], inds: list[str], comparators: dict, map_args: tuple) -> list[tuple]:
    """The requests of one visit, as (action, method, path, json) grouped by action."""
    def pages(path):
        return body([("_pages_content", "children"), ("_pages_store", "data")],
                    [("_pages_location", "pathname", path), ("_pages_location", "search", "")])

    def render(knr):
        return body([("cmp-out", "children"), ("cmp-url", "pathname"), ("cmp-url", "search"), ("cmp-title", "children")],
                    [("cmp-kommune", "value", knr), ("cmp-med", "value", comparators[knr]), ("cmp-ind", "value", inds),
                     ("cmp-sett", "value", "naboer")],
                    [("cmp-url", "pathname", f"/kommune/{knr}"), ("cmp-url", "search", "")])

    first = knr_list[0]
    actions = [[("GET", f"/kommune/{first}", None), ("GET", "/_dash-layout", None), ("GET", "/_dash-dependencies", None),
                ("POST", CB, pages(f"/kommune/{first}")), ("POST", CB, render(first))]]
    for knr in knr_list[1:]:
        actions.append([("POST", CB, body([("cmp-sett", "options")], [("cmp-kommune", "value", knr)])),
                        ("POST", CB, body([("cmp-med", "value")], [("cmp-kommune", "value", knr), ("cmp-sett", "value", "naboer")])),
                        ("POST", CB, render(knr))])
    ind, level, period, geo = map_args
    actions.append([("POST", CB, pages("/kart")),
                    ("POST", CB, body([("map-graph", "figure"), ("map-info", "children"), ("map-table", "children"),
                                       ("map-url", "search")],
                                      [("map-ind", "value", ind), ("map-niva", "value", level), ("map-periode", "value", period)],
                                      [("map-url", "search", "")])),
                    ("GET", geo, None)])
    return actions


def run(n_users: int, base: str, plans: list, seed: int) -> tuple[list[float], list[str]]:
    latencies: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()

    def user(i: int):
        rnd = random.Random(seed * 1000 + i)
        time.sleep(rnd.uniform(0, 2.0))
        s = requests.Session()
        s.headers.update(HEADERS)
        for action in plans[i % len(plans)]:
            for method, path, payload in action:
                t = time.perf_counter()
                try:
                    r = s.request(method, base + path, json=payload, timeout=30)
                    ok = r.status_code == 200
                    _ = r.content
                except requests.RequestException as exc:
                    ok, r = False, exc
                dt = time.perf_counter() - t
                with lock:
                    latencies.append(dt)
                    if not ok:
                        errors.append(f"{method} {path}: {getattr(r, 'status_code', r)}")
            time.sleep(rnd.uniform(0.2, 1.0))

    threads = [threading.Thread(target=user, args=(i,)) for i in range(n_users)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return latencies, errors


def pct(values, q):
    values = sorted(values)
    return values[min(len(values) - 1, round(q * (len(values) - 1)))]


def visit_plans(n: int = 100, seed: int = 7) -> list:
    """The visits of ``n`` simulated users (Sammenlign for 6 random kommuner with their neighbours, then the map
    on kommune or fylke level). The app must already be imported against the database being served."""
    from components import queries
    from pages import compare
    from pages import map as map_page

    meta = queries.indicators()
    inds = compare.kommune_indicators(meta)
    kommuner = list(queries.kommuner()["code"])
    rnd = random.Random(seed)
    plans = []
    for i in range(n):
        chosen = rnd.sample(kommuner, 6)
        comparators = {k: queries.comparators(k, "naboer") for k in chosen}
        ind = map_page.default_indicator(meta)
        level = "kommune" if i % 2 else "fylke"
        level = level if queries.map_periods(ind, level) else "fylke"
        periods = queries.map_periods(ind, level)
        geo = "/geo/kommuner-2024.geojson" if level == "kommune" else "/geo/fylker-2024.geojson"
        plans.append(user_script(chosen, inds, comparators, (ind, level, periods[0], geo)))
    return plans


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--users", default="10,50,100")
    ap.add_argument("--workers", type=int, default=3)
    ap.add_argument("--threads", type=int, default=1)
    args = ap.parse_args()
    db = database()
    os.environ["INNENFOR_DB"] = str(db)
    import app  # noqa: F401  (registers the pages)
    plans = visit_plans()

    port = free_port()
    env = {**os.environ, "INNENFOR_DB": str(db), "HOST": "127.0.0.1", "PORT": str(port),
           "WEB_CONCURRENCY": str(args.workers), "GUNICORN_THREADS": str(args.threads)}
    log = open(Path(os.environ.get("TMPDIR", "/tmp")) / f"innenfor-load-{port}.log", "w")
    gunicorn = Path(sys.executable).with_name("gunicorn")
    proc = subprocess.Popen([str(gunicorn), "-c", str(ROOT / "gunicorn.conf.py"), "app:server"], cwd=ROOT, env=env,
                            stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    ok = True
    try:
        for _ in range(300):
            try:
                requests.get(base + "/", timeout=1)
                break
            except requests.RequestException:
                if proc.poll() is not None:
                    print("gunicorn exited; see", log.name)
                    return 1
                time.sleep(0.1)
        print(f"load: gunicorn {args.workers} workers x {args.threads} threads on {base}; nproc={os.cpu_count()}; "
              f"think time 0.2-1.0 s; {sum(len(a) for a in plans[0])} requests per user")
        for n in [int(x) for x in args.users.split(",")]:
            start = time.perf_counter()
            lat, errors = run(n, base, plans, seed=n)
            wall = time.perf_counter() - start
            rss = [rss_mb(p) for p in workers_of(proc.pid)]
            p50, p95 = statistics.median(lat) * 1e3, pct(lat, 0.95) * 1e3
            line = (f"  N={n:3d}: {len(lat)} requests in {wall:5.1f} s ({len(lat) / wall:5.1f} req/s)  p50 {p50:6.1f} ms  "
                    f"p95 {p95:6.1f} ms  max {max(lat) * 1e3:6.1f} ms  errors {len(errors)}  RSS/worker MB "
                    + ", ".join(f"{r:.0f}" for r in rss))
            if n == 100:
                met = p95 < P95_MAX_MS and not errors and max(rss) < RSS_MAX_MB
                ok &= met
                line += f"  -> targets {'met' if met else 'MISSED'}"
            elif errors:
                ok = False
            print(line)
            for e in errors[:5]:
                print("    error:", e)
    finally:
        proc.terminate()
        proc.wait(timeout=30)
        log.close()
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
