"""«Nytt i tallene»: the previous release is the offline snapshot without each source table's latest period,
built the same way; comparing the full build with it must list exactly those periods as new."""
from __future__ import annotations

import shutil

import pytest

from indicators import releases
from loaders import db


@pytest.fixture(scope="module")
def two_releases(built_db, tmp_path_factory):
    """(current, previous): copies of the offline build; in the previous one every table's latest period
    is deleted from `observations` before the indicator build runs again on what is left."""
    from indicators.build import build_all

    root = tmp_path_factory.mktemp("releases")
    current, previous = root / "innenfor.duckdb.tmp-test", root / "innenfor.duckdb"
    shutil.copyfile(built_db, current)
    shutil.copyfile(built_db, previous)
    con = db.connect(previous)
    con.execute("""DELETE FROM observations o USING (
            SELECT source, table_id, max(period) AS latest FROM observations GROUP BY ALL) m
        WHERE o.source = m.source AND o.table_id = m.table_id AND o.period = m.latest""")
    build_all(con)
    con.execute("CHECKPOINT")
    con.close()
    releases.keep_previous_release(current, previous)
    return current, previous


def _periods(path):
    con = db.connect(path, read_only=True)
    try:
        rows = con.execute("SELECT DISTINCT indicator_id, geo_level, period FROM indicator_values "
                           "WHERE borders = '2024' AND breakdown = ''").fetchall()
    finally:
        con.close()
    return set(rows)


def _listed(path):
    con = db.connect(path, read_only=True)
    try:
        return {(i, lv, p): n for i, lv, p, n in con.execute("SELECT * FROM release_new_periods").fetchall()}
    finally:
        con.close()


def test_new_periods_are_exactly_what_the_previous_release_lacked(two_releases):
    current, previous = two_releases
    listed = _listed(current)
    assert set(listed) == _periods(current) - _periods(previous)
    # worked out from the cards: NEET (SSB 13556) and Udir GSK ended in 2024 and 2025-26
    assert {p for (i, lv, p) in listed if (i, lv) == ("neet_15_29", "kommune")} == {"2024"}
    assert listed[("neet_15_29", "kommune", "2024")] == 357
    assert {p for (i, lv, p) in listed if (i, lv) == ("spesialundervisning", "kommune")} == {"2025-26"}
    # two FHI tables feed persistent low income: 403 ended 2021-2023, 403-vt2020 (older borders) 2018-2020
    assert {p for (i, lv, p) in listed if (i, lv) == ("barn_vedvarende_lavinntekt", "kommune")} == \
        {"2021-2023", "2018-2020"}


def test_no_revisions_when_only_new_periods_came(two_releases):
    current, _ = two_releases
    con = db.connect(current, read_only=True)
    try:
        assert con.execute("SELECT count(*) FROM release_revisions").fetchone()[0] == 0
        assert con.execute("SELECT compared FROM release_info").fetchall() == [(True,)]
    finally:
        con.close()


def test_previous_release_is_kept_beside_the_database(two_releases):
    _, previous = two_releases
    kept = releases.previous_path(previous)
    assert kept.name == "innenfor.previous.duckdb" and kept.exists()
    assert _periods(kept) == _periods(previous)


def test_a_revised_figure_is_listed_with_both_values(built_db, tmp_path):
    """Tynset's NEET 2022 was 69 of 1005 (6.8657 %); a previous release saying 70 of 1005 (6.9652 %)
    makes 2022 a revised period for Tynset and nothing else."""
    current, previous = tmp_path / "new.duckdb", tmp_path / "old.duckdb"
    shutil.copyfile(built_db, current)
    shutil.copyfile(built_db, previous)
    con = db.connect(previous)
    con.execute("""UPDATE indicator_values SET numerator = 70, value = 7000.0 / 1005
        WHERE indicator_id = 'neet_15_29' AND geo_code = '3427' AND period = '2022' AND breakdown = ''""")
    con.close()
    con = db.connect(current)
    try:
        releases.record_release(con, previous)
        rows = con.execute("SELECT indicator_id, geo_code, period, previous_value, new_value "
                           "FROM release_revisions").fetchall()
    finally:
        con.close()
    assert len(rows) >= 1 and {r[:3] for r in rows} == {("neet_15_29", "3427", "2022")}
    assert rows[0][3] == pytest.approx(6.9652, abs=1e-4) and rows[0][4] == pytest.approx(6.8657, abs=1e-4)


def test_first_refresh_has_nothing_to_compare(built_db, tmp_path):
    current = tmp_path / "first.duckdb"
    shutil.copyfile(built_db, current)
    releases.keep_previous_release(current, tmp_path / "missing.duckdb")
    con = db.connect(current, read_only=True)
    try:
        assert con.execute("SELECT compared FROM release_info").fetchall() == [(False,)]
        assert con.execute("SELECT count(*) FROM release_new_periods").fetchone()[0] == 0
    finally:
        con.close()
    assert not releases.previous_path(tmp_path / "missing.duckdb").exists()


def test_card_news_reads_refresh_cards_when_present(built_db, tmp_path):
    path = tmp_path / "cards.duckdb"
    shutil.copyfile(built_db, path)
    con = db.connect(path)
    try:
        con.execute("CREATE TABLE IF NOT EXISTS refresh_cards(refreshed_at TIMESTAMP, source VARCHAR, "
                    "table_id VARCHAR, outcome VARCHAR, reason VARCHAR, rows BIGINT, new_periods VARCHAR)")
        con.execute("INSERT INTO refresh_cards VALUES (now(), 'ssb', '13556', 'renewed', NULL, 1, '2024'), "
                    "(now(), 'fhi', '370', 'kept', 'HTTP 503', 1, '')")
        news = releases.card_news(con)
    finally:
        con.close()
    assert news[["source", "table_id", "new_periods"]].values.tolist() == [["ssb", "13556", "2024"]]


def test_nytt_page_lists_exactly_what_the_previous_release_left_out(app_db, two_releases, monkeypatch):
    """The page's lists, read from the compared file, against the periods computed from the two files."""
    current, previous = two_releases
    monkeypatch.setenv("INNENFOR_DB", str(current))
    from components import fmt, queries
    from pages import nytt

    meta = queries.indicators().set_index("indicator_id")
    parts = nytt.sections(nytt.ALL, nytt.ALL)
    shown = set(zip(parts["Nye perioder"]["Indikator"], parts["Nye perioder"]["Nivå"], parts["Nye perioder"]["Ny periode"]))
    expected = {(meta.loc[i, "short_title_nb"], fmt.LEVEL_NB[lv], p) for i, lv, p in _periods(current) - _periods(previous)}
    assert shown == expected and len(parts["Nye perioder"]) == len(expected)
    assert parts["Reviderte tall"].empty

    innlandet = nytt.sections("34", "neet_15_29")["Endring fra forrige periode"]
    kommuner = set(queries.geo_units().query("parent_code == '34'")["code"])
    assert set(innlandet["_code"]) <= kommuner | {"34"} and "3427" in set(innlandet["_code"])
    tynset = innlandet[innlandet["_code"] == "3427"].iloc[0]
    assert (tynset["Fra"], tynset["Til"], tynset["Vurdering"]) == ("2023", "2024", "ingen signifikant endring")
    html_text = str(nytt.content("34", "neet_15_29"))
    assert "/kommune/3427" in html_text and "Tynset (3427)" in html_text

    body = nytt.csv_bytes(parts).decode("utf-8-sig")
    assert body.splitlines()[0].startswith("Del;Indikator") and body.count("Nye perioder;") == len(expected)
    assert nytt.workbook(parts, "t")[:2] == b"PK"
