"""Dropout during the school year in upper secondary (Udir "andel sluttet"), per fylke and Norway.

Udir publishes only the share, on each school year's fylke division. Every figure is kept as published;
a fylke whose territory is the same as a 2024 fylke is also shown on 2024 borders. Series breaks that Udir
marks ("Brudd") are carried as a flag on the figures they concern.
"""
import pandas as pd

from indicators.context import Context, finish, rates_on_2024_borders

SOURCE = ("udir", "VGO-SluttaV")
BREAKS = {"ukjent_elevstatus": "Brudd i tidsserien: endret behandling av ukjent elevstatus",
          "sammenslaaing": "Brudd i tidsserien: fylkessammenslåing"}


def compute(ctx: Context) -> pd.DataFrame:
    rows = ctx.obs(*SOURCE, "andel_sluttet")
    breaks = ctx.obs(*SOURCE, "andel_sluttet_brudd")
    breaks["flag_nb"] = breaks.dims.str.replace("Brudd=", "", regex=False).map(BREAKS).fillna("Brudd i tidsserien")
    rows = rows.merge(breaks[["geo_code", "period", "geo_vintage", "flag_nb"]].drop_duplicates(
        ["geo_code", "period", "geo_vintage"]), on=["geo_code", "period", "geo_vintage"], how="left")
    rows = rows[["geo_code", "geo_vintage", "period", "value", "status", "flag_nb"]]
    published = rows[rows.geo_code != "0"].assign(borders="as_published")
    today = rates_on_2024_borders(ctx, rows)
    return finish(pd.concat([today, published], ignore_index=True))
