"""gjennomforing_vgo_kommune (IMDi 2011-2013): hand-checked values, derived denominators, merged sums."""
import pytest


def _row(con, code, period, breakdown="", borders="2024"):
    return con.execute("SELECT value, numerator, denominator, status, flag_nb FROM indicator_values WHERE "
                       "indicator_id = 'gjennomforing_vgo_kommune' AND geo_code = ? AND period = ? AND breakdown = ?"
                       " AND borders = ?", [code, period, breakdown, borders]).fetchone()


def test_oslo_and_kommuner_hand_checked(db_con):
    value, num, den, status, flag = _row(db_con, "0301", "2011-2013")
    # the derived denominator (11236 / 0.747) is used for sums only, never stored (no interval from it)
    assert value == pytest.approx(74.7) and num == 11236 and den is None
    assert "Nevner avledet" in flag and status is None
    assert _row(db_con, "0301", "2011-2013", "bakgrunn=innvandrere")[:2] == (pytest.approx(59.2), 864)
    assert _row(db_con, "4003", "2011-2013")[:2] == (pytest.approx(69.5), 1419)       # Skien (0806 in 2013)
    assert _row(db_con, "0806", "2011-2013", borders="as_published")[0] == pytest.approx(69.5)
    assert _row(db_con, "03", "2011-2013", borders="as_published")[0] == pytest.approx(74.7)


def test_norway_is_imdis_national_row(db_con, shared_data):
    # IMDi gives Norway's count (131 740 = the 19 fylker's 130 673 + 1 067 in fylke 99 «uoppgitt») but no
    # percent; the share is that count over the derived denominators of the 20 parts, from the raw file.
    import csv

    with open(shared_data / "imdi" / "gardenberg_videregaende_fullfort.csv", encoding="utf-8") as fh:
        rows = [r for r in csv.DictReader(fh) if r["aar"] == "2011_2013" and r["kommune_nr"] == "NULL"
                and r["innvkat_5"] == "alle" and r["kjonn"] == "alle" and r["fylke_nr"] not in ("NULL", "00")]
    cells = {(r["fylke_nr"], r["enhet"]): float(r["tabellvariabel"]) for r in rows}
    fylker = sorted({f for f, _ in cells})
    assert len(fylker) == 20 and "99" in fylker and cells[("99", "personer")] == 1067
    den = sum(cells[(f, "personer")] / cells[(f, "prosent")] * 100 for f in fylker)
    value, num, d, _, flag = _row(db_con, "0", "2011-2013")
    assert num == 131740 and d is None and value == pytest.approx(100 * 131740 / den)
    assert "uoppgitt" in flag
    assert _row(db_con, "99", "2011-2013", borders="as_published") is None   # 99 is no fylke to show


def test_derived_denominator_claims_no_interval(db_con):
    n = db_con.execute("SELECT count(*) FROM indicator_values WHERE indicator_id = 'gjennomforing_vgo_kommune' "
                       "AND (ci_low IS NOT NULL OR comparison IS NOT NULL)").fetchone()[0]
    assert n == 0


def test_merged_kommune_summed(db_con):
    # Drammen 3301 (2024) = Drammen 0602 (1383 at 68.1 %) + Nedre Eiker 0625 (602 at 64.7 %)
    # + Svelvik 0711 (183 at 62.7 %), from the raw gardenberg file; denominators derived per part.
    den = 1383 / 0.681 + 602 / 0.647 + 183 / 0.627
    value, num, d, _, flag = _row(db_con, "3301", "2011-2013")
    assert num == 1383 + 602 + 183 and d is None and value == pytest.approx(100 * 2168 / den)
    assert "Sammenslått" in flag and "Nevner avledet" in flag


def test_suppressed_stay_null(db_con):
    n = db_con.execute("SELECT count(*) FROM indicator_values WHERE indicator_id = 'gjennomforing_vgo_kommune' AND "
                       "borders = 'as_published' AND value IS NULL AND status IN ('.', ':')").fetchone()[0]
    assert n > 0
    assert db_con.execute("SELECT count(*) FROM indicator_values WHERE indicator_id = 'gjennomforing_vgo_kommune' "
                          "AND value = 0 AND numerator IS NULL").fetchone()[0] == 0
