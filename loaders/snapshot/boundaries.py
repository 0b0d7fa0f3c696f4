"""Render the app's boundaries into data/geo/ from robhop/fylker-og-kommuner (Kartverket, CC BY 4.0).

- kommuner-2024 / fylker-2024: robhop's S files, repaired (make_valid), lightly simplified, rounded.
- fylker-2020 / -2018 / -2017: the 2020 kommuner (robhop 2020/Kommuner-small; Kvitsøy 1144 and Træna
  1835 are missing there and are taken from the 2024 file, same codes) dissolved by the fylke each
  kommune belonged to in that division. A 2020 kommune made of old kommuner from different fylker
  goes to the fylke whose old kommuner had the most residents aged 15–29 that year (SSB 13556, the
  only per-kommune population of the old divisions in the source files); data/geo/README.md names them.

These files are project data, not a publisher response: they are written to ``<out>/../geo``, and the
geo loader reads them directly.
"""
from __future__ import annotations

import csv
import json
from collections import defaultdict
from pathlib import Path

import shapely
from shapely.geometry import mapping, shape

from .. import klass
from . import klass as klass_render

DECIMALS = 4            # ~10 m north-south, ~5 m east-west at Norwegian latitudes
SIMPLIFY_DEG = 0.0008   # ~40–90 m; per feature, topology kept
HOLE_MIN_DEG2 = 1e-6    # slivers left inside a dissolved fylke (~1 000 m²) are dropped
# file -> the kommune division drawn. fylker-2018 covers 2018–2019 and is drawn as of 2019, when
# 1567 Rindal had moved from Møre og Romsdal to Trøndelag (5061); the population year is the same year.
DRAWN_AS_OF = {2018: 2019, 2017: 2017}


