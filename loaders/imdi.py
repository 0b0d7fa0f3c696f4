"""IMDi (Integrerings- og mangfoldsdirektoratet): the file exports KS staff already download.

Three wire formats, one reader each; the card's ``query.format`` says which:

* ``integreringsdata_csv`` — the "Last ned" CSV of integreringsdata (``.../download_csv/k/<table>`` for
  kommuner, ``/f/`` for fylker): ISO-8859-1, ``;``, four header rows (``Dim: label`` per column, the
  last one ``År: YYYY``), then ``Region;Navn;cells``. Region codes ``K0301`` / ``F03``; names carry
  ``(t.o.m. 2019)`` for codes that ended, ``(f.o.m. 2020)`` for codes that started.
  Since December 2024 the same URL answers one **long** table with a single header row,
  ``Kommunenummer|Fylkesnummer;Kommune|Fylke;Kjønn;År;<dimension>;Enhet;Antall`` (code as an integer,
  percentages also in ``Antall``); both layouts are read (``read_long``). Evidence: evensrii/Telemark
  ``innvandringsgrunn.py`` reads it with a plain ``read_csv`` (its output, ../shared/data/verbatim/imdi/).
* ``imdikator_flat`` — the old imdikator key-value CSV (2013): ``aar, <dims>, enhet, tabellvariabel,
  tabell_navn, fylke_nr, kommune_nr, naringsregion_nr, bydel_nr`` with ``"NULL"`` in unused geo columns.
* ``imdikator_wide`` — the imdikator "crossed input" files (``91-…-kommune-2014.csv``): ``;``, decimal
  comma, one column per cell named ``innvkat.3.alle_vreg.3.alle_enhet.prosent_aar.2014``.

`:` and `.` are the publisher's symbols (suppressed / cannot be given): value NULL, status the symbol.
An empty cell means the unit did not exist that year and gives no row.
"""
from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass

import pandas as pd

from . import regions
from .cards import SourceCard
from .errors import LoaderError, SchemaDrift
from .result import OBS_COLUMNS, LoadResult, dims_key
from .transport import Request, Transport

STATUS_SYMBOLS = {":", "."}
_NUMBER = re.compile(r"^-?\d+(\.\d+)?$")
_TOM = re.compile(r"t\.o\.m\. (\d{4})")
_FOM = re.compile(r"f\.o\.m\. (\d{4})")


# --- shared helpers -------------------------------------------------------------------------------

def value_status(cell: str, where: str, decimal: str = ".") -> tuple[float | None, str | None]:
    """A published cell -> (value, status). Empty cells are handled by the caller (no row)."""
    cell = cell.strip()
    if cell in STATUS_SYMBOLS:
        return None, cell
    text = cell.replace(decimal, ".") if decimal != "." else cell
    if not _NUMBER.match(text):
        raise SchemaDrift(f"{where}: cell {cell!r} is neither a number nor a known symbol")
    return float(text), None


def fetch_bytes(transport: Transport, url: str, what: str) -> bytes:
    resp = transport.send(Request.get(url))
    if resp.status != 200:
        raise LoaderError(f"{what}: {url} answered HTTP {resp.status}")
    return resp.content


def decode(content: bytes, encoding: str, what: str) -> str:
    try:
        return content.decode(encoding)
    except UnicodeDecodeError as exc:
        raise SchemaDrift(f"{what}: the file is not {encoding} ({exc})") from exc


def _frame(rows: list[dict]) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=OBS_COLUMNS)
    frame["geo_vintage"] = frame["geo_vintage"].astype("Int64")
    frame["value"] = frame["value"].astype("float64")
    return frame


# --- integreringsdata download CSV ---------------------------------------------------------------

@dataclass
class DownloadTable:
    """The raw export: per data column its header labels ({dim: label}), and the region rows."""
    dims: list[str]                     # header dimension names, top row first (last is År)
    columns: list[dict[str, str]]       # one {dim: label} per data column
    rows: list[tuple[str, str, list[str]]]  # (region code, name, cells)


