"""Population 1 January (SSB 07459) per kommune; fylke and Norway as sums of the 357 kommuner."""
import pandas as pd

from indicators.context import Context, finish

SOURCE = ("ssb", "07459")


def compute(ctx: Context) -> pd.DataFrame:
    k = ctx.obs(*SOURCE, "Personer1")
    k = k[k.geo_code.str.len() == 4].assign(numerator=lambda f: f.value)
    fylker = ctx.sum_kommuner(k, by=["period"], to="fylke", columns=("numerator",))
    norway = ctx.sum_kommuner(k, by=["period"], to="land", columns=("numerator",))
    sums = pd.concat([fylker, norway], ignore_index=True).assign(
        value=lambda f: f.numerator, flag_nb="Sum av kommunene")
    out = pd.concat([k[["geo_code", "period", "value", "status"]], sums[["geo_code", "period", "value", "status",
                                                                          "status_nb", "flag_nb"]]])
    return finish(out.assign(borders="2024", geo_vintage=2024))
