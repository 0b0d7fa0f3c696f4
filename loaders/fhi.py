"""FHI Statistikk open API (source ``nokkel``: public-health and Kommunehelsa figures) as JSON-stat 2.

Card query (``loaders/sources/fhi_*.yml``)::

    source: nokkel                 # FHI source id
    table: 403                     # FHI table id (the card's table_id may carry a suffix, e.g. 403-vt2020)
    measure: vedvarende_lavinntekt_andel
    unit: prosent
    geo_vintage: 2024              # FHI publishes on the borders of the publication year
    table_info: true               # also GET /Table/{id} for title and modifiedAt
    frozen: false                  # true: no live equivalent exists; always replay the recorded answer
    requests:                      # each one POST .../Table/{id}/data
      - dimensions:
          - {code: GEO, filter: all, values: ["*"]}
          - {code: AAR, filter: bottom, values: ["1"]}   # NB: bottom = NEWEST, top = OLDEST at FHI

Parsing: FHI answers JSON-stat 2 with `category.index` as an array, ``"status": ""`` and the special
symbols (``..`` missing, ``.`` cannot be computed, ``:`` anonymised, ``-`` not available) as strings
inside `value`. ``normalise_flags`` moves those strings into a `status` map so ``loaders.jsonstat``
reads them as NULL + symbol. Rows: every dimension but GEO and AAR goes into `dims` as CODE=category
code (MEASURE_TYPE included); the period comes from the AAR label (FHI labels 3-year figures
"2004-2006" even where the code is "2006_2006"), checked against the code.
"""
from __future__ import annotations

import re
from typing import Any

import pandas as pd

from . import jsonstat, regions
from .cards import SourceCard
from .errors import LoaderError, SchemaDrift
from .result import OBS_COLUMNS, LoadResult, dims_key
from .transport import ReplayTransport, Request, Transport

BASE = "https://statistikk-data.fhi.no/api/open/v1"
GEO_DIM, TIME_DIM = "GEO", "AAR"
FLAGS = ("..", ".", ":", "-")
FILTERS = ("item", "all", "top", "bottom")
BYDEL = re.compile(r"^\d{6}$")  # Oslo/Bergen/Trondheim/Stavanger districts: not a unit we load
GEO_OK = re.compile(r"^(0|\d{2}|\d{4})$")


# --- requests ------------------------------------------------------------------------------------

def data_body(dimensions: list[dict[str, Any]]) -> dict[str, Any]:
    """The POST body FHI documents: one filter per dimension, json-stat2 response."""
    dims = []
    for d in dimensions:
        code, filt, values = d.get("code"), d.get("filter"), d.get("values")
        if not code or filt not in FILTERS or not isinstance(values, list) or not values:
            raise LoaderError(f"FHI request dimension {d!r:.120} needs code, filter in {FILTERS} and values")
        if filt in ("top", "bottom") and (len(values) != 1 or not str(values[0]).isdigit()):
            raise LoaderError(f"FHI filter {filt} for {code} takes one positive integer, got {values}")
        dims.append({"code": str(code), "filter": filt, "values": [str(v) for v in values]})
    return {"dimensions": dims, "response": {"format": "json-stat2"}}


def data_request(source: str, table: str | int, dimensions: list[dict[str, Any]]) -> Request:
    return Request.post(f"{BASE}/{source}/Table/{table}/data", data_body(dimensions))


def table_request(source: str, table: str | int) -> Request:
    return Request.get(f"{BASE}/{source}/Table/{table}")


def requests_for(card: SourceCard, transport_name: str) -> list[Request]:
    """Every request the loader sends for a card (the snapshot renderer writes exactly these)."""
    q = card.query_for(transport_name)
    source, table = str(q.get("source", "nokkel")), str(q["table"])
    reqs = [table_request(source, table)] if q.get("table_info") else []
    reqs += [data_request(source, table, r["dimensions"]) for r in q["requests"]]
    return reqs


# --- parsing -------------------------------------------------------------------------------------

def normalise_flags(doc: dict, name: str) -> dict:
    """FHI puts its symbols as strings in `value`; move them to a `status` map (value null)."""
    values = doc.get("value")
    if not isinstance(values, list):
        return doc
    status: dict[str, str] = {}
    old = doc.get("status")
    if isinstance(old, dict):
        status.update({str(k): v for k, v in old.items() if v})
    elif old not in (None, "", [], {}):
        raise SchemaDrift(f"{name}: unexpected FHI status {old!r:.80}")
    out = []
    for i, v in enumerate(values):
        if isinstance(v, str):
            sym = v.strip()
            if sym in FLAGS:
                status[str(i)] = sym
                out.append(None)
                continue
            try:
                out.append(float(sym.replace(",", ".")))
                continue
            except ValueError:
                raise SchemaDrift(f"{name}: unknown FHI symbol {v!r} in value (known: {FLAGS})") from None
        out.append(v)
    return {**doc, "value": out, "status": status}


