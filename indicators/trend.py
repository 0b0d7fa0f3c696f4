"""Recent trend per unit (Fingertips' «recent trend») and the change since the previous period.

Trend: the chi-square test for linear trend in proportions (Cochran–Armitage) on the counts of the latest
five periods, scores 1..5, one degree of freedom, significant at Fingertips' 99.8 % level (chi2 >= 9.5495). Change: the two-proportion z-test of the
latest period against the one before. Both only where counts exist, the periods do not overlap (three-year
rolling periods share two years) and the unit's borders did not change in between; otherwise the row says
why in words. Changes are tested across all units of one indicator and level at once, so the p-values are
adjusted with Benjamini–Hochberg (false discovery rate 5 %). Methods and thresholds: docs/DECISIONS.md.
"""
from __future__ import annotations

import math

import pandas as pd

WINDOW = 5
ALPHA = 0.05  # false discovery rate for the change since the previous period
# Fingertips' recent-trend markers call a trend significant when chi2 (1 df) exceeds the 99.8 % point, 9.5495
# (ChiSquareConfidence in the FingertipsNext trend calculator, the legacy Fingertips TrendMarkerCalculator ported).
TREND_CHI2_CRITICAL = 9.54953570608324
LEVELS = ("fylke", "kommune")

VERDICT_NB = {"improving": "Bedring", "worsening": "Forverring", "increasing": "Økende",
              "decreasing": "Synkende", "no_change": "Ingen signifikant endring", None: "Ingen vurdering"}

REASON_OVERLAP = "overlappende treårsperioder (to av tre år er felles), så tallene er ikke uavhengige"
REASON_NO_COUNTS = "ingen tellere (antall og nevner), så endringen kan ikke testes"
REASON_FEW = "færre enn fem perioder med tall"
REASON_GAP = "mangler antall for minst én av de fem siste periodene"
REASON_BREAK = "brudd i tidsserien i perioden"


def normal_two_sided_p(z: float) -> float:
    """P(|Z| >= |z|) for a standard normal Z, exactly via erfc (no table, no scipy)."""
    return math.erfc(abs(z) / math.sqrt(2.0))


def chi2_1df_p(chi2: float) -> float:
    """Upper tail of chi-square with one degree of freedom: chi2 = z², so P = erfc(sqrt(chi2 / 2))."""
    return math.erfc(math.sqrt(max(chi2, 0.0) / 2.0))


def trend_test(k, n) -> tuple[float, float, int]:
    """Cochran–Armitage test for linear trend of k_i / n_i over scores 1..len(k).

    T = Σ t_i k_i − p̄ Σ t_i n_i,  Var T = p̄ (1 − p̄) (Σ n_i t_i² − (Σ n_i t_i)² / N),  χ² = T² / Var T.
    Returns (chi2, p, sign of T); p = 1 and sign 0 when the variance is zero (all or none are cases)."""
    t = range(1, len(k) + 1)
    big_n, big_k = float(sum(n)), float(sum(k))
    p_bar = big_k / big_n
    stat = sum(ti * ki for ti, ki in zip(t, k)) - p_bar * sum(ti * ni for ti, ni in zip(t, n))
    s1 = sum(ti * ni for ti, ni in zip(t, n))
    s2 = sum(ti * ti * ni for ti, ni in zip(t, n))
    var = p_bar * (1 - p_bar) * (s2 - s1 * s1 / big_n)
    if var <= 0:
        return 0.0, 1.0, 0
    chi2 = stat * stat / var
    return chi2, chi2_1df_p(chi2), (stat > 0) - (stat < 0)


def two_proportion_test(k1, n1, k2, n2) -> tuple[float, float]:
    """Pooled two-proportion z-test of k2/n2 against k1/n1; returns (z, two-sided p)."""
    pooled = (k1 + k2) / (n1 + n2)
    se = math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2))
    if se == 0:
        return 0.0, 1.0
    z = (k2 / n2 - k1 / n1) / se
    return z, normal_two_sided_p(z)


def benjamini_hochberg(p_values) -> list[float]:
    """BH-adjusted p-values (q): q_(i) = min over j >= i of p_(j) · m / j, capped at 1, in input order."""
    p = list(p_values)
    m = len(p)
    order = sorted(range(m), key=lambda i: p[i])
    q = [1.0] * m
    running = 1.0
    for rank in range(m, 0, -1):
        i = order[rank - 1]
        running = min(running, p[i] * m / rank)
        q[i] = running
    return q


