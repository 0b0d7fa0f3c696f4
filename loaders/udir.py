"""Udir (Utdanningsdirektoratet): the statistics portal's "rapportering" API and the statistikkbank export.

Three tables, chosen by ``card.table_id``:

* ``GSK-GSI``   pupils, pupils with special education, schools per fylke and kommune (one request per
                school year; JSON with a ``metadata.columns`` hierarchy and ``rows[].data`` strings).
* ``VGO-GjennomfoeringV``  completion / dropout within 5/6 years per fylke by start cohort (same JSON).
* ``VGO-SluttaV``  share who left upper secondary during the school year, per fylke (statistikkbank
                export: UTF-16LE, ``sep=\\t`` line, tab-separated, decimal comma, ``.Brudd`` columns).

Udir says the API "er ikke ment for ekstern bruk i dag, og vil endres uten varsel", so every column is
matched by its *name* against the card, and anything unexpected (a renamed column, an unknown year, a
fylke code outside the division of its year, a cell count that does not match the header) is a
``SchemaDrift``. Suppressed cells (``*``) stay NULL with status ``*``; an empty cell means the unit did
not exist that year (e.g. Trøndelag before 2018) and gives no row.
"""
from __future__ import annotations

import csv
import io
import re
from typing import Any, Iterable

import pandas as pd

from . import regions
from .cards import SourceCard
from .errors import LoaderError, SchemaDrift
from .result import OBS_COLUMNS, LoadResult
from .transport import Request, Response, Transport

SUPPRESSED = "*"
SPACES = re.compile(r"[\s\u00a0\u202f]")

# Fylke codes of each fylke division (first year the division was in force). Used to check that a
# row's code belongs to the division the card assigns to its period; Udir keeps old fylker as
# separate units ("Akershus ( - 2019)") so a mismatch means the card's vintage is wrong.
FYLKER = {
    2017: {"01", "02", "03", "04", "05", "06", "07", "08", "09", "10", "11", "12", "14", "15", "16", "17",
           "18", "19", "20"},
    2018: {"01", "02", "03", "04", "05", "06", "07", "08", "09", "10", "11", "12", "14", "15", "18", "19",
           "20", "50"},
    2020: {"03", "11", "15", "18", "30", "34", "38", "42", "46", "50", "54"},
    2024: {"03", "11", "15", "18", "31", "32", "33", "34", "39", "40", "42", "46", "50", "55", "56"},
}
# Svalbard (2100) is listed by Udir as a kommune under Troms (55) but is not one of the 357 kommuner.
# Troms' fylke figures include Svalbard's pupils (2024-25: 17 816 = 17 597 + 219), so fylke sums stay
# complete when the 2100 row is dropped.
NOT_KOMMUNER = {"2100"}


def fetch(card: SourceCard, transport: Transport) -> LoadResult:
    handlers = {"GSK-GSI": fetch_gsi, "VGO-GjennomfoeringV": fetch_gjennomfoering, "VGO-SluttaV": fetch_slutta}
    if card.table_id not in handlers:
        raise LoaderError(f"udir has no handler for table {card.table_id!r}")
    return handlers[card.table_id](card, transport)


# --- requests ---------------------------------------------------------------------------------------

def data_request(query: dict[str, Any], filter_text: str) -> Request:
    return Request.get(f"{query['base']}/{query['path']}",
                       {"filter": filter_text, "radSti": query["radSti"], "inkluderKoder": "true"})


def gsi_requests(card: SourceCard, transport_name: str, resolved: dict[str, Any] | None = None
                 ) -> list[tuple[str, Request]]:
    """(TidID, request) per school year: the card's, or those ``resolve_report`` found live."""
    q = {**card.query_for(transport_name), **(resolved or {})}
    return [(str(tid), data_request(q, q["filter"].format(tid=tid))) for tid in q["years"]]


_ENDPOINT = re.compile(r"^rest/v1/(Statistikk/[A-Za-z]+/[A-Za-z]+/\d+/\d+)/data$")


def _endpoint(base: str, path: str) -> str:
    return f"{base}/{path[len('rest/v1/'):] if path.startswith('rest/v1/') else path}"


