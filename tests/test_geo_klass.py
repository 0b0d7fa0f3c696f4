"""KLASS parsing (verbatim shared files and the rendered snapshot, same parser) and the rebuilt divisions."""
from __future__ import annotations

import json

import pandas as pd
import pytest

from loaders import klass
from loaders.cards import load_cards
from loaders.errors import SchemaDrift
from loaders.transport import ReplayTransport


@pytest.fixture(scope="module")
def replay(snapshot_dir):
    return ReplayTransport(snapshot_dir)


@pytest.fixture(scope="module")
def tables(replay):
    card = next(c for c in load_cards("klass") if c.table_id == "131")
    return klass.fetch(card, replay).extra_tables


def test_verbatim_version_and_changes_parse(shared_data):
    kom, meta = klass.parse_version(json.loads(
        (shared_data / "klass" / "opisthokonta_Kommuneinndeling_2024.json").read_text("utf-8")))
    assert len(kom) == 357 and "9999" not in kom
    assert meta["id"] == 1710 and meta["validFrom"] == "2024-01-01"
    assert kom["5001"] == "Trondheim - Tråante"
    changes = klass.parse_changes(json.loads(
        (shared_data / "klass" / "opisthokonta_changetables.json").read_text("utf-8")))
    assert len(changes) == 594
    split = {c["newCode"] for c in changes if c["oldCode"] == "1507" and c["changeOccurred"] == "2024-01-01"}
    assert split == {"1508", "1580"}
    fylker = klass.parse_codes_at(json.loads(
        (shared_data / "klass" / "statisticsnorway-mimir_klass104_codesAt_2020-01-01.json").read_text("utf-8")))
    assert len(fylker) == 11 and fylker["54"] == "Troms og Finnmark - Romsa ja Finnmárku"


def test_snapshot_parses_alike(shared_data, replay):
    verbatim, _ = klass.parse_version(json.loads(
        (shared_data / "klass" / "opisthokonta_Kommuneinndeling_2022.json").read_text("utf-8")))
    assert klass.kommuner_at(replay, 2022) == verbatim
    raw = json.loads((shared_data / "klass" / "opisthokonta_changetables.json").read_text("utf-8"))
    keys = ("oldCode", "oldName", "newCode", "newName", "changeOccurred")
    assert [{k: c[k] for k in keys} for c in raw["codeChanges"]] == klass.code_changes_raw(replay)


def test_parsers_fail_loudly_on_drift():
    with pytest.raises(SchemaDrift):
        klass.parse_version({"name": "x", "classificationItems": [{"code": "301", "level": "1", "name": "Oslo"}]})
    with pytest.raises(SchemaDrift):
        klass.parse_codes_at({"codes": []})
    with pytest.raises(SchemaDrift):
        klass.parse_changes({"codeChanges": [{"oldCode": "0101", "newCode": ""}]})


KNOWN = {2008: (430, 19), 2011: (430, 19), 2012: (429, 19), 2013: (428, 19), 2016: (428, 19),
         2017: (426, 19), 2018: (422, 18), 2019: (422, 18), 2020: (356, 11), 2023: (356, 11), 2024: (357, 15)}


@pytest.mark.parametrize("year", sorted(KNOWN))
def test_division_counts(replay, tables, year):
    kom, fyl = KNOWN[year]
    assert (len(klass.kommuner_at(replay, year)), len(klass.fylker_at(replay, year))) == (kom, fyl)
    h = tables["geo_units_history"]
    now = h[(h.valid_from <= year) & (h.valid_to >= year)]
    assert now.level.value_counts().to_dict() == {"kommune": kom, "fylke": fyl}


def test_old_names_and_codes(replay):
    k2013 = klass.kommuner_at(replay, 2013)
    assert k2013["2021"] == "Kárášjohka - Karasjok" and k2013["1903"] == "Harstad"
    assert "1901" not in k2013 and "1756" in k2013            # Harstad/Bjarkøy 2013, Inderøy 2012
    assert klass.kommuner_at(replay, 2011)["1723"] == "Mosvik"
    assert klass.kommuner_at(replay, 2018)["1567"] == "Rindal"  # moved to Trøndelag (5061) in 2019
    assert "5061" in klass.kommuner_at(replay, 2019)
    assert klass.fylker_at(replay, 2016)["16"] == "Sør-Trøndelag"
    f24 = klass.fylker_at(replay, 2024)
    assert f24["18"] == "Nordland - Nordlánnda" and f24["55"] == "Troms - Romsa - Tromssa" and len(f24) == 15
    with pytest.raises(Exception):
        klass.kommuner_at(replay, 2007)


def test_geo_units(tables):
    u = tables["geo_units"]
    assert u.level.value_counts().to_dict() == {"land": 1, "fylke": 15, "kommune": 357}
    land = u[u.level == "land"].iloc[0]
    assert land.code == "0" and land["name"] == "Norge" and pd.isna(land.parent_code)
    assert set(u[u.level == "fylke"].parent_code) == {"0"}
    kom = u.set_index("code")
    assert kom.loc["1580", "parent_code"] == "15" and kom.loc["3201", "name"] == "Bærum"
    assert kom.loc["1508", "name"] == "Ålesund"


def test_code_changes(tables):
    ch = tables["geo_code_changes"]
    def kind(old, new, level="kommune"):
        return ch[(ch.old_code == old) & (ch.new_code == new) & (ch.level == level)].kind.tolist()
    assert kind("1507", "1508") == ["split"] and kind("1507", "1580") == ["split"]
    assert kind("0710", "3804") == ["renumber"]        # Sandefjord (with Stokke/Andebu since 2017) in 2020
    assert kind("3804", "3907") == ["renumber"]
    assert kind("0720", "0704") == ["split"]           # Stokke 2017 -> Tønsberg + Sandefjord
    assert kind("1736", "1736") == ["rename"]          # Snåsa -> Snåase - Snåsa, 2011
    assert kind("30", "31", "fylke") == ["split"] and kind("16", "50", "fylke") == ["merge"]
    assert kind("01", "30", "fylke") == ["merge"] and kind("05", "34", "fylke") == ["split"]
    assert str(ch[(ch.old_code == "1601")].changed_on.iloc[0]) == "2018-01-01"
