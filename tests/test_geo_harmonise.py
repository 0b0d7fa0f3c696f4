"""Harmonising old kommune and fylke codes to 2024 units, on the KLASS tables replayed from the snapshot."""
from __future__ import annotations

import logging

import pytest

from indicators.harmonise import to_2024
from loaders import db, klass
from loaders.cards import load_cards
from loaders.transport import ReplayTransport


@pytest.fixture(scope="module")
def con(snapshot_dir, tmp_path_factory):
    path = tmp_path_factory.mktemp("harm") / "geo.duckdb"
    c = db.connect(path)
    db.create_schema(c)
    card = next(x for x in load_cards("klass") if x.table_id == "131")
    for name, frame in klass.fetch(card, ReplayTransport(snapshot_dir)).extra_tables.items():
        db.replace_table(c, name, frame)
    yield c
    c.close()


def mapped(con, code, vintage):
    df = to_2024(con, [(code, vintage)])
    return sorted(zip(df.code_2024, df.kind, df.comparable))


def test_kommuner(con):
    assert mapped(con, "0301", 2013) == [("0301", "same", True)]
    assert mapped(con, "0710", 2019) == [("3907", "renumbered", True)]       # Sandefjord -> 3804 -> 3907
    assert mapped(con, "0220", 2019) == [("3203", "merged", True)]           # Asker(+Røyken, Hurum) -> 3025 -> 3203
    assert mapped(con, "0627", 2019) == [("3203", "merged", True)]
    assert mapped(con, "1601", 2017) == [("5001", "merged", True)]           # Trondheim 2018 -> 5001, + Klæbu 2020
    assert mapped(con, "2021", 2013) == [("5610", "renumbered", True)]       # Karasjok -> 5437 -> 5610
    assert mapped(con, "1507", 2020) == [("1508", "split", False), ("1580", "split", False)]
    assert mapped(con, "1534", 2019) == [("1508", "split", False), ("1580", "split", False)]  # Haram via Ålesund
    # Stokke was split in 2017, so the Sandefjord 2016 parts cannot be summed onto 3907
    assert mapped(con, "0706", 2016) == [("3907", "merged", False)]


def test_fylker(con):
    assert mapped(con, "30", 2020) == [("31", "split", False), ("32", "split", False), ("33", "split", False)]
    assert mapped(con, "38", 2023) == [("39", "split", False), ("40", "split", False)]
    assert mapped(con, "03", 2010) == [("03", "same", True)]
    # + Nord-Trøndelag; not comparable: 2024 Trøndelag also holds Rindal and Halsa from split Møre og Romsdal
    assert mapped(con, "16", 2017) == [("50", "merged", False)]
    assert mapped(con, "17", 2017) == [("50", "merged", False)]
    assert mapped(con, "05", 2019) == [("32", "split", False), ("34", "split", False)]  # Lunner -> Akershus


def test_unknown_codes_warn(con, caplog):
    with caplog.at_level(logging.WARNING):
        df = to_2024(con, [("9999", 2019), ("1901", 2015), ("1903", 2015)])
    assert list(df.old_code) == ["1903"]
    assert "9999" in caplog.text and "1901" in caplog.text