def resolve_report(q: dict[str, Any], transport: Transport, table: str) -> tuple[dict[str, Any], int]:
    """The report version and school years to ask for, read from Udir itself (audit finding 9).

    ``Rapportside/{kode}`` names the current data endpoint (``rest/v1/Statistikk/GSK/GSI/1/8/data`` in
    terchris/atlas's fixture: report 1 version 8) and its ``filterVerdier`` endpoint, whose ``TidID`` list
    holds every school year published; the newest ``latest_years`` are asked. A year the card does not list
    gets period "YYYY-YY" from Udir's own name and the division of its first calendar year.
    Returns ({path, years}, requests sent). Without ``rapportside`` (the snapshot) the card's are used.
    """
    if not q.get("rapportside"):
        return {}, 0
    page = transport.send(Request.get(f"{q['base']}/{q['rapportside']}"))
    try:
        rapp = page.json()["rappside"]
        data_eps = [e["dataEndepunkt"] for e in rapp["rapportElementer"]]
        values_ep = rapp["filterVerdiEndepunkt"]
    except (KeyError, TypeError, LoaderError) as exc:
        raise SchemaDrift(f"udir {table}: Rapportside answer lacks rappside/dataEndepunkt ({exc})") from exc
    matched = [m.group(1) for ep in data_eps if (m := _ENDPOINT.match(ep))]
    want = q["path"].rsplit("/", 3)[0]          # Statistikk/GSK/GSI
    matched = [m for m in matched if m.rsplit("/", 2)[0] == want]
    if len(matched) != 1:
        raise SchemaDrift(f"udir {table}: Rapportside names data endpoints {data_eps}, expected one under {want}")
    body = transport.send(Request.get(_endpoint(q["base"], values_ep))).json()
    if not isinstance(body, dict) or not isinstance(body.get("TidID"), list) or not body["TidID"]:
        raise SchemaDrift(f"udir {table}: filterVerdier has no TidID list")
    names = {int(t["id"]): str(t.get("navn") or "") for t in body["TidID"]}
    newest = sorted(names)[-int(q.get("latest_years", 2)):]
    known = {int(k): v for k, v in q["years"].items()}
    years = {}
    for tid in newest:
        if tid in known:
            years[tid] = known[tid]
            continue
        first = tid // 100
        period = names[tid] if re.fullmatch(r"\d{4}-\d{2}", names[tid]) else f"{first}-{(first + 1) % 100:02d}"
        years[tid] = {"period": period, "geo_vintage": first}
    return {"path": f"{matched[0]}/data", "years": years}, 2


def gjennomfoering_data_requests(card: SourceCard, transport_name: str) -> list[tuple[str, str, Request]]:
    """(indicator id, Vis* flag, request): one request per indicator and per value kind, so what a column
    holds is known from the request, never from a header name that has not been seen live (only "Fullført"
    over "Prosent" has: VirtualAiCorp's real -174/VisProsent response)."""
    q = card.query_for(transport_name)
    return [(str(ind), show, data_request(q, q["filter"].format(indicator=ind, show=show)))
            for ind in q["indicators"] for show in q["values"]]


def gjennomfoering_requests(card: SourceCard, transport_name: str) -> tuple[Request, Request]:
    """(filterVerdier request, the first data request)."""
    q = card.query_for(transport_name)
    return (Request.get(f"{q['base']}/{q['filterVerdier']}"), gjennomfoering_data_requests(card, transport_name)[0][2])


def slutta_request(card: SourceCard, transport_name: str) -> Request:
    q = card.query_for(transport_name)
    return Request.get(q["url"], q.get("params") or {})


# --- the rapportering JSON ----------------------------------------------------------------------------

def parse_report(resp: Response, table: str) -> dict[str, Any]:
    try:
        body = resp.json()
    except LoaderError as exc:
        raise LoaderError(f"udir {table}: {exc}") from exc
    if not isinstance(body, dict) or "metadata" not in body or "rows" not in body:
        keys = sorted(body) if isinstance(body, dict) else type(body).__name__
        raise SchemaDrift(f"udir {table}: response lacks metadata/rows (has {keys})")
    return body


