"""Render FHI's answers into data/snapshot/fhi/ from the real FHI-derived files in ../shared/data/fhi.

For each `fhi` card, every request the loader sends (``loaders.fhi.requests_for``) is answered in FHI's
documented JSON-stat 2 shape (README example: `category.index` an array, `href`/`source` null,
`role.metric` MEASURE_TYPE with a `unit` block, ``"status": ""``), with FHI's symbols as strings inside
`value` (FHI's own client model: ``value: Array<number | string>``). Filters are resolved as FHI does:
item = the listed codes, all = wildcard match, top N = the first (oldest) N, bottom N = the last (newest) N.
A cell the source file lacks is ``null``. `updated` is null: the files do not say when FHI updated.
The Kommunehelsa export is re-rendered as the workbook the bank exported, in its layout.
"""
from __future__ import annotations

import fnmatch
import io
import json
import re
import zipfile
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, Callable

import openpyxl
import pandas as pd

from .. import fhi, kommunehelsa
from ..cards import SourceCard, load_cards
from ..transport import Request, SnapshotWriter

FHI_DIR = "fhi"
GEO_LABEL = {"GEO": "Geografi", "AAR": "År", "KJONN": "Kjønn", "ALDER": "Alder", "MEASURE_TYPE": "Måltall"}


@dataclass
class Cube:
    """What one FHI table holds in the source files: categories per dimension (table order) and cells."""
    label: str
    dims: dict[str, tuple[str, list[tuple[str, str]]]]     # code -> (label, [(cat code, cat label)])
    cells: dict[tuple[str, ...], Any] = field(default_factory=dict)  # codes in `dims` order -> number/flag

    def add_cat(self, dim: str, code: str, label: str) -> None:
        cats = self.dims[dim][1]
        if code not in [c for c, _ in cats]:
            cats.append((code, label))

    def put(self, key: dict[str, str], value: Any) -> None:
        k = tuple(key[d] for d in self.dims)
        if k in self.cells and self.cells[k] != value:
            raise ValueError(f"{self.label}: two figures for {k}: {self.cells[k]!r} / {value!r}")
        self.cells[k] = value


def new_cube(label: str, dims: list[tuple[str, str]]) -> Cube:
    return Cube(label, {code: (lab, []) for code, lab in dims})


def answer(cube: Cube, body: dict) -> dict:
    """FHI's json-stat2 answer to one data request body."""
    asked = [d["code"] for d in body["dimensions"]]
    if sorted(asked) != sorted(cube.dims):
        raise ValueError(f"{cube.label}: request names {asked}, the table has {list(cube.dims)}")
    chosen: dict[str, list[tuple[str, str]]] = {}
    for d in body["dimensions"]:
        cats = cube.dims[d["code"]][1]
        codes = [c for c, _ in cats]
        if d["filter"] == "item":
            missing = [v for v in d["values"] if v not in codes]
            if missing:
                raise ValueError(f"{cube.label}: {d['code']} {missing} not in the source file")
            pick = [cats[codes.index(v)] for v in d["values"]]
        elif d["filter"] == "all":
            pick = [c for c in cats if any(fnmatch.fnmatchcase(c[0], p) for p in d["values"])]
        elif d["filter"] == "top":
            pick = cats[: int(d["values"][0])]
        else:  # bottom: the newest N
            pick = cats[-int(d["values"][0]):]
        chosen[d["code"]] = pick
    order = list(cube.dims)
    values: list[Any] = []

    def walk(i: int, key: dict[str, str]) -> None:
        if i == len(asked):
            values.append(cube.cells.get(tuple(key[d] for d in order)))
            return
        for code, _ in chosen[asked[i]]:
            walk(i + 1, {**key, asked[i]: code})

    walk(0, {})
    dimension = {}
    for code in asked:
        cats = chosen[code]
        category: dict[str, Any] = {"index": [c for c, _ in cats], "label": {c: lab for c, lab in cats}}
        if code == "MEASURE_TYPE":
            category["unit"] = {c: {"decimals": None, "label": lab, "symbol": None, "position": None}
                                for c, lab in cats}
        dimension[code] = {"label": cube.dims[code][0], "category": category}
    return {"class": "dataset", "version": "2.0", "href": None, "label": cube.label, "updated": None,
            "source": None, "id": asked, "size": [len(chosen[c]) for c in asked],
            "role": {"time": None, "geo": None, "metric": ["MEASURE_TYPE"]},
            "dimension": dimension, "value": values, "status": ""}


