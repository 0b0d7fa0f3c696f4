"""What a publisher module hands back: tidy observation rows plus what the publisher says of the table."""
from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

# Tidy columns, in order. `dims` holds every dimension other than geography, period and measure as
# "Name=code" pairs joined by "|" and sorted by name (e.g. "Alder=15-29|Kjonn=0"), "" when none.
# `geo_vintage` is the year of the kommune/fylke division the code belongs to (NULL = not known);
# `status` is the publisher's own symbol (SSB ".." "." ":", Udir "*", FHI ":" ...) with value NULL.
OBS_COLUMNS = ["source", "table_id", "measure", "dims", "geo_code", "geo_vintage", "period",
               "value", "status", "unit"]


@dataclass
class LoadResult:
    rows: pd.DataFrame
    title: str = ""
    api_updated: str | None = None      # the publisher's own "last updated", ISO text
    requests: int = 0
    extra_tables: dict[str, pd.DataFrame] = field(default_factory=dict)  # e.g. geo tables from KLASS
    # Codes or periods left out on purpose, by kind, for the refresh report: e.g. {"abroad": 1,
    # "aggregate": 3} (distinct region codes) or {"unmapped period": 2}. Empty when nothing was left out.
    skipped: dict[str, int] = field(default_factory=dict)

    def __post_init__(self):
        missing = [c for c in OBS_COLUMNS if c not in self.rows.columns]
        if missing:
            raise ValueError(f"LoadResult rows lack columns {missing}")
        self.rows = self.rows[OBS_COLUMNS]


def dims_key(pairs: dict[str, str]) -> str:
    """Canonical text for the non-geo, non-time dimensions of one observation."""
    return "|".join(f"{k}={pairs[k]}" for k in sorted(pairs))


TEXT_COLUMNS = ["source", "table_id", "measure", "dims", "geo_code", "period", "status", "unit"]


def compact(result: LoadResult) -> LoadResult:
    """The rows' text columns as categoricals, for handing a result from a worker process to the writer:
    a few distinct values per column, so pickling moves codes instead of 400,000 Python strings (1.6 s to
    pickle and 0.8 s to unpickle the offline snapshot's rows as text, next to nothing as categories), and
    DuckDB reads them faster too. The values are the same; the column types in the database too (VARCHAR)."""
    rows = result.rows.copy()
    for col in TEXT_COLUMNS:
        rows[col] = rows[col].astype("category")
    result.rows = rows
    return result