def leaf_paths(body: dict[str, Any], table: str) -> list[tuple[str, ...]]:
    """One tuple of column names (top level first) per data column, from the ``columns`` hierarchy."""
    levels = body["metadata"].get("columns")
    if not levels:
        raise SchemaDrift(f"udir {table}: metadata.columns is missing or empty")
    expanded = []
    for level in levels:
        names: list[str] = []
        for col in level:
            if "name" not in col or "columnCount" not in col:
                raise SchemaDrift(f"udir {table}: a column header lacks name/columnCount: {col}")
            names += [str(col["name"]).strip()] * int(col["columnCount"])
        expanded.append(names)
    widths = {len(n) for n in expanded}
    if len(widths) != 1:
        raise SchemaDrift(f"udir {table}: column levels have different widths {sorted(widths)}")
    return list(zip(*expanded))


def classify_columns(paths: list[tuple[str, ...]], table: str, periods: Iterable[str],
                     measures: dict[str, str], totals: Iterable[str],
                     indicators: dict[str, str] | None = None) -> list[tuple[str, str]]:
    """(period, measure) for each data column, matched by name.

    The top level is the period, the bottom level the measure (``measures``: column name -> measure);
    every level in between must be a known "all" total (``totals``) or, when ``indicators`` is given,
    name exactly one indicator, which prefixes the measure. Anything else is schema drift.
    """
    periods, totals = set(periods), set(totals)
    out = []
    for path in paths:
        if len(path) < 2:
            raise SchemaDrift(f"udir {table}: a column has only {len(path)} header level(s)")
        period, *middle, leaf = path
        if period not in periods:
            raise SchemaDrift(f"udir {table}: unexpected period column {period!r} (expected {sorted(periods)})")
        if leaf not in measures:
            raise SchemaDrift(f"udir {table}: unknown column {leaf!r} (expected {sorted(measures)})")
        found = {m for m in middle if indicators and m in indicators}
        unknown = [m for m in middle if m not in totals and m not in found]
        if unknown:
            raise SchemaDrift(f"udir {table}: unknown column level {unknown[0]!r} over {leaf!r}")
        measure = measures[leaf]
        if indicators is not None:
            if len(found) != 1:
                raise SchemaDrift(f"udir {table}: column {path} names {len(found)} indicators, expected 1")
            measure = f"{indicators[found.pop()]}_{measure}"
        out.append((period, measure))
    missing = {(p, m) for p in periods for m in measures.values()} - set(out) if indicators is None else set()
    if missing:
        raise SchemaDrift(f"udir {table}: expected columns missing: {sorted(missing)[:3]}")
    if len(set(out)) != len(out):
        raise SchemaDrift(f"udir {table}: two columns map to the same period and measure")
    return out


def parse_value(text: Any, table: str) -> tuple[float | None, str | None] | None:
    """(value, status); None for an empty cell (no figure: the unit did not exist)."""
    if text is None:
        return None
    raw = SPACES.sub("", str(text))
    if raw == "":
        return None
    if raw == SUPPRESSED:
        return None, SUPPRESSED
    try:
        return float(raw.replace(",", ".")), None
    except ValueError:
        raise SchemaDrift(f"udir {table}: cannot read value {text!r}") from None


def row_geo(row: dict[str, Any], table: str) -> tuple[str, str]:
    """(geo_code, level) from a row's ``kode`` and the depth of its ``id`` path ("1.49.1423")."""
    kode, path = str(row.get("kode", "")).strip(), str(row.get("id", ""))
    depth = len(path.split(".")) if path else 0
    if kode == "I" and depth == 1:
        return "0", "land"
    if depth == 2 and kode.isdigit() and len(kode) <= 2:
        return kode.zfill(2), "fylke"
    if depth == 3 and kode.isdigit() and len(kode) in (3, 4):
        return kode.zfill(4), "kommune"
    raise SchemaDrift(f"udir {table}: unexpected row kode {kode!r} at depth {depth} ({row.get('navn')!r})")


