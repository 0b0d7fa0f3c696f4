"""Children under 18 in households with (annual) low income, EU scale, Norway, SSB 08764.

Value = SSB's share below 60 % of the median (headline) and below 50 % (breakdown). The denominator is SSB's
number of children in all; the count of low-income children is not published by 08764 and is not derived
from the rounded share, so no numerator and no interval. Norway only (see _ssb_lavinntekt for why).
"""
import pandas as pd

from indicators.context import Context, finish

SOURCE = ("ssb", "08764")
LINES = {"EUskala60": "", "EUskala50": "grense=eu50"}


def compute(ctx: Context) -> pd.DataFrame:
    children = ctx.obs(*SOURCE, "Personer")
    children = children.loc[children.geo_code == "0", ["period", "value"]].rename(columns={"value": "denominator"})
    parts = []
    for measure, breakdown in LINES.items():
        share = ctx.obs(*SOURCE, measure)
        share = share[share.geo_code == "0"].merge(children, on="period", how="left", validate="1:1")
        parts.append(share[["geo_code", "period", "value", "status", "denominator"]].assign(breakdown=breakdown))
    out = pd.concat(parts, ignore_index=True).assign(geo_level="land", borders="2024", geo_vintage=2024)
    out.loc[out.status.notna(), "value"] = None
    return finish(out)
