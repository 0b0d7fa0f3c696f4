"""Audit finding 2: SluttaV is asked from the statistics API, and a school year's fylke division is derived.

Evidence for the request (../shared/data/PROVENANCE.md §20b, public code calling it live): Rapportside
VGO_slutta; filters TrinnID, EierformID, KjoennID, ProgramomraadeID, VisAntallPersoner(1),
VisAntallPersonerSlutta(1); columns "Andel sluttet", "Antall elever", "Antall sluttet"; rows Nasjonalt ›
Fylke › Skole with "2" = Utlandet. No saved SluttaV response exists, so the parse test uses the JSON layout
of the real GjennomfoeringV response (same API) with every cell suppressed: no figure is made up.
"""
from __future__ import annotations

import json

import pytest

from loaders import udir
from loaders.cards import SOURCES_DIR, load_card
from loaders.errors import SchemaDrift
from loaders.transport import Response

SLUTTA = load_card(SOURCES_DIR / "udir_slutta.yml")
# The hand-made map the card held until now, checked against Udir's own export 2011-12 … 2020-21.
CHECKED = {"2011-12": 2017, "2012-13": 2017, "2013-14": 2017, "2014-15": 2017, "2015-16": 2017,
           "2016-17": 2017, "2017-18": 2018, "2018-19": 2018, "2019-20": 2020, "2020-21": 2020}


def test_division_derived_from_school_year():
    assert {p: udir.slutta_division(p) for p in CHECKED} == CHECKED
    assert udir.slutta_division("2023-24") == 2024 and udir.slutta_division("2025-26") == 2024
    with pytest.raises(SchemaDrift):
        udir.slutta_division("2025-27")


def test_export_years_come_from_the_rule(snapshot_dir):
    from loaders.transport import ReplayTransport
    df = udir.fetch(SLUTTA, ReplayTransport(snapshot_dir)).rows
    got = df.groupby("period").geo_vintage.first().to_dict()
    assert got == CHECKED


class Udir:
    name = "live"

    def __init__(self):
        self.sent = []

    def send(self, request):
        self.sent.append(request)
        base = SLUTTA.query["base"]
        if request.url == f"{base}/Rapportside/VGO_slutta":
            page = {"rappside": {"kode": "VGO_slutta", "filterVerdiEndepunkt": "rest/v1/Statistikk/VGO/SluttaV/2/3/filterVerdier",
                                 "rapportElementer": [{"dataEndepunkt": "rest/v1/Statistikk/VGO/SluttaV/2/3/data"}]}}
            return Response(json.dumps(page).encode(), 200, {})
        if request.url.endswith("/SluttaV/2/3/filterVerdier"):
            return Response(json.dumps({"TidID": [{"id": 202406, "navn": "2024-25"},
                                                  {"id": 202306, "navn": "2023-24"}]}).encode(), 200, {})
        assert request.url == f"{base}/Statistikk/VGO/SluttaV/2/3/data"
        cols = [[{"name": "2023-24", "columnCount": 3}, {"name": "Foreløpige tall 2024-25", "columnCount": 3}],
                [{"name": "Alle trinn", "columnCount": 6}],
                [{"name": n, "columnCount": 1} for n in ("Andel sluttet", "Antall elever", "Antall sluttet")] * 2]
        rows = [{"id": "1", "kode": "I", "navn": "Hele landet", "data": ["*"] * 6},
                {"id": "1.3", "kode": "03", "navn": "Oslo", "data": ["*"] * 6},
                {"id": "1.3.974", "kode": "974", "navn": "En skole", "data": ["*"] * 6},
                {"id": "1.25", "kode": "25", "navn": "Utlandet", "data": ["*"] * 6},
                {"id": "2", "kode": "U", "navn": "Utlandet", "data": ["*"] * 6}]
        return Response(json.dumps({"metadata": {"columns": cols}, "rows": rows}).encode(), 200, {})


def test_live_request_and_parse():
    t = Udir()
    result = udir.fetch(SLUTTA, t)
    data = t.sent[-1]
    params = dict(data.params)
    assert params["filter"] == ("EierformID(-10)_KjoennID(-10)_ProgramomraadeID(-10)_TidID(202306_202406)_"
                                "TrinnID(-10)_VisAntallPersoner(1)_VisAntallPersonerSlutta(1)")
    assert params["radSti"] == "(-12)_(-12.*)"
    assert "statistikkbanken" not in " ".join(r.url for r in t.sent)
    df = result.rows
    assert set(df.geo_code) == {"0", "03"} and set(df.period) == {"2023-24", "2024-25"}
    assert set(df.measure) == {"andel_sluttet", "elever", "sluttet"}
    assert (df.status == "*").all() and df.value.isna().all()
    assert set(df.geo_vintage) == {2024}
    assert result.skipped == {"abroad": 2}
