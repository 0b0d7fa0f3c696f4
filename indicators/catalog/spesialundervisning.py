"""Share of primary-school pupils with special education (individually adapted teaching), from Udir's counts.

Kommune and fylke figures are Udir's published counts. Udir publishes no national row in this report, so
Norway is the sum of the 15 fylker (Udir's fylke totals include their suppressed kommuner, and Troms
includes Svalbard's 219 pupils). A kommune whose count is suppressed ('*') stays NULL.
"""
import pandas as pd

from indicators.context import Context, finish, join_flags, share

SOURCE = ("udir", "GSK-GSI")
TROMS = "55"
WITH_SVALBARD = "Inkluderer Svalbard (Udir 2100), som ikke er en av de 357 kommunene"


def compute(ctx: Context) -> pd.DataFrame:
    num = ctx.obs(*SOURCE, "elever_spesialundervisning")
    den = ctx.obs(*SOURCE, "elever")
    f = num.merge(den, on=["geo_code", "period", "geo_vintage"], suffixes=("_num", "_den"), validate="1:1")
    f = f.rename(columns={"value_num": "numerator", "value_den": "denominator"})
    f["status"] = f.status_num.combine_first(f.status_den)
    f.loc[f.status.notna(), ["numerator", "denominator"]] = None
    fylker = f[f.geo_code.str.len() == 2]
    norway = fylker.groupby("period").agg(numerator=("numerator", lambda s: s.sum(min_count=15)),
                                          denominator=("denominator", lambda s: s.sum(min_count=15)),
                                          n=("geo_code", "nunique")).reset_index()
    norway = norway[norway.n == 15].assign(geo_code="0", status=None, flag_nb="Sum av de 15 fylkene")
    out = pd.concat([f, norway], ignore_index=True)
    out["value"] = share(out)
    # Say what the figure includes, where it is shown: Udir's Troms counts Svalbard's pupils (code 2100).
    svalbard = out.geo_code.isin([TROMS, "0"])
    out.loc[svalbard, "flag_nb"] = join_flags(out.loc[svalbard, "flag_nb"],
                                              pd.Series(WITH_SVALBARD, index=out.index[svalbard]))
    return finish(out.assign(borders="2024", geo_vintage=2024))
