"""Intervals and benchmark comparisons.

Proportions with known counts get a 95 % Wilson score interval (Wilson 1927; the method Fingertips and
FHI use for shares). A unit is "better"/"worse" than Norway when Norway's value lies outside the unit's
interval, in the direction the indicator's polarity says is good/bad; otherwise "similar". For indicators
with no polarity (neither direction is good) the words are "higher"/"similar"/"lower". Without counts
there is no interval and no significance claim (comparison NULL): the app shows only the difference.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

Z95 = 1.959963984540054


def wilson(numerator, denominator, z: float = Z95, scale: float = 100.0):
    """Vectorised Wilson interval for numerator/denominator, returned on ``scale`` (100 for percent)."""
    k = np.asarray(numerator, dtype="float64")
    n = np.asarray(denominator, dtype="float64")
    with np.errstate(invalid="ignore", divide="ignore"):
        p = k / n
        centre = (p + z * z / (2 * n)) / (1 + z * z / n)
        half = z * np.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
        ok = (n > 0) & (k >= 0) & (k <= n)
        low = np.where(ok, (centre - half) * scale, np.nan)
        high = np.where(ok, (centre + half) * scale, np.nan)
    return low, high


def compare_with_benchmark(ci_low, ci_high, benchmark, polarity: str) -> pd.Series:
    """better / similar / worse (or higher / similar / lower when neutral) per row; NULL when unknown."""
    low = pd.Series(ci_low, dtype="float64")
    high = pd.Series(ci_high, dtype="float64").set_axis(low.index)
    bench = pd.Series(benchmark, dtype="float64").set_axis(low.index)
    out = pd.Series([None] * len(low), index=low.index, dtype="object")
    known = low.notna() & high.notna() & bench.notna()
    words = {"high_bad": ("worse", "better"), "high_good": ("better", "worse"), "neutral": ("higher", "lower")}
    above_word, below_word = words[polarity]
    out[known] = "similar"
    out[known & (low > bench)] = above_word
    out[known & (high < bench)] = below_word
    return out
