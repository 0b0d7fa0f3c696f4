"""Udir loader: the publishers' verbatim files and our rendered snapshot go through the same parser.

Hand-checked numbers were read from the raw files in ../shared/data/udir (see each assertion).
"""
from __future__ import annotations

import hashlib
from pathlib import Path

import pandas as pd
import pytest

from loaders import udir
from loaders.cards import SOURCES_DIR, load_card
from loaders.transport import Request, ReplayTransport, Response

GSI = load_card(SOURCES_DIR / "udir_gsi.yml")
GJ = load_card(SOURCES_DIR / "udir_gjennomfoering.yml")
SLUTTA = load_card(SOURCES_DIR / "udir_slutta.yml")


class FileTransport:
    """Answers the loader's own requests with given bytes (the verbatim shared files)."""

    name = "replay"

    def __init__(self, answers: dict[str, bytes]):
        self.answers = answers

    def send(self, request: Request) -> Response:
        return Response(self.answers[request.key])


def shared_transport(shared: Path) -> FileTransport:
    answers = {req.key: (shared / f"udir/terchris-atlas_udir-gsi_data_{tid}.json").read_bytes()
               for tid, req in udir.gsi_requests(GSI, "replay")}
    fv, data = udir.gjennomfoering_requests(GJ, "replay")
    answers[fv.key] = (shared / "udir/VirtualAiCorp_gjennomfoering_filterverdier.json").read_bytes()
    answers[data.key] = (shared / "udir/VirtualAiCorp_gjennomfoering_data.json").read_bytes()
    answers[udir.slutta_request(SLUTTA, "replay").key] = \
        (shared / "udir/evensrii_20220505-1453_Slutta_VGO.csv").read_bytes()
    return FileTransport(answers)


@pytest.fixture(scope="module")
def snap(snapshot_dir):
    t = ReplayTransport(snapshot_dir)
    return {c.table_id: udir.fetch(c, t).rows for c in (GSI, GJ, SLUTTA)}


@pytest.fixture(scope="module")
def verbatim(shared_data):
    t = shared_transport(shared_data)
    return {c.table_id: udir.fetch(c, t).rows for c in (GSI, GJ, SLUTTA)}


def one(df: pd.DataFrame, measure: str, geo: str, period: str) -> pd.Series:
    hit = df[(df.measure == measure) & (df.geo_code == geo) & (df.period == period)]
    assert len(hit) == 1, (measure, geo, period, len(hit))
    return hit.iloc[0]


def canonical(df: pd.DataFrame) -> pd.DataFrame:
    return df.sort_values(["measure", "dims", "geo_code", "period"]).reset_index(drop=True)


@pytest.mark.parametrize("table", ["GSK-GSI", "VGO-GjennomfoeringV", "VGO-SluttaV"])
def test_snapshot_parses_to_the_same_rows_as_the_verbatim_file(snap, verbatim, table):
    # The SluttaV original also holds 779 schools; the loader drops them, so the rows still agree.
    pd.testing.assert_frame_equal(canonical(snap[table]), canonical(verbatim[table]))


def test_snapshot_files_are_rendered_not_copied(shared_data, snapshot_dir):
    originals = {hashlib.sha256(p.read_bytes()).hexdigest() for p in shared_data.rglob("*") if p.is_file()}
    files = [p for p in (snapshot_dir / "udir").iterdir() if p.is_file()]
    assert len(files) == 6
    assert not [p.name for p in files if hashlib.sha256(p.read_bytes()).hexdigest() in originals]


# --- GSI ------------------------------------------------------------------------------------------

def test_gsi_fylke_sums_and_shape(snap):
    df = snap["GSK-GSI"]
    fylker = df[df.geo_code.str.len() == 2]
    sums = fylker.groupby(["period", "measure"]).value.sum()
    assert sums[("2024-25", "elever")] == 631_369
    assert sums[("2024-25", "elever_spesialundervisning")] == 50_547
    assert sums[("2025-26", "elever")] == 621_961
    assert sums[("2025-26", "elever_spesialundervisning")] == 47_423
    for period in ("2024-25", "2025-26"):
        part = df[(df.period == period) & (df.measure == "elever")]
        assert (part.geo_code.str.len() == 2).sum() == 15
        assert (part.geo_code.str.len() == 4).sum() == 357
    assert "2100" not in set(df.geo_code)            # Svalbard: not one of the 357 kommuner
    assert set(df.geo_vintage) == {2024} and set(df.dims) == {""}


def test_gsi_hand_checked_units(snap):
    df = snap["GSK-GSI"]
    # terchris-atlas_udir-gsi_data_202410.json: Arendal ["5 423","589","188","19"]
    assert one(df, "elever", "4203", "2024-25").value == 5423
    assert one(df, "elever_spesialundervisning", "4203", "2024-25").value == 589
    assert one(df, "elever_forsterket_norsk", "4203", "2024-25").value == 188
    assert one(df, "skoler", "4203", "2024-25").value == 19
    # Tromsø 2025-26 ["8 047","650","*","40"]
    assert one(df, "elever", "5501", "2025-26").value == 8047
    assert one(df, "elever_spesialundervisning", "5501", "2025-26").value == 650
    norsk = one(df, "elever_forsterket_norsk", "5501", "2025-26")
    assert pd.isna(norsk.value) and norsk.status == "*"
    # Vestland (46) 2024-25 ["76 118","5 829","5 243","375"]
    assert one(df, "elever", "46", "2024-25").value == 76118
    assert one(df, "elever_spesialundervisning", "46", "2024-25").value == 5829
    assert one(df, "skoler", "46", "2024-25").unit == "skoler"


