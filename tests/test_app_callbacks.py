"""The pages' layouts and callbacks called directly (no browser) against the real offline build."""
from __future__ import annotations

import io
import json
import os
import shutil

import pytest
from openpyxl import load_workbook

from app_support import walk as _walk


def _text(component) -> str:
    """All text in a Dash component tree (Markdown tables included)."""
    return json.dumps(component, default=lambda o: o.to_plotly_json(), ensure_ascii=False)


def test_norwegian_number_format():
    from components import fmt

    assert fmt.number(12345.678, 1) == "12\xa0345,7"
    assert fmt.value_text(9.997864, 1, "%") == "10,0 %"
    assert fmt.value_text(None, 1, "%", "*", None) == "skjermet"
    assert fmt.value_text(float("nan"), 1, "%", "..", None) == "ikke tilgjengelig"


def test_preparsed_pattern_formats_as_babels_format_decimal():
    from babel.numbers import format_decimal

    from components import fmt

    values = [0, 0.05, 0.15, 2.25, 99.95, 1.005, -1234.5, 5550203, 104388, 12.3456789, 1e9 + 0.5]
    for dec in (0, 1, 2, 3):
        pattern = "#,##0" + ("." + "0" * dec if dec else "")
        assert [fmt.number(v, dec) for v in values] == [format_decimal(v, format=pattern, locale="nb_NO")
                                                        for v in values]


def test_home_shows_norways_neet_2024(app_db, db_con):
    from pages import home

    # SSB 13556, 2024, all of Norway: 104 388 of 1 044 103 aged 15-29 outside work/education = 9.998 %
    num, den, value = db_con.execute("""SELECT numerator, denominator, value FROM indicator_values
        WHERE indicator_id = 'neet_15_29' AND geo_code = '0' AND period = '2024' AND breakdown = ''""").fetchone()
    assert (num, den) == (104388, 1044103) and value == pytest.approx(9.9979, abs=1e-3)
    text = _text(home.layout())
    assert "10,0 %" in text and "Hele landet, 2024" in text


def test_compare_url_state_round_trip(app_db):
    from pages import compare

    body, path, search, title = compare.render("4601", ["4602", "4601"], ["neet_15_29"], "fylke", "/x", "")
    assert path == "/kommune/4601"
    assert search == "?med=4602&sett=fylke&ind=neet_15_29"
    assert title == "Sammenlign Bergen"
    # the same search, parsed by the page layout, restores the same controls
    layout = compare.layout(knr="4601", med="4602", sett="fylke", ind="neet_15_29")
    ids = {c.id: c for c in _walk(layout) if getattr(c, "id", None) in (compare.MED, compare.SETT, compare.IND)}
    assert ids[compare.MED].value == ["4602"] and ids[compare.SETT].value == "fylke"
    assert ids[compare.IND].value == ["neet_15_29"]


def test_compare_preselects_neighbours(app_db, db_con):
    from pages import compare

    expected = [r[0] for r in db_con.execute("""SELECT member_code FROM comparator_sets
        WHERE code = '4601' AND kind = 'naboer' ORDER BY rank, member_code""").fetchall()]
    assert expected and compare.preselect("4601", "naboer") == expected


def test_bar_chart_uses_latest_period_and_reference_lines(app_db):
    from pages import compare

    body, *_ = compare.render("4601", ["4627"], ["neet_15_29"], "naboer", "", "")
    graphs = [c for c in _walk(body[0]) if type(c).__name__ == "Graph"]
    bar = graphs[0].figure
    assert bar["layout"]["title"]["text"] == "Unge utenfor (NEET), 2024"
    assert bar["layout"]["separators"] == ", "
    assert "Norge: 10,0 %" in bar["layout"]["annotations"][0]["text"]
    assert set(bar["data"][0]["y"]) == {"<b>Bergen</b>", "Askøy"}


def test_suppressed_values_are_words_not_zeros(app_db, db_con):
    from pages import compare

    code, period = db_con.execute("""SELECT geo_code, period FROM indicator_values
        WHERE indicator_id = 'spesialundervisning' AND value IS NULL AND status = '*' AND geo_level = 'kommune'
        AND borders = '2024' ORDER BY geo_code LIMIT 1""").fetchone()
    body, *_ = compare.render(code, [], ["spesialundervisning"], "naboer", "", "")
    text = _text(body)
    assert "Skjermet" in text
    bars = [c for c in _walk(body[0]) if type(c).__name__ == "Graph"]
    if bars and period in bars[0].figure["layout"]["title"]["text"]:
        assert bars[0].figure["data"][0]["x"][0] is None  # no bar, never 0


