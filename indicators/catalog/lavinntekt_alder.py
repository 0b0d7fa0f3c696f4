"""Persistent low income (EU60, 3-year) by age group, Norway, SSB 12944 (KS Vedlegg 7)."""
import pandas as pd

from indicators.catalog._ssb_lavinntekt import norway_by_age
from indicators.context import Context, finish


def compute(ctx: Context) -> pd.DataFrame:
    return finish(norway_by_age(ctx))
