"""SSB's own published NEET share 15–29 (13556 BosatteProsent), as published: Norway, Telemark, its kommuner."""
import pandas as pd

from indicators.context import Context, finish

SOURCE = ("ssb", "13556")


def compute(ctx: Context) -> pd.DataFrame:
    rows = ctx.obs(*SOURCE, "BosatteProsent", Alder="15-29", HovArbStyrkStatus="NEET", Kjonn="0")
    return finish(rows[["geo_code", "geo_vintage", "period", "value", "status"]].assign(borders="2024"))
