"""The SSB loader replayed from data/snapshot: hand-checked figures (looked up in ../shared's raw files)."""
from __future__ import annotations

import pytest

from loaders import ssb
from loaders.cards import load_cards
from loaders.transport import ReplayTransport


@pytest.fixture(scope="module")
def rows(snapshot_dir):
    transport = ReplayTransport(snapshot_dir)
    out = {}
    for card in load_cards("ssb"):
        if card.offline and card.loader == "ssb":
            out[card.table_id] = ssb.fetch(card, transport).rows
    return out


def cell(frame, **kw):
    sel = frame
    for k, v in kw.items():
        sel = sel[sel[k] == v]
    assert len(sel) == 1, f"{kw}: {len(sel)} rows"
    return sel.iloc[0]


def test_13556_norway_2024(rows):
    f = rows["13556"]
    tot = cell(f, measure="Bosatte", geo_code="0", period="2024", dims="Alder=15-29|HovArbStyrkStatus=TOT3|Kjonn=0")
    neet = cell(f, measure="Bosatte", geo_code="0", period="2024", dims="Alder=15-29|HovArbStyrkStatus=NEET|Kjonn=0")
    assert (tot.value, neet.value) == (1_044_103, 104_388)
    assert tot.unit == "personer" and tot.geo_vintage == 2024
    pct = cell(f, measure="BosatteProsent", geo_code="0", period="2024")
    assert pct.value == 9.9                               # SSB's published share, not 10.0 from the counts
    siljan = cell(f, measure="BosatteProsent", geo_code="4010", period="2024")
    assert siljan.value == 5.0


def test_13556_merged_kommune_and_2008(rows):
    f = rows["13556"]
    # Inderøy 1756 (Mosvik + Inderøy, 2012) on the 2013 division
    inderoy = cell(f, measure="Bosatte", geo_code="1756", period="2012", dims="Alder=15-29|HovArbStyrkStatus=TOT3|Kjonn=0")
    assert inderoy.value == 1263 and inderoy.geo_vintage == 2013
    # Tønsberg 3803 (Tønsberg + Re, 2020)
    assert cell(f, geo_code="3803", period="2020", dims="Alder=15-29|HovArbStyrkStatus=NEET|Kjonn=0").value == 1218
    # Mosvik 1723 in 2008; its NEET count for women was dropped (<= 0) by the file's author: NULL + "..", not 0
    mosvik = f[(f.geo_code == "1723") & (f.period == "2008")]
    assert cell(mosvik, dims="Alder=15-29|HovArbStyrkStatus=TOT3|Kjonn=0").value == 148
    assert cell(mosvik, dims="Alder=15-29|HovArbStyrkStatus=NEET|Kjonn=1").value == 6
    hole = cell(mosvik, dims="Alder=15-29|HovArbStyrkStatus=NEET|Kjonn=2")
    assert hole.status == ".." and hole.value != hole.value   # NaN
    assert cell(f, geo_code="0301", period="2008", dims="Alder=15-29|HovArbStyrkStatus=NEET|Kjonn=0").value == 14_798


def test_13556_each_year_division(rows):
    f = rows["13556"]
    kommuner = f[f.geo_code.str.len() == 4].groupby("period").geo_code.nunique()
    assert kommuner["2008"] == 430 and kommuner["2012"] == 428 and kommuner["2017"] == 426
    assert kommuner["2019"] == 422 and kommuner["2020"] == 356 and kommuner["2024"] == 357
    assert "1723" not in set(f[f.period == "2012"].geo_code)      # Mosvik gone in 2012
    assert (f.value.isna() == f.status.notna()).all()


def test_07459_population_2024(rows):
    f = rows["07459"]
    assert len(f) == 357 and f.value.sum() == 5_550_203
    assert cell(f, geo_code="0301").value == 717_710
    assert set(f.geo_vintage) == {2024} and set(f.period) == {"2024"}


def test_12944_and_08764(rows):
    f = rows["12944"]
    kids = f[(f.dims == "Alder=00-17") & (f.period == "2009-2011")].set_index("measure")["value"]
    assert kids["EUskalaSeksti"] == 7.6 and kids["PersonerSeksti"] == 73_900
    assert len(f) == 6 * 6 * 2
    g = rows["08764"]
    assert cell(g, measure="EUskala60", period="2005").value == 8.4
    assert cell(g, measure="Personer", period="2014").value == 1_117_508
    assert set(g.measure) == {"Personer", "EUskala50", "EUskala60"}    # derived counts not loaded


def test_geo_codes():
    assert ssb.geo_code("K-0301", "t") == "0301" and ssb.geo_code("F-03", "t") == "03"
    assert ssb.geo_code("0", "t") == "0" and ssb.geo_code("K-301", "t") == "0301"
    assert ssb.geo_code("K-21-22", "t") is None and ssb.geo_code("K-Rest", "t") is None
    assert ssb.geo_code("EAK", "t") is None          # an SSB aggregate is skipped (audit finding 6), not fatal


def test_period_and_vintage():
    assert ssb.period_of("2014-2020", "cohort_start") == "2014"
    assert ssb.period_of("2024M03") == "2024-03"
    assert ssb.vintage_of("2009-2011", "per_year") == 2011