# --- names -> codes ------------------------------------------------------------------------------

def telemark_2024(shared: Path) -> dict[str, str]:
    rows = json.loads((shared / "population" / "aprestmo_kommuner-2025.json").read_text(encoding="utf-8"))
    out = {r["k_name"]: r["k_id"] for r in rows if r["k_id"].startswith("40")}
    if len(out) != 17:
        raise ValueError(f"expected 17 Telemark kommuner, found {len(out)}")
    return {**out, "Telemark": "40", "Hele landet": "0"}


def fylker_2024(shared: Path) -> dict[str, str]:
    """Fylke names as FHI labels them ("Oslo (fylke)", "Troms Romsa Tromssa") -> 2024 codes."""
    rows = json.loads((shared / "population" / "aprestmo_fylker-2025.json").read_text(encoding="utf-8"))
    return {r["f_name"]: r["f_id"] for r in rows}


def fylke_code(label: str, fylker: dict[str, str]) -> str:
    plain = re.sub(r"\s*\(fylke\)$", "", label)
    hits = [c for n, c in fylker.items() if plain == n or plain.startswith(n + " ")]
    if len(hits) != 1:
        raise ValueError(f"fylke {label!r} matches {hits}")
    return hits[0]


def vt_2020(shared: Path) -> dict[str, str]:
    raw = json.loads((shared / "klass" / "opisthokonta_Kommuneinndeling_2020.json").read_text(encoding="utf-8"))
    out = {it["name"]: it["code"] for it in raw["classificationItems"] if it["code"].startswith("38")}
    if len(out) != 23:
        raise ValueError(f"expected 23 kommuner of Vestfold og Telemark 2020, found {len(out)}")
    return {**out, "Vestfold og Telemark": "38"}


def _num(text: str) -> Any:
    """A cell of an evensrii CSV: FHI's symbol kept, a number as float, blank = no figure (None)."""
    text = text.strip()
    if text in fhi.FLAGS:
        return text
    if text == "":
        return None
    return float(text)


def _read(shared: Path, name: str) -> pd.DataFrame:
    return pd.read_csv(shared / "fhi" / name, dtype=str, keep_default_na=False)


def year_cat(y: str) -> tuple[str, str]:
    return f"{y}_{y}", y


# --- one builder per table -----------------------------------------------------------------------

def cube_403(shared: Path) -> Cube:
    df = _read(shared, "evensrii_vedvarende_lavinntekt_0-17.csv")
    col = [c for c in df.columns if c.startswith("Andel (")]
    period = re.fullmatch(r"Andel \((\d{4})-(\d{4})\)", col[0])
    cube = new_cube("Vedvarende lavinntekt etter innvandringskategori, kommunegrense",
                    [("GEO", "Geografi"), ("AAR", "År"), ("ALDER", "Alder"), ("INNVKAT", "Innvandringsbakgrunn"),
                     ("MAAL", "Lavinntektsgrense"), ("MEASURE_TYPE", "Måltall")])
    codes = telemark_2024(shared)
    aar = (f"{period.group(1)}_{period.group(2)}", f"{period.group(1)}-{period.group(2)}")
    cube.add_cat("AAR", *aar)
    cube.add_cat("ALDER", "0_17", "0-17 år")
    cube.add_cat("INNVKAT", "0", "total")
    cube.add_cat("MAAL", "ant_eu60", "EU 60")
    cube.add_cat("MEASURE_TYPE", "RATE", "andel (prosent)")
    for _, r in df.iterrows():
        cube.add_cat("GEO", codes[r["Kommune"]], r["Kommune"])
        cube.put({"GEO": codes[r["Kommune"]], "AAR": aar[0], "ALDER": "0_17", "INNVKAT": "0",
                  "MAAL": "ant_eu60", "MEASURE_TYPE": "RATE"}, int(r[col[0]]))
    return cube


