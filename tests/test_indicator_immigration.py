"""innvandrere (IMDi counts by reason): hand-checked against the raw file; merged summed, split not."""
import csv
import io

import pytest


def _value(con, code, period, breakdown="", borders="2024"):
    return con.execute("SELECT value, status FROM indicator_values WHERE indicator_id = 'innvandrere' AND geo_code = ?"
                       " AND period = ? AND breakdown = ? AND borders = ?", [code, period, breakdown, borders]).fetchone()


def _raw(shared, code, year, grunn="Alle", kjonn="Alle"):
    text = (shared / "imdi" / "evensrii_befolkning_innvandringsgrunn_alle_kommuner.csv").read_bytes().decode("iso-8859-1")
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    col = next(i for i in range(2, len(rows[0])) if rows[0][i] == f"Innvandringsgrunn: {grunn}"
               and rows[1][i] == f"Kjønn: {kjonn}" and rows[2][i] == "Enhet: Personer" and rows[3][i] == f"År: {year}")
    return float(next(r for r in rows if r[0] == f"K{code}")[col])


def test_kommuner_fylke_norway_hand_checked(db_con):
    assert _value(db_con, "0301", "2021") == (176994.0, None)              # Oslo (IMDi: 22.5 % arbeid of 176 994)
    assert _value(db_con, "4003", "2021") == (7574.0, None)                # Skien (3807 in 2021)
    assert _value(db_con, "0", "2021")[0] == 800106.0                      # sum of the 356 kommuner
    assert _value(db_con, "40", "2021")[0] == 20280.0
    total = db_con.execute("SELECT sum(value) FROM indicator_values WHERE indicator_id = 'innvandrere' AND "
                           "geo_level = 'fylke' AND period = '2006' AND breakdown = ''").fetchone()[0]
    assert total == _value(db_con, "0", "2006")[0] == 318501.0             # fylker add up to Norway


def test_against_raw_file(db_con, shared_data):
    assert _value(db_con, "0301", "2015", "grunn=flukt")[0] == _raw(shared_data, "0301", 2015, "Flyktninger og deres familieinnvandrede")
    assert _value(db_con, "0301", "2010", "kjonn=kvinner")[0] == _raw(shared_data, "0301", 2010, kjonn="Kvinner")
    # merged in 2020: Midt-Telemark 4020 = Bø 0821 + Sauherad 0822
    assert _value(db_con, "4020", "2015")[0] == _raw(shared_data, "0821", 2015) + _raw(shared_data, "0822", 2015)
    # Stavanger 2006 = old Stavanger (1103 before Finnøy/Rennesøy) + Finnøy + Rennesøy
    parts = sum(_raw(shared_data, c, 2006) for c in ("1103", "1141", "1142"))
    assert _value(db_con, "1103", "2006")[0] == parts == 10966.0


def test_merged_hand_summed(db_con):
    assert _value(db_con, "4020", "2015")[0] == 630.0 + 407.0             # Bø + Sauherad, raw file
    assert _value(db_con, "3903", "2017")[0] == 1146.0 + 296.0 + 1058.0   # Holmestrand 0702 + Hof 0714 + Sande 0713
    assert _value(db_con, "5001", "2019")[0] is not None                  # Trondheim (IMDi's 1601) + Klæbu


def test_split_not_harmonised(db_con):
    # Ålesund 1507 (2020) was split in 2024: no 2024-border row for 1508/1580 before 2024, published row kept.
    for code in ("1508", "1580"):
        assert _value(db_con, code, "2021") is None
    assert db_con.execute("SELECT value FROM indicator_values WHERE indicator_id = 'innvandrere' AND geo_code = '1507'"
                          " AND period = '2021' AND breakdown = '' AND borders = 'as_published'").fetchone()[0] > 0
    assert _value(db_con, "3905", "2016") is None                          # Tønsberg got part of Stokke in 2017
    assert _value(db_con, "15", "2021")[0] == 31147.0                      # fylke still whole (split inside it)


def test_no_zero_filled_or_unflagged_nulls(db_con):
    bad = db_con.execute("SELECT count(*) FROM indicator_values WHERE indicator_id = 'innvandrere' "
                         "AND value IS NULL AND status IS NULL").fetchone()[0]
    assert bad == 0
