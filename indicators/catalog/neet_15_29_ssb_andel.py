"""SSB's NEET share 15–29 as SSB publishes it (13556 BosatteProsent: Norway, fylker, kommuner), plus every
2024 fylke from 13563's fylke counts (NEET2 / TOT3) where 13556 has no fylke share of its own.

13563 rows: live, the share is computed here from the counts; offline, it is the transcription ssb/13563-andel
(the same quotient, computed and rounded to one decimal by Telemark fylkeskommune). Each row says which."""
import pandas as pd

from indicators.context import Context, finish

SOURCE = ("ssb", "13556")
COUNTS = ("ssb", "13563")
TRANSCRIPTION = ("ssb", "13563-andel")
FROM_COUNTS = "Regnet av SSBs antall i tabell 13563 (utenfor (NEET2) / i alt), ikke en andel SSB publiserer"
TRANSCRIBED = ("Regnet av SSBs antall i tabell 13563 (utenfor (NEET2) / i alt) og avrundet til én desimal av "
               "Telemark fylkeskommune; avskrift, ikke en andel SSB publiserer")


def shares_from_counts(ctx: Context) -> pd.DataFrame:
    """NEET2 / TOT3 x 100 per fylke and year from 13563 (live only; empty offline)."""
    obs = ctx.obs(*COUNTS, Alder="15-29")
    if obs.empty:
        return obs
    if obs.measure.nunique() != 1:   # ContentsCode is asked as '*': a second content would be ambiguous
        raise ValueError(f"13563: expected one content (the count), got {sorted(obs.measure.unique())}")
    num = obs[obs.dims.str.contains("HovArbStyrkStatus=NEET2")]
    den = obs[obs.dims.str.contains("HovArbStyrkStatus=TOT3")]
    f = num.merge(den, on=["geo_code", "geo_vintage", "period"], suffixes=("_n", "_d"), validate="1:1")
    return pd.DataFrame({"geo_code": f.geo_code, "geo_vintage": f.geo_vintage, "period": f.period,
                         "numerator": f.value_n, "denominator": f.value_d,
                         "value": (f.value_n / f.value_d * 100).where(f.value_d > 0),
                         "status": f.status_n.combine_first(f.status_d), "flag_nb": FROM_COUNTS})


def fylker_13563(ctx: Context) -> pd.DataFrame:
    rows = shares_from_counts(ctx)
    if rows.empty:
        rows = ctx.obs(*TRANSCRIPTION, "andel_regnet", Alder="15-29").assign(flag_nb=TRANSCRIBED)
    return rows[rows.geo_code.str.len() == 2]


def compute(ctx: Context) -> pd.DataFrame:
    published = ctx.obs(*SOURCE, "BosatteProsent", Alder="15-29", HovArbStyrkStatus="NEET", Kjonn="0")
    published = published[["geo_code", "geo_vintage", "period", "value", "status"]]
    fylker = fylker_13563(ctx)
    have = set(zip(published.geo_code, published.period))
    fylker = fylker[[(g, p) not in have for g, p in zip(fylker.geo_code, fylker.period)]]
    out = pd.concat([published, fylker.drop(columns=["numerator", "denominator"], errors="ignore")],
                    ignore_index=True)
    out.loc[out.value.isna() & out.status.isna(), "status"] = ".."
    return finish(out.assign(borders="2024"))
