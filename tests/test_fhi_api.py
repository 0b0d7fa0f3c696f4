"""FHI open API: FHI's documented answer and our rendered answers parse with the same code; flags stay
NULL with their symbol; hand-checked figures (looked up in ../shared/data/fhi); `bottom` = newest."""
from __future__ import annotations

import hashlib
import json

import pandas as pd
import pytest

from loaders import fhi
from loaders.cards import SourceCard, load_cards
from loaders.errors import LoaderError, SchemaDrift
from loaders.snapshot import fhi as render_fhi
from loaders.transport import ReplayTransport, Response


def card(table_id: str) -> SourceCard:
    return next(c for c in load_cards("fhi") if c.table_id == table_id)


@pytest.fixture(scope="module")
def loaded(snapshot_dir):
    """Every FHI API card, replayed from data/snapshot through the loader."""
    transport = ReplayTransport(snapshot_dir)
    return {c.table_id: fhi.fetch(c, transport).rows for c in load_cards("fhi") if c.loader == "fhi"}


def one(rows: pd.DataFrame, geo: str, period: str, **dims: str) -> pd.Series:
    hit = rows[(rows.geo_code == geo) & (rows.period == period)]
    for k, v in dims.items():
        hit = hit[hit.dims.str.contains(f"(?:^|\\|){k}={v}(?:\\||$)", regex=True)]
    assert len(hit) == 1, (geo, period, dims, len(hit))
    return hit.iloc[0]


# --- FHI's own documented answer ------------------------------------------------------------------

def test_fhi_readme_example_parses(shared_data):
    raw = (shared_data / "fhi" / "folkehelseinstituttet_README_example_jsonstat2_response.json").read_bytes()
    c = SourceCard(source="fhi", table_id="x", loader="fhi", title="t", publisher="p", licence="l", url="u",
                   query={"measure": "befolkningsvekst", "unit": "antall", "geo_vintage": 2020})
    rows, updated = fhi.parse_data(raw, c, "readme")
    assert updated.startswith("2022-12-20")
    got = {(r.geo_code, r.period): r.value for r in rows.itertuples()}
    assert got == {("03", "2020"): 3516, ("03", "2021"): 2817, ("30", "2020"): 11219, ("30", "2021"): 16846}
    assert set(rows.dims) == {"ALDER=0|KJONN=0|MEASURE_TYPE=BEFVEKST_ANT"}
    assert rows.status.isna().all() and (rows.geo_vintage == 2020).all()


def test_rendered_answers_have_fhis_shape(snapshot_dir):
    doc = json.loads((snapshot_dir / "fhi" / "339_0.json").read_text(encoding="utf-8"))
    assert doc["status"] == "" and doc["href"] is None and doc["role"]["metric"] == ["MEASURE_TYPE"]
    assert isinstance(doc["dimension"]["GEO"]["category"]["index"], list)
    assert "MEIS" in doc["dimension"]["MEASURE_TYPE"]["category"]["unit"]
    assert {v for v in doc["value"] if isinstance(v, str)} == {".", ":"}  # FHI's flags sit in `value`


# --- hand-checked figures --------------------------------------------------------------------------

def test_339_distress(loaded):
    r = loaded["339"]
    assert one(r, "0", "2025", KJONN="0").value == pytest.approx(14.6867098320642)
    assert one(r, "0", "2016", KJONN="0").value == pytest.approx(11.5154042054495)
    assert one(r, "0", "2025", KJONN="2").value == pytest.approx(21.3247547421351)
    assert one(r, "4003", "2024", KJONN="0").value == pytest.approx(13.943, abs=5e-4)
    assert len(r) == 19 * 10 * 3


def test_339_flags_stay_null(loaded):
    r = loaded["339"]
    assert (r.status == ".").sum() == 408 and (r.status == ":").sum() == 25
    assert r.loc[r.status.notna(), "value"].isna().all()
    assert r.loc[r.status.isna(), "value"].notna().all()


def test_370_primary_care(loaded):
    r = loaded["370"]
    assert one(r, "0", "2024", ALDER="15_24", KJONN="0", KODEGRUPPE="P01_P29ogP70_P99").value == \
        pytest.approx(191.496816711148)
    assert one(r, "0", "2017", ALDER="15_24", KJONN="0", KODEGRUPPE="P01_P29ogP70_P99").value == \
        pytest.approx(149.112330138509)
    assert one(r, "0", "2024", ALDER="0_14", KJONN="0", KODEGRUPPE="P01_P29ogP70_P99").value == \
        pytest.approx(82.6329, abs=1e-4)
    assert (r.status == ":").sum() == 1468 and r.loc[r.status == ":", "value"].isna().all()
    assert len(r) == 10944


