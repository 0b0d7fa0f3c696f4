"""SSB Statistikkbanken through PxWebApi v2: table info, metadata, and data as JSON-stat 2.

Card query (``loaders/sources/ssb_*.yml``)::

    lang: "no"
    expect_dims: [Region, ContentsCode, Tid, ...]   # every dimension the data must have (else SchemaDrift)
    geo_vintage: per_year | <year>                  # per_year: the (last) year in Tid, for per-year divisions
    geo_vintage_overrides: {"2012": 2013}           # Tid -> division year where SSB used another year's
    geo_levels: [land, fylke, kommune]              # which Region levels to keep
    period: as_published | cohort_start             # cohort_start: "2014-2020" -> "2014"
    drop_empty_regions: true                        # a Region with no value at all in a response was not
                                                    # part of that year's division: skip it (not "suppressed")
    selections:                                     # each selection is its own request (or requests)
      - valueCodes: {ContentsCode: [Bosatte], Region: ["*"], Tid: ["*"]}
        codelist: {Region: agg_KommSummer}
        chunk_by: Tid                               # one request per code of this dimension

Requests: GET ``/tables/{id}`` (title, `updated`, `discontinued`), GET ``/tables/{id}/metadata``
(codes, to expand ``*``/``top(n)``/``from(x)`` for counting and chunking), then GET
``/tables/{id}/data``; a GET URL over ``MAX_URL`` characters becomes a POST with a `selection` body.
No request asks for more than ``MAX_CELLS`` cells: the largest expandable dimension is split.
Base URL: ``INNENFOR_SSB_BASE`` overrides ``BASE`` (used by the fault tests' local server).
"""
from __future__ import annotations

import math
import os
import re
from typing import Any

import pandas as pd

from . import jsonstat, regions
from .cards import SourceCard
from .errors import LoaderError, SchemaDrift
from .result import OBS_COLUMNS, LoadResult, dims_key
from .transport import Request, Transport

BASE = "https://data.ssb.no/api/pxwebapi/v2"
MAX_URL = 2000          # longer GET URLs answer 404 at SSB
MAX_CELLS = 800_000     # SSB's limit per extract
GEO_DIM, TIME_DIM, METRIC_DIM = "Region", "Tid", "ContentsCode"

# Region codes that are not units of a kommune/fylke division (Svalbard, Jan Mayen, the continental shelf,
# abroad, "uoppgitt", SSB's own aggregates) are classified in loaders/regions.py and skipped, with a count
# per kind in LoadResult.skipped; no indicator uses them and they carry ~0 persons (07459 2022: 0, 0, 0).
LEVELS = {"land": re.compile(r"^0$"), "fylke": re.compile(r"^\d{2}$"), "kommune": re.compile(r"^\d{4}$"),
          "bydel": re.compile(r"^\d{6}$")}
DEFAULT_LEVELS = ["land", "fylke", "kommune"]  # bydeler only when a card asks for them


def base_url() -> str:
    return os.environ.get("INNENFOR_SSB_BASE", BASE).rstrip("/")


# --- requests ------------------------------------------------------------------------------------

def table_request(table_id: str, lang: str = "no", base: str | None = None) -> Request:
    return Request.get(f"{base or base_url()}/tables/{table_id}", {"lang": lang})


def metadata_request(table_id: str, lang: str = "no", base: str | None = None) -> Request:
    return Request.get(f"{base or base_url()}/tables/{table_id}/metadata", {"lang": lang})


def _join(codes: list[str]) -> str:
    """Value codes for a GET parameter: an expression that itself holds a comma is bracketed."""
    return ",".join(f"[{c}]" if "," in c and not (c.startswith("[") and c.endswith("]")) else c
                    for c in codes)


def data_request(table_id: str, value_codes: dict[str, list[str]], codelist: dict[str, str] | None = None,
                 lang: str = "no", base: str | None = None) -> Request:
    """GET with valueCodes[...] parameters, or POST with a `selection` body when the URL is too long."""
    url = f"{base or base_url()}/tables/{table_id}/data"
    codelist = codelist or {}
    for dim, codes in value_codes.items():
        if len(set(codes)) != len(codes):
            dupes = sorted({c for c in codes if codes.count(c) > 1})
            raise LoaderError(f"{table_id}: value code(s) {dupes[:5]} repeated for {dim} (SSB answers 500)")
    params: dict[str, str] = {"lang": lang, "outputFormat": "json-stat2"}
    for dim, codes in value_codes.items():
        params[f"valueCodes[{dim}]"] = _join(codes)
    for dim, cl in codelist.items():
        params[f"codelist[{dim}]"] = cl
    get = Request.get(url, params)
    if get.url_length() <= MAX_URL:
        return get
    selection = []
    for dim, codes in value_codes.items():
        item: dict[str, Any] = {"variableCode": dim, "valueCodes": list(codes)}
        if dim in codelist:
            item["codelist"] = codelist[dim]
        selection.append(item)
    return Request.post(url, {"selection": selection}, {"lang": lang, "outputFormat": "json-stat2"})


