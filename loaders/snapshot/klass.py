"""Render the KLASS answers (131 versions, 131 changes, 104 codesAt) into data/snapshot/klass/.

131 versions and changes are real KLASS bodies, re-serialised with only the fields the loader reads.
104: the 2020 answer is a real body (mimir test mock); 2024, 2017 and 2018 are rendered in the same
codesAt shape from the sources named in loaders/sources/klass_104.yml.
"""
from __future__ import annotations

import csv
import io
import json
from pathlib import Path

from .. import klass
from ..transport import Response, SnapshotWriter


def _dump(obj) -> bytes:
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def _version_body(path: Path) -> dict:
    raw = json.loads(path.read_text(encoding="utf-8"))
    keep = ("name", "id", "validFrom", "validTo", "lastModified")
    body = {k: raw[k] for k in keep if k in raw}
    body["classificationItems"] = [{k: it[k] for k in ("code", "parentCode", "level", "name")}
                                   for it in raw["classificationItems"]]
    return body


def _changes_body(path: Path) -> dict:
    raw = json.loads(path.read_text(encoding="utf-8"))
    keep = ("oldCode", "oldName", "newCode", "newName", "changeOccurred")
    return {"codeChanges": [{k: c[k] for k in keep} for c in raw["codeChanges"]]}


def _codes_body(codes: dict[str, str]) -> dict:
    """KLASS codesAt shape (the real 2020 answer's fields that the loader reads), 99 Uoppgitt last."""
    items = [{"code": c, "parentCode": None, "level": "1", "name": n} for c, n in sorted(codes.items())]
    items.append({"code": "99", "parentCode": None, "level": "1", "name": "Uoppgitt"})
    return {"codes": items}


def _codes_filtered(raw: dict) -> dict:
    """A real codesAt body with only the fields the loader reads."""
    return {"codes": [{k: it[k] for k in ("code", "parentCode", "level", "name")} for it in raw["codes"]]}


def fylker_2024(shared: Path) -> dict[str, str]:
    """Codes from the (damaged) KLASS CSV export, official names from robhop Fylker-S ``fylkesnavn``."""
    text = (shared / "klass" / "evensrii_ssb_klass_fylkesinndeling_2026.csv").read_text(encoding="utf-8")
    codes = {r["code"]: r["name"] for r in csv.DictReader(io.StringIO(text), delimiter=";")
             if r["code"] != "99"}
    geo = json.loads((shared / "geo" / "robhop_Fylker-S.geojson").read_text(encoding="utf-8"))
    official = {f["properties"]["fylkesnummer"]: f["properties"]["fylkesnavn"] for f in geo["features"]}
    plain = {f["f_id"]: f["f_name"] for f in
             json.loads((shared / "population" / "aprestmo_fylker-2025.json").read_text(encoding="utf-8"))}
    if set(codes) != set(official) or set(codes) != set(plain) or len(codes) != 15:
        raise ValueError(f"2024 fylker disagree: {sorted(codes)} / {sorted(official)} / {sorted(plain)}")
    for code, name in codes.items():  # the short names of all three sources must agree
        if plain[code] != name or not official[code].startswith(name):
            raise ValueError(f"2024 fylke {code}: {name!r} / {official[code]!r} / {plain[code]!r}")
    return official


def fylker_old(shared: Path, kommuner: dict[str, str], year: int) -> dict[str, str]:
    """Pre-2020 fylker: the codes the kommune codes of ``year`` start with, named from the county list."""
    text = (shared / "klass" / "opisthokonta_county_names_numbers.txt").read_text(encoding="utf-8")
    names = {r["county_code"]: r["county_name"] for r in csv.DictReader(io.StringIO(text))}
    codes = sorted({c[:2] for c in kommuner})
    return {c: names[c] for c in codes}


class _Local:
    """A transport over bodies already rendered, so the renderer reuses the loader's own reconstruction."""

    name = "render"

    def __init__(self, content: dict[str, bytes]):
        self.content = content

    def send(self, request):
        return Response(self.content[request.key])


def bodies(shared: Path) -> dict[str, tuple[str, object, bytes]]:
    """request key -> (file name, Request, body) for every KLASS request the loader sends."""
    src = shared / "klass"
    out: dict[str, tuple[str, object, bytes]] = {}

    def add(request, body: dict, filename: str) -> None:
        out[request.key] = (filename, request, _dump(body))

    for year, version_id in klass.kommune_versions().items():
        add(klass.version_request(version_id), _version_body(src / f"opisthokonta_Kommuneinndeling_{year}.json"),
            f"131-version-{year}.json")
    add(klass.changes_request(*klass.changes_span(None, "replay")), _changes_body(src / "opisthokonta_changetables.json"),
        "131-changes.json")
    dates = klass.fylke_dates()
    real_2020 = json.loads((src / "statisticsnorway-mimir_klass104_codesAt_2020-01-01.json").read_text("utf-8"))
    add(klass.codes_at_request(104, dates[2020]), _codes_filtered(real_2020), f"104-codesAt-{dates[2020]}.json")
    add(klass.codes_at_request(104, dates[2024]), _codes_body(fylker_2024(shared)), f"104-codesAt-{dates[2024]}.json")
    for year in (2017, 2018):
        kom = klass.kommuner_at(local_transport(out), year)
        add(klass.codes_at_request(104, dates[year]), _codes_body(fylker_old(shared, kom, year)),
            f"104-codesAt-{dates[year]}.json")
    return out


def local_transport(rendered: dict[str, tuple[str, object, bytes]]) -> _Local:
    """A transport over rendered bodies (used by the boundaries renderer to walk old divisions)."""
    return _Local({k: v[2] for k, v in rendered.items()})


def render(shared: Path, out: Path) -> None:
    writer = SnapshotWriter(out, "klass")
    for filename, request, content in bodies(shared).values():
        writer.add(request, content, filename)
    writer.close()