def cube_583(shared: Path) -> Cube:
    df = _read(shared, "evensrii_andel_innvandrere_i_lavinntekt_fhi.csv")
    cube = new_cube("Vedvarende lavinntekt, 25 år +",
                    [("GEO", "Geografi"), ("AAR", "År"), ("ALDER", "Alder"), ("INNVKAT", "Innvandringskategori"),
                     ("MAAL", "Lavinntektsgrense"), ("MEASURE_TYPE", "Måltall")])
    codes = telemark_2024(shared)
    innv = {"Innvandrere": "2", "Øvrig befolkning": "20"}
    cube.add_cat("ALDER", "25_120", "25 år +")
    cube.add_cat("MAAL", "ant_eu60", "EU 60")
    cube.add_cat("MEASURE_TYPE", "RATE", "andel (prosent)")
    for _, r in df.iterrows():
        end = r["År"][-4:]  # FHI codes these 3-year periods by their last year: "2006_2006" = "2004-2006"
        cube.add_cat("GEO", codes[r["Geografi"]], r["Geografi"])
        cube.add_cat("AAR", f"{end}_{end}", r["År"])
        cube.add_cat("INNVKAT", innv[r["Innvandringskategori"]], r["Innvandringskategori"].lower())
        cube.put({"GEO": codes[r["Geografi"]], "AAR": f"{end}_{end}", "ALDER": "25_120",
                  "INNVKAT": innv[r["Innvandringskategori"]], "MAAL": "ant_eu60", "MEASURE_TYPE": "RATE"},
                 _num(r["Andel"]))
    cube.dims["AAR"][1].sort()
    return cube


def vt2020_rows(shared: Path) -> list[tuple[str, list[str], list[Any]]]:
    """(place, periods, values) of the workbook without its "Gjennomsnitt" rows (author's unweighted means)."""
    sheet = pd.read_excel(shared / "fhi" / "evensrii_Lavinntekt.xlsx", header=None, dtype=object)
    periods = [str(p).strip() for p in sheet.iloc[0, 2:].tolist() if isinstance(p, str) and p.strip()]
    out = []
    for _, r in sheet.iloc[1:].iterrows():
        place, age = r.iloc[0], r.iloc[1]
        if isinstance(age, str) and age.strip() == "Gjennomsnitt":
            continue
        if not isinstance(place, str):
            continue
        if not isinstance(age, str) or age.strip() != "0-17 år":
            raise ValueError(f"Lavinntekt.xlsx: unexpected age {age!r} for {place}")
        out.append((place.strip(), periods, r.iloc[2:2 + len(periods)].tolist()))
    return out


def cube_403_vt2020(shared: Path) -> Cube:
    cube = new_cube("Vedvarende lavinntekt, barn 0-17 år (kommuner 2020)",
                    [("GEO", "Geografi"), ("AAR", "År"), ("ALDER", "Alder"), ("INNVKAT", "Innvandringsbakgrunn"),
                     ("MAAL", "Lavinntektsgrense"), ("MEASURE_TYPE", "Måltall")])
    codes = vt_2020(shared)
    for c, lab in (("0_17", "0-17 år"),):
        cube.add_cat("ALDER", c, lab)
    cube.add_cat("INNVKAT", "0", "total")
    cube.add_cat("MAAL", "ant_eu60", "EU 60")
    cube.add_cat("MEASURE_TYPE", "RATE", "andel (prosent)")
    rows = vt2020_rows(shared)
    cube.add_cat("GEO", "38", "Vestfold og Telemark")
    for place, periods, values in sorted(rows, key=lambda r: codes[r[0]]):
        cube.add_cat("GEO", codes[place], place)
        for p, v in zip(periods, values):
            code = p.replace("-", "_")
            cube.add_cat("AAR", code, p)
            cube.put({"GEO": codes[place], "AAR": code, "ALDER": "0_17", "INNVKAT": "0", "MAAL": "ant_eu60",
                      "MEASURE_TYPE": "RATE"}, None if pd.isna(v) else round(float(v), 1))
    return cube


