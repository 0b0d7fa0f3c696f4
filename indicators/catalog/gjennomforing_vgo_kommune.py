"""Completed upper secondary per kommune (IMDi, pooled 2011-2013), by background.

IMDi gives persons (completed) and the percent; the denominator is derived as persons / percent × 100
(flagged) only to sum units; it is not stored, so the figures get no interval and no better/worse label. Published units (2013 kommuner and the 19 old fylker) keep IMDi's own percent. On 2024 borders,
kommuner and fylker are sums of the derived counts (merged units summed; units touched by a split get no
row). Norway: IMDi's own national count (which includes fylke 99, «uoppgitt»); IMDi gives no national
percent ('.'), so the share uses the derived denominators of the 19 fylker and fylke 99.
"""
import pandas as pd

from indicators.context import (NOT_MAPPABLE, SPLIT_ACROSS, Context, counts_on_2024_borders, finish, part_reason,
                                share, symbol_for)
from indicators.harmonise import to_2024

SOURCE = ("imdi", "videregaende_fullfort")
DERIVED = "Nevner avledet av IMDis antall og andel"
BREAKDOWNS = {"innvkat_5=alle|kjonn=alle": "",
              "innvkat_5=innvandrere|kjonn=alle": "bakgrunn=innvandrere",
              "innvkat_5=norskfodte_m_innvf|kjonn=alle": "bakgrunn=norskfodte_med_innvandrerforeldre",
              "innvkat_5=bef_u_innv_og_norskf|kjonn=alle": "bakgrunn=befolkningen_ellers",
              "innvkat_5=alle|kjonn=0": "kjonn=kvinner", "innvkat_5=alle|kjonn=1": "kjonn=menn"}
BY = ["period", "breakdown"]
POOLED = "2011-2013"
UNKNOWN_FYLKE = "99"   # IMDi's «uoppgitt»: in the national count, in no fylke


def counts(ctx: Context) -> pd.DataFrame:
    obs = ctx.obs(*SOURCE, "videregaende_fullfort")
    # Only the pooled three years: IMDi publishes the single years for about 48 large kommuner, so a single
    # year as "latest period" would leave most kommuner (and their neighbours) without a figure.
    obs = obs[obs.period == POOLED]
    obs["enhet"] = obs.dims.str.extract(r"enhet=(\w+)", expand=False)
    obs["breakdown"] = obs.dims.str.replace(r"^enhet=\w+\|", "", regex=True).map(BREAKDOWNS)
    obs = obs[obs.breakdown.notna()]
    keys = ["geo_code", "geo_vintage", "period", "breakdown"]
    f = obs[obs.enhet == "personer"].merge(obs[obs.enhet == "prosent"], on=keys, suffixes=("_n", "_p"),
                                           validate="1:1")
    out = f[keys].assign(numerator=f.value_n, value=f.value_p,
                         status=f.status_p.where(f.value_p.isna(), None).combine_first(f.status_n))
    out["denominator"] = out.numerator / out.value.where(out.value > 0) * 100
    out.loc[out.value.isna(), ["numerator", "denominator"]] = None
    return out.assign(flag_nb=DERIVED)