def test_unknown_kommune_is_a_friendly_page(app_db):
    from pages import compare, profile

    text = _text(compare.layout(knr="9999"))
    assert "Fant ikke kommunen" in text
    text = _text(profile.layout(knr="1201"))  # Bergen's code before 2020
    assert "/profil/4601" in text


def test_map_draws_older_fylker_on_their_own_borders(app_db):
    from pages import map as kart

    fig, info, _table = kart.map_view("frafall_vgo", "fylke", "2020-21")
    assert fig["data"][0]["geojson"] == "/geo/fylker-2020.geojson"
    assert len(fig["data"][0]["locations"]) == 11
    assert "inndelingen fra 2020" in _text(info[1])
    fig, _info, _table = kart.map_view("neet_15_29", "fylke", "2024")
    assert fig["data"][0]["geojson"] == "/geo/fylker-2024.geojson"
    assert sum(len(t["locations"]) for t in fig["data"]) == 15
    assert kart.boundary_file("kommune", "as_published", 2013) == (None, 2013)


def test_excel_export_has_a_sheet_per_indicator_and_sources(app_db, db_con):
    from pages import compare

    sent = compare.download(1, 0, "4601", ["4627"], ["neet_15_29", "spesialundervisning"])
    assert sent["filename"] == "innenfor-4601-sammenligning.xlsx"
    import base64

    wb = load_workbook(io.BytesIO(base64.b64decode(sent["content"])))
    assert wb.sheetnames == ["Om uttaket", "Unge utenfor (NEET)", "Spesialundervisning", "Kilder"]
    rows = list(wb["Unge utenfor (NEET)"].iter_rows(values_only=True))
    head = rows.index(next(r for r in rows if r and r[0] == "Geokode"))
    data = [dict(zip(rows[head], r)) for r in rows[head + 1:]]
    bergen = next(r for r in data if r["Geokode"] == "4601" and r["Periode"] == "2024")
    value = db_con.execute("""SELECT value FROM indicator_values WHERE indicator_id = 'neet_15_29'
        AND geo_code = '4601' AND period = '2024' AND breakdown = '' AND borders = '2024'""").fetchone()[0]
    assert bergen["Verdi"] == pytest.approx(value) and bergen["Enhet"] == "prosent"
    assert {r["Geokode"] for r in data} == {"4601", "4627", "46", "0"}
    kilder = [r for r in wb["Kilder"].iter_rows(values_only=True)]
    assert any(r[0] == "ssb" and r[1] == "13556" for r in kilder)


def test_csv_uses_semicolon_and_decimal_comma(app_db):
    import pandas as pd

    from components import export, queries
    from components.pages_common import unit_names

    values = queries.values_for(["0"])
    values = values[(values["indicator_id"] == "neet_15_29") & (values["period"] == "2024")]
    text = export.to_csv(export.long_frame(values, queries.indicators(), unit_names())).decode("utf-8-sig")
    frame = pd.read_csv(io.StringIO(text), sep=";", decimal=",")
    assert frame.loc[0, "Navn"] == "Norge" and frame.loc[0, "Verdi"] == pytest.approx(9.997864, abs=1e-5)
    assert ";9,99" in text


def test_cache_follows_a_swapped_database_file(app_db, tmp_path, monkeypatch):
    """A refresh replaces the file with os.replace; the app must read the new file, not a cached answer."""
    from components import store

    copy = tmp_path / "innenfor.duckdb"
    shutil.copyfile(app_db, copy)
    monkeypatch.setenv("INNENFOR_DB", str(copy))
    before = store.query("SELECT count(*) AS n FROM refresh_log")["n"].iloc[0]
    from loaders import db

    staged = tmp_path / "new.duckdb"
    shutil.copyfile(app_db, staged)
    con = db.connect(staged)
    con.execute("INSERT INTO refresh_log SELECT * FROM refresh_log")
    con.close()
    os.replace(staged, copy)
    after = store.query("SELECT count(*) AS n FROM refresh_log")["n"].iloc[0]
    assert after == 2 * before
