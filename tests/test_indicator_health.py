"""Public-health indicators from FHI (KS Vedlegg 1 and 5) and Kommunehelsa unemployment 15–29: published
rates without counts. Values hand-checked against the files in ../shared/data."""
import csv

import pytest

RATE_ONLY = ("psykiske_plager_ungdom", "livskvalitet_ungdom", "psykiske_lidelser_primaer", "trivsel_skole",
             "trangboddhet", "arbeidsledighet_unge_kommunehelsa")


def one(con, indicator, geo, period, breakdown="", borders="2024"):
    rows = con.execute("""SELECT value, status, status_nb, geo_vintage, flag_nb FROM indicator_values
                          WHERE indicator_id = ? AND geo_code = ? AND period = ? AND breakdown = ? AND borders = ?""",
                       [indicator, geo, period, breakdown, borders]).fetchall()
    assert len(rows) == 1, (indicator, geo, period, breakdown, borders, rows)
    return dict(zip(["value", "status", "status_nb", "geo_vintage", "flag_nb"], rows[0]))


# --- psykiske_plager_ungdom (Ungdata, FHI 339) ----------------------------------------------------------------

@pytest.mark.parametrize("geo, period, breakdown, value", [
    ("0", "2025", "", 14.6867098320642), ("0", "2025", "kjonn=gutter", 7.93318492090404),
    ("0", "2025", "kjonn=jenter", 21.3247547421351), ("40", "2024", "", 13.5721685945622),
    ("4003", "2024", "", 13.9427339510842), ("4001", "2021", "", 19.9539150693876),
    ("4001", "2018", "kjonn=jenter", 25.1213537143036)])
def test_distress_values(db_con, geo, period, breakdown, value):
    assert one(db_con, "psykiske_plager_ungdom", geo, period, breakdown)["value"] == pytest.approx(value)


def test_distress_norway_2025_rounds_to_14_7(db_con):
    assert round(one(db_con, "psykiske_plager_ungdom", "0", "2025")["value"], 1) == 14.7


def test_distress_no_survey_and_suppressed_are_null_with_words(db_con):
    # Skien 2025 ".": no Ungdata survey; Siljan 2018 gutter ":": anonymised
    row = one(db_con, "psykiske_plager_ungdom", "4003", "2025")
    assert row["value"] is None and row["status"] == "." and row["status_nb"] == "Ingen Ungdata-undersøkelse dette året"
    row = one(db_con, "psykiske_plager_ungdom", "4010", "2018", "kjonn=gutter")
    assert row["value"] is None and row["status"] == ":" and row["status_nb"].startswith("Skjermet")
    n = db_con.execute("""SELECT count(*) FROM indicator_values WHERE indicator_id = 'psykiske_plager_ungdom'
                          AND value = 0""").fetchone()[0]
    assert n == 0


def test_distress_norway_matches_the_file_every_year(db_con, shared_data):
    with open(shared_data / "fhi" / "evensrii_psykiske_plager_ungdom.csv", encoding="utf-8") as fh:
        raw = {(r["År"], r["Kjønn"]): float(r["value"]) for r in csv.DictReader(fh) if r["Geografi"] == "Hele landet"}
    got = dict(((p, b), v) for p, b, v in db_con.execute(
        """SELECT period, breakdown, value FROM indicator_values WHERE indicator_id = 'psykiske_plager_ungdom'
           AND geo_code = '0'""").fetchall())
    names = {"kjønn samlet": "", "gutter": "kjonn=gutter", "jenter": "kjonn=jenter"}
    assert len(raw) == len(got) == 30
    for (year, sex), value in raw.items():
        assert got[(year, names[sex])] == pytest.approx(value)


# --- livskvalitet_ungdom (Ungdata, FHI 373) -------------------------------------------------------------------

def test_life_satisfaction(db_con):
    assert one(db_con, "livskvalitet_ungdom", "0", "2025")["value"] == pytest.approx(51.0267967230183)
    assert one(db_con, "livskvalitet_ungdom", "40", "2025")["value"] == pytest.approx(52.4501282248039)
    assert one(db_con, "livskvalitet_ungdom", "4003", "2024")["value"] == pytest.approx(52.9368940394724)
    assert one(db_con, "livskvalitet_ungdom", "4001", "2024")["value"] == pytest.approx(51.0715896015137)
    row = one(db_con, "livskvalitet_ungdom", "4001", "2025")
    assert row["value"] is None and row["status"] == "."
    assert {b for (b,) in db_con.execute("""SELECT DISTINCT breakdown FROM indicator_values
            WHERE indicator_id = 'livskvalitet_ungdom'""").fetchall()} == {"", "kjonn=gutter", "kjonn=jenter"}


# --- psykiske_lidelser_primaer (FHI 370) ----------------------------------------------------------------------

@pytest.mark.parametrize("geo, breakdown, value", [
    ("0", "", 191.496816711148), ("0", "alder=0-14", 82.6329103477682), ("0", "kjonn=menn", 153.639099073257),
    ("40", "", 179.643565721107), ("40", "kjonn=menn", 146.918084075404),
    ("4003", "", 179.56753710045), ("4001", "", 192.671149881359), ("4001", "alder=0-14", 81.2738283834903)])
def test_primary_care_2024(db_con, geo, breakdown, value):
    assert one(db_con, "psykiske_lidelser_primaer", geo, "2024", breakdown)["value"] == pytest.approx(value)


