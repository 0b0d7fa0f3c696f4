"""Audit findings 1 and 6: every Region code SSB lists under `*` is classified, none aborts a load.

The 14882 codes are SSB's own, as drwegie/norgrade fetched them (`data/ssb/14882.json`, extract in
../shared/data/verbatim/ssb/drwegie_14882_dimensions-extract.json): the national total is `01-99`,
`21` is Svalbard and `25` abroad. Before the fix `geo_code("01-99")` raised SchemaDrift for every
category before the level filter ran, and `25` became a fylke.
"""
from __future__ import annotations

import json

from loaders import regions, ssb
from loaders.cards import SOURCES_DIR, load_card as _load


def load_card(name):
    return _load(SOURCES_DIR / f"{name}.yml")


def _extract(shared_data):
    return json.loads((shared_data / "verbatim" / "ssb" / "drwegie_14882_dimensions-extract.json").read_text())


def test_14882_real_region_codes_classified(shared_data):
    codes = [c["code"] for c in _extract(shared_data)["Region"]["categories"]]
    kinds = {c: regions.classify(c) for c in codes}
    assert kinds["01-99"] == ("land", "0")
    assert kinds["21"] == ("svalbard", None)
    assert kinds["25"] == ("abroad", None)
    fylker = sorted(code for kind, code in kinds.values() if kind == "fylke")
    assert "25" not in fylker and "21" not in fylker
    assert fylker == ["01", "02", "03", "04", "05", "06", "07", "08", "09", "10", "11", "12", "14", "15",
                      "16", "17", "18", "19", "20", "50"]


def _dataset(region_codes: list[str]) -> bytes:
    """A JSON-stat 2 data response of 14882's shape with the real Region codes and every cell suppressed
    (status ".."), so no figure is made up: only which codes become rows is under test."""
    dims = {"Region": region_codes, "FullforingVGO": ["5"], "ContentsCode": ["Personer"], "Tid": ["2019-2025"]}
    n = len(region_codes)
    return json.dumps({
        "version": "2.0", "class": "dataset", "label": "14882", "id": list(dims), "size": [len(v) for v in dims.values()],
        "dimension": {d: {"label": d, "category": {"index": {c: i for i, c in enumerate(v)},
                                                    "label": {c: c for c in v}}} for d, v in dims.items()},
        "value": [None] * n, "status": {str(i): ".." for i in range(n)},
    }).encode()


def test_14882_tidy_keeps_land_and_fylker_and_reports_the_rest(shared_data):
    from loaders import jsonstat
    codes = [c["code"] for c in _extract(shared_data)["Region"]["categories"]]
    card = load_card("ssb_14882")
    q = card.query_for("live")
    ds = jsonstat.parse(_dataset(codes), name="14882 data", expect_dims=q["expect_dims"][:1])
    skipped: dict[str, set] = {}
    rows = ssb.tidy(card, q, ds, q["selections"][0], skipped)
    assert sorted(rows.geo_code.unique())[0] == "0"
    assert set(rows.geo_code) == {"0"} | {c for c in codes if c not in ("01-99", "21", "25")}
    assert {k: sorted(v) for k, v in skipped.items()} == {"abroad": ["25"], "svalbard": ["21"]}
    assert (rows.status == "..").all() and rows.value.isna().all()


def test_unknown_codes_are_skipped_not_fatal():
    assert regions.classify("EAK") == ("aggregate", None)
    assert regions.classify("K-2111") == ("svalbard", None)
    assert regions.classify("K-Rest") == ("unstated", None)
    assert regions.classify("F-03") == ("fylke", "03")
    assert regions.count_skipped(["0301", "EAK", "21", "3-9"], regions.LOADED_KINDS) == {"aggregate": 2, "svalbard": 1}


def test_14882_card_labels_match_ssb():
    notes = load_card("ssb_14882").notes
    assert "4b completed with planned basic competence" in notes
    assert "003a still in upper secondary" in notes
