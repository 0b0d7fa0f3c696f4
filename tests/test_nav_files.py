"""NAV unemployment (processed by Telemark fylkeskommune): verbatim shared files and the rendered
snapshot parse to the same rows. Values looked up by hand in ../shared/data/nav."""
from __future__ import annotations

import csv
import dataclasses
import io
import json

import pandas as pd
import pytest

from loaders import nav
from loaders.cards import load_cards
from loaders.errors import SchemaDrift
from loaders.transport import ReplayTransport, Response

CARDS = {c.table_id: c for c in load_cards("nav") if c.offline}  # live-only cards have no origin file


class FileTransport:
    name = "live"

    def __init__(self, answers):
        self.answers = answers

    def send(self, request):
        return Response(self.answers[request.url])


@pytest.fixture(scope="module")
def verbatim(shared_data):
    return {tid: nav.fetch(c, FileTransport({c.query["url"]: (shared_data / c.origin["file"]).read_bytes()})).rows
            for tid, c in CARDS.items()}


@pytest.fixture(scope="module")
def replayed(snapshot_dir):
    transport = ReplayTransport(snapshot_dir)
    return {tid: nav.fetch(c, transport).rows for tid, c in CARDS.items()}


def one(rows, measure, geo, period, status="helt_ledige", kjonn="alle"):
    hit = rows[(rows.measure == measure) & (rows.geo_code == geo) & (rows.period == period)
               & (rows.dims == f"arbeidsmarkedsstatus={status}|kjonn={kjonn}")]
    assert len(hit) == 1, (measure, geo, period, len(hit))
    return hit.iloc[0]


@pytest.mark.parametrize("tid", sorted(CARDS))
def test_rendered_snapshot_parses_to_the_same_rows(tid, verbatim, replayed):
    keys = ["measure", "dims", "geo_code", "geo_vintage", "period"]
    a = verbatim[tid].sort_values(keys).reset_index(drop=True)
    b = replayed[tid].sort_values(keys).reset_index(drop=True)
    pd.testing.assert_frame_equal(a, b)


def test_monthly_values(replayed):
    rows = replayed["arbeidsledighet"]
    # Landet 2024-01 helt ledige begge kjønn: 62933, 0.021 -> 2.1 %
    assert one(rows, "antall", "0", "2024-01").value == 62933
    assert one(rows, "andel_av_arbeidsstyrken", "0", "2024-01").value == 2.1
    # Agder 2011-01 arbeidssøkere på tiltak: 725, 0.5 %; kvinner 312
    assert one(rows, "antall", "42", "2011-01", status="tiltak").value == 725
    assert one(rows, "antall", "42", "2011-01", status="tiltak", kjonn="kvinner").value == 312
    # "Troms " (trailing space) 2024-12 = 1109 and "Troms" 2025-01 = 1273 (0.0139999999999999 -> 1.4) are both 55
    assert one(rows, "antall", "55", "2024-12").value == 1109
    assert one(rows, "antall", "55", "2025-01").value == 1273
    assert one(rows, "andel_av_arbeidsstyrken", "55", "2025-01").value == 1.4
    # Telemark kommuner: Skien 2020-04 = 2569 (9.5 %), Vinje 2026-01 = 37
    assert one(rows, "antall", "4003", "2020-04").value == 2569
    assert one(rows, "andel_av_arbeidsstyrken", "4003", "2020-04").value == 9.5
    assert one(rows, "antall", "4036", "2026-01").value == 37
    assert set(rows.geo_vintage) == {2024}
    assert rows[rows.geo_code.str.len() == 2].geo_code.nunique() == 15
    assert rows[rows.geo_code.str.len() == 4].geo_code.nunique() == 17
    assert rows.period.nunique() == 181
    # NAV's "*" (1–3 persons) was written as 0 by the processor; a 0 beside a positive share is kept
    # suppressed. Fyresdal 2011-01, women on measures: "0" persons, share 0.006 in the raw file.
    assert set(rows.status.dropna()) == {"*"}
    suppressed = rows[rows.status == "*"]
    assert (suppressed.measure == "antall").all() and suppressed.value.isna().all()
    fyresdal = one(rows, "antall", "4032", "2011-01", status="tiltak", kjonn="kvinner")
    assert fyresdal.status == "*" and pd.isna(fyresdal.value)


