"""Benchmark: a live-mode refresh against a local replay server that enforces SSB's limits.

The server (``bench/replay_server.py``) answers from the rendered snapshot in the publishers' wire formats
and enforces SSB's documented limits (30 requests / rolling 60 s -> 429, > 2,000-character URL -> 404,
repeated value code -> 500, > 800,000 cells -> 403). The refresh runs the live path — ``LiveTransport`` ->
``HttpClient`` with its per-host rate limiter, retries and Retry-After — with a ``requests`` adapter that
sends every publisher's traffic to the server (the URLs and the limiter's host stay the real ones).

The server only holds what the snapshot holds, so the loaders are asked the snapshot's queries (each card's
``snapshot_query``, selected by the transport name "replay", which also skips the live-only cards); every
other part of the run is the live code path.

Prints requests per source, every non-200 answer, the SSB pacing and the wall time. Exits non-zero unless:
the refresh succeeds, no answer is 429/403/404/500, and every recorded response is fetched exactly once
(the minimum). ``--rate 30/60`` (default, SSB's figure) sets both the server's and the client's SSB limit;
a smaller window (e.g. ``--rate 10/5``) shows the pacing in a few seconds.
"""
from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from replay_server import SSB_HOST, RedirectAdapter, SnapshotScopedLiveTransport, SnapshotServer  # noqa: E402

from loaders.http import HttpClient  # noqa: E402
from loaders.refresh import refresh  # noqa: E402
from loaders.transport import DEFAULT_SNAPSHOT  # noqa: E402


def parse_rate(text: str) -> tuple[int, float]:
    n, per = text.split("/")
    return int(n), float(per)


def max_in_window(times: list[float], per: float) -> int:
    best, lo = 0, 0
    for hi, t in enumerate(times):
        while t - times[lo] >= per:
            lo += 1
        best = max(best, hi - lo + 1)
    return best


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--rate", type=parse_rate, default=(30, 60.0), help="SSB limit N/SECONDS (default 30/60)")
    ap.add_argument("--snapshot", type=Path, default=DEFAULT_SNAPSHOT)
    args = ap.parse_args(argv)
    n, per = args.rate

    server = SnapshotServer(args.snapshot, ssb_limit=(n, per))
    base = server.start()
    session = requests.Session()
    adapter = RedirectAdapter(base)
    session.mount("https://", adapter)
    session.mount("http://", adapter)
    client = HttpClient(session=session, limits={SSB_HOST: (n, per)}, timeout=(5.0, 60.0))
    transport = SnapshotScopedLiveTransport(client)
    print(f"replay server {base}: {len(server.entries)} recorded responses; SSB limit {n} per {per:g} s")

    started = time.perf_counter()
    ok = True
    with tempfile.TemporaryDirectory() as tmp:
        try:
            summary = refresh(Path(tmp) / "live.duckdb", transport, progress=False, mode="live-bench")
        except Exception as exc:  # report, then fail
            print(f"refresh failed: {type(exc).__name__}: {exc}")
            ok = False
            summary = None
    wall = time.perf_counter() - started
    server.stop()

    hits = server.hits
    recorded = Counter(src for _, _, src in server.entries.values())
    served = Counter(h.source for h in hits if h.status == 200)
    print(f"\n{'source':<8} {'requests':>8} {'recorded':>8}")
    for src in sorted(recorded):
        print(f"{src:<8} {served[src]:>8} {recorded[src]:>8}")
    statuses = Counter(h.status for h in hits)
    print(f"{'total':<8} {len(hits):>8} {sum(recorded.values()):>8}   answers by status: {dict(statuses)}")
    for h in hits:
        if h.status != 200:
            print(f"  {h.status} at {h.t:6.1f} s  {h.method} {h.host}{h.path}")

    ssb = [h.t for h in hits if h.host == SSB_HOST]
    if ssb:
        first_blocked = ssb[n] - ssb[0] if len(ssb) > n else None
        print(f"\nSSB pacing: {len(ssb)} requests from {ssb[0]:.1f} s to {ssb[-1]:.1f} s; "
              f"most in any {per:g} s window: {max_in_window(ssb, per)} (limit {n})")
        if first_blocked is not None:
            print(f"  request {n + 1} went {first_blocked:.1f} s after the first (must be >= {per:g} s)")
    missing = [e["url"] for k, (_, e, _) in server.entries.items() if server.served[k] == 0]
    twice = [server.entries[k][1]["url"] for k, c in server.served.items() if c > 1]
    print(f"\nclient: {client.stats}")
    if summary:
        print(f"refresh: {len(summary.tables)} tables, {sum(t[1] for t in summary.tables):,d} rows")
    print(f"wall time: {wall:.1f} s")

    problems = []
    if not ok:
        problems.append("refresh failed")
    bad = {s: c for s, c in statuses.items() if s != 200}
    if bad:
        problems.append(f"non-200 answers {bad}")
    if missing:
        problems.append(f"{len(missing)} recorded responses never fetched, e.g. {missing[0]}")
    if twice:
        problems.append(f"{len(twice)} responses fetched more than once, e.g. {twice[0]}")
    if ssb and max_in_window(ssb, per) > n:
        problems.append("SSB limit exceeded")
    print("OK: minimal, no 429/403/404/500" if not problems else "FAIL: " + "; ".join(problems))
    return 0 if not problems else 1


if __name__ == "__main__":
    sys.exit(main())
