"""Trend verdicts and latest-vs-previous changes on the offline snapshot, checked by hand."""
from __future__ import annotations

import math

import pytest

from indicators import trend


def _five(con, code):
    return con.execute("""SELECT period, numerator, denominator FROM indicator_values
        WHERE indicator_id = 'neet_15_29' AND geo_code = ? AND breakdown = '' AND borders = '2024'
        ORDER BY period DESC LIMIT 5""", [code]).fetchall()[::-1]


def _stored(con, code, level="kommune"):
    return con.execute("""SELECT first_period, last_period, chi2, p_value, verdict, verdict_nb, reason_nb
        FROM indicator_trends WHERE indicator_id = 'neet_15_29' AND geo_code = ? AND geo_level = ?
        AND breakdown = ''""", [code, level]).fetchone()


def test_tynset_neet_rising_but_not_significant_at_fingertips_level(db_con):
    """Tynset (3427), NEET 15–29, 2020–2024 (SSB counts, k of n):
    69/1022, 58/998, 69/1005, 79/1013, 85/1026; scores t = 1..5.
    N = 5064, K = 360, p̄ = 360/5064 = 0.0710900.
    Σ t·k = 69 + 116 + 207 + 316 + 425 = 1133;  Σ t·n = 1022 + 1996 + 3015 + 4052 + 5130 = 15215;
    Σ t²·n = 1022 + 3992 + 9045 + 16208 + 25650 = 55917.
    T = 1133 − 0.0710900 · 15215 = 51.365;  Var = 0.0710900 · 0.9289100 · (55917 − 15215²/5064)
      = 0.0660363 · 10203.30 = 673.76;  χ² = 51.365² / 673.76 = 3.916;  p = erfc(√(3.916/2)) = 0.0478.
    T > 0 (rising), but χ² = 3.916 < 9.5495 (Fingertips' 99.8 % point): «Ingen signifikant endring». A 5 % test
    would have called it a worsening."""
    rows = _five(db_con, "3427")
    assert [r[0] for r in rows] == ["2020", "2021", "2022", "2023", "2024"]
    assert [(r[1], r[2]) for r in rows] == [(69, 1022), (58, 998), (69, 1005), (79, 1013), (85, 1026)]
    chi2, p, sign = trend.trend_test([r[1] for r in rows], [r[2] for r in rows])
    assert chi2 == pytest.approx(3.916, abs=5e-4)
    assert p == pytest.approx(0.0478, abs=5e-5)
    assert sign == 1
    first, last, s_chi2, s_p, verdict, verdict_nb, reason = _stored(db_con, "3427")
    assert (first, last, verdict, verdict_nb, reason) == ("2020", "2024", "no_change", "Ingen signifikant endring",
                                                          None)
    assert s_chi2 == pytest.approx(chi2) and s_p == pytest.approx(p)


def test_hamar_neet_improving_just_past_fingertips_level(db_con):
    """Hamar (3403), NEET 15–29, 2020–2024: 674/5809, 613/5867, 578/5882, 586/5784, 578/5901.
    N = 29243, K = 3029, p̄ = 0.1035803.  Σ t·k = 674 + 1226 + 1734 + 2344 + 2890 = 8868;
    Σ t·n = 5809 + 11734 + 17646 + 23136 + 29505 = 87830;  Σ t²·n = 5809 + 23468 + 52938 + 92544 + 147525 = 322284.
    T = 8868 − 0.1035803 · 87830 = −229.46;  Var = 0.1035803 · 0.8964197 · (322284 − 87830²/29243) = 5430.94;
    χ² = 229.46² / 5430.94 = 9.695 ≥ 9.5495 (p = 0.00185 < 0.002). T < 0 and high is bad: «Bedring»."""
    rows = _five(db_con, "3403")
    assert [(r[1], r[2]) for r in rows] == [(674, 5809), (613, 5867), (578, 5882), (586, 5784), (578, 5901)]
    chi2, p, sign = trend.trend_test([r[1] for r in rows], [r[2] for r in rows])
    assert chi2 == pytest.approx(9.695, abs=5e-4)
    assert sign == -1 and chi2 >= trend.TREND_CHI2_CRITICAL
    assert _stored(db_con, "3403")[4:6] == ("improving", "Bedring")


def test_fingertips_critical_value_is_the_998_point():
    assert trend.chi2_1df_p(trend.TREND_CHI2_CRITICAL) == pytest.approx(0.002, abs=1e-12)


def test_halden_neet_no_significant_change_worked_on_paper(db_con):
    """Halden (3101), NEET 2020–2024: 717/5661, 633/5595, 648/5579, 692/5574, 708/5638.
    N = 28047, K = 3398, p̄ = 0.121154; Σ t·k = 10235; Σ t·n = 84074; Σ t²·n = 308386.
    T = 10235 − 0.121154 · 84074 = 49.12;  Var = 0.121154 · 0.878846 · (308386 − 84074²/28047) = 6001.5;
    χ² = 0.402, p = 0.526: the dip in 2021 and the rise after cancel out — «Ingen signifikant endring»."""
    rows = _five(db_con, "3101")
    assert [(r[1], r[2]) for r in rows] == [(717, 5661), (633, 5595), (648, 5579), (692, 5574), (708, 5638)]
    chi2, p, _ = trend.trend_test([r[1] for r in rows], [r[2] for r in rows])
    assert chi2 == pytest.approx(0.402, abs=5e-4) and p == pytest.approx(0.526, abs=5e-4)
    assert _stored(db_con, "3101")[4:6] == ("no_change", "Ingen signifikant endring")


