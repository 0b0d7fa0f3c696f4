"""Income indicators (KS Vedlegg 7): children in persistent low income (FHI 403 + the V&T 2020 workbook + SSB),
low income by age (SSB 12944), children in annual low income (SSB 08764), persistent low income 25+ by
immigrant category (FHI 583). Values hand-checked against the files in ../shared/data."""
import math

import pytest


def one(con, indicator, geo, period, breakdown="", borders="2024"):
    rows = con.execute("""SELECT value, numerator, denominator, ci_low, status, status_nb, geo_vintage, flag_nb
                          FROM indicator_values WHERE indicator_id = ? AND geo_code = ? AND period = ?
                          AND breakdown = ? AND borders = ?""", [indicator, geo, period, breakdown, borders]).fetchall()
    assert len(rows) == 1, (indicator, geo, period, breakdown, borders, rows)
    return dict(zip(["value", "numerator", "denominator", "ci_low", "status", "status_nb", "geo_vintage", "flag_nb"],
                    rows[0]))


# --- barn_vedvarende_lavinntekt -----------------------------------------------------------------------------

@pytest.mark.parametrize("geo, value", [("0", 10), ("40", 12), ("4003", 14), ("4001", 12), ("4028", 6)])
def test_children_persistent_low_income_fhi_2021_2023(db_con, geo, value):
    # evensrii_vedvarende_lavinntekt_0-17.csv: Hele landet 10, Telemark 12, Skien 14, Porsgrunn 12, Kviteseid 6
    row = one(db_con, "barn_vedvarende_lavinntekt", geo, "2021-2023")
    assert row["value"] == value and row["ci_low"] is None and row["geo_vintage"] == 2024


def test_children_vt2020_kommuner_carried_to_2024_and_kept_as_published(db_con):
    # evensrii_Lavinntekt.xlsx: Skien (3807, 2020 division) 2018-2020 = 15.6; Tønsberg (3803) 2013-2015 = 9
    today = one(db_con, "barn_vedvarende_lavinntekt", "4003", "2018-2020")
    assert today["value"] == pytest.approx(15.6) and today["flag_nb"] == "Samme område, nytt nummer"
    published = one(db_con, "barn_vedvarende_lavinntekt", "3807", "2018-2020", borders="as_published")
    assert published["value"] == pytest.approx(15.6) and published["geo_vintage"] == 2020
    # Tønsberg 3803 -> 3905 (Vestfold side of the split fylke); Hjartdal 3819 -> 4024, 2018-2020 = 19.4
    assert one(db_con, "barn_vedvarende_lavinntekt", "3905", "2013-2015")["value"] == 9
    assert one(db_con, "barn_vedvarende_lavinntekt", "3803", "2013-2015", borders="as_published")["value"] == 9
    assert one(db_con, "barn_vedvarende_lavinntekt", "4024", "2018-2020")["value"] == pytest.approx(19.4)


def test_children_split_fylke_38_only_as_published(db_con):
    # Vestfold og Telemark 10.5 (2013-2015) … 12.5 (2018-2020); split in 2024, so never on 2024 borders
    assert one(db_con, "barn_vedvarende_lavinntekt", "38", "2013-2015", borders="as_published")["value"] == 10.5
    assert one(db_con, "barn_vedvarende_lavinntekt", "38", "2018-2020", borders="as_published")["value"] == 12.5
    n = db_con.execute("""SELECT count(*) FROM indicator_values WHERE indicator_id = 'barn_vedvarende_lavinntekt'
                          AND borders = '2024' AND geo_code IN ('38', '39') """).fetchone()[0]
    assert n == 0
    n = db_con.execute("""SELECT count(*) FROM indicator_values WHERE indicator_id = 'barn_vedvarende_lavinntekt'
                          AND borders = '2024' AND geo_code = '40' AND period < '2021'""").fetchone()[0]
    assert n == 0


def test_children_norway_from_ssb_with_count_but_no_denominator(db_con):
    # ssb_96632-96634: Under 18 år 2009-2011 7,6 % / 73 900; 2004-2006 7,0 % / 67 300
    row = one(db_con, "barn_vedvarende_lavinntekt", "0", "2009-2011")
    assert row["value"] == pytest.approx(7.6) and row["numerator"] == 73900
    assert row["denominator"] is None and row["ci_low"] is None
    assert one(db_con, "barn_vedvarende_lavinntekt", "0", "2004-2006")["numerator"] == 67300
    periods = [p for (p,) in db_con.execute("""SELECT period FROM indicator_values WHERE geo_code = '0'
               AND indicator_id = 'barn_vedvarende_lavinntekt' ORDER BY period""").fetchall()]
    assert len(periods) == len(set(periods)) == 7


