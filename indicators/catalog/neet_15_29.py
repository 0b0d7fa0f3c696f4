"""Young people 15–29 not in employment, education or training (NEET), from SSB 13556 counts.

Every kommune 2008–2024 is published on that year's division. On 2024 borders, kommuner merged in the
2012–2024 reforms are summed back from their parts' counts; a kommune that was split (or that received
part of a split one) gets no 2024-border figure for the years before the split — see it as published.
Fylke figures on 2024 borders are sums by territory (``fylker_by_territory``): a split kommune wholly inside
one 2024 fylke counts in full. Norway is SSB's own national row, every year.
"""
import pandas as pd

from indicators.context import MISSING_SYMBOL, PART_MISSING, Context, counts_on_2024_borders, finish, fylker_by_territory, share, sum_if_complete

SOURCE = ("ssb", "13556")
BREAKDOWNS = {"Alder=15-29|{s}|Kjonn=0": "", "Alder=15-29|{s}|Kjonn=1": "kjonn=menn",
              "Alder=15-29|{s}|Kjonn=2": "kjonn=kvinner", "Alder=20-24|{s}|Kjonn=0": "alder=20-24",
              "Alder=25-29|{s}|Kjonn=0": "alder=25-29"}


def counts(ctx: Context) -> pd.DataFrame:
    obs = ctx.obs(*SOURCE, "Bosatte")
    parts = []
    for pattern, breakdown in BREAKDOWNS.items():
        num = obs[obs.dims == pattern.format(s="HovArbStyrkStatus=NEET")]
        den = obs[obs.dims == pattern.format(s="HovArbStyrkStatus=TOT3")]
        f = num.merge(den, on=["geo_code", "geo_vintage", "period"], suffixes=("_n", "_d"), validate="1:1")
        parts.append(pd.DataFrame({
            "geo_code": f.geo_code, "geo_vintage": f.geo_vintage, "period": f.period, "breakdown": breakdown,
            "numerator": f.value_n, "denominator": f.value_d,
            "status": f.status_n.combine_first(f.status_d)}))
    return pd.concat(parts, ignore_index=True)


def compute(ctx: Context) -> pd.DataFrame:
    c = counts(ctx)
    norway = c[c.geo_code == "0"].assign(borders="2024", geo_level="land")
    kommuner = c[c.geo_code.str.len() == 4]
    published = kommuner.assign(borders="as_published")
    old_fylker = kommuner.assign(geo_code=kommuner.geo_code.str[:2])
    old_fylker = sum_if_complete(old_fylker, ["geo_code", "geo_vintage", "period", "breakdown"]).assign(
        borders="as_published", flag_nb="Sum av kommunene i fylket (fylkesinndelingen det året)")
    old_fylker.loc[old_fylker.numerator.isna() | old_fylker.denominator.isna(),
                   ["status", "status_nb"]] = [MISSING_SYMBOL, PART_MISSING]
    today = counts_on_2024_borders(ctx, kommuner, by=["period", "breakdown"])
    today_fylker = fylker_by_territory(ctx, kommuner, by=["period", "breakdown"])
    out = pd.concat([norway, today, today_fylker, published, old_fylker], ignore_index=True)
    out["value"] = share(out)
    known = out.value.notna()
    out.loc[known, "status"] = None
    out.loc[~known & out.status.isna(), "status"] = ".."
    return finish(out)
