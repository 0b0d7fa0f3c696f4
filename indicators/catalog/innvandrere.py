"""Immigrants resident 1 January by reason for immigration (IMDi), counts per kommune, fylke and Norway.

IMDi publishes each year 2006–2021 for every kommune once: under today's (2020) code where the area did not
change, under ended codes otherwise. Two labels are corrected before harmonising: 1601 Trondheim (ended
2017 in KLASS, recoded to 5001 for its 2018–2019 division) and kept codes that received a merger later
(1103 Stavanger before Finnøy/Rennesøy, 0704 Tønsberg before Re/Stokke: their early years are the old unit).

On 2024 borders every figure is a sum by territory (see ``on_2024_borders``): merged kommuner are summed;
a kommune reached by a split one (Ålesund/Haram, Stokke, Tysfjord, Snillfjord) gets no 2024 row for those
years — see it as published. IMDi gives no population denominator, so no share of the population is made.
"""
import logging

import pandas as pd

from indicators.context import MISSING_SYMBOL, NOT_SUMMABLE, RENUMBERED, SPLIT_ACROSS, Context, finish
from indicators.harmonise import to_2024
from loaders.klass import forward_map

SOURCE = ("imdi", "befolkning_innvandringsgrunn")
GRUNNER = ("arbeid", "familie", "flukt", "utdanning", "uoppgitt")
BREAKDOWNS = {"innvandringsgrunn=alle|kjonn=alle": "",
              **{f"innvandringsgrunn={g}|kjonn=alle": f"grunn={g}" for g in GRUNNER},
              "innvandringsgrunn=alle|kjonn=kvinner": "kjonn=kvinner",
              "innvandringsgrunn=alle|kjonn=menn": "kjonn=menn"}
BY = ["period", "breakdown"]
log = logging.getLogger(__name__)


def _kept_code_vintage(ctx: Context, rows: pd.DataFrame) -> pd.DataFrame:
    """IMDi files 2006–2019 for 1103 Stavanger under its current code while listing Finnøy and Rennesøy,
    which merged into it in 2020, separately: those years are the old Stavanger, not the 2020 unit.

    A row whose code received other kommuner in a change after the row's year (and at or before its stated
    division year), while those kommuner have their own rows for that year, gets the division year just
    before that change."""
    changes = ctx.con.execute("SELECT old_code, new_code AS geo_code, year(changed_on) AS y FROM geo_code_changes "
                              "WHERE level = 'kommune' AND old_code <> new_code").df()
    present = set(zip(rows.geo_code, rows.period))
    r = rows.reset_index().merge(changes, on="geo_code")
    year = r.period.astype(int)
    r = r[(year < r.y) & (r.y <= r.geo_vintage.astype(int))
          & pd.Series(list(zip(r.old_code, r.period)), index=r.index).isin(present)]
    fixed = rows.astype({"geo_vintage": "int64"})
    if not r.empty:
        fixed.loc[r["index"].unique(), "geo_vintage"] = r.groupby("index").y.max() - 1
    return fixed


def _harmonisable(ctx: Context, rows: pd.DataFrame) -> pd.DataFrame:
    """IMDi labels 1601 Trondheim "t.o.m. 2019", but KLASS ended that code in 2017: the same area was
    renumbered 5001 in 2018. Such a code (not valid in its stated division year) is recoded to the code
    its area had in that year, only when that was a pure renumbering; otherwise it is left as it is (and
    cannot be carried to 2024)."""
    history = ctx.con.execute("SELECT code, valid_from, valid_to FROM geo_units_history "
                              "WHERE level = 'kommune'").df()
    changes = ctx.con.execute("SELECT old_code, new_code, year(changed_on) FROM geo_code_changes "
                              "WHERE level = 'kommune'").fetchall()

    spans: dict[str, list[tuple[int, int]]] = {}
    for code, start, end in history.itertuples(index=False):
        spans.setdefault(code, []).append((int(start), int(end)))

    def valid(code: str, year: int) -> bool:
        return any(start <= year <= end for start, end in spans.get(code, ()))

    recode = {}
    for code, vintage in rows[["geo_code", "geo_vintage"]].drop_duplicates().itertuples(index=False):
        vintage = int(vintage)
        if valid(code, vintage) or code not in spans:
            continue
        last = max(end for _, end in spans[code])
        if last >= vintage:
            continue
        units = sorted(set(history.loc[(history.valid_from <= last) & (history.valid_to >= last), "code"]))
        fwd = forward_map(changes, units, last, vintage)
        (target, *more) = sorted(fwd[code])
        if not more and [c for c, t in fwd.items() if target in t] == [code] and valid(target, vintage):
            recode[(code, vintage)] = target
    keys = list(zip(rows.geo_code, rows.geo_vintage.astype(int)))
    return rows.assign(geo_code=[recode.get(k, k[0]) for k in keys])


def counts(ctx: Context) -> pd.DataFrame:
    obs = ctx.obs(*SOURCE, "innvandrere", enhet="personer")
    obs["breakdown"] = obs.dims.str.replace("enhet=personer|", "", regex=False).map(BREAKDOWNS)
    obs = obs[obs.breakdown.notna()]
    obs = obs.rename(columns={"value": "numerator"})[["geo_code", "geo_vintage", "period", "breakdown",
                                                      "numerator", "status"]]
    return _kept_code_vintage(ctx, obs)


