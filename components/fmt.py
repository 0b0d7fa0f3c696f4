"""Norwegian number and status formatting (decimal comma, space as thousands separator)."""
from __future__ import annotations

import math
from functools import lru_cache

from babel import Locale
from babel.numbers import parse_pattern

# "higher"/"lower" are used for indicators where neither direction is good (e.g. special education).
COMPARISON_NB = {"better": "bedre enn landet", "similar": "som landet", "worse": "dårligere enn landet",
                 "higher": "høyere enn landet", "lower": "lavere enn landet"}
# Okabe-Ito colours (safe for the common colour-vision deficiencies); every colour also has a text label.
COMPARISON_COLOUR = {"better": "#0072B2", "similar": "#8C8C8C", "worse": "#D55E00", "higher": "#CC79A7",
                     "lower": "#009E73", None: "#56B4E9"}
COMPARISON_SHORT = {"better": "bedre", "similar": "som landet", "worse": "dårligere", "higher": "høyere",
                    "lower": "lavere"}
NOT_ASSESSED_NB = "ikke vurdert"
LEVEL_NB = {"land": "Landet", "fylke": "Fylke", "kommune": "Kommune"}


def is_missing(value) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def number(value, decimals: int = 1) -> str:
    """12345.67 -> '12 345,7' (babel's nb_NO uses a no-break space between thousands)."""
    if is_missing(value):
        return ""
    return _formatted(value, int(decimals))


NB = Locale.parse("nb_NO")


@lru_cache(maxsize=8)
def _pattern(decimals: int):
    """Babel's number pattern, parsed once: format_decimal parses locale and pattern on every call, which
    was a third of a 357-kommune map's rendering."""
    return parse_pattern("#,##0" + ("." + "0" * decimals if decimals > 0 else ""))


@lru_cache(maxsize=65536)
def _formatted(value, decimals: int) -> str:
    """The same numbers recur across tables, hovers and bars."""
    return _pattern(decimals).apply(value, NB)


def status_text(status, status_nb) -> str:
    """The words for a missing value: the build's reason, else a generic one. Never '0'."""
    if isinstance(status_nb, str) and status_nb:
        return status_nb
    if status in (":", "*"):
        return "skjermet"
    return "ikke tilgjengelig"


def value_text(value, decimals: int, unit_short: str = "", status=None, status_nb=None) -> str:
    if is_missing(value):
        return status_text(status, status_nb)
    text = number(value, decimals)
    if unit_short == "%":
        return f"{text} %"
    return f"{text} {unit_short}".strip()


def comparison_text(comparison) -> str:
    return COMPARISON_NB.get(comparison, NOT_ASSESSED_NB) if isinstance(comparison, str) else NOT_ASSESSED_NB


def comparison_colour(comparison) -> str:
    return COMPARISON_COLOUR.get(comparison if isinstance(comparison, str) else None, COMPARISON_COLOUR[None])


def clean(value):
    """NaN/NA -> None so values can go into JSON figures and spreadsheets."""
    try:
        return None if is_missing(value) or value is None or value != value else value
    except TypeError:
        return None


def period_label(period, period_type=None) -> str:
    """How a period is named to users: a cohort's start year as 'startet Vg1 2019', everything else as stored."""
    text = "" if period is None else str(period)
    return f"startet Vg1 {text}" if period_type == "cohort" and text else text
