"""Render SSB PxWebApi v2 responses (table info, metadata, JSON-stat 2 data) from the real files in ../shared.

The renderer runs the loader itself (``loaders.ssb.fetch``) against a transport that answers every request
from the source figures and records the answer with ``SnapshotWriter``: so the snapshot holds exactly the
requests a replay sends, and each response is parsed once by the real code before it is kept.

A data response holds only the categories the source has for the request (``*`` = what is present, so a
year's Region list is that year's kommuner); a cell absent from the source inside such a cube is written as
``null`` with no status (the loader reads that as ".." — see loaders/jsonstat.py). Nothing is filled.
"""
from __future__ import annotations

import hashlib
import json
import math
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import pandas as pd

from .. import ssb
from ..cards import load_cards
from ..transport import Request, Response, SnapshotWriter

LABELS = {
    "HovArbStyrkStatus": {"TOT3": "I alt",
                          "NEET": "Utenfor arbeid, utdanning og arbeidsmarkedstiltak (NEET)"},
    "Kjonn": {"0": "Begge kjønn", "1": "Menn", "2": "Kvinner"},
    "Alder": {"15-29": "15-29 år", "20-24": "20-24 år", "25-29": "25-29 år", "999A": "Alle aldre",
              "00-17": "Under 18 år", "18-34": "18-34 år", "35-49": "35-49 år", "50-66": "50-66 år",
              "067+": "67 år og over"},
    "ContentsCode": {"Bosatte": "Bosatte", "BosatteProsent": "Bosatte (prosent)", "Personer1": "Personer",
                     "PersonerSeksti": "Personer i husholdninger med vedvarende lavinntekt (EU-60)",
                     "EUskalaSeksti": "Andel med vedvarende lavinntekt (EU-60) (prosent)",
                     "Personer": "Barn under 18 år i alt",
                     "EUskala50": "Andel barn i husholdninger med lavinntekt, EU-50 (prosent)",
                     "EUskala60": "Andel barn i husholdninger med lavinntekt, EU-60 (prosent)"},
}
UNITS = {"Bosatte": ("personer", 0), "BosatteProsent": ("prosent", 1), "Personer1": ("personer", 0),
         "PersonerSeksti": ("personer", 0), "EUskalaSeksti": ("prosent", 1), "Personer": ("personer", 0),
         "EUskala50": ("prosent", 1), "EUskala60": ("prosent", 1)}
DIM_LABELS = {"Region": "region", "HovArbStyrkStatus": "arbeidsstyrkestatus", "Alder": "alder",
              "Kjonn": "kjønn", "ContentsCode": "statistikkvariabel", "Tid": "år"}


@dataclass
class Table:
    """Source figures of one table: `frame` has a column per dimension plus `value`."""
    table_id: str
    label: str
    dims: list[str]
    frame: pd.DataFrame
    region_labels: dict[str, str] = field(default_factory=dict)
    region_prefix: str = ""         # "K-" for agg_KommSummer answers


# --- the source files -> tidy frames ---------------------------------------------------------------

def _num(text: str) -> float | None:
    text = str(text).replace("\u00a0", "").replace(" ", "").replace(",", ".")
    return float(text) if text not in ("", "nan") else None


def kommune_codes_2024(shared: Path) -> dict[str, str]:
    rows = json.loads((shared / "population" / "aprestmo_kommuner-2025.json").read_text(encoding="utf-8"))
    return {r["k_id"]: r for r in rows}


def _proven_zeros(src: pd.DataFrame) -> pd.DataFrame:
    """Put back the NEET zeros the source file dropped (its author removed rows with value <= 0), only
    where that is proven: in a (year, age, sex) group whose kommune counts with those cells left out
    already add up exactly to SSB's national row, both NEET and total, each missing kommune NEET must be 0.
    SSB's live API sends 0 there. Groups where the sums differ (2008) keep the cells missing."""
    kommuner = src[src["komnr"].str.len() == 4]
    keys = ["tid", "alder", "kjonn"]
    sums = kommuner.groupby(keys)[["tot", "NEET"]].sum(min_count=1)
    national = src[src["komnr"] == "0"].set_index(keys)[["tot", "NEET"]]
    both = sums.join(national, rsuffix="_land", how="inner")
    proven = both[(both["tot"] == both["tot_land"]) & (both["NEET"] == both["NEET_land"])].index
    in_proven = pd.MultiIndex.from_frame(src[keys]).isin(proven)
    fill = in_proven & (src["komnr"].str.len() == 4) & src["NEET"].isna() & src["tot"].notna()
    return src.assign(NEET=src["NEET"].mask(fill, 0.0))


