"""Share of persons living in crowded dwellings, all and immigrants (FHI table 795)."""
import pandas as pd

from indicators.catalog._fhi import published_rates
from indicators.context import Context, finish

DIMS = "ALDER=0_120|BODD=trangt|INNVKAT={i}|MEASURE_TYPE=RATE"
BREAKDOWNS = {DIMS.format(i="0"): "", DIMS.format(i="2"): "gruppe=innvandrere"}


def compute(ctx: Context) -> pd.DataFrame:
    rows = published_rates(ctx, "795", "trangboddhet_andel", BREAKDOWNS)
    return finish(rows.assign(borders="2024"))
