"""Neighbours of the 2024 kommuner and fylker, computed from the shipped boundaries in data/geo/.

The boundary files are project data (rendered by loaders/snapshot/boundaries.py), not a publisher
response, so the transport is not used.

- ``land``: the two units share a border. The polygons come from one coastline-clipped source, but its
  simplification left small gaps (the widest seen between real neighbours: 41 m, Hol–Lærdal), so a pair
  counts when the outlines run within ``GAP_KM`` of each other along at least ``MIN_SHARED_KM``. A corner
  touching is not a border, nor are two shores of a sound (Tønsberg–Færder 141 m, Ålesund–Sula 81 m).
- ``sjø``: a kommune with no land neighbour (an island kommune) gets every kommune within ``SEA_KM``
  across the water, or, if none is that close, the nearest one and any within 1.5 × that distance
  (at most 3). Every pair is stored both ways.
"""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import shapely
from shapely.geometry import shape

from .cards import SourceCard
from .errors import LoaderError
from .result import OBS_COLUMNS, LoadResult
from .transport import Transport

GEO_DIR = Path(__file__).resolve().parent.parent / "data" / "geo"
GAP_KM = 0.06
MIN_SHARED_KM = 0.3
SEA_KM = 5.0
SEA_MAX = 3


def _to_km(geoms: np.ndarray) -> np.ndarray:
    """lon/lat -> approximate km (sinusoidal around 15° E): good enough for metre-scale thresholds."""
    def project(xy):
        lat = np.radians(xy[:, 1])
        return np.column_stack([(xy[:, 0] - 15.0) * 111.32 * np.cos(lat), xy[:, 1] * 110.57])
    return shapely.transform(geoms, project)


def read_units(path: Path) -> tuple[list[str], np.ndarray]:
    try:
        features = json.loads(path.read_text(encoding="utf-8"))["features"]
    except (OSError, ValueError, KeyError) as exc:
        raise LoaderError(f"boundaries {path.name}: cannot read ({exc}); run python -m loaders.snapshot") from exc
    codes = [str(f["properties"]["code"]) for f in features]
    geoms = _to_km(np.array([shape(f["geometry"]) for f in features], dtype=object))
    return codes, geoms


def neighbours(codes: list[str], geoms: np.ndarray, sea: bool = True) -> list[tuple[str, str, str]]:
    """(code, neighbour_code, kind) both ways."""
    tree = shapely.STRtree(geoms)
    left, right = tree.query(geoms, predicate="dwithin", distance=GAP_KM)
    keep = left < right
    left, right = left[keep], right[keep]
    shared = shapely.length(shapely.intersection(shapely.boundary(geoms[left]),
                                                 shapely.buffer(geoms[right], GAP_KM)))
    pairs = {(codes[a], codes[b]): "land" for a, b, s in zip(left, right, shared) if s >= MIN_SHARED_KM}
    with_land = {c for pair in pairs for c in pair}
    if sea:
        for i, code in enumerate(codes):
            if code in with_land:
                continue
            dist = shapely.distance(geoms[i], geoms)
            dist[i] = np.inf
            order = np.argsort(dist)
            near = [j for j in order if dist[j] <= SEA_KM]
            if not near:
                near = [j for j in order[:SEA_MAX] if dist[j] <= 1.5 * dist[order[0]]]
            for j in near:
                pairs.setdefault(tuple(sorted((code, codes[j]))), "sjø")
    out = []
    for (a, b), kind in pairs.items():
        out += [(a, b, kind), (b, a, kind)]
    return out


def neighbours_table(geo_dir: Path = GEO_DIR) -> pd.DataFrame:
    rows = []
    for name in ("kommuner-2024.geojson", "fylker-2024.geojson"):
        codes, geoms = read_units(geo_dir / name)
        rows += neighbours(codes, geoms)
    frame = pd.DataFrame(rows, columns=["code", "neighbour_code", "kind"]).sort_values(["code", "neighbour_code"])
    return frame.reset_index(drop=True)


def fetch(card: SourceCard, transport: Transport) -> LoadResult:
    geo_dir = Path(card.query.get("dir", GEO_DIR)) if card.query.get("dir") else GEO_DIR
    table = neighbours_table(geo_dir)
    lonely = set(read_units(geo_dir / "kommuner-2024.geojson")[0]) - set(table["code"])
    if lonely:
        raise LoaderError(f"kommuner without a neighbour: {sorted(lonely)[:5]}")
    return LoadResult(pd.DataFrame(columns=OBS_COLUMNS), title=card.title, requests=0,
                      extra_tables={"geo_neighbours": table})
