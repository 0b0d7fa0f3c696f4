"""Builds `indicators`, `indicator_values` and `comparator_sets` from `observations` (last step of a refresh)."""
from __future__ import annotations

import logging
import os
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import pandas as pd

from .context import Context, level_of
from .registry import Indicator, all_indicators
from .schema import SCHEMA
from .stats import compare_with_benchmark, wilson

log = logging.getLogger(__name__)
VALUE_COLUMNS = ["indicator_id", "geo_code", "geo_level", "period", "breakdown", "value", "numerator",
                 "denominator", "ci_low", "ci_high", "comparison", "status", "status_nb", "borders",
                 "geo_vintage", "flag_nb"]
KEY = ["indicator_id", "geo_code", "period", "breakdown", "borders", "geo_vintage"]


class IndicatorError(ValueError):
    pass


def finalise(ind: Indicator, frame: pd.DataFrame, ctx: Context) -> pd.DataFrame:
    """Intervals, the comparison with Norway, status words, and the checks every indicator must pass."""
    f = frame.copy()
    f.insert(0, "indicator_id", ind.indicator_id)
    f["geo_level"] = f["geo_level"].fillna(f["geo_code"].map(level_of))
    for col in ("value", "numerator", "denominator"):
        f[col] = pd.to_numeric(f[col], errors="coerce").astype("float64")
    if ind.is_share:
        f["ci_low"], f["ci_high"] = wilson(f.numerator, f.denominator, scale=ind.scale)
    else:
        f["ci_low"] = f["ci_high"] = float("nan")
    norway = (f.loc[f.geo_code == "0", ["period", "breakdown", "value"]].drop_duplicates(["period", "breakdown"])
              .rename(columns={"value": "_bench"}))
    bench = f[["period", "breakdown"]].merge(norway, on=["period", "breakdown"], how="left")["_bench"]
    bench = bench.set_axis(f.index).astype("float64")
    f["comparison"] = compare_with_benchmark(f.ci_low, f.ci_high, bench, ind.polarity)
    f.loc[f.geo_code == "0", "comparison"] = None
    source = ind.sources[0].split("/")[0]
    f["status_nb"] = f["status_nb"].astype("object")
    missing_words = f.status.notna() & f.status_nb.isna()
    f.loc[missing_words, "status_nb"] = [ctx.status_text(source, s) for s in f.loc[missing_words, "status"]]
    f["geo_vintage"] = pd.to_numeric(f["geo_vintage"], errors="coerce").astype("Int64")
    _check(ind, f)
    return f[VALUE_COLUMNS]


def _check(ind: Indicator, f: pd.DataFrame) -> None:
    problems = []
    dup = f.duplicated(KEY, keep=False)
    if dup.any():
        problems.append(f"{dup.sum()} duplicate keys, e.g. {f.loc[dup, KEY].head(2).to_dict('records')}")
    if (f.value.isna() & f.status.isna()).any():
        problems.append("values NULL without a status")
    if (f.value.notna() & f.status.notna()).any():
        problems.append("values with a status")
    lo, hi = ind.value_range
    bad = f.value.notna() & ((f.value < lo) | (f.value > hi))
    if bad.any():
        problems.append(f"{bad.sum()} values outside {ind.value_range}")
    over = f.numerator.notna() & f.denominator.notna() & (f.numerator > f.denominator) & ind.is_share
    if over.any():
        problems.append(f"{over.sum()} numerators above their denominator")
    if not set(f.geo_level.unique()) <= set(ind.levels):
        problems.append(f"levels {sorted(set(f.geo_level.unique()))} not in metadata {ind.levels}")
    if problems:
        raise IndicatorError(f"indicator {ind.indicator_id}: " + "; ".join(problems))


def to_build(con) -> list[Indicator]:
    """The indicators with at least one source loaded, in registry order."""
    loaded = {f"{s}/{t}" for s, t in con.execute("SELECT source, table_id FROM provenance").fetchall()}
    todo = []
    for ind in all_indicators():
        if set(ind.sources) & loaded:
            todo.append(ind)
        else:
            log.info("indicator %s skipped: none of its sources %s is loaded", ind.indicator_id, ind.sources)
    return todo