def period_of(code: str, label: str, name: str) -> str:
    """FHI AAR category -> our period text: '2024', '2021-2023' or a school-year range '2023/24-2025/26'."""
    code, label = str(code), str(label or "").strip()
    m = re.fullmatch(r"(\d{4})_(\d{4})", code)
    end = m.group(2) if m else None
    if re.fullmatch(r"\d{4}", label) or re.fullmatch(r"\d{4}-\d{4}", label):
        if end and label[-4:] != end:
            raise SchemaDrift(f"{name}: AAR code {code} does not end in the year of its label {label!r}")
        return label
    if re.fullmatch(r"\d{4}/\d{2}-\d{4}/\d{2}", label):
        return label
    if m:
        return m.group(1) if m.group(1) == m.group(2) else f"{m.group(1)}-{m.group(2)}"
    raise SchemaDrift(f"{name}: cannot read a period from AAR {code!r} / {label!r}")


def parse_data(content: bytes | dict, card: SourceCard, name: str,
               skipped: dict[str, set] | None = None) -> tuple[pd.DataFrame, str | None]:
    """One FHI JSON-stat 2 answer -> tidy rows (OBS_COLUMNS) and the dataset's `updated`.
    GEO codes other than Norway, fylker and kommuner (bydeler, and any form FHI adds) are skipped and
    counted in ``skipped`` by kind (loaders/regions.py), never fatal (audit finding 6)."""
    doc = jsonstat._load(content, name)
    q = card.query
    ds = jsonstat.parse(normalise_flags(doc, name), name=name, expect_dims=[GEO_DIM, TIME_DIM])
    f = ds.frame
    if f.empty:
        raise LoaderError(f"{name}: FHI answered an empty table")
    geo = f[GEO_DIM].astype(str)
    kinds = {c: regions.classify(c) for c in geo.unique()}
    keep = {c for c, (kind, code) in kinds.items() if kind in ("land", "fylke", "kommune") and code == c}
    if skipped is not None:
        for c in set(kinds) - keep:
            kind, code = kinds[c]
            other_form = kind in ("land", "fylke", "kommune") and code != c   # e.g. "K-0301": not FHI's form
            skipped.setdefault("other form" if other_form else kind, set()).add(c)
    f = f[geo.isin(keep)]
    labels = ds.labels.get(TIME_DIM, {})
    periods = {c: period_of(c, labels.get(c, ""), name) for c in ds.categories[TIME_DIM]}
    others = [d for d in ds.ids if d not in (GEO_DIM, TIME_DIM)]
    dims = f[others].astype(str).apply(lambda r: dims_key(dict(zip(others, r))), axis=1) if others \
        else pd.Series("", index=f.index)
    rows = pd.DataFrame({
        "source": card.source, "table_id": card.table_id, "measure": str(q["measure"]),
        "dims": dims.to_numpy(), "geo_code": f[GEO_DIM].astype(str).to_numpy(),
        "geo_vintage": int(q["geo_vintage"]) if q.get("geo_vintage") is not None else None,
        "period": f[TIME_DIM].map(periods).to_numpy(), "value": f["value"].to_numpy(),
        "status": f["status"].to_numpy(), "unit": q.get("unit"),
    })
    return rows[OBS_COLUMNS], ds.updated


def combine(frames: list[pd.DataFrame], name: str) -> pd.DataFrame:
    """Rows of several requests; the same cell twice must carry the same figure."""
    rows = pd.concat(frames, ignore_index=True)
    key = ["measure", "dims", "geo_code", "geo_vintage", "period"]
    dup = rows.duplicated(key, keep=False)
    if dup.any():
        d = rows[dup].copy()
        d["v"] = d["value"].astype(object).where(d["value"].notna(), d["status"])
        conflict = d.groupby(key, dropna=False)["v"].nunique(dropna=False) > 1
        if conflict.any():
            raise LoaderError(f"{name}: two requests give different figures for {conflict[conflict].index[0]}")
        rows = rows.drop_duplicates(key)
    return rows.reset_index(drop=True)


def fetch(card: SourceCard, transport: Transport) -> LoadResult:
    """POST every request of the card; a `frozen` card replays its recorded answer even when live."""
    q = card.query
    if q.get("frozen") and transport.name != "replay":
        transport = ReplayTransport()
    frames, updated, title = [], None, ""
    skipped: dict[str, set] = {}
    reqs = requests_for(card, transport.name)
    for req in reqs:
        resp = transport.send(req)
        if resp.status != 200:
            raise LoaderError(f"FHI {card.key} answered HTTP {resp.status} for {req.url}")
        if req.method == "GET":
            info = resp.json()
            if not isinstance(info, dict) or "title" not in info:
                raise SchemaDrift(f"FHI table info for {card.key} lacks 'title'")
            title, updated = str(info.get("title") or ""), info.get("modifiedAt") or info.get("publishedAt")
            continue
        rows, ds_updated = parse_data(resp.content, card, f"FHI {card.key}", skipped)
        frames.append(rows)
        updated = updated or ds_updated
    return LoadResult(combine(frames, f"FHI {card.key}"), title=title or card.title, api_updated=updated,
                      requests=len(reqs), skipped={k: len(v) for k, v in sorted(skipped.items())})
