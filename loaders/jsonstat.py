"""JSON-stat 2 dataset -> tidy frame, with what pyjstat drops: status symbols, units, `updated`, table id.

The cube itself is laid out like pyjstat does it (see ``cube``; tests compare the two on real responses).

Used for SSB (PxWebApi v0 and v2, data and metadata) and FHI (whose shape differs: `category.index`
is an array, `status` may be the string ``""``, units carry `label` rather than `base`).

Null values: SSB documents that a suppressed cell is ``null`` in `value` *and* has its symbol in
`status`. A null that carries no status symbol (or an index missing from a dict-form `value`) is
read as ``..`` ("not available") rather than given no status: the database requires every NULL
value to say why, and ``..`` is the publishers' own symbol for "figure not available", which is
exactly what we know of it. A value that is present keeps no status (the contract: status only
explains a NULL).
"""
from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from typing import Any, Iterable

import numpy as np
import pandas as pd
from pyjstat import pyjstat

from .errors import LoaderError, SchemaDrift

NOT_AVAILABLE = ".."


@dataclass
class JsonStat:
    """One parsed JSON-stat 2 dataset. `frame` has one column per dimension id (codes), `value`, `status`."""
    label: str
    ids: list[str]
    size: list[int]
    categories: dict[str, list[str]]            # dimension id -> codes in index order
    labels: dict[str, dict[str, str]]           # dimension id -> code -> label
    units: dict[str, dict[str, Any]]            # metric code -> unit object as published
    roles: dict[str, list[str]]
    updated: str | None = None
    table_id: str | None = None
    extension: dict[str, Any] = field(default_factory=dict)
    dim_extensions: dict[str, dict[str, Any]] = field(default_factory=dict)  # PxWebApi v2: elimination ...
    frame: pd.DataFrame = field(default_factory=pd.DataFrame)

    def unit_text(self, code: str) -> str | None:
        """A short unit word for a metric code: SSB `base` ("personer", "prosent"), FHI `label`."""
        unit = self.units.get(code) or {}
        for key in ("base", "label", "symbol"):
            if unit.get(key):
                return str(unit[key])
        return None


def _load(doc: Any, name: str) -> dict:
    if isinstance(doc, (bytes, bytearray)):
        try:
            doc = json.loads(doc.decode("utf-8-sig"))
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise LoaderError(f"{name}: response is not valid JSON ({exc})") from exc
    elif isinstance(doc, str):
        try:
            doc = json.loads(doc)
        except json.JSONDecodeError as exc:
            raise LoaderError(f"{name}: response is not valid JSON ({exc})") from exc
    if not isinstance(doc, dict):
        raise SchemaDrift(f"{name}: expected a JSON-stat object, got {type(doc).__name__}")
    if doc.get("class") not in (None, "dataset"):
        raise SchemaDrift(f"{name}: JSON-stat class is {doc.get('class')!r}, expected 'dataset'")
    for key in ("id", "size", "dimension"):
        if key not in doc:
            raise SchemaDrift(f"{name}: JSON-stat response lacks '{key}'")
    return doc


def _codes(dim_id: str, dim: dict, name: str) -> list[str]:
    """Codes in index order; `index` may be a dict code->position (SSB) or an array (FHI)."""
    cat = dim.get("category") or {}
    index = cat.get("index")
    if index is None:  # JSON-stat allows a lone category with labels only
        labels = cat.get("label") or {}
        if len(labels) != 1:
            raise SchemaDrift(f"{name}: dimension {dim_id} has no category index")
        return [str(next(iter(labels)))]
    if isinstance(index, list):
        return [str(c) for c in index]
    if isinstance(index, dict):
        ordered = sorted(index.items(), key=lambda kv: kv[1])
        positions = [p for _, p in ordered]
        if positions != list(range(len(ordered))):
            raise SchemaDrift(f"{name}: dimension {dim_id} has a broken category index {positions[:10]}")
        return [str(c) for c, _ in ordered]
    raise SchemaDrift(f"{name}: dimension {dim_id} has an index of type {type(index).__name__}")


def _status_list(status: Any, n: int, name: str) -> list[str | None]:
    out: list[str | None] = [None] * n
    if status is None or status == "" or status == {} or status == []:
        return out
    if isinstance(status, str):          # one symbol for every cell
        return [status] * n
    if isinstance(status, list):
        if len(status) != n:
            raise LoaderError(f"{name}: status has {len(status)} entries for {n} cells")
        return [s if s not in ("",) else None for s in status]
    if isinstance(status, dict):
        for key, symbol in status.items():
            i = int(key)
            if not 0 <= i < n:
                raise LoaderError(f"{name}: status index {i} outside the {n} cells")
            out[i] = symbol if symbol != "" else None
        return out
    raise SchemaDrift(f"{name}: status of type {type(status).__name__}")