def _ungdata(shared: Path, name: str, label: str, extra: list[tuple[str, str, str, str]],
             measure_label: str) -> Cube:
    """339 / 373: GEO × AAR × KJONN × ALDER × <extra fixed dims> × MEASURE_TYPE from a flattened file."""
    df = _read(shared, name)
    dims = [("GEO", "Geografi"), ("AAR", "År"), ("KJONN", "Kjønn"), ("ALDER", "Alder")]
    dims += [(code, dlab) for code, dlab, _, _ in extra] + [("MEASURE_TYPE", "Måltall")]
    cube = new_cube(label, dims)
    codes = telemark_2024(shared)
    kjonn = {"kjønn samlet": "0", "gutter": "1", "jenter": "2"}
    for k, c in kjonn.items():
        cube.add_cat("KJONN", c, k)
    cube.add_cat("ALDER", "1_6", "8-10.trinn")
    for code, _, cat, cat_label in extra:
        cube.add_cat(code, cat, cat_label)
    cube.add_cat("MEASURE_TYPE", "MEIS", measure_label)
    fixed = {code: cat for code, _, cat, _ in extra}
    for _, r in df.iterrows():
        cube.add_cat("GEO", codes[r["Geografi"]], r["Geografi"])
        cube.add_cat("AAR", *year_cat(r["År"]))
        cube.put({"GEO": codes[r["Geografi"]], "AAR": f"{r['År']}_{r['År']}", "KJONN": kjonn[r["Kjønn"]],
                  "ALDER": "1_6", "MEASURE_TYPE": "MEIS", **fixed}, _num(r["value"]))
    cube.dims["AAR"][1].sort()
    return cube


def cube_339(shared: Path) -> Cube:
    return _ungdata(shared, "evensrii_psykiske_plager_ungdom.csv", "Psykiske plager, ungdom",
                    [("DEPRESJON", "Plagegrad", "Ja", "plaget"),
                     ("SOES", "Sosioøkonomiske ressurser (SØR)", "0", "Total SØR")],
                    "andel (prosent, standardisert)")


def cube_373(shared: Path) -> Cube:
    return _ungdata(shared, "evensrii_tilfredshet_med_livet_ungdom.csv", "Tilfredshet med livet, ungdom",
                    [("LIVSKVALITET", "Skala 0-10, tilfredshet", "8_10", "8_10"),
                     ("SOES", "Sosial status", "0", "samlet")],
                    "andel (prosent, standardisert)")


def cube_370(shared: Path) -> Cube:
    df = _read(shared, "evensrii_psykiske_symptomer_og_lidelser_primaerhelsetjenesten_ettaarige_tall.csv")
    cube = new_cube("Psykiske symptomer og lidelser - primærhelsetjenesten, ettårige tall",
                    [("GEO", "Geografi"), ("AAR", "År"), ("KJONN", "Kjønn"), ("ALDER", "Alder"),
                     ("KODEGRUPPE", "Sykdomsgruppe"), ("MEASURE_TYPE", "Måltall")])
    codes = telemark_2024(shared)
    kjonn = {"kjønn samlet": "0", "menn": "1", "kvinner": "2"}
    grupper = {"Psykiske symptomer og lidelser": "P01_P29ogP70_P99", "Psykiske symptomer": "P01_P29",
               "Psykiske lidelser": "P70_P99"}
    for k, c in kjonn.items():
        cube.add_cat("KJONN", c, k)
    for k, c in grupper.items():
        cube.add_cat("KODEGRUPPE", c, k)
    cube.add_cat("MEASURE_TYPE", "MEIS", "per 1000, standardisert")
    for r in df.itertuples(index=False):
        geo, year, kj, alder, gruppe, _, value = r
        m = re.fullmatch(r"(\d+)-(\d+) år", alder)
        acode = f"{m.group(1)}_{m.group(2)}"
        cube.add_cat("GEO", codes[geo], geo)
        cube.add_cat("AAR", *year_cat(year))
        cube.add_cat("ALDER", acode, alder)
        cube.put({"GEO": codes[geo], "AAR": f"{year}_{year}", "KJONN": kjonn[kj], "ALDER": acode,
                  "KODEGRUPPE": grupper[gruppe], "MEASURE_TYPE": "MEIS"}, _num(value))
    cube.dims["AAR"][1].sort()
    return cube