def test_chi2_tail_is_the_normal_tail_squared():
    assert trend.chi2_1df_p(1.959963984540054 ** 2) == pytest.approx(0.05, abs=1e-12)
    assert trend.normal_two_sided_p(-1.959963984540054) == pytest.approx(0.05, abs=1e-12)
    assert trend.chi2_1df_p(3.841458820694124) == pytest.approx(0.05, abs=1e-12)  # the 5 % table value


def test_two_proportion_tynset_2023_2024_by_hand():
    """79/1013 = 0.077986 → 85/1026 = 0.082846; pooled 164/2039 = 0.080432;
    se = √(0.080432 · 0.919568 · (1/1013 + 1/1026)) = 0.012046; z = 0.004860 / 0.012046 = 0.403, p = 0.687."""
    z, p = trend.two_proportion_test(79, 1013, 85, 1026)
    assert z == pytest.approx(0.403, abs=1e-3) and p == pytest.approx(0.687, abs=1e-3)


def test_polarity_words():
    assert trend.direction_word(1, "high_bad") == "worsening"
    assert trend.direction_word(-1, "high_bad") == "improving"
    assert trend.direction_word(1, "high_good") == "improving"
    assert trend.direction_word(-1, "neutral") == "decreasing"


def test_overlapping_three_year_periods_get_no_verdict(db_con):
    rows = db_con.execute("""SELECT DISTINCT t.verdict, t.p_value, t.reason_nb FROM indicator_trends t
        JOIN indicators i USING (indicator_id) WHERE i.period_type = '3year'""").fetchall()
    assert rows and all(v is None and p is None and r == trend.REASON_OVERLAP for v, p, r in rows)
    changes = db_con.execute("""SELECT count(*), count(c.p_value) FROM indicator_changes c
        JOIN indicators i USING (indicator_id) WHERE i.period_type = '3year'""").fetchone()
    assert changes[0] > 0 and changes[1] == 0


def test_border_change_inside_the_window_gives_no_verdict(db_con):
    """Ålesund (1507) was split into Ålesund (1508) and Haram (1580) on 1 January 2024: inside 2020–2024.
    Akershus (32) was re-formed from Viken in 2024. Stavanger's 2020 merger is at the window's first
    period, so 2020–2024 is on one set of borders and it is tested."""
    for code, level in (("1508", "kommune"), ("1580", "kommune"), ("32", "fylke")):
        assert _stored(db_con, code, level)[6] == "grensene endret seg i perioden (deling 2024)", code
    assert _stored(db_con, "1103")[3] is not None
    changes = trend.border_changes(db_con)
    assert trend.border_reason(changes["1103"], "2016", "2020") == "grensene endret seg i perioden (sammenslåing 2020)"
    assert trend.border_reason(changes["1103"], "2020", "2024") is None


def test_indicators_without_counts_say_so(db_con):
    rows = db_con.execute("""SELECT DISTINCT reason_nb FROM indicator_trends
        WHERE indicator_id IN ('trangboddhet', 'psykiske_plager_ungdom', 'innvandrere')""").fetchall()
    assert rows == [(trend.REASON_NO_COUNTS,)]


def test_benjamini_hochberg_by_hand():
    """p = (0.01, 0.04, 0.03, 0.005), m = 4. Sorted: 0.005·4/1 = 0.02, 0.01·4/2 = 0.02, 0.03·4/3 = 0.04,
    0.04·4/4 = 0.04; running minimum from the top leaves them as they are."""
    assert trend.benjamini_hochberg([0.01, 0.04, 0.03, 0.005]) == pytest.approx([0.02, 0.04, 0.04, 0.02])
    # monotone step-up: a larger p never gets a smaller q
    assert trend.benjamini_hochberg([0.02, 0.021, 0.5]) == pytest.approx([0.0315, 0.0315, 0.5])


def test_false_discovery_control_on_neet_kommuner(db_con):
    """354 kommuner tested 2023 → 2024: 14 have p < 0.05 on their own — about the 18 a 5 % test flags
    by chance among 357 — and none survives the false discovery control."""
    rows = db_con.execute("""SELECT p_value, q_value, significant FROM indicator_changes
        WHERE indicator_id = 'neet_15_29' AND geo_level = 'kommune' AND p_value IS NOT NULL""").fetchall()
    raw = sum(p < 0.05 for p, _, _ in rows)
    assert len(rows) > 300 and raw > 0
    assert not any(s for _, _, s in rows)
    m = len(rows)
    for p, q, s in rows:
        assert q >= p - 1e-15 and q == pytest.approx(min(1.0, min(
            pp * m / sum(1 for x, _, _ in rows if x <= pp) for pp, _, _ in rows if pp >= p)))


def test_fdr_flags_what_it_should_under_a_real_signal():
    """Ten units with p = 1e-6 among 90 nulls spread evenly on (0, 1]: BH keeps the ten and none of the
    nulls, while an unadjusted 5 % test would also flag the four nulls below 0.05."""
    nulls = [(i + 1) / 90 for i in range(90)]
    q = trend.benjamini_hochberg([1e-6] * 10 + nulls)
    assert sum(x < 0.05 for x in q[:10]) == 10 and sum(x < 0.05 for x in q[10:]) == 0
    assert sum(p < 0.05 for p in nulls) == 4
