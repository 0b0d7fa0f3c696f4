"""Audit finding 10: 08764 and 12944 no longer load empty cells for kommuner absent that year, and FHI 370
is no longer one ~3e5-cell call."""
from __future__ import annotations

import json

from loaders import fhi, jsonstat, ssb
from loaders.cards import SOURCES_DIR, load_card
from loaders.transport import ReplayTransport


def _meta(snapshot_dir, table):
    resp = ReplayTransport(snapshot_dir).send(ssb.metadata_request(table))
    return jsonstat.parse(resp.content, metadata=True)


def test_08764_and_12944_one_request_per_period(snapshot_dir):
    for table in ("08764", "12944"):
        card = load_card(SOURCES_DIR / f"ssb_{table}.yml")
        q = card.query_for("live")
        assert q["drop_empty_regions"] is True
        meta = _meta(snapshot_dir, table)
        reqs = ssb.plan(table, q["selections"][0], meta)
        tids = [dict(r.params)["valueCodes[Tid]"] for r in reqs]
        assert tids == meta.categories["Tid"] and len(tids) > 1


def test_empty_region_is_skipped_and_counted():
    """A 2024 response listing 1723 Mosvik (gone since 2012) with no value: not loaded, counted."""
    card = load_card(SOURCES_DIR / "ssb_08764.yml")
    q = card.query_for("live")
    dims = {"Region": ["0", "1723"], "ContentsCode": ["Personer"], "Tid": ["2024"]}
    doc = {"version": "2.0", "class": "dataset", "id": list(dims), "size": [2, 1, 1],
           "dimension": {d: {"label": d, "category": {"index": {c: i for i, c in enumerate(v)},
                                                       "label": {c: c for c in v}}} for d, v in dims.items()},
           "value": [None, None], "status": {"0": "..", "1": ".."}}
    # No figure is invented: both cells are suppressed, so both regions count as empty in this response.
    ds = jsonstat.parse(json.dumps(doc).encode(), name="08764 data")
    skipped: dict[str, set] = {}
    rows = ssb.tidy(card, q, ds, None, skipped)
    assert rows.empty
    assert skipped == {"empty (not in that period's division)": {"0", "1723"}}


def test_fhi_370_split_under_60000_cells():
    card = load_card(SOURCES_DIR / "fhi_370.yml")
    reqs = [r for r in fhi.requests_for(card, "live") if r.method == "POST"]
    assert len(reqs) == 6
    geo, years = 400, 8        # ~357 kommuner + 15 fylker + Norway and bydeler; 2017-2024
    for r in reqs:
        sizes = {d["code"]: len(d["values"]) for d in r.body["dimensions"] if d["filter"] == "item"}
        assert geo * years * sizes["KJONN"] * sizes["ALDER"] * sizes["KODEGRUPPE"] <= 60_000
    pairs = {tuple(tuple(d["values"]) for d in r.body["dimensions"] if d["code"] in ("ALDER", "KODEGRUPPE"))
             for r in reqs}
    assert len(pairs) == 6                   # no combination asked twice