def read_download_csv(text: str, what: str, header_rows: int = 4) -> DownloadTable:
    lines = list(csv.reader(io.StringIO(text), delimiter=";"))
    if len(lines) <= header_rows:
        raise SchemaDrift(f"{what}: fewer than {header_rows + 1} lines")
    head = lines[:header_rows]
    if head[0][:2] != ["Region", "Navn"] or any(h[:2] != ["", ""] for h in head[1:]):
        raise SchemaDrift(f"{what}: header does not start with Region;Navn and {header_rows - 1} blank pairs")
    width = len(head[0])
    if any(len(h) != width for h in head):
        raise SchemaDrift(f"{what}: header rows differ in width")
    dims, columns = [], []
    for i in range(2, width):
        col = {}
        for level, h in enumerate(head):
            if ": " not in h[i]:
                raise SchemaDrift(f"{what}: header cell {h[i]!r} is not 'Dimension: label'")
            dim, label = h[i].split(": ", 1)
            if i == 2:
                dims.append(dim)
            elif dims[level] != dim:
                raise SchemaDrift(f"{what}: header row {level + 1} mixes {dims[level]!r} and {dim!r}")
            col[dim] = label
        columns.append(col)
    rows = []
    for n, line in enumerate(lines[header_rows:], start=header_rows + 1):
        if not line:
            continue
        if len(line) != width:
            raise SchemaDrift(f"{what}: line {n} has {len(line)} cells, the header {width}")
        rows.append((line[0], line[1], line[2:]))
    return DownloadTable(dims, columns, rows)


def division_years(table: DownloadTable, period_dim: str) -> tuple[int, dict[str, int]]:
    """geo_vintage per region code.

    A name with ``(t.o.m. YYYY)`` is a code that ended: it belongs to the YYYY division. Every other
    code belongs to the export's current division, which began in the latest year that any current
    code starts in: the largest ``f.o.m. YYYY`` label, or the first year with figures of a current
    code without one (e.g. "Fjord", new in 2020; Trøndelag F50, new in 2018).
    """
    year_of = [int(c[period_dim]) for c in table.columns]
    current_start, per_code = None, {}
    for code, name, cells in table.rows:
        ended = _TOM.search(name)
        if ended:
            per_code[code] = int(ended.group(1))
            continue
        started = _FOM.search(name)
        years = [y for y, cell in zip(year_of, cells) if cell.strip()]
        first = int(started.group(1)) if started else (min(years) if years else None)
        if first is not None:
            current_start = first if current_start is None else max(current_start, first)
    if current_start is None:
        raise SchemaDrift("cannot tell which division the current codes belong to (no figures)")
    for code, _, _ in table.rows:
        per_code.setdefault(code, current_start)
    return current_start, per_code


def tidy_download(card: SourceCard, table: DownloadTable, query: dict) -> list[dict]:
    what = card.key
    period_dim = query.get("period", "År")
    spec = query["dimensions"]
    unknown = [d for d in table.dims if d != period_dim and d not in spec]
    missing = [d for d in spec if d not in table.dims]
    if unknown or missing or period_dim not in table.dims:
        raise SchemaDrift(f"{what}: header dimensions {table.dims}, expected {list(spec)} + {period_dim!r}")
    keep = {d: set(v) for d, v in (query.get("keep") or {}).items()}
    prefix = query["region_prefix"]
    code_re = re.compile(rf"^{prefix}(\d{{{query['code_digits']}}})$")
    _, vintage = division_years(table, period_dim)
    cols = []
    for col in table.columns:
        if any(col[d] not in keep_set for d, keep_set in keep.items()):
            continue
        dims, unit = {}, None
        for d, s in spec.items():
            label = col[d]
            if label not in s["codes"]:
                raise SchemaDrift(f"{what}: unknown {d} {label!r}")
            dims[s["name"]] = s["codes"][label]
            if s.get("unit"):
                unit = s["codes"][label]
        period = col[period_dim]
        if not re.fullmatch(r"\d{4}", period):
            raise SchemaDrift(f"{what}: period {period!r} is not a year")
        cols.append((dims_key(dims), period, unit))
    out = []
    for code, name, cells in table.rows:
        m = code_re.match(code)
        if not m:
            raise SchemaDrift(f"{what}: region code {code!r} ({name}) does not look like {prefix}+digits")
        geo = m.group(1)
        for (dims, period, unit), cell in zip(cols, _kept(cells, table.columns, keep)):
            if not cell.strip():
                continue
            value, status = value_status(cell, f"{what} {code} {period}")
            out.append({"source": card.source, "table_id": card.table_id, "measure": query["measure"],
                        "dims": dims, "geo_code": geo, "geo_vintage": vintage[code], "period": period,
                        "value": value, "status": status, "unit": unit})
    return out


def _kept(cells: list[str], columns: list[dict[str, str]], keep: dict[str, set]) -> list[str]:
    return [c for c, col in zip(cells, columns) if all(col[d] in s for d, s in keep.items())]


# --- integreringsdata long CSV (since December 2024) ----------------------------------------------