def table_13556(shared: Path) -> Table:
    src = pd.read_csv(shared / "ssb" / "larsbauger_kjonn_neet.csv", dtype={"komnr": str})
    src["Alder"] = src["alder"].str.replace(" år", "", regex=False)
    src["Kjonn"] = src["kjonn"].map({"Begge kjønn": "0", "Menn": "1", "Kvinner": "2"})
    if src["Kjonn"].isna().any():
        raise ValueError("13556: unknown kjønn label in larsbauger_kjonn_neet.csv")
    src = _proven_zeros(src)
    base = src.rename(columns={"komnr": "Region"}).assign(Tid=src["tid"].astype(str), ContentsCode="Bosatte")
    parts = []
    for status, column in (("TOT3", "tot"), ("NEET", "NEET")):
        part = base.assign(HovArbStyrkStatus=status, value=base[column])
        parts.append(part[part["value"].notna()])  # a dropped count not proven 0 stays absent
    counts = pd.concat(parts)
    labels = dict(zip(src["komnr"], src["region"]))

    # SSB's own share (BosatteProsent) 2024: names -> 2024 codes inside Telemark (40xx)
    shares = pd.read_csv(shared / "ssb" / "evensrii_andel_unge_utenfor_kommuner.csv")
    telemark = {r["k_name"]: code for code, r in kommune_codes_2024(shared).items() if code.startswith("40")}
    names = {**telemark, "Telemark": "40", "Hele landet": "0"}
    missing = sorted(set(shares["Kommune"]) - set(names))
    if missing:
        raise ValueError(f"13556: no 2024 code for {missing}")
    pct = pd.DataFrame({"Region": shares["Kommune"].map(names), "HovArbStyrkStatus": "NEET", "Alder": "15-29",
                        "Kjonn": "0", "ContentsCode": "BosatteProsent", "Tid": "2024",
                        "value": shares["Andel (2024)"].astype(float)})
    labels.setdefault("40", "Telemark")
    dims = ["Region", "HovArbStyrkStatus", "Alder", "Kjonn", "ContentsCode", "Tid"]
    frame = pd.concat([counts[dims + ["value"]], pct], ignore_index=True)
    if frame.duplicated(dims).any():
        raise ValueError("13556: duplicate cells in the source")
    return Table("13556", "13556: Personer 15-29 år, etter region, arbeidsstyrkestatus, alder, kjønn, "
                 "statistikkvariabel og år", dims, frame, labels)


def table_07459(shared: Path) -> Table:
    rows = kommune_codes_2024(shared)
    frame = pd.DataFrame({"Region": list(rows), "ContentsCode": "Personer1", "Tid": "2024",
                          "value": [float(r["k_population"]) for r in rows.values()]})
    if int(frame["value"].sum()) != 5_550_203:
        raise ValueError("07459: kommune population does not sum to 5 550 203")
    return Table("07459", "07459: Befolkning, etter region, statistikkvariabel og år (offline: folketall 1.1.2024 fra "
                 "pakken norge-data, ikke fra tabell 07459; en direkte oppdatering henter 07459)",
                 ["Region", "ContentsCode", "Tid"], frame, {c: r["k_name_no"] for c, r in rows.items()},
                 region_prefix="K-")


def table_12944(shared: Path) -> Table:
    src = pd.read_csv(shared / "pages" / "ssb_96632-96634_vedvarende_lavinntekt_alder_2004-2011.csv", dtype=str)
    ages = {"Under 18 år": "00-17", "18-34 år": "18-34", "35-49 år": "35-49", "50-66 år": "50-66",
            "67 år og over": "067+", "Alle": "999A"}
    src["Alder"] = src["alder"].map(ages)
    if src["Alder"].isna().any():
        raise ValueError("12944: unknown age group")
    parts = [pd.DataFrame({"Region": "0", "Alder": src["Alder"], "ContentsCode": code, "Tid": src["periode"],
                           "value": src[column].map(_num)})
             for code, column in (("PersonerSeksti", "antall_personer"), ("EUskalaSeksti", "andel_prosent_eu60"))]
    return Table("12944", "12944: Personer i husholdninger med vedvarende lavinntekt, etter region, alder, "
                 "statistikkvariabel og treårsperiode (offline: avskrift av SSBs statiske tabeller 96632 og "
                 "96634, ikke tabell 12944; en direkte oppdatering henter 12944)", ["Region", "Alder", "ContentsCode", "Tid"],
                 pd.concat(parts, ignore_index=True), {"0": "Hele landet"})