def report_rows(card: SourceCard, body: dict[str, Any], columns: list[tuple[str, str]],
                vintages: dict[str, int], units: dict[str, str], table: str) -> list[dict[str, Any]]:
    out = []
    parents = {str(r.get("id")): str(r.get("kode", "")).strip() for r in body["rows"]}
    for row in body["rows"]:
        data = row.get("data")
        if not isinstance(data, list) or len(data) != len(columns):
            raise SchemaDrift(f"udir {table}: row {row.get('navn')!r} has {len(data or [])} cells, "
                              f"the header {len(columns)}")
        geo, level = row_geo(row, table)
        if level == "kommune":
            parent = parents.get(str(row["id"]).rsplit(".", 1)[0], "")
            if geo in NOT_KOMMUNER:
                continue
            if parent.zfill(2) != geo[:2]:
                raise SchemaDrift(f"udir {table}: kommune {geo} is listed under fylke {parent!r}")
        for (period, measure), cell in zip(columns, data):
            parsed = parse_value(cell, table)
            if parsed is None:
                continue
            vintage = vintages[period]
            if level == "fylke" and geo not in FYLKER[fylke_division(vintage)]:
                raise SchemaDrift(f"udir {table}: fylke {geo} has a value for {period}, "
                                  f"but is not in the {vintage} division")
            value, status = parsed
            out.append({"source": card.source, "table_id": card.table_id, "measure": measure, "dims": "",
                        "geo_code": geo, "geo_vintage": vintage, "period": period, "value": value,
                        "status": status, "unit": units[measure]})
    return out


def fylke_division(vintage: int) -> int:
    return max(y for y in FYLKER if y <= vintage) if vintage >= min(FYLKER) else min(FYLKER)


def frame(rows: list[dict[str, Any]], table: str) -> pd.DataFrame:
    if not rows:
        raise SchemaDrift(f"udir {table}: the response held no figures")
    df = pd.DataFrame(rows, columns=OBS_COLUMNS)
    df["geo_vintage"] = df["geo_vintage"].astype("Int64")
    df["value"] = df["value"].astype("float64")
    df["status"] = df["status"].astype(object).where(df["status"].notna(), None)
    return df


# --- GSK/GSI -------------------------------------------------------------------------------------------

def fetch_gsi(card: SourceCard, transport: Transport) -> LoadResult:
    q = card.query_for(transport.name)
    measures = {name: spec["measure"] for name, spec in q["columns"].items()}
    units = {spec["measure"]: spec["unit"] for spec in q["columns"].values()}
    resolved, n = resolve_report(q, transport, "GSK/GSI")
    q = {**q, **resolved}
    rows = []
    for tid, request in gsi_requests(card, transport.name, resolved):
        year = q["years"][int(tid)] if int(tid) in q["years"] else q["years"][tid]
        body = parse_report(transport.send(request), f"GSK/GSI {tid}")
        n += 1
        table = f"GSK/GSI {year['period']}"
        columns = classify_columns(leaf_paths(body, table), table, [year["period"]], measures, q["totals"])
        rows += report_rows(card, body, columns, {year["period"]: int(year["geo_vintage"])}, units, table)
    return LoadResult(frame(rows, "GSK/GSI"), title=card.title, requests=n)


# --- VGO/GjennomfoeringV --------------------------------------------------------------------------------

def check_filter_values(body: Any, q: dict[str, Any], table: str) -> dict[str, list[dict]]:
    """The requested cohorts and indicators must still be offered (Udir withdraws cohorts on method breaks)."""
    if not isinstance(body, dict) or not {"TidID", "IndikatorID", "EnhetID"} <= set(body):
        raise SchemaDrift(f"udir {table}: filterVerdier lacks TidID/IndikatorID/EnhetID")
    offered_tid = {str(v["id"]) for v in body["TidID"]}
    offered_ind = {str(v["id"]) for v in body["IndikatorID"]}
    asked_tid = {str(s["tid"]) for s in q["cohorts"].values()}
    asked_ind = {str(i) for i in q["indicators"]}
    if asked_tid - offered_tid:
        raise SchemaDrift(f"udir {table}: Udir no longer offers TidID {sorted(asked_tid - offered_tid)}")
    if asked_ind - offered_ind:
        raise SchemaDrift(f"udir {table}: Udir no longer offers IndikatorID {sorted(asked_ind - offered_ind)}")
    return body


