"""Kommunehelsa export (FHI, closed 2025): the verbatim CSV and our rendered workbook read alike; all 428
kommune names match exactly one 2013 code; an unknown name fails loudly naming it."""
from __future__ import annotations

import pytest

from loaders import klass, kommunehelsa
from loaders.cards import load_cards
from loaders.errors import LoaderError
from loaders.klass import kommuner_at
from loaders.transport import ReplayTransport


@pytest.fixture(scope="module")
def replay(snapshot_dir):
    return ReplayTransport(snapshot_dir)


@pytest.fixture(scope="module")
def units_2013(replay):
    return kommuner_at(replay, 2013)


@pytest.fixture(scope="module")
def card():
    return next(c for c in load_cards("fhi") if c.loader == "kommunehelsa")


def test_verbatim_export_layout(shared_data):
    text = (shared_data / "fhi" / "GeoForum_Arbeidsledighet.csv").read_text(encoding="utf-8")
    doc = kommunehelsa.parse_export(kommunehelsa.csv_rows(text))
    assert doc["title"] == "Arbeidsledighet" and doc["filters"] == ["Alder, 15-29 år", "andel (prosent)"]
    assert doc["years"] == ["2009", "2010", "2011", "2012", "2013"]
    assert len(doc["rows"]) == 428 and doc["rows"][0] == ("Halden", ["3", "3.3", "2.8", "2.7", "3"])


def test_all_428_names_match_one_2013_code(shared_data, units_2013):
    text = (shared_data / "fhi" / "GeoForum_Arbeidsledighet.csv").read_text(encoding="utf-8")
    names = [n for n, _ in kommunehelsa.parse_export(kommunehelsa.csv_rows(text))["rows"]]
    codes = kommunehelsa.match_names(names, units_2013)
    assert len(codes) == 428 and set(codes.values()) == set(units_2013)  # one-to-one onto the 2013 division
    assert codes["Halden"] == "0101" and codes["Oslo"] == "0301"
    assert codes["Kárásjohka Karasjok"] == "2021"       # KLASS: "Kárášjohka - Karasjok"
    assert codes["Snåsa"] == "1736" and codes["Tysfjord"] == "1850" and codes["Hamarøy"] == "1849"
    assert codes["Bø (Nordland)"] == "1867" and codes["Bø (Telemark)"] == "0821"


def test_unmatched_name_fails_loudly(units_2013):
    with pytest.raises(LoaderError, match="Atlantis"):
        kommunehelsa.match_names(["Halden", "Atlantis"], units_2013)
    with pytest.raises(LoaderError, match="Bø"):
        kommunehelsa.match_names(["Bø"], units_2013)  # both 2013 "Bø" carry a disambiguation


def test_snapshot_loads_through_the_loader(card, replay):
    rows = kommunehelsa.fetch(card, replay).rows
    assert len(rows) == 428 * 5 and (rows.geo_vintage == 2013).all() and rows.status.isna().all()
    halden = rows[rows.geo_code == "0101"].sort_values("period")
    assert halden.value.tolist() == [3, 3.3, 2.8, 2.7, 3]
    assert set(rows.dims) == {"ALDER=15_29"} and set(rows.unit) == {"prosent"}


def test_export_is_never_sent_live(card, snapshot_dir, monkeypatch):
    replay = ReplayTransport(snapshot_dir)

    class Live:
        name = "live"

        def send(self, request):  # KLASS is live; the closed bank must not be asked
            assert "khs.fhi.no" not in request.url, "the Kommunehelsa export was sent live"
            if request.url.endswith("/131/changes.json"):   # live asks up to today; answer with the recorded table
                request = klass.changes_request(*klass.changes_span(None, "replay"))
            return replay.send(request)

    monkeypatch.setattr(kommunehelsa, "ReplayTransport", lambda: replay)
    assert len(kommunehelsa.fetch(card, Live()).rows) == 2140