def table_08764(shared: Path) -> Table:
    path = shared / "pages" / "kommuneprofilen_barn_lavinntekt_EU_landet_2005-2014.csv"
    src = pd.read_csv(path, sep=";", comment="#", dtype=str)
    columns = {"Personer": "Barn under 18 år i alt", "EUskala50": "Andel med lavinntekt (prosent) EU_50",
               "EUskala60": "Andel med lavinntekt (prosent) EU_60"}
    parts = [pd.DataFrame({"Region": "0", "ContentsCode": code, "Tid": src["År"], "value": src[col].map(_num)})
             for code, col in columns.items()]
    frame = pd.concat(parts, ignore_index=True)
    frame = frame[frame["value"].notna()]
    return Table("08764", "08764: Barn under 18 år i husholdninger med lavinntekt, etter region, "
                 "statistikkvariabel og år (offline: avskrift av SSB-tall fra kommuneprofilen.no, ikke tabell "
                 "08764; en direkte oppdatering henter 08764)", ["Region", "ContentsCode", "Tid"], frame, {"0": "Hele landet"})


TABLES = {"13556": table_13556, "07459": table_07459, "12944": table_12944, "08764": table_08764}


# --- responses ------------------------------------------------------------------------------------

def _dump(doc) -> bytes:
    return json.dumps(doc, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def _category(table: Table, dim: str, codes: list[str], prefixed: bool = False) -> dict:
    if dim == "Region":
        shown = [(table.region_prefix if prefixed else "") + c for c in codes]
        labels = {s: table.region_labels.get(c, c) for s, c in zip(shown, codes)}
        return {"index": {s: i for i, s in enumerate(shown)}, "label": labels}
    cat = {"index": {c: i for i, c in enumerate(codes)},
           "label": {c: LABELS.get(dim, {}).get(c, c) for c in codes}}
    if dim == "ContentsCode":
        cat["unit"] = {c: {"base": UNITS[c][0], "decimals": UNITS[c][1]} for c in codes}
    return cat


def _ordered(values) -> list[str]:
    return sorted(set(values), key=lambda c: (len(c) > 1 and c != "0", c)) if values is not None else []


def metadata_doc(table: Table) -> dict:
    cats = {d: _ordered(table.frame[d]) for d in table.dims}
    return {"version": "2.0", "class": "dataset", "label": table.label, "source": "Statistisk sentralbyrå",
            "updated": None, "id": table.dims, "size": [len(cats[d]) for d in table.dims],
            "role": {"time": ["Tid"], "metric": ["ContentsCode"], "geo": ["Region"]},
            "dimension": {d: {"label": DIM_LABELS.get(d, d.lower()), "category": _category(table, d, cats[d])}
                          for d in table.dims},
            "extension": {"px": {"tableid": table.table_id, "language": "no"}}, "value": []}


def info_doc(table: Table, card) -> dict:
    tids = _ordered(table.frame["Tid"])
    return {"language": "no", "id": table.table_id, "label": table.label, "description": "",
            "updated": None, "firstPeriod": tids[0], "lastPeriod": tids[-1], "discontinued": False,
            "category": "public", "source": "Statistisk sentralbyrå", "links": [
                {"rel": "self", "hreflang": "no", "href": f"{ssb.BASE}/tables/{table.table_id}?lang=no"}]}


def selection_of(request: Request) -> tuple[dict[str, list[str]], dict[str, str]]:
    """valueCodes and codelists of a data request (GET parameters or POST body)."""
    if request.method == "POST":
        sel = request.body["selection"]
        return ({s["variableCode"]: list(s["valueCodes"]) for s in sel},
                {s["variableCode"]: s["codelist"] for s in sel if s.get("codelist")})
    codes, lists = {}, {}
    for k, v in request.params:
        if k.startswith("valueCodes["):
            codes[k[11:-1]] = _split(v)
        elif k.startswith("codelist["):
            lists[k[9:-1]] = v
    return codes, lists


def _split(text: str) -> list[str]:
    out, depth, cur = [], 0, ""
    for ch in text:
        if ch == "," and depth == 0:
            out.append(cur)
            cur = ""
            continue
        depth += ch == "["
        depth -= ch == "]"
        cur += ch
    return out + [cur]


def data_doc(table: Table, request: Request) -> dict:
    codes, codelists = selection_of(request)
    if set(codes) != set(table.dims):
        raise ValueError(f"{table.table_id}: request selects {sorted(codes)}, the source has {table.dims}")
    frame = table.frame
    meta = {d: _ordered(frame[d]) for d in table.dims}
    chosen: dict[str, list[str]] = {}
    for d in table.dims:  # explicit codes first: they narrow what '*' finds
        exp = ssb.expand(codes[d], meta[d])
        if exp is None:
            raise ValueError(f"{table.table_id}: cannot render selection {codes[d]} for {d}")
        wildcard = any(ch in c for c in codes[d] for ch in "*()")
        if not wildcard:
            frame = frame[frame[d].isin(exp)]
        chosen[d] = exp if not wildcard else None
    for d in table.dims:
        if chosen[d] is None:
            present = set(frame[d])
            chosen[d] = [c for c in ssb.expand(codes[d], meta[d]) if c in present]
    lookup = {tuple(k): v for k, v in zip(frame[table.dims].itertuples(index=False), frame["value"])}
    values = []
    for key in _product([chosen[d] for d in table.dims]):
        v = lookup.get(key)
        values.append(None if v is None or pd.isna(v) else (int(v) if float(v).is_integer() else float(v)))
    return {"version": "2.0", "class": "dataset", "label": table.label, "source": "Statistisk sentralbyrå",
            "updated": None, "id": table.dims, "size": [len(chosen[d]) for d in table.dims],
            "role": {"time": ["Tid"], "metric": ["ContentsCode"], "geo": ["Region"]},
            "dimension": {d: {"label": DIM_LABELS.get(d, d.lower()),
                              "category": _category(table, d, chosen[d], prefixed=d in codelists)}
                          for d in table.dims},
            "extension": {"px": {"tableid": table.table_id, "language": "no"}}, "value": values}


def _product(lists: list[list[str]]):
    if not lists:
        yield ()
        return
    for head in lists[0]:
        for tail in _product(lists[1:]):
            yield (head,) + tail


class RenderTransport:
    """Answers the loader's requests from a Table and records each answer (name 'replay': the card's
    snapshot_query applies, as it will when the snapshot is replayed)."""

    name = "replay"

    def __init__(self, table: Table, card, writer: SnapshotWriter):
        self.table, self.card, self.writer, self.n = table, card, writer, 0

    def send(self, request: Request) -> Response:
        path = urlsplit(request.url).path
        tid = self.table.table_id
        if path.endswith(f"/tables/{tid}"):
            doc, name = info_doc(self.table, self.card), f"{tid}_table.json"
        elif path.endswith(f"/tables/{tid}/metadata"):
            doc, name = metadata_doc(self.table), f"{tid}_metadata.json"
        elif path.endswith(f"/tables/{tid}/data"):
            self.n += 1
            doc, name = data_doc(self.table, request), f"{tid}_data_{self.n:02d}.json"
        else:
            raise ValueError(f"unexpected request {request.canonical()[:200]}")
        content = _dump(doc)
        self.writer.add(request, content, name, {"Content-Type": "application/json; charset=UTF-8"})
        return Response(content, 200)


def render(shared: Path, out: Path) -> None:
    writer = SnapshotWriter(out, "ssb")
    saved = ssb.os.environ.pop("INNENFOR_SSB_BASE", None)  # the snapshot records the real URLs
    try:
        for card in load_cards("ssb"):
            if not card.offline or card.loader != "ssb":
                continue
            if card.table_id not in TABLES:
                raise ValueError(f"no renderer for ssb/{card.table_id}")
            table = TABLES[card.table_id](Path(shared))
            result = ssb.fetch(card, RenderTransport(table, card, writer))
            print(f"  ssb/{card.table_id}: {len(result.rows):,} rows, {result.requests} requests")
    finally:
        if saved is not None:
            ssb.os.environ["INNENFOR_SSB_BASE"] = saved
    writer.close()
    _check_not_copied(Path(shared), writer.dir)


def _check_not_copied(shared: Path, folder: Path) -> None:
    """No rendered file may be a byte copy of a file in ../shared."""
    def digest(p: Path) -> str:
        return hashlib.sha256(p.read_bytes()).hexdigest()
    ours = {digest(p): p.name for p in folder.iterdir() if p.is_file()}
    for p in shared.rglob("*"):
        if p.is_file() and p.stat().st_size < 20_000_000 and digest(p) in ours:
            raise ValueError(f"snapshot file {ours[digest(p)]} is a byte copy of {p}")