def test_yearly_values_on_each_years_division(replayed):
    rows = replayed["arbeidsledighet_2010_2024"]
    akershus = one(rows, "antall", "02", "2010-03")       # Akershus,7632.0,2.6,…,2010,Mars
    assert (akershus.value, akershus.geo_vintage) == (7632, 2010)
    assert one(rows, "andel_av_arbeidsstyrken", "02", "2010-03").value == 2.6
    viken = one(rows, "antall", "30", "2020-01")           # Viken,16401.0,2.6,…,2020,Januar
    assert (viken.value, viken.geo_vintage) == (16401, 2020)
    assert one(rows, "antall", "39", "2024-12").value == 3055   # Vestfold 2024 Desember
    assert one(rows, "antall", "31", "2024-12").value == 4133   # Østfold 2024 Desember
    per_year = rows.groupby(rows.period.str[:4]).geo_code.nunique()
    assert per_year["2015"] == 20 and per_year["2019"] == 19 and per_year["2022"] == 12 and per_year["2024"] == 16
    assert (rows.geo_vintage.astype(str) == rows.period.str[:4]).all()


def test_name_tables_match_klass(shared_data):
    """The card's 2024 fylke codes and Telemark kommune codes are KLASS's."""
    text = (shared_data / "klass" / "evensrii_ssb_klass_fylkesinndeling_2026.csv").read_text(encoding="utf-8")
    klass_fylker = {r["name"]: r["code"] for r in csv.DictReader(io.StringIO(text), delimiter=";") if r["code"] != "99"}
    levels = CARDS["arbeidsledighet"].query["levels"]
    card_fylker = {k.strip(): v for k, v in levels["Fylker"].items()}
    assert card_fylker == klass_fylker
    v2024 = next(d for d in CARDS["arbeidsledighet_2010_2024"].query["divisions"] if d["years"] == [2024, 2024])
    assert v2024["names"] == klass_fylker
    kommuner = json.loads((shared_data / "klass" / "opisthokonta_Kommuneinndeling_2024.json").read_text(encoding="utf-8"))
    telemark = {i["name"]: i["code"] for i in kommuner["classificationItems"] if i["code"].startswith("40")}
    assert levels["Telemark kommuner"] == telemark


def test_unknown_name_or_header_fails():
    card = CARDS["arbeidsledighet"]
    head = ",".join(nav.MONTHLY_COLUMNS)
    good = "Fylker,Agder,Helt ledige,Begge kjønn,100,0.01,2024-01-01"
    assert len(nav.tidy_monthly(card, f"{head}\n{good}\n".encode(), card.query)) == 2
    with pytest.raises(SchemaDrift, match="unknown name 'Vestfold og Telemark'"):
        nav.tidy_monthly(card, f"{head}\n{good.replace('Agder', 'Vestfold og Telemark')}\n".encode(), card.query)
    with pytest.raises(SchemaDrift, match="header"):
        nav.tidy_monthly(card, f"{head.replace('Kjønn', 'Kjonn')}\n{good}\n".encode(), card.query)
    with pytest.raises(SchemaDrift, match="unknown status"):
        nav.tidy_monthly(card, f"{head}\n{good.replace('Helt ledige', 'Permitterte')}\n".encode(), card.query)
    yearly = CARDS["arbeidsledighet_2010_2024"]
    yhead = ",".join(nav.YEARLY_COLUMNS)
    with pytest.raises(SchemaDrift, match="unknown name 'Viken'"):  # Viken did not exist in 2019
        nav.tidy_yearly(yearly, f"{yhead}\nViken,1.0,2.0,,,2019,Mars,\n".encode(), yearly.query)
    with pytest.raises(SchemaDrift, match="no division table"):
        nav.tidy_yearly(yearly, f"{yhead}\nOslo,1.0,2.0,,,2025,Mars,\n".encode(), yearly.query)


def test_semicolon_dialect_with_decimal_comma():
    """The processor's later reading code expects ';', decimal comma and DD.MM.YYYY (unverified)."""
    card = dataclasses.replace(CARDS["arbeidsledighet"])
    text = ";".join(nav.MONTHLY_COLUMNS) + "\nLandet;Landet;Helt ledige;Begge kjønn;62933;0,021;01.01.2024\n"
    rows = nav.tidy_monthly(card, text.encode(), card.query)
    assert [(r["measure"], r["period"], r["value"]) for r in rows] == [
        ("antall", "2024-01", 62933.0), ("andel_av_arbeidsstyrken", "2024-01", 2.1)]


def test_yearly_rows_with_shifted_columns_are_read_back(replayed):
    """In four 2018 months of the processed yearly file the value columns are shifted one step right (the
    count stands in the share column, e.g. Telemark March 2343). They are read back by position, never read
    as a share of 2 343 %."""
    rows = replayed["arbeidsledighet_2010_2024"]
    shares = rows[rows.measure == "andel_av_arbeidsstyrken"]
    assert shares.value.max() <= 100
    march = rows[(rows.period == "2018-03") & (rows.geo_code == "08")].set_index("measure").value
    assert march.to_dict() == {"antall": 2343.0, "andel_av_arbeidsstyrken": 2.7}
    assert ((rows.period == "2018-02") & (rows.geo_code == "08")).any()