LONG_GEO = {"Kommunenummer": ("kommune", 4), "Fylkesnummer": ("fylke", 2)}
LONG_NAME = {"Kommunenummer": "Kommune", "Fylkesnummer": "Fylke"}


def is_long(text: str) -> bool:
    first = text.lstrip("\ufeff").split("\n", 1)[0]
    return re.split(r"[;,]", first, maxsplit=1)[0].strip() in LONG_GEO


def read_long(text: str, what: str) -> tuple[str, list[str], list[dict[str, str]]]:
    """(geo column, dimension columns, rows) of the one-header long export; ``;`` (IMDi) or ``,``."""
    text = text.lstrip("\ufeff")
    first = text.split("\n", 1)[0]
    delimiter = ";" if first.count(";") >= first.count(",") else ","
    reader = csv.DictReader(io.StringIO(text), delimiter=delimiter)
    header = [h.strip() for h in reader.fieldnames or []]
    reader.fieldnames = header
    geo_col = header[0] if header else ""
    fixed = [geo_col, LONG_NAME.get(geo_col, ""), "År", "Antall"]
    missing = [c for c in fixed if c not in header]
    if geo_col not in LONG_GEO or missing:
        raise SchemaDrift(f"{what}: long export header {header} lacks {missing or [geo_col]}")
    rows = list(reader)
    if any(None in r or None in r.values() for r in rows):
        raise SchemaDrift(f"{what}: a line does not have {len(header)} cells")
    return geo_col, [c for c in header if c not in fixed], rows


def tidy_long(card: SourceCard, geo_col: str, dim_cols: list[str], rows: list[dict[str, str]],
              query: dict) -> tuple[list[dict], dict[str, int]]:
    """Rows of the long export -> observation dicts, and the region codes skipped by kind.

    geo_vintage: a code with ``(t.o.m. YYYY)`` in its name ended that year; any other code belongs to the
    division of the last year it has figures in the file (the long export names ended codes without the
    marker, e.g. 0805 Porsgrunn with figures 2006–2019, then 3806 2020–2023, 4001 from 2024).
    """
    what = card.key
    spec = query["dimensions"]
    period_dim = query.get("period", "År")
    if sorted(dim_cols) != sorted(spec):
        raise SchemaDrift(f"{what}: dimension columns {dim_cols}, expected {sorted(spec)}")
    keep = {d: set(v) for d, v in (query.get("keep") or {}).items()}
    level, digits = LONG_GEO[geo_col]
    name_col = LONG_NAME[geo_col]
    last_year: dict[str, int] = {}
    ended: dict[str, int] = {}
    for r in rows:
        if r[period_dim].strip() and r["Antall"].strip():
            last_year[r[geo_col]] = max(last_year.get(r[geo_col], 0), int(r[period_dim]))
        name = r[name_col] or ""
        m, again = _TOM.search(name), _FOM.search(name)   # "Telemark (t.o.m. 2019, f.o.m. 2024)": current
        if m and not (again and int(again.group(1)) > int(m.group(1))):
            ended[r[geo_col]] = int(m.group(1))
    out, skipped = [], {}
    for r in rows:
        raw = r[geo_col].strip()
        if not re.fullmatch(r"\d{1,4}", raw):
            raise SchemaDrift(f"{what}: {geo_col} {raw!r} is not a number")
        kind, geo = regions.classify(raw.zfill(digits))
        if geo is None or kind not in ("land", level):
            skipped.setdefault(kind, set()).add(raw)
            continue
        if any(r[d] not in ks for d, ks in keep.items()):
            continue
        cell = r["Antall"].strip()
        if not cell:
            continue
        dims, unit = {}, None
        for d, sp in spec.items():
            label = r[d]
            if label not in sp["codes"]:
                raise SchemaDrift(f"{what}: unknown {d} {label!r}")
            dims[sp["name"]] = sp["codes"][label]
            if sp.get("unit"):
                unit = sp["codes"][label]
        period = r[period_dim].strip()
        if not re.fullmatch(r"\d{4}", period):
            raise SchemaDrift(f"{what}: period {period!r} is not a year")
        value, status = value_status(cell, f"{what} {raw} {period}")
        vintage = ended.get(r[geo_col]) or last_year.get(r[geo_col]) or int(period)
        out.append({"source": card.source, "table_id": card.table_id, "measure": query["measure"],
                    "dims": dims_key(dims), "geo_code": geo, "geo_vintage": vintage, "period": period,
                    "value": value, "status": status, "unit": unit})
    return out, {k: len(v) for k, v in sorted(skipped.items())}


