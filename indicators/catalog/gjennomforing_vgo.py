"""Completion of upper secondary within 5/6 years, per fylke and start cohort (Udir GjennomfoeringV −174)."""
import pandas as pd

from indicators.context import Context, finish, rates_on_2024_borders

SOURCE = ("udir", "VGO-GjennomfoeringV")


def compute(ctx: Context) -> pd.DataFrame:
    rows = ctx.obs(*SOURCE, "fullfort_5_6_aar_prosent")[["geo_code", "geo_vintage", "period", "value", "status"]]
    published = rows[rows.geo_code != "0"].assign(borders="as_published")
    today = rates_on_2024_borders(ctx, rows)
    return finish(pd.concat([today, published], ignore_index=True))