def percent_1dp(fraction: str) -> Any:
    """The author's round(FHI percent, 1) / 100 back to FHI's percent with that one decimal."""
    v = _num(fraction)
    if v is None or isinstance(v, str):
        return v
    pct = round(v * 100, 1)
    if abs(v * 100 - pct) > 1e-9:
        raise ValueError(f"805: {fraction} is not a one-decimal percent / 100")
    return pct


def cube_805(shared: Path) -> Cube:
    cube = new_cube("Trivsel 10. klasse treårig",
                    [("GEO", "Geografi"), ("AAR", "År"), ("KJONN", "Kjønn"), ("SPM_ID", "Spm.id"),
                     ("TRINN", "Klassetrinn"), ("MEASURE_TYPE", "Måltall")])
    cube.add_cat("KJONN", "0", "kjønn samlet")
    cube.add_cat("SPM_ID", "307", "spm.id")
    cube.add_cat("TRINN", "10", "10. trinn")
    cube.add_cat("MEASURE_TYPE", "MEIS", "andel (prosent, standardisert)")
    codes, fylker = telemark_2024(shared), fylker_2024(shared)

    def aar(label: str) -> str:  # "2014/15-2016/17" -> assumed code "2014_2016"
        m = re.fullmatch(r"(\d{4})/\d{2}-(\d{4})/\d{2}", label)
        return f"{m.group(1)}_{m.group(2)}"

    fixed = {"KJONN": "0", "SPM_ID": "307", "TRINN": "10", "MEASURE_TYPE": "MEIS"}
    for r in _read(shared, "evensrii_trivsel_10_klasse_treaarig.csv").itertuples(index=False):
        cube.add_cat("GEO", codes[r.Kommune], r.Kommune)
        cube.add_cat("AAR", aar(r.Skoleår), r.Skoleår)
        cube.put({"GEO": codes[r.Kommune], "AAR": aar(r.Skoleår), **fixed}, percent_1dp(r.Andel))
    for r in _read(shared, "evensrii_fylkessammenligning_trivsel_10_klasse_treaarig.csv").itertuples(index=False):
        code = "0" if r.Fylke == "Hele landet" else fylke_code(r.Fylke, fylker)
        cube.add_cat("GEO", code, r.Fylke)
        cube.add_cat("AAR", aar(r.Skoleår), r.Skoleår)
        cube.put({"GEO": code, "AAR": aar(r.Skoleår), **fixed}, percent_1dp(r.Andel))  # Norge/Telemark agree
    cube.dims["AAR"][1].sort()
    return cube