def parse(doc: Any, *, name: str = "JSON-stat", expect_dims: Iterable[str] = (),
          metadata: bool = False) -> JsonStat:
    """Parse a dataset (bytes, text or dict). ``metadata=True`` accepts the empty `value` of a
    PxWebApi v2 metadata response and returns an empty frame."""
    doc = _load(doc, name)
    ids = [str(i) for i in doc["id"]]
    size = [int(s) for s in doc["size"]]
    if len(ids) != len(size):
        raise LoaderError(f"{name}: {len(ids)} dimensions in 'id' but {len(size)} in 'size'")
    dims = doc["dimension"]
    missing = [d for d in expect_dims if d not in ids]
    if missing:
        raise SchemaDrift(f"{name}: expected dimension(s) {missing} not in the response (it has {ids})")
    categories, labels, units = {}, {}, {}
    for dim_id, n in zip(ids, size):
        if dim_id not in dims:
            raise SchemaDrift(f"{name}: dimension {dim_id} listed in 'id' but not described")
        codes = _codes(dim_id, dims[dim_id], name)
        if len(codes) != n:
            raise LoaderError(f"{name}: dimension {dim_id} has {len(codes)} categories but size says {n}")
        categories[dim_id] = codes
        cat = dims[dim_id].get("category") or {}
        labels[dim_id] = {str(k): str(v) for k, v in (cat.get("label") or {}).items()}
        if cat.get("unit"):
            units.update({str(k): v or {} for k, v in cat["unit"].items()})
    roles = {k: list(v or []) for k, v in (doc.get("role") or {}).items()}
    ext = doc.get("extension") or {}
    table_id = ((ext.get("px") or {}).get("tableid"))
    result = JsonStat(label=str(doc.get("label") or ""), ids=ids, size=size, categories=categories,
                      labels=labels, units=units, roles=roles, updated=doc.get("updated"),
                      table_id=str(table_id) if table_id is not None else None, extension=ext,
                      dim_extensions={d: dict(dims[d].get("extension") or {}) for d in ids})

    n = math.prod(size) if size else 0
    values = doc.get("value")
    if metadata and (values is None or values == [] or values == {}):
        result.frame = pd.DataFrame(columns=ids + ["value", "status"])
        return result
    if isinstance(values, list):
        if len(values) != n:
            raise LoaderError(f"{name}: 'value' has {len(values)} cells but the product of 'size' "
                              f"{size} is {n} (truncated or malformed response)")
        flat = values
    elif isinstance(values, dict):
        flat = [None] * n
        for key, v in values.items():
            i = int(key)
            if not 0 <= i < n:
                raise LoaderError(f"{name}: value index {i} outside the {n} cells of size {size}")
            flat[i] = v
    else:
        raise LoaderError(f"{name}: 'value' is missing or of type {type(values).__name__}")

    if n == 0:
        result.frame = pd.DataFrame(columns=ids + ["value", "status"])
        return result
    frame = cube(ids, categories)
    numbers = pd.to_numeric(pd.Series(flat, dtype=object), errors="coerce")
    if numbers.isna().sum() != sum(v is None for v in flat):
        bad = next(v for v, x in zip(flat, numbers) if v is not None and pd.isna(x))
        raise LoaderError(f"{name}: non-numeric value {bad!r} in 'value'")
    status = _status_list(doc.get("status"), n, name)
    frame["value"] = numbers.astype("float64").to_numpy()
    frame["status"] = pd.Series([None if not pd.isna(v) else (s or NOT_AVAILABLE)
                                 for v, s in zip(frame["value"], status)], dtype=object, index=frame.index)
    result.frame = frame
    return result


def cube(ids: list[str], categories: dict[str, list[str]]) -> pd.DataFrame:
    """The codes of every cell in JSON-stat's row-major order (last dimension varies fastest).

    pyjstat's ``from_json_stat`` builds the same frame, but walks the cells one by one through pandas
    (1.5 s per 8 000 cells under pandas 3), which would make a 13556 refresh take half a minute; the tests
    check that this frame equals pyjstat's on real responses.
    """
    sizes = [len(categories[d]) for d in ids]
    n = math.prod(sizes)
    columns = {}
    for i, dim_id in enumerate(ids):
        inner = math.prod(sizes[i + 1:])
        outer = n // (inner * sizes[i]) if sizes[i] else 0
        codes = np.asarray(categories[dim_id], dtype=object)
        columns[dim_id] = np.tile(np.repeat(codes, inner), outer)
    return pd.DataFrame(columns, columns=ids)


def pyjstat_frame(doc: Any) -> pd.DataFrame:
    """pyjstat's own reading of a dataset (codes, values) — the reference the tests compare against."""
    doc = _load(doc, "pyjstat")
    return pyjstat.Dataset.read(json.dumps(doc)).write("dataframe", naming="id")
