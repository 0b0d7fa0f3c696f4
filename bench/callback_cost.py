"""Benchmark: server time of the two heavy updates, against the floor of Dash's own overhead.

* "choose a kommune" on Sammenlign: the three requests the browser sends when the kommune dropdown changes
  (comparator-set options, pre-selected comparators, then the rendered sections), summed;
* the map update: the map render callback for one indicator, level and period.

The floor is a bench-only callback registered on the same app, with the same number of outputs, returning
the very same (already computed) Python values: request parsing, Dash dispatch, JSON serialisation and
compression only. Both go through the Flask test client on ``/_dash-update-component`` in this process,
interleaved, with a browser's Accept-Encoding.

"first" = the first request for that kommune (or map) in a warm process; "repeat" = the same request again.
Targets: first <= 10x floor, repeat <= 2x floor (medians). Exits 1 if a target is missed or a request fails.
"""
from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
FIRST_MAX, REPEAT_MAX = 10.0, 2.0
N_KOMMUNER = 40
HEADERS = {"Accept-Encoding": "gzip, deflate, br, zstd"}
CALLBACK = "/_dash-update-component"


def database() -> Path:
    """INNENFOR_DB, else data/innenfor.duckdb, else a fresh offline build in a temporary folder."""
    for candidate in (os.environ.get("INNENFOR_DB"), ROOT / "data" / "innenfor.duckdb"):
        if candidate and Path(candidate).is_file():
            return Path(candidate)
    path = Path(tempfile.mkdtemp(prefix="innenfor-bench-")) / "innenfor.duckdb"
    subprocess.run([sys.executable, "-m", "loaders", "refresh", "--offline", "--quiet", "--db", str(path)],
                   cwd=ROOT, check=True)
    return path


def body(output_ids: list[tuple[str, str]], inputs: list[tuple[str, str, object]],
         state: list[tuple[str, str, object]] = (), changed: str | None = None) -> dict:
    multi = len(output_ids) > 1
    out = ("..." .join(f"{i}.{p}" for i, p in output_ids)).join(["..", ".."]) if multi else \
        f"{output_ids[0][0]}.{output_ids[0][1]}"
    outputs = [{"id": i, "property": p} for i, p in output_ids]
    return {"output": out, "outputs": outputs if multi else outputs[0],
            "inputs": [{"id": i, "property": p, "value": v} for i, p, v in inputs],
            "state": [{"id": i, "property": p, "value": v} for i, p, v in state],
            "changedPropIds": [changed or f"{inputs[0][0]}.{inputs[0][1]}"]}


def pct(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, max(0, round(q * (len(values) - 1))))]


