"""One place that says what a publisher's region code is, so no loader aborts on a code it did not expect.

SSB's Region dimension under ``*`` lists more than the division's units: the national total in several
spellings (``0``, ``00``, ``0000``; ``01-99`` in 14882), Svalbard (``21``, ``2100``-``2131``), Jan Mayen and the
continental shelf (``22``, ``23``, ``2211``, ``2311``, ``21-22``), abroad (``25`` in 14882, the code of
«Utlandet»), «uoppgitt» (``99``, ``9999``, ``Rest``) and aggregates of its own (``EAK``, ``3-9`` and the like).
Only the land, fylker, kommuner and bydeler are loaded; every other kind is counted as skipped, never an error.
Evidence for 14882's codes: drwegie/norgrade ``data/ssb/14882.json`` (``01-99`` Total, ``21`` Svalbard,
``25`` Abroad), kept in ../shared/data/verbatim/ssb/drwegie_14882_dimensions-extract.json.
"""
from __future__ import annotations

import re

LOADED_KINDS = ("land", "fylke", "kommune", "bydel")
LAND_CODES = {"0", "00", "0000", "01-99", "I"}
SVALBARD = {"21", "2100", "2111", "2121", "2131"}
OTHER_TERRITORY = {"22", "23", "21-22", "2211", "2311"}      # Jan Mayen, continental shelf
ABROAD = {"25", "2500", "9900"}
UNSTATED = {"99", "9999", "Rest"}


def classify(raw: str) -> tuple[str, str | None]:
    """(kind, code): kind is one of land, fylke, kommune, bydel (code = '0' / 2 / 4 / 6 digits) or
    svalbard, territory, abroad, unstated, aggregate (code None). SSB's ``K-``/``F-`` prefixes are dropped."""
    code = str(raw).strip()
    code = code[2:] if code[:2] in ("K-", "F-") else code
    if code in LAND_CODES:
        return "land", "0"
    if code in SVALBARD:
        return "svalbard", None
    if code in OTHER_TERRITORY or (len(code) == 4 and code[:2] in ("22", "23")):
        return "territory", None
    if code in ABROAD:
        return "abroad", None
    if code in UNSTATED:
        return "unstated", None
    if len(code) == 4 and code[:2] == "21":
        return "svalbard", None
    if re.fullmatch(r"\d{1,2}", code):
        return "fylke", code.zfill(2)
    if re.fullmatch(r"\d{3,4}", code):
        return "kommune", code.zfill(4)
    if re.fullmatch(r"\d{6}", code):
        return "bydel", code
    return "aggregate", None


def count_skipped(raws, keep_kinds) -> dict[str, int]:
    """How many distinct codes of each kind were left out (for the refresh report)."""
    out: dict[str, int] = {}
    for raw in raws:
        kind, _ = classify(raw)
        if kind not in keep_kinds:
            out[kind] = out.get(kind, 0) + 1
    return out
