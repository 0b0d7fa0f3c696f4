"""Udir: re-render the real responses in ../shared/data/udir into data/snapshot/udir/.

* GSK/GSI: the two real rapportering responses (2024-25, 2025-26), re-serialised compactly with the
  rows in hierarchy order (each fylke followed by its kommuner, by code).
* VGO/GjennomfoeringV: the real data response (percent, indicator -174) and its filterVerdier, the
  latter filtered to the three filters the loader reads (IndikatorID, TidID, EnhetID).
* VGO/SluttaV: the real statistikkbank export reduced to Hele landet and fylker (EnhetNivaa 1-2, which is
  what the card's live filter asks for), written back in the export format (UTF-16LE, sep line, tabs).

The requests come from the loader's own request builders, so replay asks for exactly these files.
"""
from __future__ import annotations

import csv
import hashlib
import io
import json
from pathlib import Path

from .. import udir
from ..cards import SOURCES_DIR, load_card
from ..transport import SnapshotWriter

GSI_FILE = "udir/terchris-atlas_udir-gsi_data_{tid}.json"
GJENNOMFOERING_DATA = "udir/VirtualAiCorp_gjennomfoering_data.json"
GJENNOMFOERING_FV = "udir/VirtualAiCorp_gjennomfoering_filterverdier.json"
SLUTTA_FILE = "udir/evensrii_20220505-1453_Slutta_VGO.csv"


def compact(obj) -> bytes:
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def hierarchy_order(rows: list[dict]) -> list[dict]:
    """National row first, then each fylke followed by its children, codes ascending."""
    def key(row):
        parts = str(row["id"]).split(".")
        parent = next((r["kode"] for r in rows if r["id"] == ".".join(parts[:2])), "") if len(parts) > 1 else ""
        return (len(parts) > 1, parent, len(parts), str(row["kode"]))
    return sorted(rows, key=key)


def render_gsi(shared: Path, writer: SnapshotWriter) -> None:
    card = load_card(SOURCES_DIR / "udir_gsi.yml")
    for tid, request in udir.gsi_requests(card, "replay"):
        body = json.loads((shared / GSI_FILE.format(tid=tid)).read_text(encoding="utf-8"))
        body["rows"] = hierarchy_order(body["rows"])
        writer.add(request, compact(body), f"gsk_gsi_{tid}.json", {"Content-Type": "application/json"})


def render_gjennomfoering(shared: Path, writer: SnapshotWriter) -> None:
    card = load_card(SOURCES_DIR / "udir_gjennomfoering.yml")
    fv_request, data_request = udir.gjennomfoering_requests(card, "replay")
    fv = json.loads((shared / GJENNOMFOERING_FV).read_text(encoding="utf-8"))
    fv = {k: fv[k] for k in ("IndikatorID", "TidID", "EnhetID")}
    writer.add(fv_request, compact(fv), "vgo_gjennomfoeringv_filterverdier.json",
               {"Content-Type": "application/json"})
    body = json.loads((shared / GJENNOMFOERING_DATA).read_text(encoding="utf-8"))
    body["rows"] = hierarchy_order(body["rows"])
    writer.add(data_request, compact(body), "vgo_gjennomfoeringv_data.json", {"Content-Type": "application/json"})


def render_slutta(shared: Path, writer: SnapshotWriter) -> None:
    card = load_card(SOURCES_DIR / "udir_slutta.yml")
    raw = (shared / SLUTTA_FILE).read_bytes()
    rows = udir.decode_export(raw, "VGO/SluttaV")
    level = rows[0].index("EnhetNivaa")
    kept = [rows[0]] + [r for r in rows[1:] if r[level].strip() in ("1", "2")]
    out = io.StringIO()
    csv.writer(out, delimiter="\t", lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL).writerows(kept)
    text = "sep=\t\n" + out.getvalue()
    writer.add(udir.slutta_request(card, "replay"), text.encode("utf-16-le"), "vgo_sluttav_eksport.csv",
               {"Content-Type": "text/csv; charset=utf-16le"})


def render(shared: Path, out: Path) -> None:
    writer = SnapshotWriter(out, "udir")
    render_gsi(shared, writer)
    render_gjennomfoering(shared, writer)
    render_slutta(shared, writer)
    writer.close()
    originals = {hashlib.sha256(p.read_bytes()).hexdigest() for p in (shared / "udir").iterdir() if p.is_file()}
    for path in writer.dir.iterdir():
        if hashlib.sha256(path.read_bytes()).hexdigest() in originals:
            raise RuntimeError(f"{path} is a byte copy of a shared file; re-render it")