def _load(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def _clean(geom):
    geom = shapely.make_valid(geom)
    polys = [g for g in getattr(geom, "geoms", [geom]) if g.geom_type in ("Polygon", "MultiPolygon")]
    return shapely.unary_union(polys)


def _drop_small_holes(geom):
    def fix(poly):
        holes = [r for r in poly.interiors if shapely.Polygon(r).area >= HOLE_MIN_DEG2]
        return shapely.Polygon(poly.exterior, holes)
    parts = [fix(p) for p in getattr(geom, "geoms", [geom])]
    return shapely.MultiPolygon(parts) if len(parts) > 1 else parts[0]


def _finish(geom):
    geom = shapely.simplify(geom, SIMPLIFY_DEG, preserve_topology=True)
    geom = shapely.set_precision(geom, 10 ** -DECIMALS)
    return _clean(geom)


def _round(coords):
    if isinstance(coords[0], (float, int)):
        return [round(coords[0], DECIMALS), round(coords[1], DECIMALS)]
    return [_round(c) for c in coords]


def write_collection(path: Path, features: list[tuple[str, str, object]]) -> None:
    out = []
    for code, name, geom in sorted(features, key=lambda f: f[0]):
        g = mapping(geom)
        out.append({"type": "Feature", "properties": {"code": code, "name": name},
                    "geometry": {"type": g["type"], "coordinates": _round(g["coordinates"])}})
    body = {"type": "FeatureCollection", "features": out}
    path.write_text(json.dumps(body, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")


def population_15_29(shared: Path, year: int) -> dict[str, int]:
    """Residents aged 15–29 per kommune of that year's division (SSB 13556 counts via larsbauger)."""
    out = {}
    with open(shared / "ssb" / "larsbauger_kjonn_neet.csv", encoding="utf-8") as fh:
        for r in csv.DictReader(fh):
            if r["tid"] == str(year) and r["alder"] == "15-29 år" and r["kjonn"] == "Begge kjønn" \
                    and len(r["komnr"]) == 4 and r["tot"]:
                out[r["komnr"]] = int(float(r["tot"]))
    return out


def old_fylke_of_2020_kommuner(shared: Path, division: int, transport) -> tuple[dict[str, str], list[dict]]:
    """2020 kommune -> fylke in the kommune division of ``division`` (a year); plus those placed by the rule."""
    old = klass.kommuner_at(transport, division)
    changes = [(c["oldCode"], c["newCode"], int(c["changeOccurred"][:4])) for c in klass.code_changes_raw(transport)]
    fwd = klass.forward_map(changes, old, division, 2020)
    parts: dict[str, list[str]] = defaultdict(list)
    for code, targets in fwd.items():
        for t in targets:
            parts[t].append(code)
    pop = population_15_29(shared, division)
    fylke_names = klass.fylker_at(transport, division)
    placed, moved = {}, []
    for new, olds in parts.items():
        by_fylke: dict[str, int] = defaultdict(int)
        for o in olds:
            if o not in pop:
                raise ValueError(f"no {division} population for old kommune {o} ({old[o]})")
            by_fylke[o[:2]] += pop[o]
        best = max(by_fylke, key=by_fylke.get)
        placed[new] = best
        if len(by_fylke) > 1:
            moved.append({"division": division, "code": new, "parts": sorted(olds), "names": [old[o] for o in sorted(olds)],
                          "by_fylke": {f"{f} {fylke_names[f]}": n for f, n in sorted(by_fylke.items())},
                          "placed_in": f"{best} {fylke_names[best]}"})
    return placed, moved


def render(shared: Path, out: Path) -> None:
    geo_dir = Path(out).resolve().parent / "geo"
    geo_dir.mkdir(parents=True, exist_ok=True)
    src = shared / "geo"
    transport = klass_render.local_transport(klass_render.bodies(shared))

    kom24 = {f["properties"]["kommunenummer"]: (f["properties"]["kommunenavn"], _clean(shape(f["geometry"])))
             for f in _load(src / "robhop_Kommuner-S.geojson")["features"]}
    fyl24 = {f["properties"]["fylkesnummer"]: (f["properties"]["fylkesnavn"], _clean(shape(f["geometry"])))
             for f in _load(src / "robhop_Fylker-S.geojson")["features"]}
    if len(kom24) != 357 or len(fyl24) != 15:
        raise ValueError(f"expected 357 kommuner and 15 fylker in robhop S, got {len(kom24)} / {len(fyl24)}")
    write_collection(geo_dir / "kommuner-2024.geojson", [(c, n, _finish(g)) for c, (n, g) in kom24.items()])
    write_collection(geo_dir / "fylker-2024.geojson", [(c, n, _finish(g)) for c, (n, g) in fyl24.items()])

    kom20 = {f"{int(f['properties']['kommunenummer']):04d}": _clean(shape(f["geometry"]))
             for f in _load(src / "robhop_2020_Kommuner-small.json")["features"]}
    for code in ("1144", "1835"):  # missing in the 2020 file; unchanged kommuner with the same code in 2024
        if code in kom20:
            raise ValueError(f"robhop 2020 now has {code}; drop the 2024 fallback")
        kom20[code] = kom24[code][1]
    expected = set(klass.kommuner_at(transport, 2020))
    if set(kom20) != expected:
        raise ValueError(f"2020 kommuner differ from KLASS: {sorted(set(kom20) ^ expected)[:10]}")

    moved_all = []
    divisions = {2020: ({k: k[:2] for k in kom20}, klass.fylker_at(transport, 2020))}
    for division in (2018, 2017):
        placed, moved = old_fylke_of_2020_kommuner(shared, DRAWN_AS_OF[division], transport)
        divisions[division] = (placed, klass.fylker_at(transport, DRAWN_AS_OF[division]))
        moved_all += moved
    for division, (placed, names) in divisions.items():
        groups: dict[str, list] = defaultdict(list)
        for kom, fylke in placed.items():
            groups[fylke].append(kom20[kom])
        if set(groups) != set(names):
            raise ValueError(f"fylker {division}: {sorted(groups)} vs KLASS {sorted(names)}")
        feats = [(f, names[f], _finish(_drop_small_holes(shapely.unary_union(gs)))) for f, gs in groups.items()]
        write_collection(geo_dir / f"fylker-{division}.geojson", feats)
    write_readme(geo_dir, moved_all)


def write_readme(geo_dir: Path, moved: list[dict]) -> None:
    sizes = {p.name: p.stat().st_size for p in sorted(geo_dir.glob("*.geojson"))}
    lines = [
        "# Boundaries", "",
        "Kartverket, CC BY 4.0 (via robhop/fylker-og-kommuner). Rendered by `python -m loaders.snapshot`",
        "(`loaders/snapshot/boundaries.py`); do not edit by hand. WGS84 lon/lat, feature properties `code`, `name`.",
        f"Repaired with shapely `make_valid`, simplified per feature (tolerance {SIMPLIFY_DEG}°, topology kept),",
        f"coordinates rounded to {DECIMALS} decimals.", "",
        "| file | division | source |", "|---|---|---|",
        "| kommuner-2024.geojson | 357 kommuner, 2024– | robhop `Kommuner-S.geojson` (names: `kommunenavn`) |",
        "| fylker-2024.geojson | 15 fylker, 2024– | robhop `Fylker-S.geojson` (names: `fylkesnavn`) |",
        "| fylker-2020.geojson | 11 fylker, 2020–2023 | 2020 kommuner dissolved by fylke |",
        "| fylker-2018.geojson | 18 fylker, 2018–2019 (17 old + 50 Trøndelag) | 2020 kommuner dissolved by 2018 fylke |",
        "| fylker-2017.geojson | 19 fylker, 2017 and earlier (incl. 16/17) | 2020 kommuner dissolved by 2017 fylke |",
        "",
        "The 2020 kommuner are robhop `2020/Kommuner-small.json`; 1144 Kvitsøy and 1835 Træna are missing there",
        "and were taken from the 2024 file (unchanged kommuner, same codes). Which old kommuner make up each",
        "2020 kommune comes from SSB KLASS's change table.", "",
        "## Kommuner that straddle an old county line",
        "A 2020 kommune whose old kommuner lay in different fylker is drawn wholly inside the fylke whose old",
        "kommuner had **the most residents aged 15–29** in that year (SSB table 13556, 2019 for the 2018",
        "division, 2017 for the 2017 division). So these old fylke outlines are approximate along those lines.",
        "`fylker-2018.geojson` is drawn as of 2019: 1567 Rindal moved from Møre og Romsdal to Trøndelag",
        "(5061) on 1 January 2019, so for 2018 figures Rindal is drawn on the wrong side.", "",
        "| kommune division | 2020 kommune | made of | residents 15–29 by old fylke | drawn in |", "|---|---|---|---|---|"]
    for m in moved:
        lines.append(f"| {m['division']} | {m['code']} | " + ", ".join(f"{c} {n}" for c, n in zip(m["parts"], m["names"]))
                     + " | " + "; ".join(f"{k}: {v}" for k, v in m["by_fylke"].items()) + f" | {m['placed_in']} |")
    lines += ["", "## Sizes (bytes)", ""] + [f"- {name}: {size:,}" for name, size in sizes.items()] + [""]
    (geo_dir / "README.md").write_text("\n".join(lines), encoding="utf-8")
