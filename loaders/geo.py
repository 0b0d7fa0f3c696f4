"""Neighbours of the 2024 kommuner and fylker, computed from the shipped boundaries in data/geo/.

The boundary files are project data (rendered by loaders/snapshot/boundaries.py), not a publisher
response, so the transport is not used.

- ``land``: the two units share a border. The polygons come from one coastline-clipped source, but its
  simplification left small gaps (the widest seen between real neighbours: 41 m, Hol–Lærdal), so a pair
  counts when the outlines run within ``GAP_KM`` of each other along at least ``MIN_SHARED_KM``. A corner
  touching is not a border, nor are two shores of a sound (Tønsberg–Færder 141 m, Ålesund–Sula 81 m).
- ``sjø``: every pair of units whose outlines come within ``SEA_KM`` across the water (the shortest line between
  them crosses no third unit) without a land border
  (fjord-facing or across a sound: Osterøy–Bergen 0.5 km, Bergen–Alver 1.2 km, Askøy–Bergen). A unit with
  no land border and nothing within ``SEA_KM`` (Træna, Røst, Utsira …) gets the nearest unit across the
  water and any within 1.5 × that distance (at most 3): for these remote islands the nearest is where
  the ferry or express boat goes (Røst–Værøy 22 km, Utsira–Haugesund 16 km). Every pair is stored both ways.
"""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import shapely

from .cards import SourceCard
from .errors import LoaderError
from .result import OBS_COLUMNS, LoadResult
from .transport import Transport

GEO_DIR = Path(__file__).resolve().parent.parent / "data" / "geo"
GAP_KM = 0.06
MIN_SHARED_KM = 0.3
SEA_KM = 5.0
SEA_OVER_LAND_KM = 0.05   # simplification slack: the line may graze a third unit's outline, not cross it
SEA_MAX = 3


def _to_km(geoms: np.ndarray) -> np.ndarray:
    """lon/lat -> approximate km (sinusoidal around 15° E): good enough for metre-scale thresholds."""
    def project(xy):
        lat = np.radians(xy[:, 1])
        return np.column_stack([(xy[:, 0] - 15.0) * 111.32 * np.cos(lat), xy[:, 1] * 110.57])
    return shapely.transform(geoms, project)


def read_units(path: Path) -> tuple[list[str], np.ndarray]:
    """Codes and lon/lat geometries of one boundary file."""
    try:
        text = path.read_text(encoding="utf-8")
        codes = [str(f["properties"]["code"]) for f in json.loads(text)["features"]]
        geoms = shapely.get_parts(shapely.from_geojson(text))  # the features' geometries, in order
    except (OSError, ValueError, KeyError, shapely.errors.GEOSException) as exc:
        raise LoaderError(f"boundaries {path.name}: cannot read ({exc}); run python -m loaders.snapshot") from exc
    if len(geoms) != len(codes):
        raise LoaderError(f"boundaries {path.name}: {len(codes)} features but {len(geoms)} geometries")
    return codes, geoms


def _shared_vertices(geoms: np.ndarray) -> set[tuple[int, int]]:
    """Pairs of units with at least two identical (rounded) vertices: a shared border drawn from one arc.

    This is the fast path; pairs whose common border was drawn with different vertices are found by
    the geometric test in ``neighbours``.
    """
    xy, idx = shapely.get_coordinates(geoms, return_index=True)
    key = np.round(xy[:, 0] * 1e4).astype(np.int64) * 10**8 + np.round(xy[:, 1] * 1e4).astype(np.int64)
    df = pd.DataFrame({"k": key, "u": idx}).drop_duplicates()
    df = df[df.duplicated("k", keep=False)]
    m = df.merge(df, on="k")
    m = m[m.u_x < m.u_y]
    counts = m.groupby(["u_x", "u_y"]).size()
    return {(int(a), int(b)) for (a, b), n in counts.items() if n >= 2}


def _across_water(geoms: np.ndarray, tree, i: int, j: int) -> bool:
    """The shortest line between two units that do not share a border runs over water, not over a third
    unit: the polygons are clipped to the coastline and tile the land, so a gap that is not another unit
    is sea (or a sound). A corner touch (closer than ``GAP_KM``) is neither."""
    line = shapely.shortest_line(geoms[i], geoms[j])
    if shapely.length(line) <= GAP_KM:
        return False
    others = [k for k in tree.query(line, predicate="intersects") if k not in (i, j)]
    over_land = sum(shapely.length(shapely.intersection(line, geoms[k])) for k in others)
    return over_land <= SEA_OVER_LAND_KM


def neighbours(codes: list[str], lonlat: np.ndarray, sea: bool = True) -> list[tuple[str, str, str]]:
    """(code, neighbour_code, kind) both ways."""
    found = _shared_vertices(lonlat)
    geoms = _to_km(lonlat)
    tree = shapely.STRtree(geoms)
    left, right = tree.query(geoms, predicate="dwithin", distance=GAP_KM)
    todo = [(a, b) for a, b in zip(left, right) if a < b and (a, b) not in found]
    if todo:
        a, b = np.array(todo).T
        shared = shapely.length(shapely.intersection(shapely.boundary(geoms[a]), shapely.buffer(geoms[b], GAP_KM)))
        found |= {(int(i), int(j)) for i, j, s in zip(a, b, shared) if s >= MIN_SHARED_KM}
    pairs = {(codes[a], codes[b]): "land" for a, b in found}
    if sea:
        a, b = tree.query(geoms, predicate="dwithin", distance=SEA_KM)
        for i, j in zip(a, b):
            if i < j and (codes[i], codes[j]) not in pairs and _across_water(geoms, tree, i, j):
                pairs[(codes[i], codes[j])] = "sjø"
        with_any = {c for pair in pairs for c in pair}
        for i, code in enumerate(codes):
            if code in with_any:
                continue
            dist = shapely.distance(geoms[i], geoms)
            dist[i] = np.inf
            order = np.argsort(dist)
            for j in [j for j in order[:SEA_MAX] if dist[j] <= 1.5 * dist[order[0]]]:
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
        lonely = set(codes) - {r[0] for r in rows}
        if lonely:
            raise LoaderError(f"{name}: units without a neighbour: {sorted(lonely)[:5]}")
    frame = pd.DataFrame(rows, columns=["code", "neighbour_code", "kind"]).sort_values(["code", "neighbour_code"])
    return frame.reset_index(drop=True)


def fetch(card: SourceCard, transport: Transport) -> LoadResult:
    """No request: the boundaries are the project's own rendered files."""
    table = neighbours_table(Path(card.query["dir"]) if card.query.get("dir") else GEO_DIR)
    return LoadResult(pd.DataFrame(columns=OBS_COLUMNS), title=card.title, requests=0,
                      extra_tables={"geo_neighbours": table})