def _sums(frame: pd.DataFrame, keys: list[str], code: str, level: str) -> pd.DataFrame:
    """Sum numerators per group; a group with any unknown part is NULL with the reason (never a partial sum)."""
    g = frame.assign(_null=frame.numerator.isna()).groupby(keys, as_index=False).agg(
        numerator=("numerator", "sum"), _null=("_null", "any"), parts=("geo_code", "nunique"))
    g.loc[g._null, "numerator"] = None
    g["status"] = g._null.map({True: NOT_SUMMABLE[0], False: None})
    g["status_nb"] = g._null.map({True: NOT_SUMMABLE[1], False: None})
    return g.drop(columns="_null").rename(columns={code: "geo_code"}).assign(geo_level=level)


def on_2024_borders(ctx: Context, c: pd.DataFrame) -> pd.DataFrame:
    """Kommune, fylke and Norway counts on 2024 borders, summed by territory year by year.

    Each year's rows cover Norway once (every kommune of IMDi's list, whatever its division year), so a
    2024 kommune is exact when it is the sum of the rows lying wholly inside it and no split row reaches
    it (then it gets no row); a fylke likewise, where a split kommune lies wholly inside one fylke.
    Norway is the sum of all rows of the year."""
    m = to_2024(ctx.con, c[["geo_code", "geo_vintage"]].drop_duplicates())
    m = m.rename(columns={"old_code": "geo_code", "vintage": "geo_vintage"})[["geo_code", "geo_vintage", "code_2024"]]
    c = c.astype({"geo_vintage": "int64"})
    f = c.merge(m, on=["geo_code", "geo_vintage"], how="left")
    norway = _sums(c.assign(land="0"), [*BY, "land"], "land", "land").assign(flag_nb="Sum av alle kommunene")

    unmappable = f[f.code_2024.isna()].groupby(BY).geo_code.agg(lambda s: sorted(set(s)))
    for (period, _), codes in unmappable.items():
        log.warning("innvandrere %s: codes %s not mappable to 2024; no 2024-border kommuner/fylker", period, codes)
    bad_groups = set(unmappable.index)
    f = f[[key not in bad_groups for key in zip(f.period, f.breakdown)]]

    n_targets = f.groupby(["geo_code", "geo_vintage", *BY]).code_2024.transform("nunique")
    split = f[n_targets > 1]
    whole = f[n_targets == 1]
    tainted = split[[*BY, "code_2024"]].drop_duplicates().assign(_tainted=True)
    whole = whole.merge(tainted, on=[*BY, "code_2024"], how="left")
    kommuner = _sums(whole[whole._tainted.isna()], [*BY, "code_2024"], "code_2024", "kommune")
    single = whole[whole._tainted.isna()].groupby([*BY, "code_2024"]).geo_code.first().rename("only").reset_index()
    kommuner = kommuner.merge(single.rename(columns={"code_2024": "geo_code"}), on=[*BY, "geo_code"], how="left")
    kommuner["flag_nb"] = None
    merged = kommuner.parts > 1
    kommuner.loc[merged, "flag_nb"] = ("Sammenslått kommune: summert fra " + kommuner.loc[merged, "parts"].astype(str)
                                       + " tidligere kommuner")
    kommuner.loc[~merged & (kommuner.only != kommuner.geo_code), "flag_nb"] = RENUMBERED
    kommuner = kommuner.drop(columns="only")

    f = f.assign(fylke=f.code_2024.map(ctx.kommune_fylke))
    n_fylker = f.groupby(["geo_code", "geo_vintage", *BY]).fylke.transform("nunique")
    across = f[n_fylker > 1][[*BY, "fylke"]].drop_duplicates().assign(_across=True)
    inside = f[n_fylker == 1].drop_duplicates(["geo_code", "geo_vintage", *BY])
    fylker = _sums(inside, [*BY, "fylke"], "fylke", "fylke").merge(
        across.rename(columns={"fylke": "geo_code"}), on=[*BY, "geo_code"], how="left")
    fylker.loc[fylker._across.notna(), ["numerator"]] = None
    fylker.loc[fylker._across.notna(), "status"] = MISSING_SYMBOL
    fylker.loc[fylker._across.notna(), "status_nb"] = SPLIT_ACROSS
    fylker = fylker.drop(columns="_across").assign(flag_nb="Sum av kommunene i fylket")
    out = pd.concat([norway, kommuner, fylker], ignore_index=True).drop(columns="parts")
    return out.assign(borders="2024", geo_vintage=2024)


def compute(ctx: Context) -> pd.DataFrame:
    c = counts(ctx)
    published = c.assign(borders="as_published", geo_level="kommune")
    h = _harmonisable(ctx, c)
    out = pd.concat([on_2024_borders(ctx, h), published], ignore_index=True)
    out["value"] = pd.to_numeric(out.numerator, errors="coerce")
    out.loc[out.value.notna(), ["status", "status_nb"]] = None
    return finish(out)