# --- imdikator flat key-value CSV ----------------------------------------------------------------

GEO_COLUMNS = ("fylke_nr", "kommune_nr", "naringsregion_nr", "bydel_nr")
FLAT_FIXED = ("aar", "enhet", "tabellvariabel", "tabell_navn") + GEO_COLUMNS


def read_flat(text: str, what: str) -> tuple[list[str], list[dict[str, str]]]:
    reader = csv.DictReader(io.StringIO(text))
    header = list(reader.fieldnames or [])
    missing = [c for c in FLAT_FIXED if c not in header]
    if missing:
        raise SchemaDrift(f"{what}: flat file lacks columns {missing}")
    rows = list(reader)
    if any(None in r or None in r.values() for r in rows):
        raise SchemaDrift(f"{what}: a line does not have {len(header)} cells")
    return header, rows


def flat_geo(row: dict[str, str], what: str, keep_unknown_fylke: bool = False) -> tuple[str, str] | None:
    """(level, code) of a flat row: ``("fylke", "03")`` / ``("kommune", "0301")``; None for the
    levels we leave out (næringsregion, bydel) and for IMDi's "unknown" codes 99 / 9999 — unless the card
    keeps fylke 99 (uoppgitt), which is part of IMDi's national figure."""
    used = [c for c in GEO_COLUMNS if row[c] != "NULL"]
    if len(used) != 1:
        raise SchemaDrift(f"{what}: a row has geography in {used or 'no column'} (expected exactly one)")
    col, code = used[0], row[used[0]]
    if col == "fylke_nr":
        if not re.fullmatch(r"\d{2}", code):
            raise SchemaDrift(f"{what}: fylke_nr {code!r}")
        return None if code == "99" and not keep_unknown_fylke else ("fylke", "0" if code == "00" else code)
    if col == "kommune_nr":
        if not re.fullmatch(r"\d{4}", code):
            raise SchemaDrift(f"{what}: kommune_nr {code!r}")
        return None if code == "9999" else ("kommune", code)
    return None


def tidy_flat(card: SourceCard, header: list[str], rows: list[dict[str, str]], query: dict) -> list[dict]:
    what = card.key
    spec: dict[str, list[str]] = query["dimensions"]
    dim_cols = [c for c in header if c not in FLAT_FIXED]
    if sorted(dim_cols) != sorted(spec):
        raise SchemaDrift(f"{what}: dimension columns {dim_cols}, expected {sorted(spec)}")
    units = query.get("enhet", {"personer": "personer", "prosent": "prosent"})
    skip_enhet = set(query.get("skip_enhet", []))
    periods = {str(p) for p in query["periods"]}
    out = []
    for row in rows:
        if row["tabell_navn"] != query["table"]:
            raise SchemaDrift(f"{what}: tabell_navn {row['tabell_navn']!r}, expected {query['table']!r}")
        if row["enhet"] in skip_enhet:
            continue
        if row["enhet"] not in units:
            raise SchemaDrift(f"{what}: unknown enhet {row['enhet']!r}")
        geo = flat_geo(row, what, bool(query.get("keep_unknown_fylke")))
        if geo is None:
            continue
        if row["aar"] not in periods:
            raise SchemaDrift(f"{what}: unexpected aar {row['aar']!r} (card lists {sorted(periods)})")
        dims = {"enhet": row["enhet"]}
        for d, allowed in spec.items():
            if row[d] not in [str(a) for a in allowed]:
                raise SchemaDrift(f"{what}: unknown {d} {row[d]!r}")
            dims[d] = row[d]
        if not row["tabellvariabel"].strip():
            continue
        value, status = value_status(row["tabellvariabel"], f"{what} {geo[1]} {row['aar']}")
        out.append({"source": card.source, "table_id": card.table_id, "measure": query.get("measure", query["table"]),
                    "dims": dims_key(dims), "geo_code": geo[1], "geo_vintage": int(query["geo_vintage"]),
                    "period": row["aar"].replace("_", "-"), "value": value, "status": status,
                    "unit": units[row["enhet"]]})
    return out


# --- imdikator wide (crossed input) CSV ----------------------------------------------------------

def read_wide(text: str, what: str) -> tuple[list[str], list[list[str]]]:
    lines = [line for line in csv.reader(io.StringIO(text), delimiter=";") if line]
    if not lines:
        raise SchemaDrift(f"{what}: empty file")
    header, rows = lines[0], lines[1:]
    for n, r in enumerate(rows, start=2):
        if len(r) != len(header):
            raise SchemaDrift(f"{what}: line {n} has {len(r)} cells, the header {len(header)}")
    return header, rows


