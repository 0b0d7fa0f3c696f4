"""Users of GP / emergency primary care with psychological symptoms or disorders, per 1000 (FHI table 370).

Headline: 15–24 år, both sexes, all psychological diagnoses (ICPC-2 P01–P29 and P70–P99). Other ages,
the sexes (15–24) and the two diagnosis groups (15–24) are breakdowns.
"""
import pandas as pd

from indicators.catalog._fhi import published_rates
from indicators.context import Context, finish

DIMS = "ALDER={a}|KJONN={k}|KODEGRUPPE={g}|MEASURE_TYPE=MEIS"
ALL = "P01_P29ogP70_P99"
BREAKDOWNS = {
    DIMS.format(a="15_24", k="0", g=ALL): "",
    DIMS.format(a="15_24", k="1", g=ALL): "kjonn=menn",
    DIMS.format(a="15_24", k="2", g=ALL): "kjonn=kvinner",
    DIMS.format(a="15_24", k="0", g="P01_P29"): "diagnose=symptomer",
    DIMS.format(a="15_24", k="0", g="P70_P99"): "diagnose=lidelser",
    **{DIMS.format(a=a, k="0", g=ALL): f"alder={a.replace('_', '-')}"
       for a in ("0_14", "0_24", "25_44", "45_74", "75_79", "0_74")},
}


def compute(ctx: Context) -> pd.DataFrame:
    rows = published_rates(ctx, "370", "psykiske_symptomer_lidelser_primaer_per_1000", BREAKDOWNS)
    return finish(rows.assign(borders="2024"))
