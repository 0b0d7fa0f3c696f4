"""The shipped boundaries in data/geo and the neighbour table computed from them."""
from __future__ import annotations

import hashlib
import json
import time
from pathlib import Path

import pytest

from loaders import geo
from loaders.cards import load_cards
from loaders.transport import ReplayTransport

GEO = Path(__file__).resolve().parents[1] / "data" / "geo"


@pytest.fixture(scope="module")
def nb():
    card = next(c for c in load_cards("kartverket"))
    started = time.perf_counter()
    table = geo.fetch(card, ReplayTransport()).extra_tables["geo_neighbours"]
    return table, time.perf_counter() - started


def pairs(table, kind=None):
    t = table if kind is None else table[table.kind == kind]
    return set(zip(t.code, t.neighbour_code))


def features(name):
    return json.loads((GEO / name).read_text(encoding="utf-8"))["features"]


@pytest.mark.parametrize("name,count", [("kommuner-2024.geojson", 357), ("fylker-2024.geojson", 15),
                                        ("fylker-2020.geojson", 11), ("fylker-2018.geojson", 18),
                                        ("fylker-2017.geojson", 19)])
def test_files(name, count):
    feats = features(name)
    assert len(feats) == count
    assert all(set(f["properties"]) == {"code", "name"} for f in feats)


def test_sizes_and_old_divisions():
    assert (GEO / "kommuner-2024.geojson").stat().st_size + (GEO / "fylker-2024.geojson").stat().st_size < 1_500_000
    codes17 = {f["properties"]["code"] for f in features("fylker-2017.geojson")}
    assert {"16", "17"} <= codes17 and "50" not in codes17 and "13" not in codes17
    codes18 = {f["properties"]["code"] for f in features("fylker-2018.geojson")}
    assert "50" in codes18 and "16" not in codes18
    readme = (GEO / "README.md").read_text(encoding="utf-8")
    assert "Kartverket, CC BY 4.0 (via robhop/fylker-og-kommuner)" in readme
    assert "| 2019 | 3025 | 0220 Asker, 0627 Røyken, 0628 Hurum |" in readme


def test_not_copies_of_shared(shared_data):
    shared = {hashlib.sha256(p.read_bytes()).hexdigest() for p in shared_data.rglob("*") if p.is_file()}
    ours = {hashlib.sha256(p.read_bytes()).hexdigest() for p in GEO.iterdir()}
    assert not shared & ours


def test_land_neighbours(nb):
    table, _ = nb
    land = pairs(table, "land")
    assert ("0301", "3201") in land      # Oslo – Bærum
    assert ("4003", "4001") in land      # Skien – Porsgrunn
    assert ("5001", "5028") in land      # Trondheim – Melhus
    assert ("03", "32") in land and ("03", "33") in land   # Oslo – Akershus, Oslo – Buskerud (Ringerike)
    assert ("0301", "4601") not in land and ("03", "39") not in land


def test_islands_get_sea_neighbours(nb):
    table, _ = nb
    land_codes = set(table[table.kind == "land"].code)
    islands = set(table.code) - land_codes
    assert {"4627", "1573", "3911", "3110", "1856"} <= islands   # Askøy, Smøla, Færder, Hvaler, Røst
    assert len(islands) == 26
    sea = pairs(table, "sjø")
    assert ("4627", "4601") in sea       # Askøy – Bergen
    assert ("1856", "1857") in sea       # Røst – Værøy
    assert ("1573", "1576") in sea       # Smøla – Aure


def test_symmetric_complete_and_fast(nb):
    table, seconds = nb
    both = pairs(table)
    assert all((b, a) in both for a, b in both)
    assert not table.duplicated(["code", "neighbour_code"]).any()
    kommuner = {f["properties"]["code"] for f in features("kommuner-2024.geojson")}
    fylker = {f["properties"]["code"] for f in features("fylker-2024.geojson")}
    assert set(table.code) == kommuner | fylker
    assert seconds < 2.0
