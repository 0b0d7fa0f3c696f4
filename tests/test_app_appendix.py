"""The KS appendix views (Psykisk helse, Lavinntekt, cohorts on the Kart page) called directly against the real
offline build. Expected figures hand-checked in the publishers' files (FHI 339, SSB 12944, FHI 403)."""
from __future__ import annotations

import json

import pytest

from app_support import walk as _walk


def _text(component) -> str:
    return json.dumps(component, default=lambda o: o.to_plotly_json(), ensure_ascii=False)


def _figure(layout, graph_id: str) -> dict:
    return next(c for c in _walk(layout) if getattr(c, "id", None) == graph_id).figure


def _trace(fig: dict, name: str) -> dict[str, float | None]:
    trace = next(t for t in fig["data"] if t["name"] == name)
    assert trace["connectgaps"] is False
    return dict(zip(trace["x"], trace["y"]))


def _section(layout, heading_id: str) -> str:
    return _text(next(c for c in _walk(layout) if type(c).__name__ == "Section"
                      and any(getattr(h, "id", None) == heading_id for h in _walk(c))))


def test_ungdata_norway_by_gender(app_db):
    from pages import psykisk_helse

    page = psykisk_helse.layout()
    fig = _figure(page, "ph-graph-psykiske_plager_ungdom")
    # FHI 339, Norway 2025, all socio-economic groups: 14.7 % both genders, 21.3 % girls, 7.9 % boys
    assert _trace(fig, "Norge, alle")["2025"] == pytest.approx(14.687, abs=1e-3)
    assert _trace(fig, "Norge, jenter")["2025"] == pytest.approx(21.325, abs=1e-3)
    assert _trace(fig, "Norge, gutter")["2025"] == pytest.approx(7.933, abs=1e-3)
    assert sorted(_trace(fig, "Norge, alle")) == [str(y) for y in range(2016, 2026)]
    table = _section(page, "ph-psykiske_plager_ungdom-h")
    assert "14,7 %" in table and "21,3 %" in table
    assert "Om tallene: kilde, enhet og definisjon" in table and "tabell 339" in table
    # the GP/emergency-care series: headline 15-24 and 0-14 as its own line, per 1000
    fig = _figure(page, "ph-graph-psykiske_lidelser_primaer")
    assert {t["name"] for t in fig["data"]} == {"Norge, 15–24 år", "Norge, 0–14 år"}
    assert fig["layout"]["yaxis"]["title"]["text"] == "per 1000 (‰)"


def test_kommune_survey_years_and_no_survey_in_words(app_db):
    from pages import psykisk_helse

    page = psykisk_helse.layout(kommune="4003")
    fig = _figure(page, "ph-graph-psykiske_plager_ungdom")
    skien = _trace(fig, "Skien, alle")
    # Skien's Ungdata years 2018, 2021, 2024; the other years are gaps, never 0
    assert skien["2018"] == pytest.approx(15.652, abs=1e-3) and skien["2024"] == pytest.approx(13.943, abs=1e-3)
    assert [y for y, v in skien.items() if v is None] == ["2016", "2017", "2019", "2020", "2022", "2023", "2025"]
    text = _section(page, "ph-psykiske_plager_ungdom-h")
    assert ("Skien (alle, gutter, jenter): 2016, 2017, 2019, 2020, 2022, 2023, 2025 – "
            "Ingen Ungdata-undersøkelse dette året") in text
    assert "ph-no-figures" not in _text(page)


def test_suppressed_kommune_figure_is_skjermet(app_db):
    from pages import psykisk_helse

    page = psykisk_helse.layout(kommune="4020")  # Midt-Telemark 2024: FHI ':' for all, boys and girls
    fig = _figure(page, "ph-graph-psykiske_plager_ungdom")
    assert _trace(fig, "Midt-Telemark, alle")["2024"] is None
    text = _section(page, "ph-psykiske_plager_ungdom-h")
    assert "Skjermet (anonymisert)" in text
    assert "Midt-Telemark (alle, gutter, jenter): 2024 – Skjermet (anonymisert)" in text


def test_kommune_without_figures_says_so(app_db):
    from pages import psykisk_helse

    text = _text(psykisk_helse.layout(kommune="0301"))
    assert "Databasen har ingen tall for Oslo på disse indikatorene" in text and "henter alle kommuner" in text
    assert "Vi har ingen kommune med nummer «9999»" in _text(psykisk_helse.layout(kommune="9999"))


