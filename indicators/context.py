"""What an indicator module gets to work with: observations, geography, and aggregation done right.

Aggregation rule (the house rule): a fylke or Norway figure is the sum of its kommuner's numerators over
the sum of their denominators — never an average of rates — and only when every part is known. If a
part is suppressed, the aggregate is not computed from the parts; the publisher's own aggregate is used
where it exists (``prefer_published``), otherwise the aggregate stays NULL with a reason.
"""
from __future__ import annotations

import pandas as pd

OUT_COLUMNS = ["geo_code", "geo_level", "period", "breakdown", "value", "numerator", "denominator",
               "status", "status_nb", "borders", "geo_vintage", "flag_nb"]

NOT_SUMMABLE = ":", "Kan ikke summeres: en eller flere kommuner er skjermet"
RENUMBERED = "Samme område, nytt nummer"


def join_flags(*columns: pd.Series) -> pd.Series:
    """Join several optional text flags per row with '; ' (NULL when none)."""
    frame = pd.concat([c.astype("object") for c in columns], axis=1)
    return frame.apply(lambda r: "; ".join(str(x) for x in r if isinstance(x, str) and x) or None, axis=1)


def level_of(code: str) -> str:
    return "land" if code == "0" else ("fylke" if len(code) == 2 else "kommune")


class Context:
    def __init__(self, con):
        self.con = con
        self.units = con.execute("SELECT code, level, name, parent_code FROM geo_units").df()
        self.kommune_fylke = dict(self.units.loc[self.units.level == "kommune", ["code", "parent_code"]]
                                  .itertuples(index=False, name=None))
        self._divisions: dict[tuple[int, int], pd.DataFrame] = {}
        self._status = {(s, sym): text for s, sym, text in
                        con.execute("SELECT source, symbol, meaning_nb FROM status_codes").fetchall()}

    def division_mapping(self, vintage: int, code_length: int) -> pd.DataFrame:
        """to_2024 for every kommune (code_length 4) or fylke (2) of one division, computed once per build."""
        key = (vintage, code_length)
        if key not in self._divisions:
            from .harmonise import to_2024

            level = "kommune" if code_length == 4 else "fylke"
            codes = self.con.execute("""SELECT code FROM geo_units_history WHERE level = ?
                                        AND valid_from <= ? AND valid_to >= ?""", [level, vintage, vintage]).fetchall()
            self._divisions[key] = to_2024(self.con, [(c, vintage) for (c,) in codes])
        return self._divisions[key]

    def obs(self, source: str, table_id: str, measure: str | None = None, **dims: str) -> pd.DataFrame:
        """Observations of one table, optionally one measure, filtered on exact dimension codes."""
        sql = "SELECT * FROM observations WHERE source = ? AND table_id = ?"
        args: list = [source, table_id]
        if measure is not None:
            sql += " AND measure = ?"
            args.append(measure)
        for name, code in dims.items():
            sql += " AND ('|' || dims || '|') LIKE ?"
            args.append(f"%|{name}={code}|%")
        return self.con.execute(sql, args).df()

    def status_text(self, source: str, symbol: str | None) -> str | None:
        if symbol is None or (isinstance(symbol, float) and pd.isna(symbol)):
            return None
        return self._status.get((source, symbol)) or f"Ikke tilgjengelig ({symbol})"

    def sum_kommuner(self, rows: pd.DataFrame, by: list[str], to: str = "fylke",
                     columns: tuple[str, ...] = ("numerator", "denominator")) -> pd.DataFrame:
        """Sum kommune numerators/denominators (2024 codes) to fylke or land, per group in ``by``.

        A group with any NULL part, or missing any of its kommuner, is returned with value NULL and
        status ':' + reason (never summed from the parts that happen to be known)."""
        k = rows[rows.geo_code.str.len() == 4].copy()
        k["target"] = k.geo_code.map(self.kommune_fylke) if to == "fylke" else "0"
        units = self.units[self.units.level == "kommune"]
        expected = (units.parent_code if to == "fylke" else pd.Series("0", index=units.index)).value_counts()
        k["_null"] = k[list(columns)].isna().any(axis=1)
        k["_supp"] = k._null & (k["status"] if "status" in k else pd.Series(None, index=k.index)).isin(
            SUPPRESSED_SYMBOLS)
        g = k.groupby(["target", *by], dropna=False)
        res = g.agg(**{c: (c, "sum") for c in columns}, _null=("_null", "any"), _supp=("_supp", "any"),
                    _n=("geo_code", "nunique")).reset_index()
        incomplete = res._null | (res._n != res.target.map(expected))
        res.loc[incomplete, list(columns)] = None
        reason = res._supp.map({True: NOT_SUMMABLE[1], False: PART_MISSING}).where(incomplete)
        res["status"], res["status_nb"] = reason.map(symbol_for), reason
        res = res.drop(columns=["_null", "_supp", "_n"]).rename(columns={"target": "geo_code"})
        res["geo_level"] = to
        return res


