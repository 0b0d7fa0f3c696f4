"""Ungdata: pupils in 8.–10. trinn with a high level of psychological distress (FHI table 339).

FHI's standardised share, without counts. Kommuner run Ungdata every few years: FHI's '.' for the other
years means no survey, not a missing figure, and says so in words.
"""
import pandas as pd

from indicators.catalog._fhi import published_rates
from indicators.context import Context, finish

DIMS = "ALDER=1_6|DEPRESJON=Ja|KJONN={k}|MEASURE_TYPE=MEIS|SOES=0"
BREAKDOWNS = {DIMS.format(k="0"): "", DIMS.format(k="1"): "kjonn=gutter", DIMS.format(k="2"): "kjonn=jenter"}
NO_SURVEY = {".": "Ingen Ungdata-undersøkelse dette året"}


def compute(ctx: Context) -> pd.DataFrame:
    rows = published_rates(ctx, "339", "psykiske_plager_ungdom_andel", BREAKDOWNS, NO_SURVEY)
    return finish(rows.assign(borders="2024"))
