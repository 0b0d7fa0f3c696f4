"""FHI Kommunehelsa statistikkbank: a spreadsheet export ("Eksporter til regneark") of one indicator.

Kommunehelsa was closed in 2025 and never had a stable export URL: the export was made by hand in the
web bank. So the card is ``frozen``: a live refresh replays the recorded export as well (the request
is the bank's address plus the choices made in it, used as the snapshot key; it is never sent).

The bank exported a spreadsheet (xlsx; the copy we hold is GeoForum's CSV save of it, read with
``csv_rows``). Layout: a title line, blank lines, "Variabler i filter" and one line per
filter, a blank line, the year row (``"År","2009",...``), the code row (``"Geografi","aar2009",...``),
then one row per kommune with names only (no codes). The names are matched to the kommune codes of
``geo_vintage`` through ``loaders.klass.kommuner_at`` (so it replays offline): case, hyphens, Sami/
Norwegian double forms ("Kárásjohka Karasjok" = KLASS "Kárášjohka - Karasjok", "Snåsa" = "Snåase -
Snåsa") and "Bø (Nordland)"-style disambiguations. Every row must match exactly one code, else it fails.
"""
from __future__ import annotations

import csv
import io
import re
import unicodedata

import openpyxl
import pandas as pd

from . import klass
from .cards import SourceCard
from .errors import LoaderError, SchemaDrift
from .result import OBS_COLUMNS, LoadResult, dims_key
from .transport import ReplayTransport, Request, Transport

FLAGS = ("..", ".", ":", "-")


def export_request(card: SourceCard) -> Request:
    q = card.query
    return Request.get(str(q["export_url"]), dict(q.get("export") or {}))


def csv_rows(text: str) -> list[list[str]]:
    return [[c.strip() for c in row] for row in csv.reader(io.StringIO(text.lstrip("\ufeff")))]


def _cell_text(v) -> str:
    if v is None:
        return ""
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v).strip()


def xlsx_rows(content: bytes) -> list[list[str]]:
    """The first sheet of the export, every cell as text (3.0 -> "3", 3.3 -> "3.3")."""
    try:
        wb = openpyxl.load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception as exc:  # not a workbook: say so in one line
        raise LoaderError(f"Kommunehelsa export is not an xlsx workbook ({type(exc).__name__})") from exc
    try:
        return [[_cell_text(v) for v in row] for row in wb.worksheets[0].iter_rows(values_only=True)]
    finally:
        wb.close()


def parse_export(lines: list[list[str]], name: str = "Kommunehelsa") -> dict:
    """Rows of the export -> {title, filters, years, rows: [(geo name, [cell texts])]}; fails on an
    unknown layout."""
    firsts = [row[0] if row else "" for row in lines]
    try:
        at = firsts.index("År")
    except ValueError:
        raise SchemaDrift(f"{name}: no 'År' row in the export") from None
    if at + 1 >= len(lines) or firsts[at + 1] != "Geografi":
        raise SchemaDrift(f"{name}: the 'År' row is not followed by the 'Geografi' code row")
    years = [c for c in lines[at][1:] if c]
    codes = [c for c in lines[at + 1][1:] if c]
    if [f"aar{y}" for y in years] != codes or not all(re.fullmatch(r"\d{4}", y) for y in years):
        raise SchemaDrift(f"{name}: year row {years} and code row {codes} do not agree")
    head = [f for f in firsts[:at] if f]
    if "Variabler i filter" not in head:
        raise SchemaDrift(f"{name}: no 'Variabler i filter' block above the data")
    filters = head[head.index("Variabler i filter") + 1:]
    rows = []
    for row in lines[at + 2:]:
        if not row or not any(row):
            continue
        if row[0] in ("År", "Geografi"):  # the header repeated below the data
            continue
        cells = row[1:1 + len(years)]
        if len(cells) != len(years):
            raise SchemaDrift(f"{name}: row {row[0]!r} has {len(cells)} cells for {len(years)} years")
        rows.append((row[0], cells))
    return {"title": head[0], "filters": filters, "years": years, "rows": rows}


def _norm(text: str, strip_marks: bool) -> str:
    s = text.lower().replace("–", "-")
    if strip_marks:
        s = "".join(c for c in unicodedata.normalize("NFKD", s) if not unicodedata.combining(c))
    return " ".join(s.replace("-", " ").split())


def match_names(names: list[str], units: dict[str, str], name: str = "Kommunehelsa") -> dict[str, str]:
    """{export name: code}: each name to exactly one code, each code at most once; else LoaderError."""
    out: dict[str, str] = {}
    problems = []
    for n in names:
        hit = None
        for strip in (False, True):
            full = [c for c, u in units.items() if _norm(u, strip) == _norm(n, strip)]
            parts = [c for c, u in units.items() if " - " in u
                     and _norm(n, strip) in {_norm(p, strip) for p in u.split(" - ")}]
            cands = full or parts
            if len(cands) == 1:
                hit = cands[0]
                break
            if len(cands) > 1:
                problems.append(f"{n!r} matches {sorted(cands)}")
                break
        if hit:
            out[n] = hit
        elif not any(p.startswith(repr(n)) for p in problems):
            problems.append(f"{n!r} matches no code")
    used: dict[str, list[str]] = {}
    for n, c in out.items():
        used.setdefault(c, []).append(n)
    problems += [f"code {c} claimed by {ns}" for c, ns in used.items() if len(ns) > 1]
    if problems:
        raise LoaderError(f"{name}: {len(problems)} name(s) not matched one-to-one: " + "; ".join(problems[:20]))
    return out


def fetch(card: SourceCard, transport: Transport) -> LoadResult:
    q = card.query
    key = f"Kommunehelsa {card.key}"
    export_transport = transport if transport.name == "replay" or not q.get("frozen") else ReplayTransport()
    resp = export_transport.send(export_request(card))
    if resp.status != 200:
        raise LoaderError(f"{key}: HTTP {resp.status}")
    doc = parse_export(xlsx_rows(resp.content), key)
    if doc["title"] != q["title_line"] or doc["filters"] != list(q["filters"]):
        raise SchemaDrift(f"{key}: export is {doc['title']!r} {doc['filters']} — the card expects "
                          f"{q['title_line']!r} {q['filters']}")
    units = klass.kommuner_at(transport, int(q["geo_vintage"]))
    names = [n for n, _ in doc["rows"]]
    if len(set(names)) != len(names):
        raise SchemaDrift(f"{key}: a kommune name appears twice")
    codes = match_names(names, units, key)
    if q.get("expect_units") and len(codes) != int(q["expect_units"]):
        raise SchemaDrift(f"{key}: {len(codes)} kommuner, the card expects {q['expect_units']}")
    records = []
    for n, cells in doc["rows"]:
        for year, cell in zip(doc["years"], cells):
            if cell in FLAGS:
                value, status = None, cell
            else:
                try:
                    value, status = float(cell.replace(",", ".")), None
                except ValueError:
                    raise SchemaDrift(f"{key}: {n} {year}: cell {cell!r} is neither a number nor {FLAGS}") from None
            records.append({"source": card.source, "table_id": card.table_id, "measure": str(q["measure"]),
                            "dims": dims_key({str(k): str(v) for k, v in (q.get("dims") or {}).items()}),
                            "geo_code": codes[n], "geo_vintage": int(q["geo_vintage"]), "period": year,
                            "value": value, "status": status, "unit": q.get("unit")})
    return LoadResult(pd.DataFrame(records, columns=OBS_COLUMNS), title=card.title, requests=1)