def sum_if_complete(frame: pd.DataFrame, by: list[str],
                    columns: tuple[str, ...] = ("numerator", "denominator")) -> pd.DataFrame:
    """Per group of ``by``: each column's sum, NULL when any row of the group lacks it (never a partial sum).
    Vectorised: the same as ``s.sum(min_count=len(s))`` per group, without a Python call per group."""
    g = frame.groupby(by, as_index=False, dropna=False)
    cols = list(columns)
    sums, known, size = g[cols].sum(), g[cols].count(), g.size()["size"].to_numpy()
    for c in cols:
        sums[c] = sums[c].astype("float64").where(known[c].to_numpy() == size)
    return sums


def share(frame: pd.DataFrame, scale: float = 100.0) -> pd.Series:
    """numerator / denominator × scale, NULL where either is NULL or the denominator is 0."""
    num = pd.to_numeric(frame["numerator"], errors="coerce")
    den = pd.to_numeric(frame["denominator"], errors="coerce")
    return (num / den.where(den > 0)) * scale


def finish(frame: pd.DataFrame, **defaults) -> pd.DataFrame:
    """Fill the standard output columns (defaults for absent ones) and order them."""
    frame = frame.copy()
    for col in OUT_COLUMNS:
        if col not in frame.columns:
            frame[col] = defaults.get(col)
    if "geo_level" in frame and frame["geo_level"].isna().any():
        frame["geo_level"] = frame["geo_level"].fillna(frame["geo_code"].map(level_of))
    frame["breakdown"] = frame["breakdown"].fillna("")
    return frame[OUT_COLUMNS]


def _mapping(ctx: "Context", frame: pd.DataFrame) -> pd.DataFrame:
    """to_2024 for the codes in ``frame`` (looked up in the per-division mapping of every unit)."""
    pairs = frame[["geo_code", "geo_vintage"]].drop_duplicates().astype({"geo_vintage": "int64"})
    units = pairs[pairs.geo_code.str.len().isin([2, 4])]   # one mapping per division *and* level (fylke/kommune)
    parts = [ctx.division_mapping(int(v), int(n))
             for (v, n), _ in units.groupby([units.geo_vintage, units.geo_code.str.len()])]
    full = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=["old_code", "vintage"])
    full = full.rename(columns={"old_code": "geo_code", "vintage": "geo_vintage"})
    extra = pairs[pairs.geo_code == "0"]
    mapped = full.merge(pairs, on=["geo_code", "geo_vintage"])
    if not extra.empty:
        mapped = pd.concat([mapped, extra.assign(code_2024="0", kind="same", comparable=True)], ignore_index=True)
    return mapped


def rates_on_2024_borders(ctx: "Context", frame: pd.DataFrame) -> pd.DataFrame:
    """Rows (with geo_vintage) whose unit is the *same territory* as a 2024 unit, recoded to it.

    For series published only as rates: a rate can be carried over when the old unit is exactly one 2024
    unit (kind same/renumbered and comparable); merged or split units are left to the as-published view.
    """
    if frame.empty:
        return frame.assign(borders="2024")
    m = _mapping(ctx, frame)
    m = m[m.kind.isin(["same", "renumbered"]) & m.comparable]
    f = frame.astype({"geo_vintage": "int64"}).merge(m[["geo_code", "geo_vintage", "code_2024", "kind"]],
                                                     on=["geo_code", "geo_vintage"])
    renumbered = f.kind.map({"renumbered": RENUMBERED})
    f["flag_nb"] = join_flags(f["flag_nb"], renumbered) if "flag_nb" in f else renumbered
    return f.drop(columns=["geo_code", "kind"]).rename(columns={"code_2024": "geo_code"}).assign(
        borders="2024", geo_vintage=2024)