def test_primary_care_norway_2024_and_suppressed(db_con):
    assert round(one(db_con, "psykiske_lidelser_primaer", "0", "2024")["value"], 1) == 191.5
    row = one(db_con, "psykiske_lidelser_primaer", "4024", "2019")   # Hjartdal 15-24 2019: ":"
    assert row["value"] is None and row["status"] == ":"
    breakdowns = {b for (b,) in db_con.execute("""SELECT DISTINCT breakdown FROM indicator_values
                  WHERE indicator_id = 'psykiske_lidelser_primaer'""").fetchall()}
    assert {"", "alder=0-14", "kjonn=menn", "kjonn=kvinner", "diagnose=symptomer", "diagnose=lidelser"} <= breakdowns


# --- trivsel_skole (FHI 805) ----------------------------------------------------------------------------------

@pytest.mark.parametrize("geo, value", [("0", 82.9), ("03", 86.8), ("56", 75.9), ("40", 81.5), ("4003", 82.2),
                                        ("4001", 80.7)])
def test_thriving_newest_period(db_con, geo, value):
    assert one(db_con, "trivsel_skole", geo, "2023/24-2025/26")["value"] == pytest.approx(value)


def test_thriving_every_fylke_in_newest_period(db_con):
    n = db_con.execute("""SELECT count(*) FROM indicator_values WHERE indicator_id = 'trivsel_skole'
                          AND geo_level = 'fylke' AND period = '2023/24-2025/26' AND value IS NOT NULL""").fetchone()
    assert n[0] == 15


# --- trangboddhet (FHI 795) -----------------------------------------------------------------------------------

def test_crowding_2024(db_con):
    # evensrii_trangboddhet.csv holds FHI's percent / 100
    assert round(one(db_con, "trangboddhet", "0", "2024")["value"], 1) == 9.7
    assert one(db_con, "trangboddhet", "0", "2024", "gruppe=innvandrere")["value"] == pytest.approx(21.3418336369156)
    assert one(db_con, "trangboddhet", "40", "2024")["value"] == pytest.approx(7.05475166883821)
    assert one(db_con, "trangboddhet", "4003", "2024")["value"] == pytest.approx(8.212028174101499)
    assert one(db_con, "trangboddhet", "4001", "2024", "gruppe=innvandrere")["value"] == \
        pytest.approx(16.8948852194926)
    row = one(db_con, "trangboddhet", "4034", "2024")   # Tokke: blank in the file
    assert row["value"] is None and row["status"] == ".."


# --- arbeidsledighet_unge_kommunehelsa ------------------------------------------------------------------------

def test_unemployment_halden_as_published_and_on_2024_borders(db_con):
    for year, value in zip(range(2009, 2014), [3, 3.3, 2.8, 2.7, 3]):
        published = one(db_con, "arbeidsledighet_unge_kommunehelsa", "0101", str(year), borders="as_published")
        assert published["value"] == pytest.approx(value) and published["geo_vintage"] == 2013
        today = one(db_con, "arbeidsledighet_unge_kommunehelsa", "3101", str(year))
        assert today["value"] == pytest.approx(value) and today["flag_nb"] == "Samme område, nytt nummer"


def test_unemployment_oslo_same_skien_renumbered(db_con):
    assert one(db_con, "arbeidsledighet_unge_kommunehelsa", "0301", "2013")["value"] == pytest.approx(2.3)
    assert one(db_con, "arbeidsledighet_unge_kommunehelsa", "4003", "2009")["value"] == pytest.approx(3.8)  # 0806


def test_unemployment_published_zero_is_a_value(db_con):
    # GeoForum_Arbeidsledighet.csv: "Utsira",0,0,2.5,0,0 — real zeros, not missing
    assert one(db_con, "arbeidsledighet_unge_kommunehelsa", "1151", "2009")["value"] == 0
    assert one(db_con, "arbeidsledighet_unge_kommunehelsa", "1151", "2011")["value"] == pytest.approx(2.5)


def test_unemployment_merged_kommuner_not_averaged(db_con):
    # Tjøme 1.9 and Nøtterøy 2.3 (2013) became Færder (3911); Trondheim + Klæbu became 5001: no 2024 figure
    assert one(db_con, "arbeidsledighet_unge_kommunehelsa", "0723", "2013", borders="as_published")["value"] == 1.9
    n = db_con.execute("""SELECT count(*) FROM indicator_values WHERE indicator_id = 'arbeidsledighet_unge_kommunehelsa'
                          AND borders = '2024' AND geo_code IN ('3911', '5001', '3103')""").fetchone()[0]
    assert n == 0
    counts = db_con.execute("""SELECT borders, count(DISTINCT geo_code) FROM indicator_values
                               WHERE indicator_id = 'arbeidsledighet_unge_kommunehelsa' GROUP BY 1""").fetchall()
    assert dict(counts) == {"as_published": 428, "2024": 309}


def test_rate_only_indicators_claim_no_interval(db_con):
    marks = ",".join("?" * len(RATE_ONLY))
    n = db_con.execute(f"""SELECT count(ci_low) + count(comparison) + count(numerator) FROM indicator_values
                           WHERE indicator_id IN ({marks})""", list(RATE_ONLY)).fetchone()[0]
    assert n == 0
