"""Audit finding 6 (second half): a dimension left out of a card's selection is eliminated by SSB only if
its metadata says ``elimination: true``. Real material: SSB PxWebApi v2 metadata of table 11118
(janbrus/beta-bruker, ../shared/data/verbatim/ssb/), where every dimension has ``elimination: false``."""
from __future__ import annotations

import json

import pytest

from loaders import jsonstat, ssb
from loaders.errors import SchemaDrift


def _meta(shared_data, edit=None):
    doc = json.loads((shared_data / "verbatim" / "ssb" / "janbrus_beta-bruker_d974070_v2beta_metadata_11118.json")
                     .read_text("utf-8"))
    if edit:
        edit(doc)
    return jsonstat.parse(json.dumps(doc).encode(), name="11118 metadata", metadata=True)


def test_real_metadata_carries_elimination_flags(shared_data):
    meta = _meta(shared_data)
    assert {d: e.get("elimination") for d, e in meta.dim_extensions.items()} == \
        {"Leveringssektor": False, "ContentsCode": False, "Tid": False}


def test_left_out_dimension_without_a_total_is_named(shared_data):
    meta = _meta(shared_data)
    sel = {"valueCodes": {"ContentsCode": ["LevIndAar"], "Tid": ["2020"]}}
    with pytest.raises(SchemaDrift, match="dimension Leveringssektor is not selected, cannot be eliminated"):
        ssb.plan("11118", sel, meta)


def test_left_out_dimension_gets_its_total(shared_data):
    def total_first(doc):       # the form SSB uses for a total: a category labelled "I alt"
        cat = doc["dimension"]["Leveringssektor"]["category"]
        cat["label"]["B1"] = "I alt"
    meta = _meta(shared_data, total_first)
    sel = {"valueCodes": {"ContentsCode": ["LevIndAar"], "Tid": ["2020"]}}
    (req,) = ssb.plan("11118", sel, meta)
    assert dict(req.params)["valueCodes[Leveringssektor]"] == "B1"


def test_eliminable_dimension_is_left_out(shared_data):
    def eliminable(doc):
        doc["dimension"]["Leveringssektor"]["extension"]["elimination"] = True
    meta = _meta(shared_data, eliminable)
    (req,) = ssb.plan("11118", {"valueCodes": {"ContentsCode": ["LevIndAar"], "Tid": ["2020"]}}, meta)
    assert "valueCodes[Leveringssektor]" not in dict(req.params)