def main() -> int:
    os.environ["INNENFOR_DB"] = str(database())
    from dash import Input, Output

    import app as app_module
    from components import queries
    from pages import compare
    from pages import map as map_page

    app = app_module.app
    floor_values: dict[str, object] = {}
    floor_shapes = {"sets": 1, "preselect": 1, "render": 4, "map": 4}
    for name, n in floor_shapes.items():  # bench-only callbacks: return a stored value, nothing else
        outs = [Output(f"bench-floor-{name}-{i}", "children") for i in range(n)]

        def floor(key, _n=n):
            return floor_values[key]

        app.callback(*outs, Input(f"bench-floor-{name}-in", "value"))(floor)

    client = app.server.test_client()

    def post(payload: dict) -> float:
        start = time.perf_counter()
        r = client.post(CALLBACK, json=payload, headers=HEADERS)
        elapsed = time.perf_counter() - start
        if r.status_code != 200:
            raise RuntimeError(f"{payload['output'][:60]}: HTTP {r.status_code} {r.data[:200]!r}")
        return elapsed

    def floor_body(name: str, key: str) -> dict:
        n = floor_shapes[name]
        return body([(f"bench-floor-{name}-{i}", "children") for i in range(n)],
                    [(f"bench-floor-{name}-in", "value", key)])

    meta = queries.indicators()
    inds = compare.kommune_indicators(meta)
    kommuner = list(queries.kommuner()["code"])

    def choose_kommune(knr: str) -> list[dict]:
        med = queries.comparators(knr, compare.DEFAULT_SET)
        return [
            body([(compare.SETT, "options")], [(compare.KOMMUNE, "value", knr)]),
            body([(compare.MED, "value")], [(compare.KOMMUNE, "value", knr), (compare.SETT, "value", "naboer")]),
            body([(compare.OUT, "children"), (compare.URL, "pathname"), (compare.URL, "search"), ("cmp-title", "children")],
                 [(compare.KOMMUNE, "value", knr), (compare.MED, "value", med), (compare.IND, "value", inds),
                  (compare.SETT, "value", "naboer")],
                 [(compare.URL, "pathname", "/kommune/0301"), (compare.URL, "search", "")],
                 changed=f"{compare.KOMMUNE}.value"),
        ]

    def record_compare(knr: str) -> None:
        med = queries.comparators(knr, compare.DEFAULT_SET)
        floor_values[f"sets {knr}"] = compare.sets_for(knr)
        floor_values[f"preselect {knr}"] = compare.preselect(knr, "naboer")
        floor_values[f"render {knr}"] = compare.render(knr, med, inds, "naboer", "/kommune/0301", "")

    # warm the process (imports, module caches, the database's in-memory totals) on one kommune
    client.get("/")
    client.get("/_dash-layout")
    client.get("/_dash-dependencies")
    for p in choose_kommune("0301"):
        post(p)

    sample = [k for k in kommuner if k != "0301"][:: max(1, len(kommuner) // N_KOMMUNER)][:N_KOMMUNER]
    rows = {"cmp first": [], "cmp repeat": [], "cmp floor": [], "map first": [], "map repeat": [], "map floor": []}
    for knr in sample:
        rows["cmp first"].append(sum(post(p) for p in choose_kommune(knr)))
    for knr in sample:
        record_compare(knr)
    for knr in sample:
        rows["cmp repeat"].append(sum(post(p) for p in choose_kommune(knr)))
        rows["cmp floor"].append(post(floor_body("sets", f"sets {knr}")) + post(floor_body("preselect", f"preselect {knr}"))
                                 + post(floor_body("render", f"render {knr}")))

    maps = []
    for r in meta.itertuples():
        for level in ("kommune", "fylke"):
            periods = queries.map_periods(r.indicator_id, level)
            if periods:
                maps.append((r.indicator_id, level, periods[0]))

    def map_body(ind, level, period):
        return body([(map_page.GRAPH, "figure"), (map_page.INFO, "children"), (map_page.TABLE, "children"),
                     (map_page.URL, "search")],
                    [(map_page.IND, "value", ind), (map_page.NIVA, "value", level), (map_page.PERIODE, "value", period)],
                    [(map_page.URL, "search", "")])

    for m in maps:
        rows["map first"].append(post(map_body(*m)))
    for m in maps:
        floor_values[f"map {m}"] = map_page.render(*m, "")
    for m in maps:
        rows["map repeat"].append(post(map_body(*m)))
        rows["map floor"].append(post(floor_body("map", f"map {m}")))

    ok = True
    print(f"callback cost (Flask test client, in process; {len(sample)} kommuner, {len(maps)} maps; "
          f"nproc={os.cpu_count()})")
    for what in ("cmp", "map"):
        floor = rows[f"{what} floor"]
        print(f"  {what} floor   median {statistics.median(floor) * 1e3:7.2f} ms  p95 {pct(floor, 0.95) * 1e3:7.2f} ms")
        for kind, target in (("first", FIRST_MAX), ("repeat", REPEAT_MAX)):
            times = rows[f"{what} {kind}"]
            ratio = statistics.median(times) / statistics.median(floor)
            ratio95 = pct(times, 0.95) / pct(floor, 0.95)
            met = ratio <= target
            ok &= met
            print(f"  {what} {kind:6s}  median {statistics.median(times) * 1e3:7.2f} ms  p95 "
                  f"{pct(times, 0.95) * 1e3:7.2f} ms  = {ratio:5.2f}x floor (p95 {ratio95:5.2f}x)  "
                  f"target <= {target:g}x: {'met' if met else 'MISSED'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