def single_value_columns(paths: list[tuple[str, ...]], table: str, periods: Iterable[str],
                         totals: Iterable[str]) -> tuple[list[str], str, str]:
    """Columns of a response that asked for one indicator and one value kind: the period of each column,
    plus the indicator label and the value label as served (e.g. "Fullført", "Prosent"). Every level
    between period and value must be a known total or that one indicator label; each period once."""
    periods, totals = set(periods), set(totals)
    out, labels, leaves = [], set(), set()
    for path in paths:
        if len(path) < 2:
            raise SchemaDrift(f"udir {table}: a column has only {len(path)} header level(s)")
        period, *middle, leaf = path
        if period not in periods:
            raise SchemaDrift(f"udir {table}: unexpected period column {period!r} (expected {sorted(periods)})")
        labels |= {m for m in middle if m not in totals}
        leaves.add(leaf)
        out.append(period)
    if len(labels) > 1 or len(leaves) != 1:
        raise SchemaDrift(f"udir {table}: one indicator and one value kind were asked for, the header has "
                          f"levels {sorted(labels)} over {sorted(leaves)}")
    if len(set(out)) != len(out):
        raise SchemaDrift(f"udir {table}: a cohort has more than one column")
    return out, (labels.pop() if labels else ""), leaves.pop()


def fetch_gjennomfoering(card: SourceCard, transport: Transport) -> LoadResult:
    table = "VGO/GjennomfoeringV"
    q = card.query_for(transport.name)
    cohorts = {str(p): spec for p, spec in q["cohorts"].items()}
    asked = re.search(r"TidID\(([^)]*)\)", q["filter"])
    if not asked or set(asked.group(1).split("_")) != {str(s["tid"]) for s in cohorts.values()}:
        raise LoaderError(f"udir {table}: the card's filter asks for other TidIDs than its cohorts list")
    fv_request, _ = gjennomfoering_requests(card, transport.name)
    filter_values = check_filter_values(parse_report_plain(transport.send(fv_request), table), q, table)
    known = {str(e["kode"]) for e in filter_values["EnhetID"]}
    vintages = {p: int(s["geo_vintage"]) for p, s in cohorts.items()}
    rows, n = [], 1
    for indicator, show, request in gjennomfoering_data_requests(card, transport.name):
        what = f"{table} {indicator}/{show}"
        body = parse_report(transport.send(request), what)
        n += 1
        periods, _, _ = single_value_columns(leaf_paths(body, what), what, vintages, q["totals"])
        absent = set(vintages) - set(periods)
        if absent:
            raise SchemaDrift(f"udir {what}: no columns for cohorts {sorted(absent)}")
        measure = f"{q['indicators'][indicator]}_{q['values'][show]}"
        unknown = [r.get("kode") for r in body["rows"] if str(r.get("kode")) not in known]
        if unknown:
            raise SchemaDrift(f"udir {what}: rows with codes not in filterVerdier: {unknown[:5]}")
        unit = "prosent" if q["values"][show] == "prosent" else "elever"
        rows += report_rows(card, body, [(p, measure) for p in periods], vintages, {measure: unit}, what)
    return LoadResult(frame(rows, table), title=card.title, requests=n)


def parse_report_plain(resp: Response, table: str) -> Any:
    try:
        return resp.json()
    except LoaderError as exc:
        raise LoaderError(f"udir {table}: {exc}") from exc


# --- VGO/SluttaV (statistikkbank export) -----------------------------------------------------------------

EXPORT_ID_COLUMNS = ("EnhetNivaa", "Nasjonaltkode", "Fylkekode", "EnhetNavn")
EXPORT_COLUMN = re.compile(r"^(\d{4}-\d{2})\.(.*)\.([^.]+)$")
BRUDD = ".Brudd"
BREAK_SEPARATOR = re.compile(r"\s*<<\s*\d+\.\s*Bruddtekst\s*>>\s*")


def decode_export(content: bytes, table: str) -> list[list[str]]:
    """Rows of a statistikkbank export: UTF-16LE (BOM optional), a ``sep=<c>`` line, then the table."""
    if content[:2] in (b"\xff\xfe", b"\xfe\xff"):
        text = content.decode("utf-16")
    else:
        try:
            text = content.decode("utf-16-le")
        except UnicodeDecodeError as exc:
            raise SchemaDrift(f"udir {table}: the export is not UTF-16 ({exc})") from exc
    first, _, rest = text.partition("\n")
    if not first.rstrip("\r").startswith("sep="):
        raise SchemaDrift(f"udir {table}: the export does not start with a sep= line ({first[:30]!r})")
    sep = first.rstrip("\r")[4:] or "\t"
    return [r for r in csv.reader(io.StringIO(rest, newline=""), delimiter=sep) if r]


