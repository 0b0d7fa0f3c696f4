"""Benchmark: wall time of `python -m loaders refresh --offline` from nothing to a ready database.

Runs the real command in a fresh process (imports included), N times, into a temporary folder, and prints
min / median / max. Exits non-zero if the build fails or the median exceeds the target (10 s on the
2-core reference machine)."""
from __future__ import annotations

import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TARGET_S = 10.0
RUNS = 3


def main() -> int:
    times = []
    with tempfile.TemporaryDirectory() as tmp:
        for i in range(RUNS):
            db = Path(tmp) / f"run{i}.duckdb"
            start = time.perf_counter()
            proc = subprocess.run([sys.executable, "-m", "loaders", "refresh", "--offline", "--quiet", "--db", str(db)],
                                  cwd=ROOT, capture_output=True, text=True)
            elapsed = time.perf_counter() - start
            if proc.returncode != 0:
                print(proc.stderr.strip().splitlines()[-1] if proc.stderr.strip() else "build failed")
                return 1
            times.append(elapsed)
            size = db.stat().st_size
    med = statistics.median(times)
    print(f"offline build: runs={RUNS} min={min(times):.2f}s median={med:.2f}s max={max(times):.2f}s "
          f"db={size / 1e6:.1f} MB (target < {TARGET_S:.0f} s)")
    return 0 if med < TARGET_S else 1


if __name__ == "__main__":
    sys.exit(main())
