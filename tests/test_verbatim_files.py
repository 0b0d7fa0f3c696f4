"""Every verbatim file in ../shared/data/verbatim/ (PROVENANCE §20) goes through the loader code that would
receive it, without error, with its figures checked where it holds any. A new file there fails
`test_every_file_has_a_check` until it gets a check here."""
from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from loaders import fhi, imdi, jsonstat, klass, regions, ssb, udir
from loaders.cards import SOURCES_DIR, load_card
from loaders.errors import SchemaDrift
from loaders.transport import ReplayTransport, Request, Response


class _Answer:
    name = "live"

    def __init__(self, content: bytes):
        self.content = content

    def send(self, request):
        return Response(self.content, 200, {})


def _fhi_request(path: Path):
    url, body = path.read_text("utf-8").splitlines()[:2]
    body = json.loads(body)
    assert url.startswith(fhi.BASE + "/nokkel/Table/") and url.endswith("/data")
    built = fhi.data_body(body["dimensions"])          # the loader's validator accepts it as is
    assert built["dimensions"] == [{"code": d["code"], "filter": d["filter"], "values": d["values"]}
                                   for d in body["dimensions"]]
    assert body["response"]["format"] == "json-stat2"


def _ssb_table_03013(path: Path):
    info = ssb.table_info("03013", _Answer(path.read_bytes()))
    assert info["updated"] == "2024-11-11T07:00:00Z" and info["lastPeriod"] == "2024M10"


def _ssb_metadata_11118(path: Path):
    meta = jsonstat.parse(path.read_bytes(), name="11118 metadata", metadata=True)
    assert meta.ids == ["Leveringssektor", "ContentsCode", "Tid"]
    assert all(e.get("elimination") is False for e in meta.dim_extensions.values())


def _ssb_data_11118(path: Path):
    ds = jsonstat.parse(path.read_bytes(), name="11118 data")
    assert ds.size == [14, 1, 2] and ds.categories["Tid"] == ["2023"]
    first = ds.frame.iloc[0]                                   # the file's first two cells: 133.3 and 5.8
    assert (first["Leveringssektor"], first["ContentsCode"], first["value"]) == ("B1", "LevIndAar", 133.3)
    assert ds.frame.iloc[1]["value"] == 5.8


def _ssb_03024(path: Path):
    """The json-stat2 and the CSV answer of the same request agree cell by cell."""
    base = path.parent
    ds = jsonstat.parse((base / "janbrus_laks_nor_v2_data_03024.json").read_bytes(), name="03024 data")
    rows = list(csv.reader(io.StringIO((base / "janbrus_laks_nor_v2_csv_03024.csv").read_text("utf-8")),
                           delimiter=";"))
    vekt = ds.frame[ds.frame.ContentsCode == "Vekt"].set_index(["VareGrupper2", "Tid"])["value"]
    assert len(rows) - 1 == len(vekt) == 96
    for r in rows[1:]:
        assert vekt[(r[0].split(" - ")[0], r[1].split(" - ")[0])] == float(r[2])
    assert ds.frame.iloc[0]["value"] == 11364 and ds.updated == "2025-12-03T07:00:00Z"


def _ssb_config(path: Path):
    config = json.loads(path.read_text("utf-8"))
    assert config["maxDataCells"] == ssb.MAX_CELLS == 800_000


def _ssb_14882_codes(path: Path):
    codes = [c["code"] for c in json.loads(path.read_text("utf-8"))["Region"]["categories"]]
    kinds = [regions.classify(c)[0] for c in codes]
    assert kinds.count("land") == 1 and kinds.count("fylke") == 20 and {"svalbard", "abroad"} <= set(kinds)


def _klass_131(path: Path):
    versions = {v["id"] for v in json.loads(path.read_text("utf-8"))["versions"]}
    card = set(klass.kommune_versions().values())
    assert card <= versions, card - versions


def _klass_2026(path: Path):
    """SSB's 2026 kommune list = the 2024 division the snapshot rebuilds (no kommune changed since)."""
    rows = list(csv.DictReader(io.StringIO(path.read_text("iso-8859-1")), delimiter=";"))
    codes = {r["code"] for r in rows if r["level"] == "1" and r["code"] != "9999"}
    assert codes == set(klass.kommuner_at(ReplayTransport(), 2024)) and len(codes) == 357