def slutta_division(period: str) -> int:
    """Fylke division of a SluttaV school year: the one in force on 1 January of its second calendar year
    (2016-17 -> 2017 division, 2017-18 -> 2018 with Trøndelag 50, 2019-20 -> 2020, 2023-24 -> 2024).
    Derived, not listed, so a new school year never stops a refresh (audit finding 2); it gives the years
    checked against Udir's own export (2011-12 ... 2020-21) the same division as the old hand-made map."""
    m = re.fullmatch(r"(\d{4})-(\d{2})", period)
    if not m or (int(m.group(1)) + 1) % 100 != int(m.group(2)):
        raise SchemaDrift(f"udir VGO/SluttaV: {period!r} is not a school year 'YYYY-YY'")
    return fylke_division(int(m.group(1)) + 1)


_SCHOOL_YEAR = re.compile(r"(\d{4}-\d{2})")


def fetch_slutta_report(card: SourceCard, transport: Transport) -> LoadResult:
    """SluttaV from the statistics API (the JSON of GSI and GjennomfoeringV).

    Evidence (../shared/data/PROVENANCE.md §20b, from Reven101/Impromptu-Analytics, which calls it live):
    Rapportside ``VGO_slutta``; filters TrinnID, EierformID, KjoennID, ProgramomraadeID, VisAntallPersoner,
    VisAntallPersonerSlutta; columns "Andel sluttet", "Antall elever", "Antall sluttet"; rows Nasjonalt ›
    Fylke › Skole, "2" = Utlandet; headings may read "Foreløpige tall 2025-26". The report version and the
    school years (TidID) come from Rapportside and filterVerdier, as for GSI.
    """
    table = "VGO/SluttaV"
    q = card.query_for(transport.name)
    resolved, n = resolve_report({**q, "years": {}, "latest_years": q.get("latest_years", 100)}, transport, table)
    tids = sorted(resolved["years"])
    periods = {str(resolved["years"][t]["period"]) for t in tids}
    vintages = {p: slutta_division(p) for p in periods}
    req = data_request({**q, **resolved}, q["filter"].format(tids="_".join(str(t) for t in tids)))
    body = parse_report(transport.send(req), table)
    paths = []
    for path in leaf_paths(body, table):
        m = _SCHOOL_YEAR.search(path[0])
        paths.append(((m.group(1) if m else path[0]), *path[1:]))
    columns = classify_columns(paths, table, periods, q["values"], q["totals"])
    units = {m: ("prosent" if m.startswith("andel") else "elever") for _, m in columns}
    national = [str(r.get("id")) for r in body["rows"] if str(r.get("kode", "")).strip() == "I"]
    if len(national) != 1:
        raise SchemaDrift(f"udir {table}: expected one national row (kode I), found {len(national)}")
    root, kept, skipped = national[0], [], {}
    for r in body["rows"]:
        rid, kode = str(r.get("id", "")), str(r.get("kode", "")).strip()
        parts = rid.split(".")
        if parts[0] != root:                       # "2" = Utlandet and its schools
            skipped["abroad"] = skipped.get("abroad", 0) + 1
            continue
        if len(parts) >= 3:                        # schools: not used
            continue
        if len(parts) == 2 and regions.classify(kode.zfill(2))[0] != "fylke":
            kind = regions.classify(kode.zfill(2))[0]
            skipped[kind] = skipped.get(kind, 0) + 1
            continue
        kept.append(r)
    rows = report_rows(card, {**body, "rows": kept}, columns, vintages, units, table)
    return LoadResult(frame(rows, table), title=card.title, requests=n + 1, skipped=skipped)