def direction_word(sign: int, polarity: str) -> str | None:
    if sign == 0:
        return None
    up = sign > 0
    if polarity == "neutral":
        return "increasing" if up else "decreasing"
    return "worsening" if up == (polarity == "high_bad") else "improving"


def _year(period: str) -> int | None:
    head = str(period)[:4]
    return int(head) if head.isdigit() else None


def border_changes(con) -> dict[str, list[tuple[int, str]]]:
    """Per code today: (year, kind) of merges and splits that changed its area (renumbering and renaming do not)."""
    rows = con.execute("SELECT new_code, old_code, year(changed_on), kind FROM geo_code_changes "
                       "WHERE kind IN ('merge', 'split') AND old_code <> new_code").fetchall()
    out: dict[str, list[tuple[int, str]]] = {}
    for new, old, year, kind in rows:
        out.setdefault(new, []).append((year, kind))
        out.setdefault(old, []).append((year, kind))  # a split's old code keeps existing with a smaller area
    return out


def border_reason(changes: list[tuple[int, str]], first: str, last: str) -> str | None:
    """Words for a merge or split that took effect after the first and by the last period of a window."""
    lo, hi = _year(first), _year(last)
    if lo is None or hi is None:
        return None
    inside = sorted({(y, kind) for y, kind in changes if lo < y <= hi})
    if not inside:
        return None
    words = {"merge": "sammenslåing", "split": "deling"}
    return "grensene endret seg i perioden (" + ", ".join(f"{words[k]} {y}" for y, k in inside) + ")"


def _frame(con) -> pd.DataFrame:
    return con.execute("""
        SELECT v.indicator_id, v.geo_code, v.geo_level, v.breakdown, v.period, v.value, v.numerator,
               v.denominator, v.flag_nb, i.polarity, i.period_type, i.unit
        FROM indicator_values v JOIN indicators i USING (indicator_id)
        WHERE v.borders = '2024' AND v.geo_level IN ('fylke', 'kommune')""").df()


def _has_counts(rows: pd.DataFrame) -> bool:
    return bool(rows["numerator"].notna().all() and rows["denominator"].notna().all()
                and (rows["denominator"] > 0).all())


def compute_trends(con, frame: pd.DataFrame | None = None) -> pd.DataFrame:
    """One row per indicator, level, unit and breakdown: the verdict over the latest five periods, or why none."""
    frame = (_frame(con) if frame is None else frame).copy()
    borders, out = border_changes(con), []
    series = ["indicator_id", "geo_level", "breakdown"]
    windows = {key: sorted(g.unique()) for key, g in frame.groupby(series, sort=True)["period"]}
    frame["_last5"] = [p in windows[k][-WINDOW:] for k, p in
                       zip(zip(frame.indicator_id, frame.geo_level, frame.breakdown), frame.period)]
    any_counts = frame.groupby(series)["numerator"].apply(lambda s: s.notna().any()).to_dict()
    frame = frame[frame["_last5"]].sort_values([*series, "geo_code", "period"])
    frame["_break"] = frame["flag_nb"].fillna("").str.contains("Brudd i tidsserien")
    grouped = frame.groupby([*series, "geo_code"], sort=True).agg(
        n_periods=("period", "size"), k=("numerator", list), n=("denominator", list), brk=("_break", "any"),
        polarity=("polarity", "first"), period_type=("period_type", "first"), unit=("unit", "first"))
    for (ind, level, breakdown, code), g in zip(grouped.index, grouped.itertuples(index=False)):
        periods = windows[(ind, level, breakdown)]
        first, last = periods[-WINDOW:][0], periods[-1]
        rec = {"indicator_id": ind, "geo_code": code, "geo_level": level, "breakdown": breakdown,
               "first_period": first, "last_period": last, "n_periods": g.n_periods, "chi2": None,
               "p_value": None, "direction": None, "verdict": None, "reason_nb": None}
        counted = all(pd.notna(x) for x in g.k) and all(pd.notna(x) and x > 0 for x in g.n)
        if g.period_type == "3year":
            reason = REASON_OVERLAP
        elif g.unit == "personer" or not any_counts[(ind, level, breakdown)]:
            reason = REASON_NO_COUNTS
        elif len(periods) < WINDOW:
            reason = REASON_FEW
        else:  # a border change explains a gap better than the gap itself
            reason = border_reason(borders.get(code, []), first, last)
            if reason is None and (g.n_periods < WINDOW or not counted):
                reason = REASON_GAP
            elif reason is None and g.brk:
                reason = REASON_BREAK
        if reason is None:
            chi2, p, sign = trend_test(g.k, g.n)
            rec.update(chi2=chi2, p_value=p, direction={1: "up", -1: "down", 0: None}[sign])
            rec["verdict"] = direction_word(sign, g.polarity) if chi2 >= TREND_CHI2_CRITICAL else "no_change"
        else:
            rec["reason_nb"] = reason
        rec["verdict_nb"] = VERDICT_NB[rec["verdict"]]
        out.append(rec)
    return pd.DataFrame(out, columns=TREND_COLUMNS)


