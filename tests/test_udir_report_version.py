"""Audit finding 9: GSI asks the report version Udir's Rapportside names and the newest school years.

Real material (../shared/data/udir, from terchris/atlas, which calls the API live): the Rapportside answer
for GSK_Elev_Skol (data endpoint rest/v1/Statistikk/GSK/GSI/1/8/data) and the TidID list of its filterVerdier
(trimmed by that repo's author to TidID; 2014-15 … 2025-26), plus the recorded data responses of the snapshot.
"""
from __future__ import annotations

import json

import pytest

from loaders import udir
from loaders.cards import SOURCES_DIR, load_card
from loaders.errors import SchemaDrift
from loaders.transport import ReplayTransport, Response

GSI = load_card(SOURCES_DIR / "udir_gsi.yml")


class Udir:
    """Answers Rapportside and filterVerdier from the real files; data requests from the snapshot."""
    name = "live"

    def __init__(self, shared_data, snapshot_dir, page_edit=None, extra_years=()):
        page = json.loads((shared_data / "udir" / "terchris-atlas_udir-gsi_rapportside.json").read_text("utf-8"))
        if page_edit:
            page_edit(page)
        years = json.loads((shared_data / "udir" / "terchris-atlas_udir-gsi_filterverdier_years.json").read_text())
        years["TidID"] = [*extra_years, *years["TidID"]]
        self.page, self.years = page, years
        self.replay = ReplayTransport(snapshot_dir)
        self.urls: list[str] = []

    def send(self, request):
        self.urls.append(request.url)
        if request.url.endswith("/Rapportside/GSK_Elev_Skol"):
            return Response(json.dumps(self.page).encode(), 200, {})
        if request.url.endswith("/filterVerdier"):
            return Response(json.dumps(self.years).encode(), 200, {})
        return self.replay.send(request)


def test_version_and_years_from_udir(shared_data, snapshot_dir):
    t = Udir(shared_data, snapshot_dir)
    result = udir.fetch(GSI, t)
    base = GSI.query["base"]
    assert t.urls[:2] == [f"{base}/Rapportside/GSK_Elev_Skol", f"{base}/Statistikk/GSK/GSI/1/8/filterVerdier"]
    assert t.urls[2:] == [f"{base}/Statistikk/GSK/GSI/1/8/data"] * 2
    assert sorted(result.rows.period.unique()) == ["2024-25", "2025-26"]
    assert result.requests == 4


def test_a_new_version_and_year_are_followed(shared_data, snapshot_dir):
    def bump(page):
        for e in page["rappside"]["rapportElementer"]:
            e["dataEndepunkt"] = e["dataEndepunkt"].replace("/1/8/", "/1/9/")
    new = {"indeks": 0, "id": 202610, "kode": "202610", "navn": "2026-27", "erBegrenset": 0}
    t = Udir(shared_data, snapshot_dir, bump, [new])
    resolved, _ = udir.resolve_report(GSI.query_for("live"), t, "GSK/GSI")
    assert resolved["path"] == "Statistikk/GSK/GSI/1/9/data"
    assert resolved["years"] == {202510: {"period": "2025-26", "geo_vintage": 2024},
                                 202610: {"period": "2026-27", "geo_vintage": 2026}}
    reqs = udir.gsi_requests(GSI, "live", resolved)
    assert [tid for tid, _ in reqs] == ["202510", "202610"]
    assert all(r.url.endswith("/GSK/GSI/1/9/data") for _, r in reqs)
    assert dict(reqs[1][1].params)["filter"].startswith("TidID(202610)_")


def test_rapportside_without_a_gsi_endpoint_is_drift(shared_data, snapshot_dir):
    def other(page):
        for e in page["rappside"]["rapportElementer"]:
            e["dataEndepunkt"] = "rest/v1/Statistikk/GSK/Other/1/1/data"
    with pytest.raises(SchemaDrift, match="expected one under Statistikk/GSK/GSI"):
        udir.resolve_report(GSI.query_for("live"), Udir(shared_data, snapshot_dir, other), "GSK/GSI")


def test_replay_keeps_the_recorded_requests():
    assert udir.resolve_report(GSI.query_for("replay"), None, "GSK/GSI") == ({}, 0)
