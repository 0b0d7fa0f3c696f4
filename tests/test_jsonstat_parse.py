"""JSON-stat 2 parsing on the publishers' own responses (verbatim files in ../shared) and on our snapshot."""
from __future__ import annotations

import json

import pandas as pd
import pytest

from loaders import jsonstat, ssb
from loaders.errors import LoaderError, SchemaDrift


def test_v0_07459_kommuner_sum(shared_data):
    raw = (shared_data / "ssb" / "purplebugs_download-07459_20220914-092711.json").read_bytes()
    ds = jsonstat.parse(raw, expect_dims=["Region", "ContentsCode", "Tid"])
    assert ds.table_id == "07459" and ds.updated == "2022-02-24T07:00:00Z"
    assert ds.unit_text("Personer1") == "personer"
    codes = ds.frame["Region"].map(lambda c: ssb.geo_code(c, "07459"))
    kommuner = ds.frame[codes.notna()]
    assert len(kommuner) == 356                      # K-21-22, K-23, K-Rest dropped
    assert kommuner["value"].sum() == 5_425_270
    oslo = ds.frame.loc[ds.frame["Region"] == "K-0301", "value"].item()
    assert oslo == 699_827


def test_v0_status_symbols_kept(shared_data):
    raw = (shared_data / "ssb" / "stefur_response_no.json").read_bytes()
    doc = json.loads(raw)
    ds = jsonstat.parse(raw)
    flagged = ds.frame.iloc[[int(k) for k in doc["status"]]]
    assert flagged["value"].isna().all()
    assert (flagged["status"] == "..").all()
    assert ds.frame.loc[ds.frame["value"].notna(), "status"].isna().all()
    assert ds.frame["value"].iloc[0] == 136.2            # TOTAL, 01, 2022K1


def test_scb_v2_data_parses_like_pyjstat(shared_data):
    raw = (shared_data / "ssb" / "stefur_TAB6471_data.json").read_bytes()
    ds = jsonstat.parse(raw)
    assert len(ds.frame) == 2772 and ds.table_id == "TAB6471"
    ref = jsonstat.pyjstat_frame(raw)
    pd.testing.assert_frame_equal(ds.frame[ds.ids].reset_index(drop=True),
                                  ref[ds.ids].astype(str).reset_index(drop=True), check_dtype=False)
    assert (ds.frame["value"].to_numpy() == ref["value"].astype(float).to_numpy()).all()


def test_ssb_v2_metadata_codes(shared_data):
    raw = (shared_data / "ssb" / "PxTools_user-guide_0cbb146_example_v2_metadata_05810.json").read_bytes()
    meta = jsonstat.parse(raw, metadata=True)
    assert meta.ids == ["Kjonn", "Alder", "ContentsCode", "Tid"]
    assert meta.categories["Kjonn"] == ["0", "2", "1"]       # index order, not key order
    assert meta.categories["Tid"][-1] == "2025" and len(meta.categories["Tid"]) == 49
    assert meta.frame.empty


def test_fhi_shape(shared_data):
    raw = (shared_data / "fhi" / "folkehelseinstituttet_README_example_jsonstat2_response.json").read_bytes()
    ds = jsonstat.parse(raw)
    assert ds.categories["GEO"] == ["03", "30"]
    assert ds.frame["value"].tolist() == [3516, 2817, 11219, 16846]
    assert ds.frame["status"].isna().all()            # status "" = no symbols
    assert ds.unit_text("BEFVEKST_ANT") == "antall"


def _doc(values, status=None, size=(2, 2)):
    doc = {"class": "dataset", "id": ["A", "B"], "size": list(size),
           "dimension": {"A": {"category": {"index": ["a1", "a2"][: size[0]]}},
                         "B": {"category": {"index": {"b1": 0, "b2": 1}}}}, "value": values}
    if status is not None:
        doc["status"] = status
    return doc


def test_status_forms_and_null_without_status():
    ds = jsonstat.parse(_doc([1, None, None, 4], {"1": ":"}))
    assert ds.frame["status"].tolist() == [None, ":", "..", None]   # null without a symbol -> ".."
    ds = jsonstat.parse(_doc([1, None, 3, None], [None, ".", None, None]))
    assert ds.frame["status"].tolist() == [None, ".", None, ".."]
    ds = jsonstat.parse(_doc({"0": 5, "3": 6}))                       # dict-form value
    assert ds.frame["value"].tolist()[0] == 5 and ds.frame["status"].tolist() == [None, "..", "..", None]


def test_size_mismatch_and_missing_dimension():
    with pytest.raises(LoaderError, match="product of 'size'"):
        jsonstat.parse(_doc([1, 2, 3]))
    with pytest.raises(SchemaDrift, match="Region"):
        jsonstat.parse(_doc([1, 2, 3, 4]), expect_dims=["Region"])
    with pytest.raises(LoaderError, match="not valid JSON"):
        jsonstat.parse(b'{"class":"dataset","id":["A"],"size":[2],"value":[1,')


def test_snapshot_13556_parses_with_same_function(snapshot_dir):
    index = json.loads((snapshot_dir / "ssb" / "index.json").read_text(encoding="utf-8"))
    entry = next(e for e in index if e["file"].startswith("13556_data") and ["valueCodes[Tid]", "2024"] in e["params"]
                 and "Bosatte" == dict(e["params"])["valueCodes[ContentsCode]"])
    ds = jsonstat.parse((snapshot_dir / "ssb" / entry["file"]).read_bytes(), expect_dims=["Region", "Tid"])
    f = ds.frame
    norway = f[(f.Region == "0") & (f.Alder == "15-29") & (f.Kjonn == "0")].set_index("HovArbStyrkStatus")["value"]
    assert norway["TOT3"] == 1_044_103 and norway["NEET"] == 104_388
    assert f["Region"].nunique() == 359                # 357 kommuner + Norway + Oslo fylke
