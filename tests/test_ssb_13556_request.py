"""Audit finding 5: the live 13556 requests ask TOT3 only where a real client has asked it.

Real clients: larsbauger/sobru_nettside `data_prep.R` — ApiData12(13556, ContentsCode = "Bosatte",
HovArbStyrkStatus = c("TOT3", "NEET"), ...) with no code list; evensrii/Telemark — `valuecodes[HovArbStyrkStatus]=NEET`
with `codelist[HovArbStyrkStatus]=vs_ArbStatus2018niva4`. TOT3 under vs_ArbStatus2018niva4 appears in none.
"""
from __future__ import annotations

from urllib.parse import parse_qsl, urlsplit

from loaders import jsonstat, ssb
from loaders.cards import SOURCES_DIR, load_card
from loaders.transport import ReplayTransport


def _params(req):
    return dict(req.params) if req.params else dict(parse_qsl(urlsplit(req.url).query))


def test_live_13556_requests(snapshot_dir):
    card = load_card(SOURCES_DIR / "ssb_13556.yml")
    q = card.query_for("live")
    meta_resp = ReplayTransport(snapshot_dir).send(ssb.metadata_request("13556"))
    meta = jsonstat.parse(meta_resp.content, metadata=True, expect_dims=q["expect_dims"])
    counts = ssb.plan("13556", q["selections"][0], meta)
    share = ssb.plan("13556", q["selections"][1], meta)
    assert len(counts) == len(meta.categories["Tid"])            # one per year
    for req in counts:
        p = _params(req)
        assert p["valueCodes[HovArbStyrkStatus]"] == "TOT3,NEET"
        assert not any(k.startswith("codelist[") for k in p)
    for req in share:
        p = _params(req)
        assert p["valueCodes[HovArbStyrkStatus]"] == "NEET"
        assert p["codelist[HovArbStyrkStatus]"] == "vs_ArbStatus2018niva4"
    # the codes asked without a code list must be the table's own values (plan checks; so do we)
    assert {"TOT3", "NEET"} <= set(meta.categories["HovArbStyrkStatus"])
