"""Shared step for SSB 12944 (persistent low income by age, 3-year): SSB's share as the value and SSB's
count of persons as the numerator. No denominator is published, and none is derived from the rounded
share, so these rows carry no interval.

Norway only: the offline snapshot has nothing else, and a live refresh's kommune rows (old divisions,
counts without denominators) are not wired into an indicator yet.
"""
from __future__ import annotations

import pandas as pd

from indicators.context import Context

SOURCE = ("ssb", "12944")
AGES = {"999A": "", "00-17": "alder=0-17", "18-34": "alder=18-34", "35-49": "alder=35-49",
        "50-66": "alder=50-66", "067+": "alder=67+"}
ROUNDED = "Antall personer avrundet til nærmeste hundre av SSB"


def norway_by_age(ctx: Context, ages: dict[str, str] = AGES) -> pd.DataFrame:
    share = ctx.obs(*SOURCE, "EUskalaSeksti")
    count = ctx.obs(*SOURCE, "PersonerSeksti")
    share, count = share[share.geo_code == "0"], count[count.geo_code == "0"]
    f = share.merge(count, on=["geo_code", "period", "dims"], how="left", suffixes=("", "_n"), validate="1:1")
    f = f[f.dims.isin([f"Alder={a}" for a in ages])]
    return pd.DataFrame({
        "geo_code": "0", "geo_level": "land", "period": f.period,
        "breakdown": f.dims.str.removeprefix("Alder=").map(ages),
        "value": f.value, "numerator": f.value_n, "denominator": None,
        "status": f.status.combine_first(f.status_n), "borders": "2024", "geo_vintage": 2024,
        "flag_nb": f.value_n.notna().map({True: ROUNDED, False: None})})
