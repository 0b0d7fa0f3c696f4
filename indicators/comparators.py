"""Comparator sets for every kommune, so the app pre-selects peers without computing them per request.

- ``naboer``: kommuner sharing a border (land first, then across the water), from ``geo_neighbours``.
- ``fylke``: the other kommuner of its fylke, nearest in population first.
- ``storrelse``: the 10 kommuner nearest in log(population), nationwide.
- ``lignende``: statistical nearest neighbours — the 10 kommuner nearest in a standardised profile of
  log(population) and the latest kommune values of the indicators listed in ``PROFILE`` (z-scores across
  kommuner; Euclidean distance averaged over the variables both kommuner have, at least two). No gap is filled.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

K = 10
# No immigrant *share* is here: Innenfor has immigrant counts (IMDi, latest 2021) but no population of the
# same year to divide by, and a count mostly repeats log(population).
PROFILE = ("neet_15_29", "spesialundervisning", "barn_vedvarende_lavinntekt")


def check_profile(con, profile: tuple[str, ...] = PROFILE) -> None:
    """Every profile variable must be a registered indicator: a misspelt id fails, never silently drops. (One
    that is registered but has no values in this build — its source card stayed empty — only leaves fewer
    variables to compare on.)"""
    from .registry import all_indicators

    known = {i.indicator_id for i in all_indicators()}
    unknown = sorted(set(profile) - known)
    if unknown:
        raise ValueError(f"comparators: profile lists unknown indicator ids {unknown}")


def _latest_kommune_values(con) -> pd.DataFrame:
    return con.execute("""
        WITH latest AS (
            SELECT indicator_id, max(period) AS period FROM indicator_values
            WHERE geo_level = 'kommune' AND borders = '2024' AND breakdown = '' AND value IS NOT NULL
            GROUP BY indicator_id)
        SELECT v.indicator_id, v.geo_code, v.value FROM indicator_values v JOIN latest USING (indicator_id, period)
        WHERE v.geo_level = 'kommune' AND v.borders = '2024' AND v.breakdown = ''
    """).df().pivot_table(index="geo_code", columns="indicator_id", values="value", aggfunc="first")


def build_comparators(con, profile: tuple[str, ...] = PROFILE) -> None:
    check_profile(con, profile)
    kommuner = [c for (c,) in con.execute("SELECT code FROM geo_units WHERE level = 'kommune' ORDER BY code").fetchall()]
    parent = dict(con.execute("SELECT code, parent_code FROM geo_units WHERE level = 'kommune'").fetchall())
    values = _latest_kommune_values(con).reindex(kommuner)
    pop = values.get("befolkning")
    logpop = np.log(pop) if pop is not None else pd.Series(np.nan, index=kommuner)
    rows: list[tuple] = []

    for code, neighbour, kind in con.execute("""SELECT code, neighbour_code, kind FROM geo_neighbours
            WHERE length(code) = 4 ORDER BY code, kind = 'land' DESC, neighbour_code""").fetchall():
        rows.append((code, "naboer", neighbour, None, None))

    lp = logpop.reindex(kommuner).to_numpy(dtype="float64")
    fylke = np.array([parent[c] for c in kommuner])
    gap = np.abs(lp[:, None] - lp[None, :])          # |log pop difference|, kommune × kommune
    for i, code in enumerate(kommuner):
        same = np.flatnonzero((fylke == fylke[i]) & (np.arange(len(kommuner)) != i))
        same = same[np.argsort(gap[i, same], kind="stable")]  # NaN (no population) last
        rows += [(code, "fylke", kommuner[j], None, None if np.isnan(gap[i, j]) else float(gap[i, j])) for j in same]
        if not np.isnan(lp[i]):
            d = gap[i].copy()
            d[i] = np.nan
            near = [j for j in np.argsort(d, kind="stable") if not np.isnan(d[j])][:K]
            rows += [(code, "storrelse", kommuner[j], None, float(d[j])) for j in near]

    cols = [c for c in ("befolkning", *profile) if c in values.columns]
    profile = values[cols].copy()
    if "befolkning" in profile:
        profile["befolkning"] = np.log(profile["befolkning"])
    z = (profile - profile.mean()) / profile.std(ddof=0)
    arr = z.to_numpy(dtype="float64")
    for i, code in enumerate(kommuner):
        diff = arr - arr[i]
        both = ~np.isnan(diff)
        n = both.sum(axis=1)
        dist = np.sqrt(np.where(both, diff ** 2, 0).sum(axis=1) / np.maximum(n, 1))
        dist = np.where(n >= 2, dist, np.nan)
        dist[i] = np.nan
        order = [j for j in np.argsort(dist) if not np.isnan(dist[j])][:K]
        rows += [(code, "lignende", kommuner[j], None, float(dist[j])) for j in order]

    frame = pd.DataFrame(rows, columns=["code", "kind", "member_code", "rank", "distance"])
    frame["rank"] = frame.groupby(["code", "kind"]).cumcount() + 1
    con.execute("DELETE FROM comparator_sets")
    con.execute("INSERT INTO comparator_sets BY NAME SELECT * FROM frame")
