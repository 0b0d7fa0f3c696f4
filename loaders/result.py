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

    def __post_init__(self):
        missing = [c for c in OBS_COLUMNS if c not in self.rows.columns]
        if missing:
            raise ValueError(f"LoadResult rows lack columns {missing}")
        self.rows = self.rows[OBS_COLUMNS]


def dims_key(pairs: dict[str, str]) -> str:
    """Canonical text for the non-geo, non-time dimensions of one observation."""
    return "|".join(f"{k}={pairs[k]}" for k in sorted(pairs))
