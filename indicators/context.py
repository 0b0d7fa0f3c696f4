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
        self._status = {(s, sym): text for s, sym, text in
                        con.execute("SELECT source, symbol, meaning_nb FROM status_codes").fetchall()}

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
        k = rows[rows.geo_code.map(level_of) == "kommune"].copy()
        k["target"] = k.geo_code.map(self.kommune_fylke) if to == "fylke" else "0"
        expected = (self.units[self.units.level == "kommune"].assign(
            target=lambda u: u.parent_code if to == "fylke" else "0").groupby("target").size())
        out = []
        for keys, grp in k.groupby(["target", *by], dropna=False, sort=True):
            keys = keys if isinstance(keys, tuple) else (keys,)
            target = keys[0]
            complete = all(grp[c].notna().all() for c in columns) \
                and grp.geo_code.nunique() == expected.get(target, -1)
            row = dict(zip(["geo_code", *by], keys))
            if complete:
                row.update({c: grp[c].sum() for c in columns}, status=None, status_nb=None)
            else:
                row.update({c: None for c in columns}, status=NOT_SUMMABLE[0], status_nb=NOT_SUMMABLE[1])
            out.append(row)
        res = pd.DataFrame(out)
        if res.empty:
            return res
        res["geo_level"] = to
        return res


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
    from .harmonise import to_2024

    pairs = frame[["geo_code", "geo_vintage"]].drop_duplicates()
    return to_2024(ctx.con, pairs).rename(columns={"old_code": "geo_code", "vintage": "geo_vintage"})


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
    groups = f.groupby(["code_2024", *by], dropna=False)
    out = groups.agg(numerator=("numerator", lambda s: s.sum(min_count=len(s)) if s.notna().all() else None),
                     denominator=("denominator", lambda s: s.sum(min_count=len(s)) if s.notna().all() else None),
                     parts=("geo_code", "nunique"), merged=("kind", lambda k: (k == "merged").any()),
                     renumbered=("kind", lambda k: (k == "renumbered").all())).reset_index()
    out = out.rename(columns={"code_2024": "geo_code"})
    incomplete = out.numerator.isna() | out.denominator.isna()
    out["status"] = incomplete.map({True: NOT_SUMMABLE[0], False: None})
    out["status_nb"] = incomplete.map({True: NOT_SUMMABLE[1], False: None})
    out["flag_nb"] = None
    out.loc[out.merged, "flag_nb"] = "Sammenslått kommune: summert fra " + out.loc[out.merged, "parts"].astype(str) + \
        " tidligere kommuner"
    out.loc[~out.merged & out.renumbered, "flag_nb"] = RENUMBERED
    return out.drop(columns=["parts", "merged", "renumbered"]).assign(borders="2024", geo_vintage=2024)


def _mark_missing_parts(ctx: "Context", f: pd.DataFrame, by: list[str]) -> pd.DataFrame:
    """Add NULL rows for old units of the same division that map to a 2024 unit but have no row here,
    so a 2024 unit is never summed from only some of the kommuner it was made of."""
    from .harmonise import to_2024

    history = ctx.con.execute("SELECT code, level, valid_from, valid_to FROM geo_units_history").df()
    extra = []
    for vintage, part in f.groupby("geo_vintage"):
        level = "kommune" if part.geo_code.str.len().max() == 4 else "fylke"
        units = history[(history.level == level) & (history.valid_from <= vintage) & (history.valid_to >= vintage)]
        full = to_2024(ctx.con, [(c, int(vintage)) for c in units.code])
        full = full[full.code_2024.isin(part.code_2024)]
        for keys, grp in part.groupby(by, dropna=False):
            keys = keys if isinstance(keys, tuple) else (keys,)
            missing = full[~full.old_code.isin(grp.geo_code)]
            for old, target in zip(missing.old_code, missing.code_2024):
                extra.append({"geo_code": old, "geo_vintage": vintage, "code_2024": target, "kind": "merged",
                              "numerator": None, "denominator": None, **dict(zip(by, keys))})
    return pd.concat([f, pd.DataFrame(extra)], ignore_index=True) if extra else f
