"""NAV registered unemployment, from the processed CSV files KS staff already download.

NAV publishes its monthly figures as xlsx attachments on nav.no ("Hovedtall om arbeidsmarkedet"),
under URLs with per-file hashes. The two tables here were built from those files by Telemark
fylkeskommune's analysis repository (evensrii/Telemark) and are fetched from there; the card says so.

Two formats (card ``query.format``):

* ``monthly_long`` — ``Nivå,Geografisk enhet,Arbeidsmarkedsstatus,Kjønn,Antall personer,
  Andel av arbeidsstyrken,Dato``; fylker harmonised to the 2024 division, Landet, Telemark's kommuner.
  ``Andel`` is a fraction (0.021); it is stored as a percentage (2.1), unit ``prosent``.
* ``yearly_fylke`` — ``Fylke,Antall,Prosent av arbeidsstyrken,…,År,Måned,…``: helt ledige per fylke
  as published each year, so the names map to that year's division (the card holds the tables).

* ``hl110_kommune`` — NAV's own CSV "HL110 Antall ledige historisk. Kommune. År måned" (a nav.no
  attachment): ``;``, cp1252, ``Fylkesnr;Fylkenavn;Kommunenr;Kommunenavn;År;Månedsnummer;Beholdning;
  Andel av arbeidsstyrken`` (decimal comma): helt ledige per kommune and month. The live source for
  registered unemployment (audit finding 8); layout as Yeloby/samfunnsdata
  ``providers/norway/nav`` reads it live (no saved file here).

Names are matched with explicit tables in the card; an unknown name fails loudly.
"""
from __future__ import annotations

import csv
import io
import logging
import re
from functools import lru_cache

import pandas as pd

from .cards import SourceCard
from .errors import LoaderError, SchemaDrift
from .result import OBS_COLUMNS, LoadResult, dims_key
from .transport import Request, Transport

MONTHS = {"Januar": "01", "Februar": "02", "Mars": "03", "April": "04", "Mai": "05", "Juni": "06",
          "Juli": "07", "August": "08", "September": "09", "Oktober": "10", "November": "11",
          "Desember": "12"}
MONTHLY_COLUMNS = ["Nivå", "Geografisk enhet", "Arbeidsmarkedsstatus", "Kjønn", "Antall personer",
                   "Andel av arbeidsstyrken", "Dato"]
YEARLY_COLUMNS = ["Fylke", "Antall", "Prosent av arbeidsstyrken", "Endring fra i fjor (antall)",
                  "Endring fra i fjor (prosent)", "År", "Måned", "Prosent av arbeidsstyrken i fjor"]

log = logging.getLogger(__name__)


def read_csv(content: bytes, expected: list[str], what: str) -> tuple[str, list[dict[str, str]]]:
    """Rows as text. The separator is read from the header: ``,`` (the stored files) or ``;`` with
    decimal comma (the processor's own later reading code expects this; unverified)."""
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise SchemaDrift(f"{what}: the file is not UTF-8 ({exc})") from exc
    first = text.split("\n", 1)[0]
    sep = ";" if first.count(";") > first.count(",") else ","
    reader = csv.DictReader(io.StringIO(text), delimiter=sep)
    header = list(reader.fieldnames or [])
    if header != expected:
        raise SchemaDrift(f"{what}: header {header}, expected {expected}")
    rows = list(reader)
    if any(None in r or None in r.values() for r in rows):
        raise SchemaDrift(f"{what}: a line does not have {len(expected)} cells")
    return sep, rows


def number(cell: str, sep: str, where: str) -> float | None:
    cell = cell.strip()
    if not cell:
        return None
    text = cell.replace(",", ".") if sep == ";" else cell
    try:
        return float(text)
    except ValueError:
        raise SchemaDrift(f"{where}: {cell!r} is not a number") from None


@lru_cache(maxsize=None)
def _month(cell: str) -> str | None:
    m = re.fullmatch(r"(\d{4})-(\d{2})-01", cell) or re.fullmatch(r"01\.(\d{2})\.(\d{4})", cell)
    if not m:
        return None
    year, month = (m.group(1), m.group(2)) if "-" in cell else (m.group(2), m.group(1))
    return f"{year}-{month}"


def month_of(cell: str, where: str) -> str:
    month = _month(cell)
    if month is None:
        raise SchemaDrift(f"{where}: date {cell!r} is not the first of a month")
    return month


