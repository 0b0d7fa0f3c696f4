"""Audit finding 3: IMDi's download_csv answers one long table since December 2024; both layouts are read.

Real material: ../shared/data/verbatim/imdi/evensrii_innvandringsgrunn_telemark.csv, the long export for the
Telemark kommuner as evensrii/Telemark's innvandringsgrunn.py saved it (comma-separated UTF-8, codes padded,
counts as "4471.0"). PROVENANCE §20 says IMDi serves it with `;`, ISO-8859-1 and the code as an integer;
the second test feeds the same rows in that form through the loader's own fetch path.
"""
from __future__ import annotations

import csv
import io

import pytest

from loaders import imdi
from loaders.cards import SOURCES_DIR, load_card
from loaders.transport import Response

CARD = "imdi_befolkning_innvandringsgrunn.yml"


def _text(shared_data) -> str:
    return (shared_data / "verbatim" / "imdi" / "evensrii_innvandringsgrunn_telemark.csv").read_text("utf-8")


def _cell(frame, **kw):
    sel = frame
    for k, v in kw.items():
        sel = sel[sel[k] == v]
    assert len(sel) == 1, kw
    return sel.iloc[0]


def _check(frame):
    # Skien 2025, both sexes: 9043 immigrants, 4697 refugees and their families (51.9 % in the file's Prosent row)
    skien = dict(geo_code="4003", period="2025")
    assert _cell(frame, **skien, dims="enhet=personer|innvandringsgrunn=alle|kjonn=alle").value == 9043
    assert _cell(frame, **skien, dims="enhet=personer|innvandringsgrunn=flukt|kjonn=alle").value == 4697
    assert _cell(frame, **skien, dims="enhet=personer|innvandringsgrunn=alle|kjonn=menn").value == 4471
    assert set(frame.unit) == {"personer"}                      # Prosent left out, as in the wide layout
    vint = frame.groupby("geo_code").geo_vintage.unique()
    assert list(vint["0805"]) == [2019] and list(vint["3806"]) == [2023] and list(vint["4003"]) == [2025]
    assert len(frame) == 12_744 // 2                            # every Personer row of the file, none more


def test_long_layout_as_saved(shared_data):
    card = load_card(SOURCES_DIR / CARD)
    text = _text(shared_data)
    assert imdi.is_long(text)
    rows, skipped = imdi.tidy_long(card, *imdi.read_long(text, card.key), card.query)
    _check(imdi._frame(rows))
    assert skipped == {}


class _OneFile:
    name = "live"

    def __init__(self, content: bytes):
        self.content = content

    def send(self, request):
        return Response(self.content, 200, {})


def test_long_layout_on_the_wire(shared_data):
    """`;`, ISO-8859-1, integer codes: the form IMDi serves (per PROVENANCE §20), built from the real rows."""
    rows = list(csv.reader(io.StringIO(_text(shared_data))))
    out = io.StringIO()
    w = csv.writer(out, delimiter=";", lineterminator="\r\n")
    w.writerow(rows[0])
    for r in rows[1:]:
        w.writerow([str(int(r[0]))] + r[1:])
    result = imdi.fetch(load_card(SOURCES_DIR / CARD), _OneFile(out.getvalue().encode("iso-8859-1")))
    _check(result.rows)


def test_long_layout_unknown_label_is_drift(shared_data):
    card = load_card(SOURCES_DIR / CARD)
    text = _text(shared_data).replace(",Arbeidsinnvandrere,", ",Arbeid,", 1)
    with pytest.raises(imdi.SchemaDrift, match="unknown Innvandringsgrunn 'Arbeid'"):
        imdi.tidy_long(card, *imdi.read_long(text, card.key), card.query)