def fetch_slutta(card: SourceCard, transport: Transport) -> LoadResult:
    table = "VGO/SluttaV"
    q = card.query_for(transport.name)
    if q.get("api") == "statistikk":
        return fetch_slutta_report(card, transport)
    resp = transport.send(slutta_request(card, transport.name))
    rows = decode_export(resp.content, table)
    if len(rows) < 2:
        raise SchemaDrift(f"udir {table}: the export has no data rows")
    header = [h.strip() for h in rows[0]]
    missing = [c for c in EXPORT_ID_COLUMNS if c not in header]
    if missing:
        raise SchemaDrift(f"udir {table}: export lacks columns {missing}")
    idx = {c: header.index(c) for c in EXPORT_ID_COLUMNS}
    totals, measure_name = set(q["totals"]), q["value_column"]
    vintages: dict[str, int] = {}
    values, breaks = [], []   # (column index, period)
    for i, name in enumerate(header):
        if i in idx.values() or name in ("Nasjonalt", "Fylke", "Organisasjonsnummer", "Kommunekode", "Kommune"):
            continue
        is_break = name.endswith(BRUDD)
        m = EXPORT_COLUMN.match(name[: -len(BRUDD)] if is_break else name)
        if not m or m.group(3) != measure_name or not set(m.group(2).split(".")) <= totals:
            raise SchemaDrift(f"udir {table}: unexpected export column {name!r}")
        vintages[m.group(1)] = slutta_division(m.group(1))
        (breaks if is_break else values).append((i, m.group(1)))
    if not values:
        raise SchemaDrift(f"udir {table}: no {measure_name!r} columns in the export")
    break_codes = {str(text).strip(): code for code, text in q["break_texts"].items()}
    out = []
    for r in rows[1:]:
        if len(r) != len(header):
            raise SchemaDrift(f"udir {table}: a row has {len(r)} cells, the header {len(header)}")
        level, nat = r[idx["EnhetNivaa"]].strip(), r[idx["Nasjonaltkode"]].strip()
        if nat == "U":            # Utlandet (Norwegian schools abroad, "fylke" 25): not a Norwegian area
            continue
        if nat != "I":
            raise SchemaDrift(f"udir {table}: unknown Nasjonaltkode {nat!r}")
        if level == "1":
            geo = "0"
        elif level == "2":
            geo = r[idx["Fylkekode"]].strip().zfill(2)
        elif level.isdigit() and int(level) >= 3:   # schools: not used, kept out of the snapshot
            continue
        else:
            raise SchemaDrift(f"udir {table}: unknown EnhetNivaa {level!r}")
        base = {"source": card.source, "table_id": card.table_id, "dims": "", "geo_code": geo}
        present = set()
        for i, period in values:
            parsed = parse_value(r[i], table)
            if parsed is None:
                continue
            if geo != "0" and geo not in FYLKER[fylke_division(vintages[period])]:
                raise SchemaDrift(f"udir {table}: fylke {geo} has a value for {period}, "
                                  f"not in the {vintages[period]} division")
            present.add(period)
            out.append({**base, "measure": q["measure"], "geo_vintage": vintages[period], "period": period,
                        "value": parsed[0], "status": parsed[1], "unit": "prosent"})
        for i, period in breaks:
            # Udir repeats a break text on units that have no figure that year (e.g. Nord-Trøndelag in
            # 2018-19); a break only means something next to a figure.
            if period not in present:
                continue
            for text in filter(None, BREAK_SEPARATOR.split(r[i].strip())):
                code = break_codes.get(text) or merger_code(text)
                if code is None:
                    raise SchemaDrift(f"udir {table}: unknown break text {text[:80]!r} (add it to the card)")
                # A flag row: the series breaks before this period for this unit; the text is in the card.
                out.append({**base, "measure": q["measure"] + "_brudd", "dims": f"Brudd={code}",
                            "geo_vintage": vintages[period], "period": period, "value": 1.0, "status": None,
                            "unit": "flagg"})
    return LoadResult(frame(out, table), title=card.title, requests=1)


def merger_code(text: str) -> str | None:
    """Udir's merger note ("<fylke> er resultatet av en sammenslåing ...") names the fylke; one code for all."""
    return "sammenslaaing" if text.endswith(MERGER_TAIL) else None


MERGER_TAIL = "er resultatet av en sammenslåing og har derfor ikke tall for tidligere årganger"