def fylker_2024(ctx: Context, kommuner: pd.DataFrame, fylker: pd.DataFrame) -> pd.DataFrame:
    """2024 fylker: the sum of every 2013 kommune whose area lies in the fylke, when all are known;
    otherwise an old fylke that is the same area (or merged old fylker), from IMDi's fylke counts."""
    units = ctx.con.execute("SELECT code FROM geo_units_history WHERE level = 'kommune' "
                            "AND valid_from <= 2013 AND valid_to >= 2013").df().code
    m = to_2024(ctx.con, [(c, 2013) for c in units])
    m["fylke"] = m.code_2024.map(ctx.kommune_fylke)
    where = m.groupby("old_code").fylke.agg(lambda s: s.iloc[0] if s.nunique() == 1 else None)
    spans = set(m[m.old_code.isin(where[where.isna()].index)].fylke)
    out, reasons = [], {}
    for (period, breakdown), grp in kommuner.groupby(BY):
        known = grp.set_index("geo_code")
        for fylke in sorted(set(ctx.kommune_fylke.values())):
            parts = where[where == fylke].index
            placed = parts.isin(known.index).all() and fylke not in spans
            ok = placed and known.loc[parts, ["numerator", "denominator"]].notna().all().all()
            if not placed:
                # e.g. Troms: IMDi's Harstad 1901 is no kommune of the 2013 division, so it is placed nowhere
                reasons[(fylke, period, breakdown)] = SPLIT_ACROSS if fylke in spans else NOT_MAPPABLE
            elif not ok:
                reasons[(fylke, period, breakdown)] = part_reason(known.loc[parts, "status"])
            if ok:
                out.append({"geo_code": fylke, "period": period, "breakdown": breakdown,
                            "numerator": known.loc[parts, "numerator"].sum(),
                            "denominator": known.loc[parts, "denominator"].sum(),
                            "flag_nb": "Sum av kommunene i fylket"})
    by_kommuner = pd.DataFrame(out, columns=["geo_code", "period", "breakdown", "numerator", "denominator",
                                             "flag_nb"])
    old = pd.concat([counts_on_2024_borders(ctx, part, by=BY) for _, part in fylker.groupby("period")],
                    ignore_index=True)
    old = old[old.numerator.notna() & old.denominator.notna()]
    both = pd.concat([by_kommuner, old], ignore_index=True).drop_duplicates(["geo_code", *BY])
    pooled = pd.MultiIndex.from_product([sorted(set(ctx.kommune_fylke.values())), ["2011-2013"],
                                         sorted(set(kommuner.breakdown))], names=["geo_code", *BY])
    missing = pooled.difference(both.set_index(["geo_code", *BY]).index).to_frame(index=False)
    missing = missing.assign(status_nb=[
        reasons.get(key, NOT_MAPPABLE) for key in missing[["geo_code", *BY]].itertuples(index=False, name=None)])
    missing["status"] = missing.status_nb.map(symbol_for)
    return pd.concat([both, missing], ignore_index=True).assign(geo_level="fylke")


def national(ctx: Context, c: pd.DataFrame) -> pd.DataFrame:
    """Norway = IMDi's own national row: its count (the 19 fylker + fylke 99 «uoppgitt»). IMDi gives no national
    percent, so the share is that count over the derived denominators of the same 20 parts (each part's count
    over its own percent), so the people without a known fylke are in both."""
    obs = ctx.obs(*SOURCE, "videregaende_fullfort")
    land = obs[(obs.geo_code == "0") & (obs.period == POOLED) & obs.dims.str.startswith("enhet=personer|")]
    land = land.assign(breakdown=land.dims.str.replace(r"^enhet=\w+\|", "", regex=True).map(BREAKDOWNS))
    parts = c[(c.geo_code.str.len() == 2)]
    den = parts.groupby(BY).agg(denominator=("denominator", lambda s: s.sum(min_count=20)),
                                n=("geo_code", "nunique")).reset_index()
    den = den[den.n == 20].drop(columns="n")
    out = land[land.breakdown.notna()][["period", "breakdown", "value"]].rename(columns={"value": "numerator"})
    out = out.merge(den, on=BY, how="left")
    return out.assign(geo_code="0", geo_level="land",
                      flag_nb=DERIVED + "; IMDis landstall (med uoppgitt fylke) over nevnerne til de 19 fylkene "
                                        "og «uoppgitt»")


def compute(ctx: Context) -> pd.DataFrame:
    c = counts(ctx)
    kommuner = c[c.geo_code.str.len() == 4]
    fylker = c[(c.geo_code.str.len() == 2) & (c.geo_code != UNKNOWN_FYLKE)]
    published = pd.concat([kommuner, fylker]).assign(borders="as_published")
    norway = national(ctx, c)
    # Per period: counts_on_2024_borders looks for missing parts among every 2024 unit the division reaches
    # in any period, so the single years (about 48 kommuner) would get NULL rows for all the others.
    today_k = pd.concat([counts_on_2024_borders(ctx, part, by=BY) for _, part in kommuner.groupby("period")],
                        ignore_index=True)
    today = pd.concat([today_k, fylker_2024(ctx, kommuner, fylker)], ignore_index=True)
    today["flag_nb"] = today.flag_nb.map(lambda f: f"{DERIVED}; {f}" if isinstance(f, str) else DERIVED)
    summed = pd.concat([norway, today], ignore_index=True)
    summed["value"] = share(summed)
    summed = summed.assign(borders="2024", geo_vintage=2024)
    out = pd.concat([summed, published], ignore_index=True)
    missing = out.value.isna() & out.status.isna()
    out.loc[missing, "status"] = ":"
    out.loc[out.value.notna(), ["status", "status_nb"]] = None
    # A denominator rebuilt from a percent rounded to one decimal is not a count: it is used to sum units,
    # but not stored, so no Wilson interval and no better/worse label is made from it (docs/DECISIONS.md).
    out["denominator"] = None
    return finish(out)