# --- selection expressions -----------------------------------------------------------------------

def expand(codes: list[str], available: list[str]) -> list[str] | None:
    """Codes a selection stands for, from the metadata's codes; None when it cannot be known here
    (e.g. a `?` mask or a code list we have not read), so the caller keeps the expression as is."""
    out: list[str] = []
    for raw in codes:
        c = raw[1:-1] if raw.startswith("[") and raw.endswith("]") else raw
        if c == "*":
            out += available
        elif m := re.fullmatch(r"top\((\d+)(?:,(\d+))?\)", c):
            n, off = int(m.group(1)), int(m.group(2) or 0)
            out += available[::-1][off:off + n][::-1]
        elif m := re.fullmatch(r"bottom\((\d+)(?:,(\d+))?\)", c):
            n, off = int(m.group(1)), int(m.group(2) or 0)
            out += available[off:off + n]
        elif m := re.fullmatch(r"from\((.+)\)", c):
            out += [a for a in available if a >= m.group(1)]
        elif m := re.fullmatch(r"to\((.+)\)", c):
            out += [a for a in available if a <= m.group(1)]
        elif m := re.fullmatch(r"range\((.+),(.+)\)", c):
            out += [a for a in available if m.group(1) <= a <= m.group(2)]
        elif any(ch in c for ch in "*?()"):
            return None
        else:
            out.append(c)
    seen: set[str] = set()
    return [c for c in out if not (c in seen or seen.add(c))]


TOTAL_LABELS = re.compile(r"^(i alt|alle|total|totalt|begge kjønn|hele landet|alle aldre)\b", re.I)


def total_code(table_id: str, dim: str, meta: jsonstat.JsonStat) -> str:
    """The code standing for "all" of a dimension that cannot be eliminated: the metadata's
    ``eliminationValueCode`` when given, else the one category labelled as a total ("I alt", "Alle" ...)."""
    ext = meta.dim_extensions.get(dim) or {}
    code = ext.get("eliminationValueCode")
    if code is not None and str(code) in meta.categories[dim]:
        return str(code)
    totals = [c for c in meta.categories[dim] if TOTAL_LABELS.match(meta.labels.get(dim, {}).get(c, "").strip())]
    if len(totals) != 1:
        raise SchemaDrift(f"{table_id}: dimension {dim} is not selected, cannot be eliminated and has "
                          f"{len(totals)} total categories {totals[:3]}: name its code in the card")
    return totals[0]


def with_totals(table_id: str, value_codes: dict[str, list[str]], meta: jsonstat.JsonStat) -> dict[str, list[str]]:
    """Audit finding 6: a dimension the card leaves out is eliminated by SSB only when its metadata says
    ``elimination: true``; otherwise the request would be refused, so its total is selected explicitly."""
    out = dict(value_codes)
    for dim in meta.ids:
        if dim not in out and (meta.dim_extensions.get(dim) or {}).get("elimination") is False:
            out[dim] = [total_code(table_id, dim, meta)]
    return out