def test_low_income_by_age_with_counts(app_db):
    from pages import lavinntekt

    page = lavinntekt.layout()
    fig = _figure(page, "li-graph-lavinntekt_alder")
    # SSB 12944 (96632/96634), Norway 2009-2011, under 18: 7.6 % and 73 900 persons (rounded to hundred)
    assert _trace(fig, "0–17 år")["2009-2011"] == pytest.approx(7.6)
    assert _trace(fig, "67 år og eldre")["2004-2006"] == pytest.approx(16.9)
    assert len(fig["data"]) == 6
    text = _section(page, "li-lavinntekt_alder-h")
    assert "7,6 %" in text and "73\xa0900" in text and "alle aldre, antall" in text


def test_childrens_series_has_an_honest_gap_and_the_kommune(app_db):
    from pages import lavinntekt

    page = lavinntekt.layout(kommune="4003")
    fig = _figure(page, "li-graph-barn_vedvarende_lavinntekt")
    norge, skien = _trace(fig, "Norge"), _trace(fig, "Skien")
    assert norge["2009-2011"] == pytest.approx(7.6) and norge["2021-2023"] == pytest.approx(10.0)
    assert all(norge[f"{y}-{y + 2}"] is None for y in range(2010, 2021))  # no line across the missing periods
    # FHI 403 on 2020 borders (Skien 3807 -> 4003): 2018-2020 = 15.6 %; 2021-2023 = 14 %
    assert skien["2018-2020"] == pytest.approx(15.6) and skien["2021-2023"] == pytest.approx(14.0)
    assert skien["2019-2021"] is None
    text = _section(page, "li-barn_vedvarende_lavinntekt-h")
    assert "Norge (landet): 2010-2012 til 2020-2022 – ikke i databasen" in text
    assert "15,6 %" in text and "Samme område, nytt nummer" in text
    annual = _figure(page, "li-graph-barn_lavinntekt_aarlig")
    # SSB 08764, Norway 2014: 11.5 % under EU60, 6.0 % under EU50
    assert _trace(annual, "under 60 % av medianen (EU60)")["2014"] == pytest.approx(11.5)
    assert _trace(annual, "under 50 % av medianen (EU50)")["2014"] == pytest.approx(6.0)
    no_kommune = _text(lavinntekt.layout(kommune="0301"))
    assert "Databasen har ingen tall for barn i vedvarende lavinntekt i Oslo" in no_kommune


def test_cohorts_are_drawn_on_their_own_fylke_borders(app_db):
    from pages import map as kart

    geo = json.load(open(kart.GEO_DIR / "fylker-2018.geojson"))
    codes_2018 = {f["properties"]["code"] for f in geo["features"]}
    fig, info, table = kart.map_view("gjennomforing_vgo", "fylke", "2019")
    assert [t["geojson"] for t in fig["data"]] == ["/geo/fylker-2018.geojson"]  # no grey trace: all 18 have values
    assert len(fig["data"][0]["locations"]) == 18 and set(fig["data"][0]["locations"]) == codes_2018
    assert "50" in codes_2018 and "16" not in codes_2018  # Trøndelag, not Sør-Trøndelag
    assert fig["layout"]["title"]["text"].endswith("startet Vg1 2019")
    assert "startet Vg1 2019" in _text(info) and "startet Vg1 2019" in _text(table)
    fig, _info, _table = kart.map_view("gjennomforing_vgo", "fylke", "2014")
    assert fig["data"][0]["geojson"] == "/geo/fylker-2017.geojson" and len(fig["data"][0]["locations"]) == 19
    options, value = kart.periods("gjennomforing_vgo", "fylke", "2019")
    assert {"label": "startet Vg1 2019", "value": "2019"} in options and value == "2019"
    options, _ = kart.periods("neet_15_29", "fylke", None)
    assert {"label": "2024", "value": "2024"} in options  # only cohorts are renamed


def test_new_pages_are_in_the_navigation(app_db):
    import dash

    from components import layout

    nav = _text(layout.nav_links(dash.page_registry, "/lavinntekt", None))
    assert '"href": "/psykisk-helse"' in nav and '"href": "/lavinntekt"' in nav
    assert "Psykisk helse" in nav and "Lavinntekt" in nav


def _sheet(wb, name: str) -> list[dict]:
    rows = list(wb[name].iter_rows(values_only=True))
    head = rows.index(next(r for r in rows if r and r[0] == "Geokode"))
    return [dict(zip(rows[head], r)) for r in rows[head + 1:]]


def _workbook(sent):
    import base64
    import io

    from openpyxl import load_workbook

    return load_workbook(io.BytesIO(base64.b64decode(sent["content"])))


