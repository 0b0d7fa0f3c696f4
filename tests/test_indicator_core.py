"""Hand-checked real values for special education, NEET, dropout, completion and population.

Every expected number below was read from the raw files in ../shared/data (named per test) and
worked out by hand; none is copied from the code's own output."""
import pytest


def one(con, indicator_id, geo, period, borders="2024", breakdown="", vintage=None):
    sql = """SELECT * FROM indicator_values WHERE indicator_id = ? AND geo_code = ? AND period = ?
             AND borders = ? AND breakdown = ?"""
    args = [indicator_id, geo, period, borders, breakdown]
    if vintage is not None:
        sql += " AND geo_vintage = ?"
        args.append(vintage)
    rows = db_con_rows = con.execute(sql, args).df()
    assert len(db_con_rows) == 1, rows
    return rows.iloc[0]


# udir/terchris-atlas_udir-gsi_data_202410.json: sum over the 15 fylker 631 369 pupils, 50 547 special education.
def test_special_education_norway_is_sum_of_fylker(db_con):
    r = one(db_con, "spesialundervisning", "0", "2024-25")
    assert (r.numerator, r.denominator) == (50547, 631369)
    assert r.value == pytest.approx(100 * 50547 / 631369)
    r = one(db_con, "spesialundervisning", "0", "2025-26")
    assert (r.numerator, r.denominator) == (47423, 621961)


def test_special_education_fylke_and_kommuner(db_con):
    vestland = one(db_con, "spesialundervisning", "46", "2024-25")
    assert (vestland.numerator, vestland.denominator) == (5829, 76118)
    arendal = one(db_con, "spesialundervisning", "4203", "2024-25")
    assert (arendal.numerator, arendal.denominator) == (589, 5423)
    assert arendal.value == pytest.approx(10.861, abs=0.001)
    assert arendal.comparison == "higher"  # 95 % interval 10.1–11.7 lies above Norway's 8.0
    skien = one(db_con, "spesialundervisning", "4003", "2024-25")
    assert (skien.numerator, skien.denominator) == (383, 6364)


def test_special_education_suppressed_kommuner_stay_null(db_con):
    n = db_con.execute("""SELECT count(*) FROM indicator_values WHERE indicator_id = 'spesialundervisning'
                          AND geo_level = 'kommune' AND period = '2024-25' AND value IS NULL AND status = '*'""").fetchone()[0]
    assert n == 69
    solund = one(db_con, "spesialundervisning", "4636", "2024-25")  # a real 0 in the source
    assert solund.value == 0 and solund.numerator == 0 and solund.status is None


# ssb/larsbauger_kjonn_neet.csv (SSB 13556 counts)
def test_neet_norway_2024(db_con):
    r = one(db_con, "neet_15_29", "0", "2024")
    assert (r.numerator, r.denominator) == (104388, 1044103)
    assert round(r.value, 1) == 10.0


def test_neet_merged_kommune_summed_by_hand(db_con):
    # Lillestrøm (3205 in 2024; 3030 in 2020) = Sørum 0226 + Fet 0227 + Skedsmo 0231 in 2019:
    # NEET 300 + 194 + 1022 = 1516; all 15–29: 3205 + 1864 + 10731 = 15800.
    r = one(db_con, "neet_15_29", "3205", "2019")
    assert (r.numerator, r.denominator) == (1516, 15800)
    assert "summert fra 3" in r.flag_nb
    published = one(db_con, "neet_15_29", "0231", "2019", borders="as_published")
    assert (published.numerator, published.denominator) == (1022, 10731)


def test_neet_split_kommune_not_harmonised(db_con):
    # Ålesund 1507 (2020–2023) was split in 2024 into Ålesund 1508 and Haram 1580: no 2024-border figure
    # before the split, while the as-published 1507 figure is kept.
    before = db_con.execute("""SELECT count(*) FROM indicator_values WHERE indicator_id = 'neet_15_29'
                               AND borders = '2024' AND geo_code IN ('1508', '1580') AND period < '2024'""").fetchone()[0]
    assert before == 0
    as_published = one(db_con, "neet_15_29", "1507", "2023", borders="as_published")
    assert as_published.numerator > 0
    assert one(db_con, "neet_15_29", "1580", "2024").numerator > 0


def test_neet_fylke_is_sum_of_kommuner(db_con):
    total = db_con.execute("""SELECT sum(numerator), sum(denominator) FROM indicator_values
        WHERE indicator_id = 'neet_15_29' AND borders = '2024' AND geo_level = 'kommune' AND period = '2024'
          AND breakdown = '' AND geo_code LIKE '40%'""").fetchone()
    telemark = one(db_con, "neet_15_29", "40", "2024")
    assert (telemark.numerator, telemark.denominator) == total


# udir/evensrii_20220505-1453_Slutta_VGO.csv ("Andel sluttet")
def test_dropout_as_published_and_on_2024_borders(db_con):
    assert one(db_con, "frafall_vgo", "0", "2020-21").value == pytest.approx(3.0)
    assert one(db_con, "frafall_vgo", "03", "2020-21").value == pytest.approx(1.8)
    assert one(db_con, "frafall_vgo", "54", "2020-21", borders="as_published").value == pytest.approx(4.1)
    # Troms og Finnmark (54, 2020–2023) was split in 2024: its figures are not painted onto Troms 55 /
    # Finnmark 56. Old Finnmark (20, before 2020) is the same territory as Finnmark 56 and is carried.
    assert db_con.execute("""SELECT count(*) FROM indicator_values WHERE indicator_id = 'frafall_vgo'
        AND borders = '2024' AND geo_code IN ('54', '55', '56') AND period >= '2019-20'""").fetchone()[0] == 0
    assert one(db_con, "frafall_vgo", "56", "2017-18").flag_nb.startswith("Samme område")
    assert db_con.execute("""SELECT count(*) FROM indicator_values WHERE indicator_id = 'frafall_vgo'
        AND borders = '2024' AND geo_code = '55'""").fetchone()[0] == 0  # old Troms 19 lost Tjeldsund's part
    assert one(db_con, "frafall_vgo", "02", "2011-12", borders="as_published").value == pytest.approx(3.7)


# udir/VirtualAiCorp_gjennomfoering_data.json (indicator −174, percent)
def test_completion_by_cohort(db_con):
    assert one(db_con, "gjennomforing_vgo", "0", "2014").value == pytest.approx(79.6)
    assert one(db_con, "gjennomforing_vgo", "0", "2019").value == pytest.approx(81.8)
    assert one(db_con, "gjennomforing_vgo", "03", "2019", borders="as_published").value == pytest.approx(85.3)
    assert one(db_con, "gjennomforing_vgo", "20", "2014", borders="as_published").value == pytest.approx(70.3)
    cohort_2019 = db_con.execute("""SELECT count(*) FROM indicator_values WHERE indicator_id = 'gjennomforing_vgo'
        AND borders = 'as_published' AND period = '2019' AND geo_level = 'fylke'""").fetchone()[0]
    assert cohort_2019 == 18  # 17 old fylker + Trøndelag, the division of the 2019 start year


# population/aprestmo_kommuner-2025.json: sum 5 550 203; Oslo 717 710.
def test_population(db_con):
    assert one(db_con, "befolkning", "0", "2024").value == 5550203
    assert one(db_con, "befolkning", "0301", "2024").value == 717710
    assert one(db_con, "befolkning", "03", "2024").value == 717710