def _code(table: dict[str, str], name: str, drop: set[str], where: str) -> str | None:
    if name in drop:
        return None
    if name not in table:
        raise SchemaDrift(f"{where}: unknown name {name!r}")
    return str(table[name])


def _row(card, measure, dims, geo, vintage, period, value, unit) -> dict:
    return {"source": card.source, "table_id": card.table_id, "measure": measure, "dims": dims,
            "geo_code": geo, "geo_vintage": vintage, "period": period, "value": value, "status": None,
            "unit": unit}


def tidy_monthly(card: SourceCard, content: bytes, query: dict) -> list[dict]:
    what = card.key
    sep, rows = read_csv(content, MONTHLY_COLUMNS, what)
    levels, drop = query["levels"], set(query.get("drop_names", []))
    status_codes, kjonn_codes = query["arbeidsmarkedsstatus"], query["kjonn"]
    vintage = int(query["geo_vintage"])
    dims_of: dict[tuple[str, str], str] = {}
    out = []
    for n, r in enumerate(rows, start=2):
        where = f"{what} line {n}"
        if r["Nivå"] not in levels:
            raise SchemaDrift(f"{where}: unknown Nivå {r['Nivå']!r}")
        geo = _code(levels[r["Nivå"]], r["Geografisk enhet"], drop, where)
        if geo is None:
            continue
        if r["Arbeidsmarkedsstatus"] not in status_codes or r["Kjønn"] not in kjonn_codes:
            raise SchemaDrift(f"{where}: unknown status/kjønn {r['Arbeidsmarkedsstatus']!r}/{r['Kjønn']!r}")
        pair = (r["Arbeidsmarkedsstatus"], r["Kjønn"])
        if pair not in dims_of:
            dims_of[pair] = dims_key({"arbeidsmarkedsstatus": status_codes[pair[0]], "kjonn": kjonn_codes[pair[1]]})
        dims = dims_of[pair]
        period = month_of(r["Dato"], where)
        count = number(r["Antall personer"], sep, where)
        share = number(r["Andel av arbeidsstyrken"], sep, where)
        if count == 0 and share:
            # NAV shows 1–3 persons as "*"; the processed file wrote those as 0. A zero count beside a
            # positive share is such a cell: keep it suppressed, never as a real 0.
            out.append({**_row(card, "antall", dims, geo, vintage, period, None, "personer"), "status": "*"})
        elif count is not None:
            out.append(_row(card, "antall", dims, geo, vintage, period, count, "personer"))
        if share is not None:
            out.append(_row(card, "andel_av_arbeidsstyrken", dims, geo, vintage, period,
                            round(share * 100, 6), "prosent"))
    return out


def divisions(query: dict) -> dict[int, tuple[int, dict[str, str]]]:
    """Year -> (geo_vintage, {name: code}) from the card's division tables."""
    out = {}
    for div in query["divisions"]:
        first, last = div["years"]
        for year in range(int(first), int(last) + 1):
            out[year] = (year, {**div["names"], **query.get("all_years", {})})
    return out


def tidy_yearly(card: SourceCard, content: bytes, query: dict) -> list[dict]:
    what = card.key
    sep, rows = read_csv(content, YEARLY_COLUMNS, what)
    by_year, drop = divisions(query), set(query.get("drop_names", []))
    dims = dims_key({"arbeidsmarkedsstatus": "helt_ledige", "kjonn": "alle"})
    out, shifted = [], []
    for n, r in enumerate(rows, start=2):
        where = f"{what} line {n}"
        if not re.fullmatch(r"\d{4}", r["År"]) or int(r["År"]) not in by_year:
            raise SchemaDrift(f"{where}: year {r['År']!r} has no division table in the card")
        if r["Måned"] not in MONTHS:
            raise SchemaDrift(f"{where}: unknown month {r['Måned']!r}")
        vintage, names = by_year[int(r["År"])]
        geo = _code(names, r["Fylke"], drop, f"{where} ({r['År']})")
        if geo is None:
            continue
        period = f"{r['År']}-{MONTHS[r['Måned']]}"
        count = number(r["Antall"], sep, where)
        share = number(r["Prosent av arbeidsstyrken"], sep, where)
        if share is not None and share > 100:
            # Four 2018 months (March, April, August, September) in the processed file have their value
            # columns shifted one step right: "Antall" is empty, the count stands under the share, the share
            # under the change in persons (year and month are in place). Read back by position when the
            # row is exactly that shape; otherwise it is left out, not guessed.
            count, share = shifted_values(r, sep, where)
            if count is None:
                continue
            shifted.append(period)
        if count is not None:
            out.append(_row(card, "antall", dims, geo, vintage, period, count, "personer"))
        if share is not None:
            out.append(_row(card, "andel_av_arbeidsstyrken", dims, geo, vintage, period, share, "prosent"))
    if shifted:
        log.info("%s: %d rows with shifted columns read back by position (%s)", what, len(shifted),
                 ", ".join(sorted(set(shifted))))
    return out


