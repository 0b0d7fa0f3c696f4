"""Registered unemployment 15–29 år, share of the population 15–29, per kommune 2009–2013 (FHI Kommunehelsa).

Rates only, on the 2013 division. Every figure is kept as published; a kommune whose territory is the same
as a 2024 kommune (unchanged or only renumbered) is also shown on 2024 borders. Merged kommuner get no
2024-border figure: rates cannot be combined without the counts, and are never averaged.
"""
import pandas as pd

from indicators.context import Context, finish, rates_on_2024_borders

SOURCE = ("fhi", "kommunehelsa-arbeidsledighet-15-29")


def compute(ctx: Context) -> pd.DataFrame:
    rows = ctx.obs(*SOURCE, "arbeidsledighet_andel")
    rows = rows[rows.dims == "ALDER=15_29"][["geo_code", "geo_vintage", "period", "value", "status"]]
    rows.loc[rows.status.notna(), "value"] = None
    published = rows.assign(borders="as_published")
    today = rates_on_2024_borders(ctx, rows)
    return finish(pd.concat([today, published], ignore_index=True))
