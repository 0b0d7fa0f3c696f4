"""Render IMDi's exports into data/snapshot/imdi/, in the export formats the loader reads.

Each file is read with the loader's own reader, cut to what the cards use, and written back in the
same format (encoding, separator, header rows, decimal mark, quoting):

* integreringsdata CSV: only the columns the card keeps (Personer for innvandringsgrunn);
* imdikator flat CSV: only Landet, fylker and kommuner (no næringsregion, bydel, unknown 99/9999 — fylke 99
  is kept where the card says ``keep_unknown_fylke``,
  no kommune-name rows);
* imdikator wide CSV: all cells, columns in sorted order (the loader reads columns by name).
"""
from __future__ import annotations

import csv
import hashlib
import io
from pathlib import Path

from .. import imdi
from ..cards import SourceCard, load_cards
from ..transport import Request, SnapshotWriter


def _csv(rows: list[list[str]], delimiter: str, quoting: int = csv.QUOTE_MINIMAL) -> str:
    buf = io.StringIO()
    writer = csv.writer(buf, delimiter=delimiter, quoting=quoting, lineterminator="\n")
    writer.writerows(rows)
    return buf.getvalue()


def render_download(card: SourceCard, text: str) -> str:
    query = card.query_for("replay")
    table = imdi.read_download_csv(text, card.key)
    keep = {d: set(v) for d, v in (query.get("keep") or {}).items()}
    idx = [i for i, col in enumerate(table.columns) if all(col[d] in s for d, s in keep.items())]
    head = [[("Region" if level == 0 else ""), ("Navn" if level == 0 else "")]
            + [f"{dim}: {table.columns[i][dim]}" for i in idx] for level, dim in enumerate(table.dims)]
    body = [[code, name] + [cells[i] for i in idx] for code, name, cells in table.rows]
    return _csv(head + body, ";")


def render_flat(card: SourceCard, text: str) -> str:
    query = card.query_for("replay")
    header, rows = imdi.read_flat(text, card.key)
    skip = set(query.get("skip_enhet", []))
    keep99 = bool(query.get("keep_unknown_fylke"))
    kept = [r for r in rows if r["enhet"] not in skip and imdi.flat_geo(r, card.key, keep99) is not None]
    return _csv([header] + [[r[c] for c in header] for r in kept], ",", csv.QUOTE_ALL)


def render_wide(card: SourceCard, text: str) -> str:
    header, rows = imdi.read_wide(text, card.key)
    order = [0] + sorted(range(1, len(header)), key=lambda i: header[i])
    return _csv([[header[i] for i in order]] + [[r[i] for i in order] for r in rows], ";")


def _sources(card: SourceCard) -> list[tuple[str, str]]:
    """(request URL, origin file) pairs, in the card's order."""
    query = card.query_for("replay")
    urls = [f["url"] for f in query["files"]] if "files" in query else [query["url"]]
    files = card.origin["file"] if isinstance(card.origin["file"], list) else [card.origin["file"]]
    if len(urls) != len(files):
        raise ValueError(f"{card.key}: {len(urls)} URLs but {len(files)} origin files")
    return list(zip(urls, files))


def render(shared: Path, out: Path) -> None:
    writer = SnapshotWriter(out, "imdi")
    for card in load_cards("imdi"):
        query = card.query_for("replay")
        for url, origin in _sources(card):
            raw = (shared / origin).read_bytes()
            text = imdi.decode(raw, query["encoding"], card.key)
            fmt = query["format"]
            rendered = {"integreringsdata_csv": render_download, "imdikator_flat": render_flat,
                        "imdikator_wide": render_wide}[fmt](card, text)
            content = rendered.encode(query["encoding"])
            if hashlib.sha256(content).digest() == hashlib.sha256(raw).digest():
                raise ValueError(f"{card.key}: the rendering of {origin} equals the shared file byte for byte")
            name = card.table_id if "files" not in query else f"{card.table_id}_{Path(origin).stem.split('-')[-2]}"
            writer.add(Request.get(url), content, f"{name}.csv")
    writer.close()
