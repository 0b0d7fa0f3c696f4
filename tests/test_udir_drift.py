"""Udir loader fails loudly when the publisher changes shape (Udir: "vil endres uten varsel")."""
from __future__ import annotations

import json

import pytest

from loaders import udir
from loaders.cards import SOURCES_DIR, load_card
from loaders.errors import LoaderError, SchemaDrift
from loaders.transport import Request, ReplayTransport, Response

GSI = load_card(SOURCES_DIR / "udir_gsi.yml")
GJ = load_card(SOURCES_DIR / "udir_gjennomfoering.yml")
SLUTTA = load_card(SOURCES_DIR / "udir_slutta.yml")


class Patched:
    """Replays the snapshot, with some responses' bytes replaced by ``change(bytes) -> bytes``."""

    name = "replay"

    def __init__(self, snapshot_dir, keys: set[str], change):
        self.inner, self.keys, self.change = ReplayTransport(snapshot_dir), keys, change

    def send(self, request: Request) -> Response:
        resp = self.inner.send(request)
        return Response(self.change(resp.content)) if request.key in self.keys else resp


def gsi_keys():
    return {r.key for _, r in udir.gsi_requests(GSI, "replay")}


def edit_json(fn):
    def change(content: bytes) -> bytes:
        body = json.loads(content)
        fn(body)
        return json.dumps(body, ensure_ascii=False).encode("utf-8")
    return change


def test_renamed_column_is_schema_drift(snapshot_dir):
    def rename(body):
        body["metadata"]["columns"][-1][1]["name"] = "Antall elever med spesialundervisning"
    with pytest.raises(SchemaDrift, match="unknown column 'Antall elever med spesialundervisning'"):
        udir.fetch(GSI, Patched(snapshot_dir, gsi_keys(), edit_json(rename)))


def test_missing_column_is_schema_drift(snapshot_dir):
    def drop_last(body):
        body["metadata"]["columns"][-1].pop()
        for lvl in body["metadata"]["columns"][:-1]:
            lvl[0]["columnCount"] -= 1
        for row in body["rows"]:
            row["data"].pop()
    with pytest.raises(SchemaDrift, match="expected columns missing"):
        udir.fetch(GSI, Patched(snapshot_dir, gsi_keys(), edit_json(drop_last)))


def test_unexpected_level_or_year_is_schema_drift(snapshot_dir):
    def girls(body):
        body["metadata"]["columns"][3][0]["name"] = "Jenter"
    with pytest.raises(SchemaDrift, match="unknown column level 'Jenter'"):
        udir.fetch(GSI, Patched(snapshot_dir, gsi_keys(), edit_json(girls)))

    def year(body):
        body["metadata"]["columns"][0][0]["name"] = "2023-24"
    with pytest.raises(SchemaDrift, match="unexpected period column '2023-24'"):
        udir.fetch(GSI, Patched(snapshot_dir, gsi_keys(), edit_json(year)))


def test_cell_count_mismatch_and_bad_value(snapshot_dir):
    def short_row(body):
        body["rows"][3]["data"].pop()
    with pytest.raises(SchemaDrift, match="cells"):
        udir.fetch(GSI, Patched(snapshot_dir, gsi_keys(), edit_json(short_row)))

    def dots(body):
        body["rows"][3]["data"][0] = ".."
    with pytest.raises(SchemaDrift, match="cannot read value '..'"):
        udir.fetch(GSI, Patched(snapshot_dir, gsi_keys(), edit_json(dots)))


def test_truncated_json_is_a_loader_error(snapshot_dir):
    with pytest.raises(LoaderError, match="GSK/GSI.*not valid JSON"):
        udir.fetch(GSI, Patched(snapshot_dir, gsi_keys(), lambda c: c[: len(c) // 2]))


def test_withdrawn_cohort_stops_the_refresh(snapshot_dir):
    fv, _ = udir.gjennomfoering_requests(GJ, "replay")

    def withdraw(body):
        body["TidID"] = [t for t in body["TidID"] if t["id"] != 201406]
    with pytest.raises(SchemaDrift, match="no longer offers TidID"):
        udir.fetch(GJ, Patched(snapshot_dir, {fv.key}, edit_json(withdraw)))


def test_fylke_outside_its_division_is_schema_drift(snapshot_dir):
    _, data = udir.gjennomfoering_requests(GJ, "replay")

    def trondelag_2014(body):
        row = next(r for r in body["rows"] if r["kode"] == "50")
        row["data"][0] = "80,0"
    with pytest.raises(SchemaDrift, match="fylke 50 has a value for 2014"):
        udir.fetch(GJ, Patched(snapshot_dir, {data.key}, edit_json(trondelag_2014)))


def slutta_key():
    return {udir.slutta_request(SLUTTA, "replay").key}


def edit_export(fn):
    def change(content: bytes) -> bytes:
        return fn(content.decode("utf-16-le")).encode("utf-16-le")
    return change


def test_export_renamed_measure_is_schema_drift(snapshot_dir):
    change = edit_export(lambda t: t.replace("Andel sluttet", "Andel slutta"))
    with pytest.raises(SchemaDrift, match="unexpected export column"):
        udir.fetch(SLUTTA, Patched(snapshot_dir, slutta_key(), change))


def test_export_without_sep_line_or_utf16_is_schema_drift(snapshot_dir):
    with pytest.raises(SchemaDrift, match="sep= line"):
        udir.fetch(SLUTTA, Patched(snapshot_dir, slutta_key(), edit_export(lambda t: t.split("\n", 1)[1])))
    with pytest.raises(SchemaDrift):
        udir.fetch(SLUTTA, Patched(snapshot_dir, slutta_key(), lambda c: c.decode("utf-16-le").encode("utf-8")))


def test_unknown_break_text_is_schema_drift(snapshot_dir):
    change = edit_export(lambda t: t.replace("ukjent elevstatus er endret", "fravær er endret"))
    with pytest.raises(SchemaDrift, match="unknown break text"):
        udir.fetch(SLUTTA, Patched(snapshot_dir, slutta_key(), change))
