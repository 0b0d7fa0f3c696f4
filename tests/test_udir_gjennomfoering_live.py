"""Audit finding 4: Udir GjennomfoeringV's count columns have never been seen in a real response, so the live card
asks one indicator and one value kind (Vis* flag) per request and takes a column's meaning from the request, not
from a header name."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from loaders.cards import load_card

SOURCES = Path(__file__).resolve().parents[1] / "loaders" / "sources"


def card(name: str):
    return load_card(SOURCES / f"{name}.yml")

def test_gjennomfoering_meaning_comes_from_the_request_not_the_header(shared_data):
    """Only "Fullført" over "Prosent" has been seen in a real response (VirtualAiCorp/NMBU-sammenligning,
    -174 with VisProsent). The live card asks one indicator and one Vis* flag per request, so a column's
    meaning is what was asked: the real response, served for every request with the indicator and value
    levels renamed to other words, loads each measure with Udir's real figures (Norway 2014: 79,6)."""
    from loaders import udir
    from loaders.transport import Response
    c = card("udir_gjennomfoering")
    fv, _ = udir.gjennomfoering_requests(c, "live")
    real = json.loads((shared_data / "udir/VirtualAiCorp_gjennomfoering_data.json").read_text("utf-8"))
    levels = [[col["name"] for col in lvl] for lvl in real["metadata"]["columns"]]
    assert levels[4][0] == "Fullført" and levels[-1][0] == "Prosent"        # the names seen live

    def relabel(indicator: str, show: str) -> bytes:
        body = json.loads(json.dumps(real))
        for col in body["metadata"]["columns"][4] + body["metadata"]["columns"][5]:
            col["name"] = {"-174": "Fullført", "-169": "Sluttet"}[indicator]
        for col in body["metadata"]["columns"][-1]:
            col["name"] = {"VisProsent": "Prosent", "VisTeller": "Antall", "VisNevner": "Antall elever"}[show]
        return json.dumps(body).encode()

    answers = {fv.key: (shared_data / "udir/VirtualAiCorp_gjennomfoering_filterverdier.json").read_bytes()}
    for ind, show, req in udir.gjennomfoering_data_requests(c, "live"):
        answers[req.key] = relabel(ind, show)

    class T:
        name = "live"

        def send(self, request):
            return Response(answers[request.key])

    res = udir.fetch(c, T())
    assert res.requests == 7
    rows = res.rows
    assert set(rows.measure) == {f"{i}_{v}" for i in ("fullfort_5_6_aar", "sluttet_underveis")
                                 for v in ("prosent", "teller", "nevner")}
    norway = rows[(rows.geo_code == "0") & (rows.period == "2014")]
    assert set(norway.value) == {79.6}
    assert set(rows[rows.measure.str.endswith("_teller")].unit) == {"elever"}


def test_gjennomfoering_two_value_kinds_in_one_answer_is_drift(shared_data):
    from loaders import udir
    real = json.loads((shared_data / "udir/VirtualAiCorp_gjennomfoering_data.json").read_text("utf-8"))
    paths = udir.leaf_paths(real, "t")
    periods, label, leaf = udir.single_value_columns(paths, "t", [str(y) for y in range(2014, 2020)],
                                                     ["Alle utdanningsprogram", "Alle kjønn"])
    assert (label, leaf) == ("Fullført", "Prosent") and periods == [str(y) for y in range(2014, 2020)]
    mixed = paths[:-1] + [paths[-1][:-1] + ("Teller",)]
    with pytest.raises(udir.SchemaDrift, match="one indicator and one value kind"):
        udir.single_value_columns(mixed, "t", [str(y) for y in range(2014, 2020)],
                                  ["Alle utdanningsprogram", "Alle kjønn"])