def _imdi_long(path: Path):
    card = load_card(SOURCES_DIR / "imdi_befolkning_innvandringsgrunn.yml")
    rows, _ = imdi.tidy_long(card, *imdi.read_long(path.read_text("utf-8"), card.key), card.query)
    skien = [r for r in rows if r["geo_code"] == "4003" and r["period"] == "2025"
             and r["dims"] == "enhet=personer|innvandringsgrunn=alle|kjonn=alle"]
    assert [r["value"] for r in skien] == [9043.0]


def _nav_workbook(path: Path):
    """NAV's own workbook: its Telemark figures are read through the HL110 reader in test_nav_hl110.py;
    here the national line, as PROVENANCE §20 quotes it: Landet, Helt ledige, Jan 2026: 68 932 (2.3 %)."""
    import warnings

    import openpyxl
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    hits = [r for r in wb["Landet"].iter_rows(values_only=True)
            if 202601 in r and "Helt ledige" in r and "Begge kjønn" in r]
    wb.close()
    assert any(68932 in r and 2.3 in r for r in hits), hits[:3]


def _udir_rapportside(path: Path):
    rapp = json.loads(path.read_text("utf-8"))["rappside"]
    eps = [e["dataEndepunkt"] for e in rapp["rapportElementer"]]
    assert all(udir._ENDPOINT.match(e) for e in eps), eps


def _udir_mobbing(path: Path):
    body = udir.parse_report(Response(path.read_bytes(), 200, {}), "EUG")
    if not body["rows"]:                                       # Hagebostad: absent, not suppressed
        with pytest.raises(SchemaDrift):
            udir.leaf_paths(body, "EUG")
        return
    paths = udir.leaf_paths(body, "EUG")
    assert len(paths) == len(body["rows"][0]["data"])
    cells = [udir.parse_value(c, "EUG") for r in body["rows"] for c in r["data"]]
    if "arendal" in path.name:
        assert cells[0] == (12.2, None)                        # "12,2": Mobbing på skolen, 10. trinn
    if "svalbard" in path.name:
        assert all(c == (None, "*") for c in cells)
    if "utlandet" in path.name:
        assert cells == [(12.8, None), (10.4, None), (None, "*"), (None, "*")][:len(cells)]


CHECKS = {
    "fhi": _fhi_request,
    "ssb/janbrus_beta-bruker_d974070_v2beta_table_03013.json": _ssb_table_03013,
    "ssb/janbrus_beta-bruker_d974070_v2beta_metadata_11118.json": _ssb_metadata_11118,
    "ssb/janbrus_beta-bruker_d974070_v2beta_data_11118.json": _ssb_data_11118,
    "ssb/janbrus_laks_nor_v2_data_03024.json": _ssb_03024,
    "ssb/janbrus_laks_nor_v2_csv_03024.csv": _ssb_03024,
    "ssb/janbrus_beta-bruker_e1318c7_v2_config.json": _ssb_config,
    "ssb/drwegie_14882_dimensions-extract.json": _ssb_14882_codes,
    "klass/opisthokonta_131.json": _klass_131,
    "klass/evensrii_ssb_klass_kommuneinndeling_2026.csv": _klass_2026,
    "imdi/evensrii_innvandringsgrunn_telemark.csv": _imdi_long,
    "nav/evensrii_2026-02-05.xlsx": _nav_workbook,
    "udir/terchris_udir-elevundersokelsen-mobbing_rapportside.json": _udir_rapportside,
    "udir/terchris_udir-fravar_rapportside.json": _udir_rapportside,
    "udir/mobbing_data": _udir_mobbing,
}


def _check_for(rel: str):
    if rel.startswith("fhi/"):
        return CHECKS["fhi"]
    if rel.startswith("udir/terchris_udir-elevundersokelsen-mobbing_data."):
        return CHECKS["udir/mobbing_data"]
    return CHECKS.get(rel)


def _files(shared_data):
    root = shared_data / "verbatim"
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file())


def test_every_file_has_a_check(shared_data):
    files = _files(shared_data)
    assert len(files) >= 25
    missing = [f for f in files if _check_for(f) is None]
    assert not missing, f"verbatim files without a check: {missing}"


def test_every_file_parses(shared_data):
    for rel in _files(shared_data):
        _check_for(rel)(shared_data / "verbatim" / rel)