def counts_on_2024_borders(ctx: "Context", frame: pd.DataFrame, by: list[str]) -> pd.DataFrame:
    """Sum numerators and denominators of old units onto 2024 units, per group ``by`` (e.g. period).

    Only where the sum gives the 2024 unit exactly (``comparable``): merged units are summed; a split
    unit is never shared out, and a 2024 unit that received part of a split unit gets no figure. A 2024
    unit with any NULL part (suppressed) gets NULL with the reason, not a partial sum.
    """
    if frame.empty:
        return frame.assign(borders="2024")
    m = _mapping(ctx, frame)
    m = m[m.comparable & m.kind.isin(["same", "renumbered", "merged"])]
    f = frame.astype({"geo_vintage": "int64"}).merge(m[["geo_code", "geo_vintage", "code_2024", "kind"]],
                                                     on=["geo_code", "geo_vintage"])
    f = _mark_missing_parts(ctx, f, by)
    null = f.numerator.isna() | f.denominator.isna()
    status = f["status"] if "status" in f else pd.Series(None, index=f.index)
    f = f.assign(_null=null, _supp=null & status.isin(SUPPRESSED_SYMBOLS), _merged=f.kind == "merged",
                 _renumbered=f.kind == "renumbered")
    out = f.groupby(["code_2024", *by], dropna=False).agg(
        numerator=("numerator", "sum"), denominator=("denominator", "sum"), incomplete=("_null", "any"),
        suppressed=("_supp", "any"), parts=("geo_code", "nunique"), merged=("_merged", "any"),
        renumbered=("_renumbered", "all")).reset_index()
    out = out.rename(columns={"code_2024": "geo_code"})
    incomplete, suppressed = out.pop("incomplete"), out.pop("suppressed")
    out.loc[incomplete, ["numerator", "denominator"]] = None
    reason = suppressed.map({True: NOT_SUMMABLE[1], False: PART_MISSING}).where(incomplete)
    out["status"], out["status_nb"] = reason.map(symbol_for), reason
    out["flag_nb"] = None
    out.loc[out.merged, "flag_nb"] = "Sammenslått kommune: summert fra " + out.loc[out.merged, "parts"].astype(str) + \
        " tidligere kommuner"
    out.loc[~out.merged & out.renumbered, "flag_nb"] = RENUMBERED
    return out.drop(columns=["parts", "merged", "renumbered"]).assign(borders="2024", geo_vintage=2024)


def _mark_missing_parts(ctx: "Context", f: pd.DataFrame, by: list[str]) -> pd.DataFrame:
    """Add NULL rows for old units of the same division that map to a 2024 unit but have no row here,
    so a 2024 unit is never summed from only some of the kommuner it was made of."""
    extra = []
    for vintage, part in f.groupby("geo_vintage"):
        full = ctx.division_mapping(int(vintage), int(part.geo_code.str.len().max()))
        # Per group (e.g. period), the old units expected for each 2024 unit that group actually touches.
        targets = part[[*by, "code_2024"]].drop_duplicates()
        expected = targets.merge(full[["old_code", "code_2024"]], on="code_2024")
        present = part[["geo_code", *by]].rename(columns={"geo_code": "old_code"}).assign(_here=True)
        missing = expected.merge(present, on=["old_code", *by], how="left")
        missing = missing[missing._here.isna()].drop(columns="_here")
        if not missing.empty:
            extra.append(missing.rename(columns={"old_code": "geo_code"}).assign(
                geo_vintage=vintage, kind="merged", numerator=None, denominator=None))
    return pd.concat([f, *extra], ignore_index=True) if extra else f


SUPPRESSED_SYMBOLS = {":", "*"}
MISSING_SYMBOL = ".."
PART_MISSING = "Kan ikke summeres: en eller flere kommuner mangler tall"
SPLIT_ACROSS = "Kan ikke summeres: en delt kommune ligger i flere av dagens fylker"
NOT_MAPPABLE = "Kan ikke summeres: en kommune kan ikke føres over til dagens grenser"


def symbol_for(reason: str | None) -> str | None:
    """The status symbol of an empty sum: ':' (suppressed) only when a part is suppressed, else '..'."""
    if not isinstance(reason, str):
        return None
    return NOT_SUMMABLE[0] if reason == NOT_SUMMABLE[1] else MISSING_SYMBOL


def part_reason(statuses: pd.Series) -> str:
    """The honest reason a sum is missing, from its parts' symbols: suppressed ("skjermet") only when a part
    really is suppressed; otherwise a part has no figure ("mangler tall")."""
    return NOT_SUMMABLE[1] if statuses.isin(SUPPRESSED_SYMBOLS).any() else PART_MISSING