def cube_795(shared: Path) -> Cube:
    cube = new_cube("Bor trangt", [("GEO", "Geografi"), ("AAR", "År"), ("ALDER", "Alder"),
                                   ("INNVKAT", "Innvandringsbakgrunn"), ("BODD", "BODD"), ("MEASURE_TYPE", "Måltall")])
    cube.add_cat("ALDER", "0_120", "alle aldre")
    cube.add_cat("INNVKAT", "0", "totalt")
    cube.add_cat("INNVKAT", "2", "innvandrere")
    cube.add_cat("BODD", "trangt", "trangt")
    cube.add_cat("MEASURE_TYPE", "RATE", "andel (prosent)")
    innv = {"totalt": "0", "innvandrere": "2"}
    for r in _read(shared, "evensrii_trangboddhet.csv").itertuples(index=False):
        geo = "0" if r.Kommunenummer == "00" else r.Kommunenummer
        year = r.År[:4]
        cube.add_cat("GEO", geo, r.Geografi)
        cube.add_cat("AAR", *year_cat(year))
        v = _num(r.Andel)
        if isinstance(v, float):
            v = float(f"{v * 100:.15g}")  # the author divided FHI's percent by 100
        cube.put({"GEO": geo, "AAR": f"{year}_{year}", "ALDER": "0_120", "INNVKAT": innv[r.Innvandringsbakgrunn],
                  "BODD": "trangt", "MEASURE_TYPE": "RATE"}, v)
    cube.dims["AAR"][1].sort()
    return cube


BUILDERS: dict[str, Callable[[Path], Cube]] = {
    "403": cube_403, "583": cube_583, "403-vt2020": cube_403_vt2020, "339": cube_339, "373": cube_373,
    "370": cube_370, "805": cube_805, "795": cube_795,
}


# --- Kommunehelsa export -------------------------------------------------------------------------

def kommunehelsa_export(shared: Path, card: SourceCard) -> bytes:
    """The export as the bank gave it, a workbook ("Eksporter til regneark"): title, filter lines, year
    row, code row, one row per kommune. Numbers stay numbers. Zip and document dates are fixed so a
    re-render gives the same bytes."""
    src = (shared / "fhi" / "GeoForum_Arbeidsledighet.csv").read_text(encoding="utf-8")
    doc = kommunehelsa.parse_export(kommunehelsa.csv_rows(src))
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Arbeidsledighet"
    ws.append([doc["title"]])
    ws.append([])
    ws.append([])
    ws.append(["Variabler i filter"])
    for f in doc["filters"]:
        ws.append([f])
    ws.append([])
    ws.append(["År"] + doc["years"])
    ws.append(["Geografi"] + [f"aar{y}" for y in doc["years"]])
    for name, cells in doc["rows"]:
        ws.append([name] + [c if c in fhi.FLAGS else float(c) if "." in c else int(c) for c in cells])
    fixed = datetime(2013, 1, 1)
    wb.properties.created = wb.properties.modified = fixed
    raw = io.BytesIO()
    wb.save(raw)
    out = io.BytesIO()
    with zipfile.ZipFile(raw) as zin, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info)
            if info.filename == "docProps/core.xml":  # openpyxl stamps `modified` with the time of saving
                data = re.sub(rb"(<dcterms:modified[^>]*>)[^<]*", rb"\g<1>2013-01-01T00:00:00Z", data)
            zout.writestr(zipfile.ZipInfo(info.filename, date_time=(1980, 1, 1, 0, 0, 0)), data,
                          compress_type=zipfile.ZIP_DEFLATED)
    return out.getvalue()


def _dump(obj: Any) -> bytes:
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def render(shared: Path, out: Path) -> None:
    writer = SnapshotWriter(out, FHI_DIR)
    for card in load_cards("fhi"):
        if card.loader == "kommunehelsa":
            writer.add(kommunehelsa.export_request(card), kommunehelsa_export(shared, card),
                       f"kommunehelsa_{card.table_id}.xlsx")
            continue
        if card.loader != "fhi":
            continue
        if not card.offline:
            continue
        cube = BUILDERS[card.table_id](shared)
        for i, req in enumerate(fhi.requests_for(card, "replay")):
            if req.method != "POST":
                raise ValueError(f"{card.key}: the snapshot holds no FHI table info; set table_info: false")
            writer.add(req, _dump(answer(cube, req.body)), f"{card.table_id}_{i}.json")
    writer.close()