def shifted_values(r: dict[str, str], sep: str, where: str) -> tuple[float | None, float | None]:
    """(count, share) of a row whose value columns moved one step right, or (None, None) if it is not
    exactly that: empty "Antall", a whole count under the share, a share 0–100 under the change in persons."""
    if r["Antall"].strip():
        return None, None
    count = number(r["Prosent av arbeidsstyrken"], sep, where)
    share = number(r["Endring fra i fjor (antall)"], sep, where)
    if count is None or share is None or count != int(count) or not 0 <= share <= 100:
        return None, None
    return count, share


HL110_COLUMNS = ["Fylkesnr", "Fylkenavn", "Kommunenr", "Kommunenavn", "År", "Månedsnummer", "Beholdning",
                 "Andel av arbeidsstyrken"]


def tidy_hl110(card: SourceCard, content: bytes, query: dict) -> list[dict]:
    """Helt ledige per kommune and month: antall (personer) and andel_av_arbeidsstyrken (prosent, as
    published). A kommune code belongs to the division of its row's year. ``*`` (1–3 persons) stays
    suppressed; a kommune code of another form (Svalbard 2100/21xx, "9999" unknown) is left out."""
    from . import regions
    what = card.key
    try:
        text = content.decode(query.get("encoding", "cp1252"))
    except UnicodeDecodeError as exc:
        raise SchemaDrift(f"{what}: the file is not {query.get('encoding', 'cp1252')} ({exc})") from exc
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")), delimiter=";")
    header = [h.strip() for h in reader.fieldnames or []]
    missing = [c for c in HL110_COLUMNS if c not in header]
    if missing:
        raise SchemaDrift(f"{what}: HL110 file lacks columns {missing} (has {header})")
    reader.fieldnames = header
    dims = dims_key({"arbeidsmarkedsstatus": "helt_ledige", "kjonn": "alle"})
    out = []
    for n, r in enumerate(reader, start=2):
        where = f"{what} line {n}"
        kind, geo = regions.classify(str(r["Kommunenr"]).strip().zfill(4))
        if kind != "kommune":
            continue
        year, month = str(r["År"]).strip(), str(r["Månedsnummer"]).strip()
        if not (re.fullmatch(r"\d{4}", year) and re.fullmatch(r"\d{1,2}", month) and 1 <= int(month) <= 12):
            raise SchemaDrift(f"{where}: År/Månedsnummer {year!r}/{month!r}")
        period, vintage = f"{year}-{int(month):02d}", int(year)
        for col, measure, unit in (("Beholdning", "antall", "personer"),
                                   ("Andel av arbeidsstyrken", "andel_av_arbeidsstyrken", "prosent")):
            cell = str(r[col] or "").strip()
            if not cell:
                continue
            if cell == "*":
                out.append({**_row(card, measure, dims, geo, vintage, period, None, unit), "status": "*"})
                continue
            out.append(_row(card, measure, dims, geo, vintage, period, number(cell, ";", where), unit))
    return out


def fetch(card: SourceCard, transport: Transport) -> LoadResult:
    query = card.query_for(transport.name)
    resp = transport.send(Request.get(query["url"]))
    if resp.status != 200:
        raise LoaderError(f"{card.key}: {query['url']} answered HTTP {resp.status}")
    fmt = query.get("format")
    if fmt == "monthly_long":
        rows = tidy_monthly(card, resp.content, query)
    elif fmt == "yearly_fylke":
        rows = tidy_yearly(card, resp.content, query)
    elif fmt == "hl110_kommune":
        rows = tidy_hl110(card, resp.content, query)
    else:
        raise LoaderError(f"{card.key}: unknown NAV format {fmt!r}")
    if not rows:
        raise SchemaDrift(f"{card.key}: the file held no figures")
    frame = pd.DataFrame(rows, columns=OBS_COLUMNS)
    frame["geo_vintage"] = frame["geo_vintage"].astype("Int64")
    frame["value"] = frame["value"].astype("float64")
    return LoadResult(frame, title=card.title, requests=1)