# --- lavinntekt_alder -----------------------------------------------------------------------------------------

@pytest.mark.parametrize("breakdown, period, value, count", [
    ("", "2009-2011", 7.7, 351000), ("alder=0-17", "2009-2011", 7.6, 73900),
    ("alder=18-34", "2004-2006", 9.6, 81800), ("alder=35-49", "2007-2009", 5.9, 60800),
    ("alder=50-66", "2006-2008", 4.8, 47000), ("alder=67+", "2004-2006", 16.9, 95700)])
def test_low_income_by_age(db_con, breakdown, period, value, count):
    row = one(db_con, "lavinntekt_alder", "0", period, breakdown)
    assert row["value"] == pytest.approx(value) and row["numerator"] == count and row["ci_low"] is None
    assert "avrundet" in row["flag_nb"]


def test_low_income_by_age_has_every_group_and_period(db_con):
    n = db_con.execute("""SELECT count(DISTINCT breakdown), count(DISTINCT period), count(*),
                          count(DISTINCT geo_code) FROM indicator_values
                          WHERE indicator_id = 'lavinntekt_alder'""").fetchone()
    assert n == (6, 6, 36, 1)


# --- barn_lavinntekt_aarlig -----------------------------------------------------------------------------------

def test_children_annual_low_income(db_con):
    # kommuneprofilen: Landet 2005 1 083 443 children, EU50 4,1, EU60 8,4; 2014 EU60 11,5, EU50 6,0
    row = one(db_con, "barn_lavinntekt_aarlig", "0", "2005")
    assert row["value"] == pytest.approx(8.4) and row["denominator"] == 1083443 and row["numerator"] is None
    assert one(db_con, "barn_lavinntekt_aarlig", "0", "2005", "grense=eu50")["value"] == pytest.approx(4.1)
    assert one(db_con, "barn_lavinntekt_aarlig", "0", "2014")["value"] == pytest.approx(11.5)
    assert one(db_con, "barn_lavinntekt_aarlig", "0", "2014", "grense=eu50")["value"] == pytest.approx(6.0)
    n = db_con.execute("""SELECT count(*), count(ci_low) FROM indicator_values
                          WHERE indicator_id = 'barn_lavinntekt_aarlig'""").fetchone()
    assert n == (20, 0)


# --- vedvarende_lavinntekt_innvandrere ------------------------------------------------------------------------

@pytest.mark.parametrize("geo, immigrants, rest", [
    ("0", 20.2915559571029, 6.13595399647258), ("40", 26.4671252401314, 7.37580513807655),
    ("4003", 27.3787313432836, 7.39494269601601), ("4001", 24.4356659142212, 6.9329782512206)])
def test_persistent_low_income_immigrants(db_con, geo, immigrants, rest):
    # evensrii_andel_innvandrere_i_lavinntekt_fhi.csv, 2021-2023, 25 år +
    assert one(db_con, "vedvarende_lavinntekt_innvandrere", geo, "2021-2023")["value"] == pytest.approx(immigrants)
    assert one(db_con, "vedvarende_lavinntekt_innvandrere", geo, "2021-2023",
               "gruppe=ovrig_befolkning")["value"] == pytest.approx(rest)


def test_persistent_low_income_suppressed_stays_null(db_con):
    # Midt-Telemark 2021-2023, Øvrig befolkning: ":" in the file
    row = one(db_con, "vedvarende_lavinntekt_innvandrere", "4020", "2021-2023", "gruppe=ovrig_befolkning")
    assert row["value"] is None and row["status"] == ":" and row["status_nb"].startswith("Skjermet")
    assert one(db_con, "vedvarende_lavinntekt_innvandrere", "0", "2004-2006")["value"] == \
        pytest.approx(21.3217349172738)


def test_income_indicators_claim_no_interval(db_con):
    n = db_con.execute("""SELECT count(ci_low) + count(comparison) FROM indicator_values WHERE indicator_id IN
                          ('barn_vedvarende_lavinntekt', 'lavinntekt_alder', 'barn_lavinntekt_aarlig',
                           'vedvarende_lavinntekt_innvandrere')""").fetchone()[0]
    assert n == 0
    assert not math.isnan(one(db_con, "barn_vedvarende_lavinntekt", "4003", "2013-2015")["value"])
