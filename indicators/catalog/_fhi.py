"""Shared step for FHI figures published as rates only (standardised shares, per 1000): pick the dimension
combinations an indicator uses, name them as breakdowns, and keep FHI's symbols as NULL + status.

Not an indicator itself (no ``.yml`` beside it). FHI's tables are on the 2024 division, so rows are on
2024 borders as they come.
"""
from __future__ import annotations

import pandas as pd

from indicators.context import Context


def published_rates(ctx: Context, table_id: str, measure: str, breakdowns: dict[str, str],
                    words: dict[str, str] | None = None, source: str = "fhi") -> pd.DataFrame:
    """Rows of ``measure`` whose exact ``dims`` is a key of ``breakdowns``, labelled with its value.

    ``words`` overrides the status text per symbol (e.g. '.' in Ungdata means no survey that year);
    other symbols get the publisher's meaning from ``status_codes`` in the build.
    """
    obs = ctx.obs(source, table_id, measure)
    unknown = set(breakdowns) - set(obs.dims)
    if not obs.empty and unknown:
        raise ValueError(f"{source}/{table_id}: no rows with dims {sorted(unknown)}")
    rows = obs[obs.dims.isin(breakdowns)].copy()
    rows["breakdown"] = rows.dims.map(breakdowns)
    rows.loc[rows.status.notna(), "value"] = None
    rows["status_nb"] = rows.status.map(words or {})
    return rows[["geo_code", "geo_vintage", "period", "breakdown", "value", "status", "status_nb"]]
