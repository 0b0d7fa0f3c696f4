"""Pupils in 10. trinn who thrive at school (Elevundersøkelsen question 307), FHI table 805, 3-year figures.

The period is FHI's label, three school years ("2023/24-2025/26"), kept as the loader stored it.
"""
import pandas as pd

from indicators.catalog._fhi import published_rates
from indicators.context import Context, finish

BREAKDOWNS = {"KJONN=0|MEASURE_TYPE=MEIS|SPM_ID=307|TRINN=10": ""}


def compute(ctx: Context) -> pd.DataFrame:
    rows = published_rates(ctx, "805", "trivsel_10_trinn_andel", BREAKDOWNS)
    return finish(rows.assign(borders="2024"))
