"""IMDi exports: the loader reads the verbatim shared files and the rendered snapshot the same way.

Values below were looked up by hand in ../shared/data/imdi (see each comment)."""
from __future__ import annotations

import dataclasses

import pandas as pd
import pytest

from loaders import imdi
from loaders.cards import load_cards
from loaders.errors import SchemaDrift
from loaders.transport import ReplayTransport, Response

CARDS = {c.table_id: c for c in load_cards("imdi")}


class FileTransport:
    """Answers the card's URLs with the verbatim shared files (as a live download would)."""
    name = "live"

    def __init__(self, answers: dict[str, bytes]):
        self.answers = answers

    def send(self, request):
        return Response(self.answers[request.url])


def _urls_and_files(card):
    q = card.query
    urls = [f["url"] for f in q["files"]] if "files" in q else [q["url"]]
    files = card.origin["file"] if isinstance(card.origin["file"], list) else [card.origin["file"]]
    return list(zip(urls, files))


def _sorted(frame: pd.DataFrame) -> pd.DataFrame:
    keys = ["measure", "dims", "geo_code", "geo_vintage", "period"]
    return frame.sort_values(keys).reset_index(drop=True)


@pytest.fixture(scope="module")
def verbatim(shared_data):
    out = {}
    for tid, card in CARDS.items():
        answers = {u: (shared_data / f).read_bytes() for u, f in _urls_and_files(card)}
        out[tid] = imdi.fetch(card, FileTransport(answers)).rows
    return out


@pytest.fixture(scope="module")
def replayed(snapshot_dir):
    transport = ReplayTransport(snapshot_dir)
    return {tid: imdi.fetch(card, transport).rows for tid, card in CARDS.items()}


def one(rows, geo, period, **dims):
    key = "|".join(f"{k}={dims[k]}" for k in sorted(dims))
    hit = rows[(rows.geo_code == geo) & (rows.period == period) & (rows.dims == key)]
    assert len(hit) == 1, (geo, period, key, len(hit))
    return hit.iloc[0]


@pytest.mark.parametrize("tid", sorted(CARDS))
def test_rendered_snapshot_parses_to_the_same_rows(tid, verbatim, replayed):
    pd.testing.assert_frame_equal(_sorted(verbatim[tid]), _sorted(replayed[tid]))


def test_innvandringsgrunn_counts_and_vintages(replayed):
    rows = replayed["befolkning_innvandringsgrunn"]
    assert set(rows.unit) == {"personer"}  # Prosent (share of all immigrants) is derivable, not kept
    # K0301 Oslo 2021: Alle/Alle 176994, Arbeidsinnvandrere/Alle 39759
    assert one(rows, "0301", "2021", enhet="personer", innvandringsgrunn="alle", kjonn="alle").value == 176994
    assert one(rows, "0301", "2021", enhet="personer", innvandringsgrunn="arbeid", kjonn="alle").value == 39759
    # K3001 Halden: 2006 Alle/Kvinner 992 published on the 2020 code -> vintage 2020
    halden = one(rows, "3001", "2006", enhet="personer", innvandringsgrunn="alle", kjonn="kvinner")
    assert (halden.value, halden.geo_vintage) == (992, 2020)
    # K0602 Drammen (t.o.m. 2019): 2019 Alle/Kvinner 7329, vintage 2019, nothing for 2020
    drammen = one(rows, "0602", "2019", enhet="personer", innvandringsgrunn="alle", kjonn="kvinner")
    assert (drammen.value, drammen.geo_vintage) == (7329, 2019)
    assert rows[(rows.geo_code == "0602") & (rows.period == "2020")].empty
    vint = rows.groupby("geo_code").geo_vintage.first()
    assert vint["0706"] == 2016 and vint["0702"] == 2017 and vint["5060"] == 2020
    assert rows[rows.geo_vintage == 2020].geo_code.nunique() == 356
    assert rows.geo_code.nunique() == 475


