"""Map kommune and fylke codes of any division 2008–2023 onto the 2024 units (to sum counts on 2024 borders).

``to_2024(con, codes_with_vintage)`` returns one row per (old_code, vintage, code_2024) with

- ``kind``: ``same`` (code and unit unchanged), ``renumbered`` (one old unit = one 2024 unit, new code),
  ``merged`` (several old units make one 2024 unit: sum them), ``split`` (one old unit lies in several
  2024 units: NEVER harmonise, not comparable);
- ``comparable``: True when summing the old figures onto ``code_2024`` gives the 2024 unit exactly:
  not split, and no *other* old unit that was split also lands in that 2024 unit (e.g. 2019 Ålesund
  merged into 1507 Ålesund, which was split in 2024 into 1508 + 1580; 2016 Tønsberg got part of the
  split Stokke in 2017).

Kommuner follow the change table (``geo_code_changes``, level kommune) year by year, so a code merged in
2020 and renumbered again in 2024 (Viken, Vestfold og Telemark, Troms og Finnmark) chains through.
Fylker are mapped through their kommuner: an old fylke's kommuner are carried to 2024, and the fylke
goes where they go (so old Østfold 01 -> 31 Østfold is a renumbering, while Viken 30 is split).
Boundary adjustments that KLASS does not record as code changes are not seen.
"""
from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Iterable

import pandas as pd

from loaders.klass import forward_map

log = logging.getLogger(__name__)
TARGET = 2024
COLUMNS = ["old_code", "vintage", "code_2024", "kind", "comparable"]


def _pairs(codes_with_vintage) -> list[tuple[str, int]]:
    if isinstance(codes_with_vintage, pd.DataFrame):
        df = codes_with_vintage
        code_col = next(c for c in ("old_code", "code", "geo_code") if c in df.columns)
        vint_col = next(c for c in ("vintage", "geo_vintage") if c in df.columns)
        items = zip(df[code_col], df[vint_col])
    else:
        items = codes_with_vintage
    out = []
    for code, vintage in items:
        if code is None or vintage is None or pd.isna(vintage):
            log.warning("harmonise: %r has no vintage; cannot map", code)
            continue
        out.append((str(code), int(vintage)))
    return list(dict.fromkeys(out))


def _reverse(fwd: dict[str, set[str]]) -> dict[str, list[str]]:
    rev: dict[str, list[str]] = defaultdict(list)
    for c, ts in fwd.items():
        for t in ts:
            rev[t].append(c)
    return rev


def _classify(code: str, fwd: dict[str, set[str]], rev: dict[str, list[str]] | None = None) -> list[tuple[str, str, bool]]:
    targets = fwd[code]
    if len(targets) > 1:
        return [(t, "split", False) for t in sorted(targets)]
    (target,) = targets
    sources = (rev or _reverse(fwd))[target]
    comparable = all(len(fwd[c]) == 1 for c in sources)
    if sources == [code]:
        return [(target, "same" if target == code else "renumbered", comparable)]
    return [(target, "merged", comparable)]


def to_2024(con, codes_with_vintage: Iterable[tuple[str, int]] | pd.DataFrame) -> pd.DataFrame:
    """DataFrame(old_code, vintage, code_2024, kind, comparable). A code that cannot be mapped is logged and
    listed in ``result.attrs["unmapped"]`` as (code, vintage, reason), never dropped in silence. A vintage after
    2024 (e.g. SSB's 2025 figures) maps one-to-one when KLASS records no change to the code since 2024."""
    history = con.execute("SELECT code, level, valid_from, valid_to FROM geo_units_history").df()
    changes = con.execute("""SELECT old_code, new_code, year(changed_on) AS y FROM geo_code_changes
                             WHERE level = 'kommune'""").fetchall()
    if history.empty or not changes:
        raise ValueError("harmonise: geo_units_history / geo_code_changes are empty (load klass/131 first)")
    wanted = _pairs(codes_with_vintage)
    rows, fwd_cache, unmapped = [], {}, []

    def skip(code: str, vintage: int, reason: str) -> None:
        log.warning("harmonise: %s (%s) %s; cannot map", code, vintage, reason)
        unmapped.append((code, vintage, reason))

    def changed_after_target(code: str, vintage: int) -> bool:
        """A change dated after 2024 and up to the vintage that touches this code (kommune, or a kommune of
        this fylke): going back to 2024 borders would need the reverse walk, which is not built."""
        return any(TARGET < int(y) <= vintage and (code in (o, n) or (len(code) == 2 and code in (o[:2], n[:2])))
                   for o, n, y in changes)

    def units(vintage: int, level: str) -> list[str]:
        sel = history[(history.level == level) & (history.valid_from <= vintage) & (history.valid_to >= vintage)]
        return sorted(set(sel.code))

    def kommune_fwd(vintage: int) -> dict[str, set[str]]:
        if ("k", vintage) not in fwd_cache:
            fwd_cache[("k", vintage)] = forward_map(changes, units(vintage, "kommune"), vintage, TARGET)
        return fwd_cache[("k", vintage)]

    def fylke_fwd(vintage: int) -> dict[str, set[str]]:
        if ("f", vintage) not in fwd_cache:
            out = defaultdict(set)
            for kom, targets in kommune_fwd(vintage).items():
                out[kom[:2]] |= {t[:2] for t in targets}
            for f in units(vintage, "fylke"):
                out.setdefault(f, set())
            fwd_cache[("f", vintage)] = dict(out)
        return fwd_cache[("f", vintage)]

    for code, vintage in wanted:
        if code == "0":
            rows.append((code, vintage, "0", "same", True))
            continue
        if vintage < 2008:
            skip(code, vintage, "is before the 2008 division")
            continue
        if vintage > TARGET and changed_after_target(code, vintage):
            skip(code, vintage, f"changed between {TARGET} and {vintage}")
            continue
        fwd = kommune_fwd(vintage) if len(code) == 4 else fylke_fwd(vintage) if len(code) == 2 else None
        if not fwd or code not in fwd or not fwd[code]:
            skip(code, vintage, f"is not a kommune or fylke of the {vintage} division known to KLASS")
            continue
        rev_key = ("rev", len(code), vintage)
        if rev_key not in fwd_cache:
            fwd_cache[rev_key] = _reverse(fwd)
        rows += [(code, vintage, t, kind, comp) for t, kind, comp in _classify(code, fwd, fwd_cache[rev_key])]
    out = pd.DataFrame(rows, columns=COLUMNS)
    out.attrs["unmapped"] = unmapped
    return out
