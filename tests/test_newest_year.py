"""Audit finding 7: divisions after 2024 are known, and a period after 2024 is mapped or reported, never
dropped in silence.

The live card asks KLASS for the change table up to the refresh date (``to: today``). Here a transport
named "live" answers that request with the snapshot's real KLASS change table (opisthokonta, fetched
2025-01-02: no change dated 2025 or later), as KLASS would answer in 2026 if no kommune changed in 2025 or
2026; every other request is the snapshot's. Nothing is written to data/.
"""
from __future__ import annotations

import json
from datetime import date

import pytest

from indicators.harmonise import to_2024
from loaders import db, klass
from loaders.cards import load_cards
from loaders.transport import ReplayTransport, Request, Response


class LiveIn2026:
    name = "live"

    def __init__(self, snapshot_dir, extra_changes: list[dict] | None = None):
        self.replay = ReplayTransport(snapshot_dir)
        self.extra = extra_changes or []
        self.sent: list[Request] = []

    def send(self, request: Request) -> Response:
        self.sent.append(request)
        if request.url.endswith("/classifications/131/changes.json"):
            assert dict(request.params)["to"] == date.today().isoformat()
            real = self.replay.send(klass.changes_request(*klass.changes_span(None, "replay")))
            body = json.loads(real.content)
            body["codeChanges"] = body["codeChanges"] + self.extra
            return Response(json.dumps(body).encode(), 200, {})
        return self.replay.send(request)


def _tables(transport):
    klass._cache.clear() if hasattr(klass._cache, "clear") else None
    card = next(x for x in load_cards("klass") if x.table_id == "131")
    return klass.fetch(card, transport).extra_tables


def test_live_card_asks_changes_up_to_today():
    frm, to = klass.changes_span(None, "live", today=date(2026, 3, 1))
    assert (frm, to) == ("1971-01-01", "2026-03-01")
    assert klass.changes_span(None, "replay")[1] == "2025-01-02"     # the snapshot's own change table


@pytest.mark.skipif(date.today().year < 2026, reason="needs a refresh date in 2026 or later")
def test_divisions_run_to_the_current_year_one_to_one(snapshot_dir):
    t = LiveIn2026(snapshot_dir)
    year = date.today().year
    assert klass.last_year(t) == year
    k2024 = klass.kommuner_at(t, 2024)
    for y in range(2025, year + 1):
        assert klass.kommuner_at(t, y) == k2024 and len(k2024) == 357
    h = _tables(t)["geo_units_history"]
    assert int(h.valid_to.max()) == year
    assert (h[(h.valid_from <= year) & (h.valid_to >= year)].level.value_counts().to_dict()
            == {"kommune": 357, "fylke": 15})


@pytest.mark.skipif(date.today().year < 2026, reason="needs a refresh date in 2026 or later")
def test_2025_vintage_maps_one_to_one_and_a_later_change_is_reported(snapshot_dir, tmp_path):
    # one made-up 2026 change (Bykle 4222 into Valle 4221), only to see it reported, never loaded as data
    change = {"oldCode": "4222", "oldName": "Bykle", "newCode": "4221", "newName": "Valle",
              "changeOccurred": "2026-01-01"}
    c = db.connect(tmp_path / "geo.duckdb")
    db.create_schema(c)
    for name, frame in _tables(LiveIn2026(snapshot_dir, [change])).items():
        db.replace_table(c, name, frame)
    df = to_2024(c, [("4001", 2025), ("40", 2025), ("4222", 2025), ("4222", 2026), ("0301", 2027)])
    got = sorted(zip(df.old_code, df.vintage, df.code_2024, df.kind))
    assert got == [("40", 2025, "40", "same"), ("4001", 2025, "4001", "same"), ("4222", 2025, "4222", "same")]
    reasons = {(code, v): r for code, v, r in df.attrs["unmapped"]}
    assert set(reasons) == {("4222", 2026), ("0301", 2027)}
    assert "changed between 2024 and 2026" in reasons[("4222", 2026)]
    c.close()
