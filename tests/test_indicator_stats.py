"""Wilson intervals and the benchmark comparison, against values worked out by hand."""
import math

import pandas as pd
import pytest

from indicators.stats import compare_with_benchmark, wilson


def test_wilson_matches_hand_computation():
    # 50 of 100: p=.5, z=1.96 -> centre .5, half = 1.96*sqrt(.0025+.000096)/1.0384 = .0962
    low, high = wilson([50], [100])
    assert low[0] == pytest.approx(40.383, abs=0.01)
    assert high[0] == pytest.approx(59.617, abs=0.01)


def test_wilson_zero_events_has_positive_upper_bound():
    low, high = wilson([0], [10])
    assert low[0] == pytest.approx(0.0, abs=1e-9)
    assert high[0] == pytest.approx(27.75, abs=0.05)


def test_wilson_undefined_without_counts():
    low, high = wilson([float("nan"), 5, 3], [100, 0, 2])
    assert all(math.isnan(x) for x in low)
    assert all(math.isnan(x) for x in high)


def test_comparison_respects_polarity():
    low, high, bench = [12.0, 5.0, 8.0, None], [14.0, 7.0, 11.0, None], [10.0, 10.0, 10.0, 10.0]
    bad = compare_with_benchmark(low, high, bench, "high_bad").tolist()
    good = compare_with_benchmark(low, high, bench, "high_good").tolist()
    assert bad == ["worse", "better", "similar", None]
    assert good == ["better", "worse", "similar", None]
    assert compare_with_benchmark(low, high, bench, "neutral").tolist() == ["higher", "lower", "similar", None]


def test_no_significance_claim_without_benchmark():
    out = compare_with_benchmark(pd.Series([1.0]), pd.Series([2.0]), pd.Series([None]), "high_bad")
    assert out.isna().all()