def wide_column(name: str, prefixes: dict[str, str], what: str) -> tuple[dict[str, str], str, str]:
    """``innvkat.3.befolkningen.ellers_vreg.3.alle_enhet.prosent_aar.2014`` ->
    ({innvkat_3: befolkningen_ellers, vreg_3: alle}, enhet, period)."""
    dims, enhet, period = {}, None, None
    for part in name.split("_"):
        if part.startswith("enhet."):
            enhet = part[len("enhet."):]
        elif part.startswith("aar."):
            period = part[len("aar."):].replace(".", "-")
        else:
            for prefix, dim in prefixes.items():
                if part.startswith(prefix + "."):
                    dims[dim] = part[len(prefix) + 1:].replace(".", "_")
                    break
            else:
                raise SchemaDrift(f"{what}: column {name!r}: unknown part {part!r}")
    if enhet is None or period is None or len(dims) != len(prefixes):
        raise SchemaDrift(f"{what}: column {name!r} lacks enhet, aar or a dimension")
    return dims, enhet, period


def tidy_wide(card: SourceCard, header: list[str], rows: list[list[str]], query: dict, part: dict) -> list[dict]:
    what = f"{card.key} ({part['geo']})"
    geo_col = part["geo"]
    if header[0] != geo_col:
        raise SchemaDrift(f"{what}: first column {header[0]!r}, expected {geo_col!r}")
    spec = query["dimensions"]
    prefixes = {p: s["name"] for p, s in spec.items()}
    units = query.get("enhet", {"personer": "personer", "prosent": "prosent"})
    periods = {str(p) for p in query["periods"]}
    cols = []
    for name in header[1:]:
        dims, enhet, period = wide_column(name, prefixes, what)
        for p, s in spec.items():
            if dims[s["name"]] not in [str(v) for v in s["values"]]:
                raise SchemaDrift(f"{what}: unknown {s['name']} {dims[s['name']]!r} in {name!r}")
        if enhet not in units:
            raise SchemaDrift(f"{what}: unknown enhet {enhet!r}")
        if period not in periods:
            raise SchemaDrift(f"{what}: unexpected period {period!r}")
        cols.append((dims_key({**dims, "enhet": enhet}), period, units[enhet]))
    digits = 2 if geo_col == "fylke_nr" else 4
    out = []
    for r in rows:
        code = r[0]
        if not re.fullmatch(rf"\d{{{digits}}}", code):
            raise SchemaDrift(f"{what}: {geo_col} {code!r}")
        geo = "0" if code == "00" else code
        for (dims, period, unit), cell in zip(cols, r[1:]):
            if not cell.strip():
                continue
            value, status = value_status(cell, f"{what} {code}", decimal=",")
            out.append({"source": card.source, "table_id": card.table_id, "measure": query["measure"],
                        "dims": dims, "geo_code": geo, "geo_vintage": int(query["geo_vintage"]),
                        "period": period, "value": value, "status": status, "unit": unit})
    return out


# --- fetch -----------------------------------------------------------------------------------------

def fetch(card: SourceCard, transport: Transport) -> LoadResult:
    query = card.query_for(transport.name)
    fmt = query.get("format")
    rows: list[dict] = []
    requests = 0
    skipped: dict[str, int] = {}
    if fmt == "integreringsdata_csv":
        text = decode(fetch_bytes(transport, query["url"], card.key), query["encoding"], card.key)
        if is_long(text):
            rows, skipped = tidy_long(card, *read_long(text, card.key), query)
        else:
            rows = tidy_download(card, read_download_csv(text, card.key), query)
        requests = 1
    elif fmt == "imdikator_flat":
        text = decode(fetch_bytes(transport, query["url"], card.key), query["encoding"], card.key)
        header, raw = read_flat(text, card.key)
        rows = tidy_flat(card, header, raw, query)
        requests = 1
    elif fmt == "imdikator_wide":
        for part in query["files"]:
            text = decode(fetch_bytes(transport, part["url"], card.key), query["encoding"], card.key)
            header, raw = read_wide(text, card.key)
            rows += tidy_wide(card, header, raw, query, part)
            requests += 1
    else:
        raise LoaderError(f"{card.key}: unknown IMDi format {fmt!r}")
    if not rows:
        raise SchemaDrift(f"{card.key}: the export held no figures")
    return LoadResult(_frame(rows), title=card.title, requests=requests, skipped=skipped)