def test_373_805_795(loaded):
    assert one(loaded["373"], "0", "2025", KJONN="0").value == pytest.approx(51.0267967230183)
    t = loaded["805"]
    newest = "2023/24-2025/26"
    assert {g: one(t, g, newest).value for g in ("0", "03", "56", "40")} == \
        {"0": 82.9, "03": 86.8, "56": 75.9, "40": 81.5}          # percent, as FHI publishes
    assert one(t, "0", "2014/15-2016/17").value == 85.6
    assert (t.geo_code.str.len() == 2).sum() == 10 + 14  # Telemark in 10 periods, 14 other fylker newest
    c = loaded["795"]
    assert one(c, "0", "2024", INNVKAT="0").value == pytest.approx(9.668536195449949)
    assert one(c, "4003", "2024", INNVKAT="0").value == pytest.approx(8.21, abs=5e-3)
    assert one(c, "4034", "2024", INNVKAT="0").status == ".."  # Tokke: blank in the file, no figure


def test_low_income_cards(loaded):
    r = loaded["403"]
    assert one(r, "0", "2021-2023", ALDER="0_17").value == 10 and one(r, "4003", "2021-2023").value == 14
    assert len(r) == 19 and (r.geo_vintage == 2024).all()
    i = loaded["583"]
    assert one(i, "0", "2004-2006", INNVKAT="2").value == pytest.approx(21.3217349172738)
    assert sorted(i.period.unique())[-1] == "2021-2023" and (i.status == ":").sum() == 337
    vt = loaded["403-vt2020"]
    assert one(vt, "3807", "2018-2020").value == 15.6 and one(vt, "38", "2013-2015").value == 10.5
    assert len(vt) == 24 * 6 and (vt.geo_vintage == 2020).all()  # no "Gjennomsnitt" rows


def test_rendered_339_equals_every_row_of_the_file(shared_data, loaded):
    df = pd.read_csv(shared_data / "fhi" / "evensrii_psykiske_plager_ungdom.csv", dtype=str)
    codes = render_fhi.telemark_2024(shared_data)
    kj = {"kjønn samlet": "0", "gutter": "1", "jenter": "2"}
    got = loaded["339"].set_index(["geo_code", "period", "dims"])
    for r in df.itertuples(index=False):
        dims = f"ALDER=1_6|DEPRESJON=Ja|KJONN={kj[r.Kjønn]}|MEASURE_TYPE=MEIS|SOES=0"
        row = got.loc[(codes[r.Geografi], r.År, dims)]
        assert (row.status == r.value) if r.value in (".", ":") else row.value == float(r.value)


# --- parsing rules ----------------------------------------------------------------------------------

def test_periods():
    assert fhi.period_of("2024_2024", "2024", "t") == "2024"
    assert fhi.period_of("2021_2023", "2021-2023", "t") == "2021-2023"
    assert fhi.period_of("2021_2023", "", "t") == "2021-2023"
    assert fhi.period_of("2006_2006", "2004-2006", "t") == "2004-2006"  # table 583's coding
    assert fhi.period_of("2023_2025", "2023/24-2025/26", "t") == "2023/24-2025/26"
    with pytest.raises(SchemaDrift):
        fhi.period_of("2007_2007", "2004-2006", "t")


def test_flags_and_geo_guards():
    doc = {"value": [1.5, ":", ".", "..", "-"], "status": ""}
    out = fhi.normalise_flags(doc, "t")
    assert out["value"] == [1.5, None, None, None, None]
    assert out["status"] == {"1": ":", "2": ".", "3": "..", "4": "-"}
    with pytest.raises(SchemaDrift):
        fhi.normalise_flags({"value": [1, "x"], "status": ""}, "t")
    cube = render_fhi.new_cube("t", [("GEO", "Geografi"), ("AAR", "År"), ("MEASURE_TYPE", "Måltall")])
    for g in ("0", "030101", "0301"):
        cube.add_cat("GEO", g, g)
        cube.put({"GEO": g, "AAR": "2024_2024", "MEASURE_TYPE": "RATE"}, 1.0)
    cube.add_cat("AAR", "2024_2024", "2024")
    cube.add_cat("MEASURE_TYPE", "RATE", "andel")
    body = fhi.data_body([{"code": "GEO", "filter": "all", "values": ["*"]},
                          {"code": "AAR", "filter": "item", "values": ["2024_2024"]},
                          {"code": "MEASURE_TYPE", "filter": "item", "values": ["RATE"]}])
    c = card("339")
    rows, _ = fhi.parse_data(json.dumps(render_fhi.answer(cube, body)).encode(), c, "t")
    assert sorted(rows.geo_code) == ["0", "0301"]  # bydel 030101 dropped
    cube.add_cat("GEO", "K-0301", "x")
    cube.add_cat("GEO", "EAK", "x")
    skipped: dict[str, set] = {}          # an unknown GEO form is skipped and counted (audit finding 6)
    rows, _ = fhi.parse_data(json.dumps(render_fhi.answer(cube, body)).encode(), c, "t", skipped)
    assert sorted(rows.geo_code) == ["0", "0301"]
    assert skipped == {"bydel": {"030101"}, "other form": {"K-0301"}, "aggregate": {"EAK"}}