TREND_COLUMNS = ["indicator_id", "geo_code", "geo_level", "breakdown", "first_period", "last_period", "n_periods",
                 "chi2", "p_value", "direction", "verdict", "reason_nb", "verdict_nb"]
CHANGE_COLUMNS = ["indicator_id", "geo_code", "geo_level", "breakdown", "previous_period", "latest_period",
                  "previous_value", "latest_value", "change", "z", "p_value", "q_value", "significant", "verdict",
                  "reason_nb"]


def compute_changes(con, frame: pd.DataFrame | None = None) -> pd.DataFrame:
    """Latest period against the one before, per unit; BH across the tested units of each indicator and level."""
    frame = _frame(con) if frame is None else frame
    borders, out = border_changes(con), []
    frame = frame[frame["breakdown"] == ""]
    for (ind, level), group in frame.groupby(["indicator_id", "geo_level"], sort=True):
        periods = sorted(group["period"].unique())
        if len(periods) < 2:
            continue
        prev_p, last_p = periods[-2], periods[-1]
        meta = group.iloc[0]
        group = group[group["period"].isin((prev_p, last_p))]
        rows_out = []
        wide = group.pivot_table(index="geo_code", columns="period", values=["value", "numerator", "denominator"],
                                 aggfunc="first", dropna=False)
        for code in wide.index:
            a = {c: wide.at[code, (c, prev_p)] if (c, prev_p) in wide.columns else None
                 for c in ("value", "numerator", "denominator")}
            b = {c: wide.at[code, (c, last_p)] if (c, last_p) in wide.columns else None
                 for c in ("value", "numerator", "denominator")}
            if pd.isna(a["value"]) or pd.isna(b["value"]):
                continue
            rec = {"indicator_id": ind, "geo_code": code, "geo_level": level, "breakdown": "",
                   "previous_period": prev_p, "latest_period": last_p, "previous_value": float(a["value"]),
                   "latest_value": float(b["value"]), "change": float(b["value"]) - float(a["value"]), "z": None,
                   "p_value": None, "q_value": None, "significant": False, "verdict": None, "reason_nb": None}
            counted = all(pd.notna(x) and x > 0 for x in (a["denominator"], b["denominator"])) and \
                pd.notna(a["numerator"]) and pd.notna(b["numerator"])
            if meta.period_type == "3year":
                rec["reason_nb"] = REASON_OVERLAP
            elif meta.unit == "personer" or not counted:
                rec["reason_nb"] = REASON_NO_COUNTS
            else:
                rec["reason_nb"] = border_reason(borders.get(code, []), prev_p, last_p)
            if rec["reason_nb"] is None:
                rec["z"], rec["p_value"] = two_proportion_test(a["numerator"], a["denominator"],
                                                               b["numerator"], b["denominator"])
            rows_out.append((rec, meta.polarity))
        tested = [r for r, _ in rows_out if r["p_value"] is not None]
        for rec, q in zip(tested, benjamini_hochberg([r["p_value"] for r in tested])):
            rec["q_value"] = q
            rec["significant"] = q < ALPHA
        for rec, polarity in rows_out:
            if rec["significant"]:
                rec["verdict"] = direction_word(1 if rec["change"] > 0 else -1, polarity)
            out.append(rec)
    return pd.DataFrame(out, columns=CHANGE_COLUMNS)


def store_trends(con) -> tuple[int, int]:
    """Replace `indicator_trends` and `indicator_changes` (called by the indicator build after the values)."""
    from .schema import SCHEMA

    con.execute(SCHEMA)
    frame = _frame(con)
    trends, changes = compute_trends(con, frame), compute_changes(con, frame)  # noqa: F841 (read by DuckDB below)
    con.execute("DELETE FROM indicator_trends")
    con.execute("DELETE FROM indicator_changes")
    if len(trends):
        con.execute("INSERT INTO indicator_trends BY NAME SELECT * FROM trends")
    if len(changes):
        con.execute("INSERT INTO indicator_changes BY NAME SELECT * FROM changes")
    return len(trends), len(changes)