def test_gsi_suppressed_stay_null_and_zero_stays_zero(snap):
    df = snap["GSK-GSI"]
    spes = df[(df.measure == "elever_spesialundervisning") & (df.geo_code.str.len() == 4)]
    for period, n in (("2024-25", 69), ("2025-26", 60)):
        part = spes[spes.period == period]
        assert (part.status == "*").sum() == n
        assert part[part.status == "*"].value.isna().all()
    assert (df.value.isna() == df.status.notna()).all()
    bykle = one(df, "elever_spesialundervisning", "4222", "2024-25")      # "*" in 2024-25
    assert pd.isna(bykle.value) and bykle.status == "*"
    solund = one(df, "elever_spesialundervisning", "4636", "2024-25")     # a real "0"
    assert solund.value == 0 and solund.status is None


# --- GjennomfoeringV --------------------------------------------------------------------------------

def test_completion_hand_checks(snap):
    df = snap["VGO-GjennomfoeringV"]
    m = "fullfort_5_6_aar_prosent"
    assert one(df, m, "0", "2014").value == pytest.approx(79.6)
    assert one(df, m, "0", "2019").value == pytest.approx(81.8)
    assert one(df, m, "03", "2019").value == pytest.approx(85.3)
    finnmark = one(df, m, "20", "2014")
    assert finnmark.value == pytest.approx(70.3) and finnmark.geo_vintage == 2017
    assert set(df.measure) == {m} and set(df.unit) == {"prosent"}


def test_completion_follows_each_cohorts_fylker(snap):
    df = snap["VGO-GjennomfoeringV"]
    assert sorted(df[df.geo_code == "50"].period) == ["2018", "2019"]          # "" before: no row
    assert sorted(df[df.geo_code == "16"].period) == ["2014", "2015", "2016", "2017"]
    assert df.status.isna().all()
    vint = df.groupby("period").geo_vintage.unique().map(list).to_dict()
    assert vint == {"2014": [2017], "2015": [2017], "2016": [2017], "2017": [2017], "2018": [2018], "2019": [2018]}
    assert len(df) == 4 * 20 + 2 * 19


def test_live_query_asks_for_dropout_and_counts():
    live = [dict(r.params)["filter"] for _, _, r in udir.gjennomfoering_data_requests(GJ, "live")]
    offline = [dict(r.params)["filter"] for _, _, r in udir.gjennomfoering_data_requests(GJ, "replay")]
    assert len(live) == 6 and any("IndikatorID(-169)_" in f and f.endswith("_VisTeller(1)") for f in live)
    assert len(offline) == 1 and "IndikatorID(-174)_" in offline[0] and offline[0].endswith("_VisProsent(1)")


# --- SluttaV ----------------------------------------------------------------------------------------

def test_slutta_hand_checks(snap):
    df = snap["VGO-SluttaV"]
    m = "andel_sluttet"
    # evensrii_20220505-1453_Slutta_VGO.csv: Hele landet ... 3,0 (2020-21); Oslo 1,8; Troms og Finnmark 4,1
    assert one(df, m, "0", "2020-21").value == pytest.approx(3.0)
    oslo = one(df, m, "03", "2020-21")
    assert oslo.value == pytest.approx(1.8) and oslo.geo_vintage == 2020
    assert one(df, m, "54", "2020-21").value == pytest.approx(4.1)
    assert one(df, m, "02", "2011-12").value == pytest.approx(3.7)        # Akershus (old), 2017 division
    assert one(df, m, "50", "2017-18").geo_vintage == 2018
    assert "25" not in set(df.geo_code)                                   # Utlandet dropped
    per_year = df[df.measure == m].groupby("period").size()
    assert per_year["2016-17"] == 20 and per_year["2018-19"] == 19 and per_year["2020-21"] == 12


def test_slutta_breaks_are_kept_next_to_their_figures(snap):
    df = snap["VGO-SluttaV"]
    brudd = df[df.measure == "andel_sluttet_brudd"]
    assert set(brudd.dims) == {"Brudd=ukjent_elevstatus", "Brudd=sammenslaaing"}
    merged = brudd[brudd.dims == "Brudd=sammenslaaing"]
    assert sorted(zip(merged.geo_code, merged.period)) == [
        ("30", "2019-20"), ("34", "2019-20"), ("38", "2019-20"), ("42", "2019-20"), ("46", "2019-20"),
        ("50", "2017-18"), ("54", "2019-20")]
    unknown_status = brudd[brudd.dims == "Brudd=ukjent_elevstatus"]
    assert set(unknown_status.period) == {"2018-19"} and "17" not in set(unknown_status.geo_code)
    assert (brudd.value == 1).all() and brudd.status.isna().all()
