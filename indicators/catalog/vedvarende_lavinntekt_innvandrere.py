"""Persistent low income (EU60, 3-year) among people aged 25+: immigrants and the rest (FHI table 583).

Headline = immigrants (INNVKAT 2), the group the integration work is about; the rest of the population
(INNVKAT 20, everyone but immigrants) is a breakdown to compare with in the same place.
"""
import pandas as pd

from indicators.catalog._fhi import published_rates
from indicators.context import Context, finish

DIMS = "ALDER=25_120|INNVKAT={i}|MAAL=ant_eu60|MEASURE_TYPE=RATE"
BREAKDOWNS = {DIMS.format(i="2"): "", DIMS.format(i="20"): "gruppe=ovrig_befolkning"}


def compute(ctx: Context) -> pd.DataFrame:
    rows = published_rates(ctx, "583", "vedvarende_lavinntekt_andel", BREAKDOWNS)
    return finish(rows.assign(borders="2024"))