def compute_values(ind: Indicator, ctx: Context) -> pd.DataFrame:
    return finalise(ind, ind.module.compute(ctx), ctx)


def store(con, built: list[tuple[Indicator, pd.DataFrame]]) -> dict[str, int]:
    """Replace `indicators`, `indicator_values` and `comparator_sets` with what was computed."""
    con.execute(SCHEMA)
    for table in ("indicators", "indicator_values", "comparator_sets"):
        con.execute(f"DELETE FROM {table}")
    if built:  # one insert of everything: DuckDB's per-statement scan of a pandas frame dominated 19 small ones
        meta = pd.DataFrame([ind.row() for ind, _ in built])  # noqa: F841
        values = pd.concat([frame for _, frame in built], ignore_index=True)  # noqa: F841
        con.execute("INSERT INTO indicators BY NAME SELECT * FROM meta")
        con.execute("INSERT INTO indicator_values BY NAME SELECT * FROM values")
    counts = {ind.indicator_id: len(frame) for ind, frame in built}
    from .comparators import build_comparators
    build_comparators(con)
    from .trend import store_trends
    store_trends(con)
    return counts


def build_all(con) -> dict[str, int]:
    """Compute and store every indicator through one connection, in this process."""
    ctx = Context(con)
    return store(con, [(ind, compute_values(ind, ctx)) for ind in to_build(con)])


_worker_ctx: Context | None = None


def _start_worker(path: str, parent_pid: int) -> None:
    global _worker_ctx
    from loaders import db
    from loaders.workers import die_with_parent

    die_with_parent(parent_pid)
    _worker_ctx = Context(db.connect(path, read_only=True))


def _compute_in_worker(indicator_id: str) -> pd.DataFrame:
    ind = next(i for i in all_indicators() if i.indicator_id == indicator_id)
    return compute_values(ind, _worker_ctx)


def compute_in_processes(path: Path | str, workers: int | None = None,
                         errors: dict[str, str] | None = None) -> list[tuple[Indicator, pd.DataFrame]]:
    """Every indicator's values, computed in forked worker processes that each open the (closed, checkpointed)
    file read-only. The indicators are independent, and in one process this phase left a core idle for about
    half the offline build. The largest inputs (observation rows of an indicator's sources) are started first;
    the result is in registry order, as ``build_all`` gives it. With ``errors`` (a refresh that keeps going),
    an indicator that fails is left out and its one-line reason put there, instead of stopping everything."""
    from loaders import db

    con = db.connect(path, read_only=True)
    try:
        todo = to_build(con)
        rows = dict(con.execute("SELECT source || '/' || table_id, count(*) FROM observations GROUP BY ALL")
                    .fetchall())
    finally:
        con.close()
    workers = min(workers or os.cpu_count() or 1, 2, len(todo))
    if workers < 2:
        con = db.connect(path, read_only=True)
        try:
            ctx = Context(con)
            return _collect(todo, lambda ind: compute_values(ind, ctx), errors)
        finally:
            con.close()
    largest_first = sorted(todo, key=lambda i: -sum(rows.get(s, 0) for s in i.sources))
    from loaders.workers import WORKER_MODULES, pool_context

    with ProcessPoolExecutor(max_workers=workers, mp_context=pool_context(WORKER_MODULES),
                             initializer=_start_worker, initargs=(str(path), os.getpid())) as pool:
        futures = {ind.indicator_id: pool.submit(_compute_in_worker, ind.indicator_id) for ind in largest_first}
        return _collect(todo, lambda ind: futures[ind.indicator_id].result(), errors)


def _collect(todo: list[Indicator], get, errors: dict[str, str] | None) -> list[tuple[Indicator, pd.DataFrame]]:
    out = []
    for ind in todo:
        try:
            out.append((ind, get(ind)))
        except Exception as exc:  # noqa: BLE001
            if errors is None:
                raise
            errors[ind.indicator_id] = " ".join(str(exc).split())[:300] or type(exc).__name__
    return out