def test_psykisk_helse_workbook_equals_the_page(app_db):
    from pages import psykisk_helse

    page = psykisk_helse.layout(kommune="4003")
    sent = psykisk_helse.download(1, 0, "4003")
    assert sent["filename"] == "innenfor-psykisk-helse-4003.xlsx"
    wb = _workbook(sent)
    assert wb.sheetnames[0] == "Om uttaket" and wb.sheetnames[-1] == "Kilder" and len(wb.sheetnames) == 5
    plager = _sheet(wb, "Psykiske plager, ungdom")
    norge = next(r for r in plager if r["Geokode"] == "0" and r["Gruppe"] == "alle" and r["Periode"] == "2025")
    assert norge["Verdi"] == pytest.approx(14.6867, abs=1e-4) and norge["Enhet"] == "prosent"
    # every drawn point of every line is the workbook's value for that unit, group and period
    fig = _figure(page, "ph-graph-psykiske_plager_ungdom")
    for trace in fig["data"]:
        sheet = {r["Periode"]: r["Verdi"] for r in plager if f"{r['Navn']}, {r['Gruppe']}" == trace["name"]}
        for period, y in zip(trace["x"], trace["y"]):
            assert (sheet.get(period) is None) if y is None else sheet[period] == pytest.approx(y)
    # Midt-Telemark is not shown; Skien's suppressed/absent years are not rows with a 0
    assert {r["Geokode"] for r in plager} == {"0", "4003"}
    assert all(r["Verdi"] != 0 for r in plager)
    kilder = list(wb["Kilder"].iter_rows(values_only=True))
    assert any(r[0] == "fhi" and r[1] == "339" for r in kilder)
    suppressed = _sheet(_workbook(psykisk_helse.download(1, 0, "4020")), "Psykiske plager, ungdom")
    midt = next(r for r in suppressed if r["Geokode"] == "4020" and r["Periode"] == "2024" and r["Gruppe"] == "alle")
    assert midt["Verdi"] is None and midt["Forklaring"] == "Skjermet (anonymisert)"


def test_lavinntekt_workbook_equals_the_page(app_db):
    from pages import lavinntekt

    page = lavinntekt.layout(kommune="4003")
    wb = _workbook(lavinntekt.download(1, 0, "4003"))
    alder = _sheet(wb, "Lavinntekt etter alder")
    barn = next(r for r in alder if r["Gruppe"] == "0–17 år" and r["Periode"] == "2009-2011")
    # SSB 12944, Norway 2009-2011, under 18: 7.6 % and 73 900 persons, as in the page's chart and table
    assert barn["Verdi"] == pytest.approx(7.6) and barn["Antall"] == 73900
    fig = _figure(page, "li-graph-lavinntekt_alder")
    for trace in fig["data"]:
        sheet = {r["Periode"]: r["Verdi"] for r in alder if r["Gruppe"] == trace["name"]}
        assert {p: y for p, y in zip(trace["x"], trace["y"]) if y is not None} == pytest.approx(sheet)
    children = _sheet(wb, "Barn i vedvarende lavinntekt")
    skien = {r["Periode"]: r["Verdi"] for r in children if r["Geokode"] == "4003"}
    assert skien["2018-2020"] == pytest.approx(15.6) and skien["2021-2023"] == pytest.approx(14.0)
    assert "2015-2017" not in {r["Periode"] for r in children if r["Geokode"] == "0"}  # the gap is not filled
    aarlig = _sheet(wb, "Barn i lavinntekt (årlig)")
    eu60 = next(r for r in aarlig if r["Periode"] == "2014" and r["Gruppe"].endswith("(EU60)"))
    assert eu60["Verdi"] == pytest.approx(11.5)


def test_appendix_csv_through_the_callback_endpoint(app_db):
    import base64

    import app

    client = app.app.server.test_client()
    payload = {"output": "li-download.data", "outputs": {"id": "li-download", "property": "data"},
               "inputs": [{"id": "li-xlsx-btn", "property": "n_clicks", "value": 0},
                          {"id": "li-csv-btn", "property": "n_clicks", "value": 1}],
               "state": [{"id": {"type": "appendix-kommune", "path": "/lavinntekt"}, "property": "value",
                          "value": None}],
               "changedPropIds": ["li-csv-btn.n_clicks"]}
    r = client.post("/_dash-update-component", json=payload)
    assert r.status_code == 200
    sent = r.get_json()["response"]["li-download"]["data"]
    assert sent["filename"] == "innenfor-lavinntekt.csv"
    text = base64.b64decode(sent["content"]).decode("utf-8-sig")
    assert "Norge;Landet;0–17 år;2009-2011;7,6;prosent;73900" in text