def fylker_by_territory(ctx: "Context", kommuner: pd.DataFrame, by: list[str],
                        columns: tuple[str, ...] = ("numerator", "denominator")) -> pd.DataFrame:
    """The one rule for count-based fylke sums on 2024 borders (docs/DECISIONS.md, «Fylker på dagens grenser»).

    ``kommuner`` are published kommune rows (geo_code, geo_vintage, ``by``, ``columns``, status), each year on
    its own division. A 2024 fylke is the sum of the old kommuner whose whole area lies in it — a kommune split
    later between 2024 kommuner of the same fylke (Ålesund/Haram, Tysfjord, Snillfjord, Stokke) counts in full.
    The fylke gets no figure, with the real reason, when a part is unknown, when a split kommune lies in
    more than one 2024 fylke, or when a part cannot be placed on 2024 borders."""
    cols = list(columns)
    f = kommuner.astype({"geo_vintage": "int64"})
    m = _mapping(ctx, f)[["geo_code", "geo_vintage", "code_2024"]]
    m = m.assign(fylke=m.code_2024.map(ctx.kommune_fylke)).drop(columns="code_2024").drop_duplicates()
    spans = m.groupby(["geo_code", "geo_vintage"]).fylke.transform("nunique") > 1
    f = f.merge(m, on=["geo_code", "geo_vintage"], how="left")
    f["_across"] = f.set_index(["geo_code", "geo_vintage"]).index.isin(
        m[spans].set_index(["geo_code", "geo_vintage"]).index)
    f["_unmapped"] = f.fylke.isna()
    f["_null"] = f[cols].isna().any(axis=1)
    status = f.get("status", pd.Series(None, index=f.index))
    f["_suppressed"] = f._null & status.isin(SUPPRESSED_SYMBOLS)
    # A part that cannot be placed, or a missing kommune of a division, spoils every fylke of that group.
    group_bad = f.groupby(by)._unmapped.transform("any")
    expected = _expected_parts(ctx, f, m)
    g = f[f.fylke.notna()].groupby([*by, "fylke"], dropna=False)
    res = g.agg(**{c: (c, "sum") for c in cols}, _null=("_null", "any"), _suppressed=("_suppressed", "any"),
                _across=("_across", "any"), _n=("geo_code", "nunique"), geo_vintage=("geo_vintage", "max"),
                ).reset_index()
    bad = f[group_bad][by].drop_duplicates().assign(_unmapped=True)
    res = res.merge(bad, on=by, how="left")
    res["_unmapped"] = res._unmapped.fillna(False).astype(bool)
    res = res.merge(expected, on=["fylke", "geo_vintage"], how="left")
    res["_incomplete"] = res._n < res._expected.fillna(0)
    reason = pd.Series(None, index=res.index, dtype="object")
    reason[res._incomplete | (res._null & ~res._suppressed)] = PART_MISSING
    reason[res._null & res._suppressed] = NOT_SUMMABLE[1]
    reason[res._unmapped] = NOT_MAPPABLE
    reason[res._across] = SPLIT_ACROSS
    res.loc[reason.notna(), cols] = None
    res["status"], res["status_nb"] = reason.map(symbol_for), reason
    res = res.drop(columns=["_null", "_suppressed", "_across", "_n", "_unmapped", "_expected", "_incomplete",
                            "geo_vintage"])
    return res.rename(columns={"fylke": "geo_code"}).assign(
        geo_level="fylke", borders="2024", geo_vintage=2024, flag_nb="Sum av kommunene i fylket")


def _expected_parts(ctx: "Context", f: pd.DataFrame, m: pd.DataFrame) -> pd.DataFrame:
    """How many old kommuner of each division lie (wholly) in each 2024 fylke, to catch absent rows."""
    out = []
    for vintage in sorted(set(f.geo_vintage)):
        full = ctx.division_mapping(int(vintage), 4)
        full = full.assign(fylke=full.code_2024.map(ctx.kommune_fylke))
        n = full.groupby("old_code").fylke.nunique()
        whole = full[full.old_code.isin(n[n == 1].index)].drop_duplicates("old_code")
        out.append(whole.groupby("fylke").old_code.nunique().rename("_expected").reset_index()
                   .assign(geo_vintage=int(vintage)))
    return pd.concat(out, ignore_index=True) if out else pd.DataFrame(columns=["fylke", "_expected", "geo_vintage"])
