"""Children 0–17 in households with persistent low income (EU60, 3-year).

Three sources, one series per place and period:
- FHI 403 on 2024 borders (the current figures: Norway, fylker, kommuner);
- the Vestfold og Telemark workbook (FHI's figures on the 2020 division, 38xx): every row as published,
  and the kommuner carried to 2024 borders where the 2024 kommune is the same territory (all 23 were only
  renumbered in 2024); the fylke 38 was split and stays as published only. Where FHI 403 itself has a
  2024-border figure for the same kommune and period (a live refresh), FHI's own figure wins;
- SSB 12944 (00-17) for Norway in periods FHI 403 does not have (offline 2004-2006 … 2009-2011), with SSB's
  count of children as the numerator (no denominator is published, none is derived).
"""
import pandas as pd

from indicators.catalog._ssb_lavinntekt import norway_by_age
from indicators.context import Context, finish, rates_on_2024_borders

DIMS = "ALDER=0_17|INNVKAT=0|MAAL=ant_eu60|MEASURE_TYPE=RATE"
MEASURE = "vedvarende_lavinntekt_andel"
COLUMNS = ["geo_code", "geo_vintage", "period", "value", "status"]


def compute(ctx: Context) -> pd.DataFrame:
    fhi = ctx.obs("fhi", "403", MEASURE)
    fhi = fhi[fhi.dims == DIMS][COLUMNS].assign(borders="2024")
    vt = ctx.obs("fhi", "403-vt2020", MEASURE)
    vt = vt[vt.dims == DIMS][COLUMNS]
    published = vt.assign(borders="as_published")
    carried = rates_on_2024_borders(ctx, vt)
    carried = carried[~_key(carried).isin(_key(fhi))]
    ssb = norway_by_age(ctx, {"00-17": ""})
    ssb = ssb[~ssb.period.isin(fhi.loc[fhi.geo_code == "0", "period"])]
    out = pd.concat([fhi, carried, published, ssb], ignore_index=True)
    out.loc[out.status.notna(), "value"] = None
    return finish(out)


def _key(frame: pd.DataFrame) -> pd.Series:
    return frame.geo_code + "|" + frame.period
