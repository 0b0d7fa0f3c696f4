"""Registered fully unemployed (NAV "helt ledige") as a share of the labour force: annual averages.

The value is the mean of the 12 monthly shares NAV published for the unit (a time average within one
unit, never an average across areas). NAV's share is published with one decimal only, so a labour force
derived as count / share would carry up to ±2 % error per month at fylke level (far more in small
kommuner); the monthly shares are used as they are. ``numerator`` holds the mean monthly count where all
12 counts are known; there is no denominator (no interval is claimed).

Only complete calendar years: a year is used when some unit has all 12 months in it; a unit with fewer
months that year gets NULL with a reason. The processor of the monthly file wrote NAV's '*' (1–3 persons)
as 0: a count of 0 beside a positive share is therefore unknown, not zero. Months of the yearly file whose
columns are shifted (2018) are unknown too, so 2018 has no annual figure as published.

Borders: the monthly file is on 2024 fylker (carried back by the processor) plus Norway and Telemark's 17
kommuner. The yearly file keeps each year's published fylker; those fylker are shown as published.
"""
import pandas as pd

from indicators.context import Context, finish

MONTHLY = ("nav", "arbeidsledighet")
YEARLY = ("nav", "arbeidsledighet_2010_2024")
BREAKDOWNS = {"alle": "", "kvinner": "kjonn=kvinner", "menn": "kjonn=menn"}
INCOMPLETE = "..", "Mangler måneder dette året: årsgjennomsnitt ikke beregnet"
KEYS = ["geo_code", "geo_vintage", "period", "breakdown"]


def monthly(ctx: Context, table: tuple[str, str]) -> pd.DataFrame:
    """One row per unit × month × kjønn: published share and (when trustworthy) count of helt ledige."""
    share = ctx.obs(*table, "andel_av_arbeidsstyrken", arbeidsmarkedsstatus="helt_ledige")
    count = ctx.obs(*table, "antall", arbeidsmarkedsstatus="helt_ledige")
    on = ["geo_code", "geo_vintage", "period", "dims"]
    f = share[[*on, "value"]].merge(count[[*on, "value"]].rename(columns={"value": "count"}), on=on,
                                    how="outer", validate="1:1")
    f["breakdown"] = f.dims.str.extract(r"kjonn=(\w+)", expand=False).map(BREAKDOWNS)
    f = f[f.breakdown.notna()]
    f.loc[(f["count"] == 0) & (f["value"] > 0), "count"] = None
    # In four months of 2018 the yearly file's columns are shifted one step (the count sits in the share
    # column, the count is empty): a "share" above 100 is not a share, so those months are unknown.
    f.loc[f["value"] > 100, ["value", "count"]] = None
    return f.assign(year=f.period.str[:4])


def annual(f: pd.DataFrame) -> pd.DataFrame:
    """Annual means per unit × kjønn over complete years (12 months with a share)."""
    g = f.groupby(["geo_code", "geo_vintage", "year", "breakdown"], dropna=False)
    out = g.agg(months=("value", "count"), value=("value", "mean"), counts=("count", "count"),
                numerator=("count", "mean")).reset_index()
    complete_years = set(out.loc[out.months == 12, "year"])
    out = out[out.year.isin(complete_years)].rename(columns={"year": "period"})
    full = out.months == 12
    out.loc[~full, "value"] = None
    out.loc[out.counts < 12, "numerator"] = None
    out["status"] = (~full).map({True: INCOMPLETE[0], False: None})
    out["status_nb"] = (~full).map({True: INCOMPLETE[1], False: None})
    return out.drop(columns=["months", "counts"])


def compute(ctx: Context) -> pd.DataFrame:
    today = annual(monthly(ctx, MONTHLY)).assign(borders="2024", geo_vintage=2024)
    published = annual(monthly(ctx, YEARLY))
    published = published[published.geo_code != "0"].assign(borders="as_published")
    return finish(pd.concat([today, published], ignore_index=True)[[*KEYS, "value", "numerator", "status",
                                                                     "status_nb", "borders"]])