def test_conflicting_duplicates_fail():
    a = pd.DataFrame([{"source": "fhi", "table_id": "x", "measure": "m", "dims": "", "geo_code": "0",
                       "geo_vintage": 2024, "period": "2024", "value": 1.0, "status": None, "unit": "u"}])
    assert len(fhi.combine([a, a.copy()], "t")) == 1
    with pytest.raises(LoaderError):
        fhi.combine([a, a.assign(value=2.0)], "t")


# --- requests -----------------------------------------------------------------------------------

def test_real_request_body_round_trips(shared_data):
    lines = (shared_data / "fhi" / "evensrii_Vedvarende_lavinntekt_etter_innvandringskategori_kommunegrense.txt"
             ).read_text(encoding="utf-8").splitlines()
    real = json.loads(lines[1])
    req = fhi.data_request("nokkel", 403, real["dimensions"])
    assert req.url == lines[0].strip() and req.method == "POST"
    assert req.body == {"dimensions": real["dimensions"], "response": real["response"]}


def test_bottom_means_newest():
    body = card("403").query_for("replay")["requests"][0]["dimensions"]
    assert {"code": "AAR", "filter": "bottom", "values": ["1"]} in body
    cube = render_fhi.new_cube("t", [("AAR", "År")])
    for y in ("2019_2021", "2020_2022", "2021_2023"):
        cube.add_cat("AAR", y, y.replace("_", "-"))
    newest = render_fhi.answer(cube, {"dimensions": [{"code": "AAR", "filter": "bottom", "values": ["1"]}]})
    oldest = render_fhi.answer(cube, {"dimensions": [{"code": "AAR", "filter": "top", "values": ["1"]}]})
    assert newest["dimension"]["AAR"]["category"]["index"] == ["2021_2023"]
    assert oldest["dimension"]["AAR"]["category"]["index"] == ["2019_2021"]
    with pytest.raises(LoaderError):
        fhi.data_body([{"code": "AAR", "filter": "newest", "values": ["1"]}])


def test_live_asks_every_kommune_and_fylke():
    for c in load_cards("fhi"):
        if c.loader != "fhi" or c.query.get("frozen"):
            continue
        reqs = fhi.requests_for(c, "live")
        assert reqs[0].method == "GET" and reqs[0].url.endswith(f"/nokkel/Table/{c.query['table']}")
        for r in reqs[1:]:
            geo = next(d for d in r.body["dimensions"] if d["code"] == "GEO")
            assert geo == {"code": "GEO", "filter": "all", "values": ["*"]}


def test_frozen_card_never_goes_live(snapshot_dir, monkeypatch):
    class Offline:
        name = "live"

        def send(self, request):
            raise AssertionError(f"sent live: {request.url}")

    monkeypatch.setattr(fhi, "ReplayTransport", lambda: ReplayTransport(snapshot_dir))
    rows = fhi.fetch(card("403-vt2020"), Offline()).rows
    assert len(rows) == 144


def test_http_error_fails_loudly():
    class Down:
        name = "live"

        def send(self, request):
            return Response(b"{}", 503)

    with pytest.raises(LoaderError, match="503"):
        fhi.fetch(card("339"), Down())


def test_no_snapshot_file_is_a_shared_file(shared_data, snapshot_dir):
    shared = {hashlib.sha256(p.read_bytes()).hexdigest() for p in shared_data.rglob("*") if p.is_file()}
    for p in (snapshot_dir / "fhi").iterdir():
        assert hashlib.sha256(p.read_bytes()).hexdigest() not in shared, p.name