def plan(table_id: str, selection: dict, meta: jsonstat.JsonStat, lang: str = "no",
         max_cells: int = MAX_CELLS, base: str | None = None) -> list[Request]:
    """The data requests for one selection: chunked by `chunk_by`, then split until under max_cells."""
    value_codes: dict[str, list[str]] = {k: [str(c) for c in (v if isinstance(v, list) else [v])]
                                         for k, v in (selection.get("valueCodes") or {}).items()}
    unknown = [d for d in value_codes if d not in meta.ids]
    if unknown:
        raise SchemaDrift(f"{table_id}: dimension(s) {unknown} not in the table's metadata (it has {meta.ids})")
    value_codes = with_totals(table_id, value_codes, meta)
    codelist: dict[str, str] = dict(selection.get("codelist") or {})
    unknown = [d for d in value_codes if d not in meta.ids]
    if unknown:
        raise SchemaDrift(f"{table_id}: dimension(s) {unknown} not in the table's metadata (it has {meta.ids})")
    # Expand what can be expanded; a dimension under a code list keeps its expression unless chunked,
    # since the metadata lists the table's default values, not the code list's.
    expanded: dict[str, list[str] | None] = {}
    for dim, codes in value_codes.items():
        exp = expand(codes, meta.categories[dim])
        expanded[dim] = exp
        if exp is not None and dim not in codelist:
            missing = [c for c in exp if c not in meta.categories[dim]]
            if missing:
                raise SchemaDrift(f"{table_id}: {dim} has no value(s) {missing[:5]} in the metadata")

    def count(dim: str, codes: list[str]) -> int:
        exp = expand(codes, meta.categories[dim])
        return len(exp) if exp is not None else len(meta.categories[dim])

    def explicit(dim: str, codes: list[str]) -> list[str] | None:
        """Codes a dimension can be split into: explicit codes, or an expression over the default values."""
        if not any(ch in c for c in codes for ch in "*?()"):
            return list(codes)
        return None if dim in codelist else expand(codes, meta.categories[dim])

    chunks: list[dict[str, list[str]]] = [dict(value_codes)]
    chunk_by = selection.get("chunk_by")
    if chunk_by:
        if chunk_by not in value_codes or expanded[chunk_by] is None:
            raise LoaderError(f"{table_id}: cannot chunk by {chunk_by} (not selected or not expandable)")
        chunks = [{**value_codes, chunk_by: [c]} for c in expanded[chunk_by]]

    out: list[dict[str, list[str]]] = []
    while chunks:
        chunk = chunks.pop(0)
        sizes = {d: count(d, c) for d, c in chunk.items()}
        cells = math.prod(sizes.values()) if sizes else 1
        if cells <= max_cells:
            out.append(chunk)
            continue
        splittable = [d for d in chunk if sizes[d] > 1 and explicit(d, chunk[d]) is not None]
        if not splittable:
            raise LoaderError(f"{table_id}: a request of {cells:,} cells exceeds {max_cells:,} and cannot be split")
        dim = max(splittable, key=lambda d: sizes[d])
        codes = explicit(dim, chunk[dim]) or []
        half = (len(codes) + 1) // 2
        chunks[:0] = [{**chunk, dim: codes[:half]}, {**chunk, dim: codes[half:]}]
    return [data_request(table_id, c, codelist, lang, base) for c in out]


# --- fetch ---------------------------------------------------------------------------------------

def table_info(table_id: str, transport: Transport, lang: str = "no") -> dict:
    info = transport.send(table_request(table_id, lang)).json()
    if not isinstance(info, dict) or "id" not in info:
        raise SchemaDrift(f"{table_id}: table info has no 'id'")
    if str(info["id"]) != str(table_id):
        raise SchemaDrift(f"{table_id}: table info is for table {info['id']!r}")
    if info.get("discontinued"):
        raise LoaderError(f"{table_id}: SSB marks the table as discontinued (avsluttet; last period "
                          f"{info.get('lastPeriod')}, updated {info.get('updated')}) — find its successor")
    return info


def fetch(card: SourceCard, transport: Transport) -> LoadResult:
    q = card.query_for(transport.name)
    table_id, lang = card.table_id, str(q.get("lang", "no"))
    info = table_info(table_id, transport, lang)
    meta_resp = transport.send(metadata_request(table_id, lang))
    meta = jsonstat.parse(meta_resp.content, name=f"{table_id} metadata", metadata=True,
                          expect_dims=q.get("expect_dims") or ())
    requests = 2
    frames = []
    skipped: dict[str, set] = {}
    for selection in q.get("selections") or []:
        for req in plan(table_id, selection, meta, lang):
            resp = transport.send(req)
            requests += 1
            ds = jsonstat.parse(resp.content, name=f"{table_id} data", expect_dims=q.get("expect_dims") or ())
            if ds.table_id and ds.table_id != table_id:
                raise SchemaDrift(f"{table_id}: data response is for table {ds.table_id}")
            frames.append(tidy(card, q, ds, selection, skipped))
    rows = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=OBS_COLUMNS)
    rows["status"] = rows["status"].astype(object).where(rows["status"].notna(), None)
    dup = rows.duplicated(["measure", "dims", "geo_code", "geo_vintage", "period"])
    if dup.any():
        raise LoaderError(f"{table_id}: {int(dup.sum())} cells delivered twice (overlapping selections)")
    if rows.empty:
        raise LoaderError(f"{table_id}: the responses held no rows")
    return LoadResult(rows=rows, title=str(info.get("label") or card.title), api_updated=info.get("updated"),
                      requests=requests, skipped={k: len(v) for k, v in sorted(skipped.items())})


def geo_code(raw: str, table_id: str = "") -> str | None:
    """SSB Region code -> '0' / 2-digit fylke / 4-digit kommune / 6-digit bydel; None for every other kind
    (Svalbard, abroad, aggregates ...: see loaders/regions.py). Never raises: an unknown code is skipped."""
    return regions.classify(raw)[1]


def level_of(code: str) -> str:
    return next(level for level, rx in LEVELS.items() if rx.match(code))


def period_of(tid: str, how: str = "as_published") -> str:
    if how == "cohort_start":
        m = re.fullmatch(r"(\d{4})-\d{4}", tid)
        if not m:
            raise SchemaDrift(f"cohort period {tid!r} is not 'YYYY-YYYY'")
        return m.group(1)
    if m := re.fullmatch(r"(\d{4})M(\d{2})", tid):
        return f"{m.group(1)}-{m.group(2)}"
    return tid