def test_fylke_completion_keeps_counts_shares_and_symbols(replayed):
    rows = replayed["videregaende_fullfort_fylke"]
    # F03 Oslo 2019, Hele befolkningen / Alle: 6094 persons, 82.0 %; Innvandrere / Kvinner 348, 71.9 %
    assert one(rows, "03", "2019", enhet="personer", innvkat_5="alle", kjonn="alle").value == 6094
    assert one(rows, "03", "2019", enhet="prosent", innvkat_5="alle", kjonn="alle").value == 82.0
    assert one(rows, "03", "2019", enhet="prosent", innvkat_5="innvandrere", kjonn="kvinner").value == 71.9
    # F14 Sogn og Fjordane 2009, Befolkningen unntatt innvandrere / Kvinner / Personer is ':'
    cell = one(rows, "14", "2009", enhet="personer", innvkat_5="befolkningen_ellers", kjonn="kvinner")
    assert pd.isna(cell.value) and cell.status == ":"
    # F17 Nord-Trøndelag 2009 Norskfødte / Kvinner / Personer is '.'
    cell = one(rows, "17", "2009", enhet="personer", innvkat_5="norskfodte_m_innvf", kjonn="kvinner")
    assert pd.isna(cell.value) and cell.status == "."
    vint = rows.groupby("geo_code").geo_vintage.agg(set)
    assert vint["17"] == {2017} and vint["50"] == {2018} and vint["03"] == {2018}
    assert rows[rows.geo_code == "50"].period.min() == "2018"


def test_latin1_letters_survive(snapshot_dir):
    raw = (snapshot_dir / "imdi" / "befolkning_innvandringsgrunn.csv").read_bytes()
    table = imdi.read_download_csv(raw.decode("iso-8859-1"), "t")
    assert "Kjønn" in table.dims
    names = {code: name for code, name, _ in table.rows}
    assert names["K0121"] == "Rømskog (t.o.m. 2019)" and names["K3018"] == "Våler (Østf.)"
    assert "ø".encode("iso-8859-1") in raw and "ø".encode("utf-8") not in raw


def test_imdikator_2013_values(replayed):
    low = replayed["vedvarende_lavinntekt"]
    # Oslo 0301 13.7 %, Landet 8.6 % (fylke_nr 00 -> geo 0)
    assert one(low, "0301", "2013", enhet="prosent", innvkat_3="alle", vreg_3="alle").value == 13.7
    assert one(low, "0", "2013", enhet="prosent", innvkat_3="alle", vreg_3="alle").value == 8.6
    arb = replayed["arbledige"]
    # Landet 81941 persons / 3.2 %; Oslo fylke 03: 14633 / 4.3 %
    assert one(arb, "0", "2013", enhet="personer", innvkat_3="alle", vreg_3="alle").value == 81941
    assert one(arb, "03", "2013", enhet="prosent", innvkat_3="alle", vreg_3="alle").value == 4.3
    ikke = replayed["ikke_arbutd"]
    # Skien 0806: 7928 persons, 22.3 %
    assert one(ikke, "0806", "2013", enhet="personer", innvkat_3="alle", aldersinndeling_etter_grskole="alle").value == 7928
    ung = replayed["ungdom_utenfor_opplaring"]
    # Oslo 0301: 17140 persons, 20.9 %
    assert one(ung, "0301", "2013", enhet="personer", innvkat_5="alle", kjonn="alle").value == 17140
    fullf = replayed["videregaende_fullfort"]
    # Oslo 0301 2011_2013: 11236 persons, 74.7 %; Landet 2011 prosent is '.'
    assert one(fullf, "0301", "2011-2013", enhet="personer", innvkat_5="alle", kjonn="alle").value == 11236
    assert one(fullf, "0301", "2011-2013", enhet="prosent", innvkat_5="alle", kjonn="alle").value == 74.7
    dot = one(fullf, "0", "2011", enhet="prosent", innvkat_5="alle", kjonn="alle")
    assert pd.isna(dot.value) and dot.status == "."
    for rows in (low, arb, ikke, ung, fullf):
        assert set(rows.geo_vintage) == {2013}
        levels = rows.geo_code.str.len().value_counts().to_dict()
        assert set(levels) == {1, 2, 4}
        fylker = set(rows[rows.geo_code.str.len() == 2].geo_code) - {"99"}
        assert len(fylker) == 19
        assert rows[rows.geo_code.str.len() == 4].geo_code.nunique() == 428
        # fylke 99 «uoppgitt» is kept only where the card asks (completion: it is in IMDi's national count)
        assert ("99" in set(rows.geo_code)) == (rows is fullf) and "9999" not in set(rows.geo_code)
    assert one(fullf, "99", "2011-2013", enhet="personer", innvkat_5="alle", kjonn="alle").value == 1067


def test_kjonn_0_is_girls(replayed):
    """The inference written in the cards: girls (0) complete more often than boys (1) in every fylke."""
    rows = replayed["videregaende_fullfort"]
    fylker = rows[(rows.geo_code.str.len() == 2) & (rows.geo_code != "99") & (rows.period == "2011-2013")]
    share = {k: fylker[fylker.dims == f"enhet=prosent|innvkat_5=alle|kjonn={k}"].set_index("geo_code").value
             for k in ("0", "1")}
    assert len(share["0"]) == 19 and (share["0"] > share["1"]).all()


