"""Ungdata: pupils in 8.–10. trinn with high life satisfaction, 8–10 on a 0–10 scale (FHI table 373)."""
import pandas as pd

from indicators.catalog._fhi import published_rates
from indicators.catalog.psykiske_plager_ungdom import NO_SURVEY
from indicators.context import Context, finish

DIMS = "ALDER=1_6|KJONN={k}|LIVSKVALITET=8_10|MEASURE_TYPE=MEIS|SOES=0"
BREAKDOWNS = {DIMS.format(k="0"): "", DIMS.format(k="1"): "kjonn=gutter", DIMS.format(k="2"): "kjonn=jenter"}


def compute(ctx: Context) -> pd.DataFrame:
    rows = published_rates(ctx, "373", "tilfredshet_med_livet_ungdom_andel", BREAKDOWNS, NO_SURVEY)
    return finish(rows.assign(borders="2024"))