def vintage_of(tid: str, setting: Any) -> int | None:
    if setting in (None, ""):
        return None
    if setting == "per_year":
        years = re.findall(r"\d{4}", tid)
        if not years:
            raise SchemaDrift(f"period {tid!r} holds no year for geo_vintage per_year")
        return int(years[-1])
    return int(setting)


def tidy(card: SourceCard, q: dict, ds: jsonstat.JsonStat, selection: dict | None = None,
         skipped: dict[str, set] | None = None) -> pd.DataFrame:
    """One parsed response -> OBS_COLUMNS rows (Region/Tid/ContentsCode become geo/period/measure)."""
    tid = card.table_id
    frame = ds.frame
    for dim in (GEO_DIM, TIME_DIM, METRIC_DIM):
        if dim not in ds.ids:
            raise SchemaDrift(f"{tid}: response lacks dimension {dim} (it has {ds.ids})")
    _check_categories(tid, ds, selection or {})
    levels = set(q.get("geo_levels") or DEFAULT_LEVELS)
    kinds = {raw: regions.classify(raw) for raw in ds.categories[GEO_DIM]}
    keep = {raw: code for raw, (kind, code) in kinds.items() if code is not None and kind in levels}
    if skipped is not None:
        for raw, (kind, _) in kinds.items():
            if raw not in keep:
                skipped.setdefault(kind if kind not in regions.LOADED_KINDS else f"{kind} (not asked)", set()).add(raw)
    frame = frame[frame[GEO_DIM].isin(list(keep))].copy()
    frame["geo_code"] = frame[GEO_DIM].map(keep)
    if q.get("drop_empty_regions"):
        has_value = frame["value"].notna().groupby(frame[GEO_DIM]).transform("any")
        if skipped is not None:
            for raw in frame.loc[~has_value, GEO_DIM].unique():
                skipped.setdefault("empty (not in that period's division)", set()).add(raw)
        frame = frame[has_value]
    # A dimension the card left out but plan() had to select (its total, since it cannot be eliminated)
    # is not part of the observation's identity: it is left out of `dims`, as an eliminated one would be.
    asked = (selection or {}).get("valueCodes")
    other = [d for d in ds.ids if d not in (GEO_DIM, TIME_DIM, METRIC_DIM)
             and (asked is None or d in asked or len(ds.categories[d]) > 1)]
    if other:
        combos = frame[other].drop_duplicates()
        keys = {tuple(r): dims_key(dict(zip(other, r))) for r in combos.itertuples(index=False)}
        frame["dims"] = [keys[t] for t in zip(*(frame[d] for d in other))]
    else:
        frame["dims"] = ""
    how = q.get("period", "as_published")
    periods = {t: period_of(t, how) for t in ds.categories[TIME_DIM]}
    overrides = {str(k): int(v) for k, v in (q.get("geo_vintage_overrides") or {}).items()}
    vintages = {t: overrides.get(t, vintage_of(t, q.get("geo_vintage"))) for t in ds.categories[TIME_DIM]}
    units = {c: ds.unit_text(c) for c in ds.categories[METRIC_DIM]}
    out = pd.DataFrame({
        "source": card.source, "table_id": tid, "measure": frame[METRIC_DIM].to_numpy(),
        "dims": frame["dims"].to_numpy(), "geo_code": frame["geo_code"].to_numpy(),
        "geo_vintage": pd.array(frame[TIME_DIM].map(vintages).to_numpy(), dtype="Int64"),
        "period": frame[TIME_DIM].map(periods).to_numpy(), "value": frame["value"].to_numpy(),
        "status": frame["status"].to_numpy(), "unit": frame[METRIC_DIM].map(units).to_numpy(),
    })
    return out[OBS_COLUMNS]


def _check_categories(tid: str, ds: jsonstat.JsonStat, selection: dict) -> None:
    """Every code in the response must be one we asked for (when we asked for explicit codes)."""
    for dim, codes in (selection.get("valueCodes") or {}).items():
        codes = [str(c) for c in (codes if isinstance(codes, list) else [codes])]
        if dim not in ds.categories:
            raise SchemaDrift(f"{tid}: response lacks dimension {dim} (it has {ds.ids})")
        if any(ch in c for c in codes for ch in "*?()[]"):
            continue
        asked = set(codes)
        unknown = [c for c in ds.categories[dim] if c not in asked]
        if unknown and dim != selection.get("chunk_by"):
            raise SchemaDrift(f"{tid}: {dim} has categories {unknown[:5]} that were not asked for")


__all__ = ["fetch", "plan", "data_request", "table_request", "metadata_request", "tidy", "geo_code",
           "expand", "table_info", "BASE", "MAX_URL", "MAX_CELLS"]
