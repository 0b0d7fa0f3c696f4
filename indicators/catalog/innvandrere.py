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

from indicators.context import NOT_SUMMABLE, RENUMBERED, Context, finish
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

    def valid(code: str, year: int) -> bool:
        h = history[history.code == code]
        return bool(((h.valid_from <= year) & (h.valid_to >= year)).any())

    recode = {}
    for code, vintage in rows[["geo_code", "geo_vintage"]].drop_duplicates().itertuples(index=False):
        vintage = int(vintage)
        if valid(code, vintage) or history[history.code == code].empty:
            continue
        last = int(history.loc[history.code == code, "valid_to"].max())
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


def _sum(parts: pd.Series) -> float | None:
    return parts.sum() if parts.notna().all() else None


def _row(code: str, level: str, period: str, breakdown: str, value, flag: str | None) -> dict:
    ok = value is not None
    return {"geo_code": code, "geo_level": level, "period": period, "breakdown": breakdown, "numerator": value,
            "status": None if ok else NOT_SUMMABLE[0], "status_nb": None if ok else NOT_SUMMABLE[1],
            "flag_nb": flag}


def on_2024_borders(ctx: Context, c: pd.DataFrame) -> pd.DataFrame:
    """Kommune, fylke and Norway counts on 2024 borders, summed by territory year by year.

    Each year's rows cover Norway once (every kommune of IMDi's list, whatever its division year), so a
    2024 kommune is exact when it is the sum of the rows lying wholly inside it and no split row reaches
    it (then it gets no row); a fylke likewise, where a split kommune lies wholly inside one fylke.
    Norway is the sum of all rows of the year."""
    m = to_2024(ctx.con, c[["geo_code", "geo_vintage"]].drop_duplicates())
    targets = m.groupby(["old_code", "vintage"]).code_2024.agg(lambda s: tuple(sorted(set(s))))
    f = c.merge(targets.rename("targets").reset_index().rename(
        columns={"old_code": "geo_code", "vintage": "geo_vintage"}), on=["geo_code", "geo_vintage"], how="left")
    out = []
    fylker = sorted(set(ctx.kommune_fylke.values()))
    for (period, breakdown), grp in f.groupby(BY):
        out.append(_row("0", "land", period, breakdown, _sum(grp.numerator), "Sum av alle kommunene"))
        if grp.targets.isna().any():
            log.warning("innvandrere %s: codes %s not mappable to 2024; no 2024-border kommuner/fylker", period,
                        sorted(grp.loc[grp.targets.isna(), "geo_code"]))
            continue
        split = grp.targets.str.len() > 1
        tainted = {t for ts in grp.loc[split, "targets"] for t in ts}
        whole = grp[~split].assign(code_2024=lambda g: g.targets.str[0])
        for code, parts in whole.groupby("code_2024"):
            if code in tainted:
                continue
            merged = len(parts) > 1
            flag = (f"Sammenslått kommune: summert fra {len(parts)} tidligere kommuner" if merged
                    else (RENUMBERED if parts.geo_code.iloc[0] != code else None))
            out.append(_row(code, "kommune", period, breakdown, _sum(parts.numerator), flag))
        grp = grp.assign(fylke=grp.targets.map(lambda ts: {ctx.kommune_fylke.get(t) for t in ts}))
        for fylke in fylker:
            inside = grp[grp.fylke.map(lambda fs: fs == {fylke})]
            across = grp.fylke.map(lambda fs: fylke in fs and len(fs) > 1).any()
            value = None if across or inside.empty else _sum(inside.numerator)
            out.append(_row(fylke, "fylke", period, breakdown, value, "Sum av kommunene i fylket"))
    return pd.DataFrame(out).assign(borders="2024", geo_vintage=2024)


def compute(ctx: Context) -> pd.DataFrame:
    c = counts(ctx)
    published = c.assign(borders="as_published", geo_level="kommune")
    h = _harmonisable(ctx, c)
    out = pd.concat([on_2024_borders(ctx, h), published], ignore_index=True)
    out["value"] = pd.to_numeric(out.numerator, errors="coerce")
    out.loc[out.value.notna(), ["status", "status_nb"]] = None
    return finish(out)
