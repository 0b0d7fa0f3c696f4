"""Render NAV's unemployment tables into data/snapshot/nav/, in the processed CSV format the loader reads.

The files are read with the loader's own reader and written back with the same header, separator and
cell texts, keeping only the lines whose geography the cards load (drops "Ukjent", "Øvrige områder",
"Svalbard og øvrige områder").
"""
from __future__ import annotations

import csv
import hashlib
import io
from pathlib import Path

from .. import nav
from ..cards import SourceCard, load_cards
from ..transport import Request, SnapshotWriter


def render_card(card: SourceCard, raw: bytes) -> bytes:
    query = card.query_for("replay")
    monthly = query["format"] == "monthly_long"
    columns = nav.MONTHLY_COLUMNS if monthly else nav.YEARLY_COLUMNS
    sep, rows = nav.read_csv(raw, columns, card.key)
    drop = set(query.get("drop_names", []))
    name_col = "Geografisk enhet" if monthly else "Fylke"
    kept = [r for r in rows if r[name_col] not in drop]
    buf = io.StringIO()
    writer = csv.writer(buf, delimiter=sep, lineterminator="\n")
    writer.writerow(columns)
    writer.writerows([r[c] for c in columns] for r in kept)
    return buf.getvalue().encode("utf-8")


def render(shared: Path, out: Path) -> None:
    writer = SnapshotWriter(out, "nav")
    for card in load_cards("nav"):
        raw = (shared / card.origin["file"]).read_bytes()
        content = render_card(card, raw)
        if hashlib.sha256(content).digest() == hashlib.sha256(raw).digest():
            raise ValueError(f"{card.key}: the rendering equals the shared file byte for byte")
        writer.add(Request.get(card.query_for("replay")["url"]), content,
                   f"{card.table_id}.csv")
    writer.close()