def test_persistent_low_income_2014(replayed):
    rows = replayed["vedvarende_lavinntekt_2014"]
    total = dict(innvkat_3="alle", vreg_3="alle", enhet="prosent")
    assert one(rows, "0301", "2014", **total).value == 13.9   # Oslo kommune
    assert one(rows, "0", "2014", **total).value == 9.0        # Landet
    assert one(rows, "11", "2014", **total).value == 6.3       # Rogaland
    assert one(rows, "0101", "2014", **total).value == 11.7    # Halden
    # 0118 Aremark, innvandrere from landgruppe 1: ':'
    cell = one(rows, "0118", "2014", innvkat_3="innvandrere", vreg_3="1", enhet="prosent")
    assert pd.isna(cell.value) and cell.status == ":"
    assert set(rows.geo_vintage) == {2014}
    assert rows[rows.geo_code.str.len() == 4].geo_code.nunique() == 428
    assert rows[rows.geo_code.str.len() == 2].geo_code.nunique() == 19


def test_2013_and_2014_files_have_the_same_kommuner(replayed):
    a = set(replayed["vedvarende_lavinntekt"].query("geo_code.str.len() == 4").geo_code)
    b = set(replayed["vedvarende_lavinntekt_2014"].query("geo_code.str.len() == 4").geo_code)
    assert a == b and len(a) == 428


# --- schema drift -------------------------------------------------------------------------------

def _card_with(card, **query):
    return dataclasses.replace(card, query={**card.query, **query})


def test_unknown_download_label_fails(snapshot_dir):
    card = CARDS["videregaende_fullfort_fylke"]
    text = (snapshot_dir / "imdi" / "videregaende_fullfort_fylke.csv").read_bytes().decode("iso-8859-1")
    drifted = text.replace("Kjønn: Menn", "Kjønn: Gutter", 1)
    with pytest.raises(SchemaDrift, match="unknown Kjønn 'Gutter'"):
        imdi.tidy_download(card, imdi.read_download_csv(drifted, "t"), card.query)
    renamed = text.replace("Bakgrunn: ", "Landbakgrunn: ")
    with pytest.raises(SchemaDrift, match="header dimensions"):
        imdi.tidy_download(card, imdi.read_download_csv(renamed, "t"), card.query)


def test_unknown_flat_column_or_enhet_fails():
    card = CARDS["vedvarende_lavinntekt"]
    head = '"aar","bydel_nr","innvkat_3","vreg_3","enhet","tabellvariabel","tabell_navn","fylke_nr","kommune_nr","naringsregion_nr"'
    good = '"2013","NULL","alle","alle","prosent","8.6","vedvarende_lavinntekt","00","NULL","NULL"'
    header, rows = imdi.read_flat(head + "\n" + good + "\n", "t")
    assert imdi.tidy_flat(card, header, rows, card.query)[0]["value"] == 8.6
    extra = head.replace('"vreg_3"', '"vreg_6"')
    with pytest.raises(SchemaDrift, match="dimension columns"):
        imdi.tidy_flat(card, *imdi.read_flat(extra + "\n" + good + "\n", "t"), card.query)
    with pytest.raises(SchemaDrift, match="unknown enhet"):
        imdi.tidy_flat(card, *imdi.read_flat(head + "\n" + good.replace("prosent", "promille") + "\n", "t"),
                       card.query)
    with pytest.raises(SchemaDrift, match="neither a number"):
        imdi.tidy_flat(card, *imdi.read_flat(head + "\n" + good.replace('"8.6"', '"8,6"') + "\n", "t"),
                       card.query)


def test_unknown_wide_column_fails():
    card = CARDS["vedvarende_lavinntekt_2014"]
    part = card.query["files"][1]
    text = "fylke_nr;innvkat.3.alle_vreg.3.alle_enhet.prosent_aar.2014;innvkat.3.alle_kjonn.alle_enhet.prosent_aar.2014\n00;9,0;1,0\n"
    with pytest.raises(SchemaDrift, match="unknown part 'kjonn.alle'"):
        imdi.tidy_wide(card, *imdi.read_wide(text, "t"), card.query, part)


def test_unknown_region_code_fails():
    card = CARDS["befolkning_innvandringsgrunn"]
    text = ("Region;Navn;Innvandringsgrunn: Alle\n;;Kjønn: Alle\n;;Enhet: Personer\n;;År: 2020\n"
            "B030101;Gamle Oslo (f.o.m. 2020);12\n")
    with pytest.raises(SchemaDrift, match="region code 'B030101'"):
        imdi.tidy_download(card, imdi.read_download_csv(text, "t"), card.query)
