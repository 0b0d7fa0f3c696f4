"""SSB KLASS: the kommune (131) and fylke (104) divisions, their change table, and every division since 2008.

Other loaders call ``kommuner_at(transport, year)`` / ``fylker_at(transport, year)`` to match names or
codes of an old division; both go through the transport they are given, so they replay offline.

How old divisions are rebuilt: KLASS serves versions of 131 for 2020 (valid 2020–2021), 2022, 2023 and
2024. Earlier years are walked back from the 2020 version with the change table, one year at a time:
``units(Y-1) = units(Y) - new codes of changes dated Y + old codes (with their old names) of those changes``.
Fylker come from 104 ``codesAt`` at the start of each fylke division (2017 stands for 2008–2017).

Divisions after the newest version are walked forward with the same change table, up to the year of the
change table's end date: ``to: today`` (the live card) asks KLASS for every change up to the refresh date, so a
2025 or 2026 division exists as soon as the year starts; a year with no changes is the previous division
one-to-one (audit finding 7: a fixed 2024 end dropped every newer vintage). The target of harmonisation
stays the 2024 division (``TARGET_YEAR``), on whose borders every indicator is shown.
"""
from __future__ import annotations

import weakref
from collections import defaultdict
from datetime import date
from functools import lru_cache

import pandas as pd

from .cards import SOURCES_DIR, SourceCard, load_card
from .errors import LoaderError, SchemaDrift
from .result import OBS_COLUMNS, LoadResult
from .transport import Request, Response, Transport

BASE = "https://data.ssb.no/api/klass/v1"
FIRST_YEAR, TARGET_YEAR = 2008, 2024
LAST_YEAR = TARGET_YEAR  # kept for callers that mean the target division
UNKNOWN_CODES = {"9999", "99"}  # KLASS "Uoppgitt"

# Responses per transport: several refresh steps (klass, fhi, nav, ...) ask for the same divisions.
_cache: "weakref.WeakKeyDictionary[object, dict[str, object]]" = weakref.WeakKeyDictionary()


@lru_cache(maxsize=None)
def _card(table_id: str) -> SourceCard:
    return load_card(SOURCES_DIR / f"klass_{table_id}.yml")


# --- requests -------------------------------------------------------------------------------------

def version_request(version_id: int | str) -> Request:
    return Request.get(f"{BASE}/versions/{version_id}.json")


def changes_request(date_from: str, date_to: str) -> Request:
    return Request.get(f"{BASE}/classifications/131/changes.json", {"from": date_from, "to": date_to})


def codes_at_request(classification: int | str, date: str) -> Request:
    return Request.get(f"{BASE}/classifications/{classification}/codesAt.json", {"date": date})


def kommune_versions(card: SourceCard | None = None) -> dict[int, int]:
    """First year of each 131 version -> KLASS version id (from the card, so the query lives in data)."""
    query = (card or _card("131")).query
    return {int(y): int(v) for y, v in query["versions"].items()}


def changes_span(card: SourceCard | None = None, transport_name: str = "replay",
                 today: date | None = None) -> tuple[str, str]:
    """(from, to) of the change-table request; ``to: today`` is the refresh date (live card)."""
    # any transport that is not live (replay, the snapshot renderer's) reads the snapshot's change table
    q = (card or _card("131")).query_for("live" if transport_name == "live" else "replay")["changes"]
    to = str(q["to"])
    if to == "today":
        to = (today or date.today()).isoformat()
    return str(q["from"]), to


def last_year(transport: Transport | None = None, card: SourceCard | None = None) -> int:
    """The newest division year known: the year the change table ends in (never before the target)."""
    name = getattr(transport, "name", "replay") if transport is not None else "replay"
    return max(TARGET_YEAR, int(changes_span(card, name)[1][:4]))


def fylke_dates(card: SourceCard | None = None) -> dict[int, str]:
    """First year of each fylke division -> the date to ask 104 ``codesAt`` for."""
    return {int(y): str(d) for y, d in (card or _card("104")).query["codesAt"].items()}


def _send(transport: Transport, request: Request) -> Response:
    per = _cache.setdefault(transport, {})
    if request.key not in per:
        resp = transport.send(request)
        if resp.status != 200:
            raise LoaderError(f"KLASS answered HTTP {resp.status} for {request.url}")
        per[request.key] = resp
    return per[request.key]  # type: ignore[return-value]


# --- parsing --------------------------------------------------------------------------------------

def parse_version(payload: dict) -> tuple[dict[str, str], dict]:
    """A 131 version body -> ({code: name} without 9999, meta with name/validFrom/validTo)."""
    items = payload.get("classificationItems")
    if not isinstance(items, list) or not items:
        raise SchemaDrift("KLASS 131 version: no classificationItems")
    out = {}
    for item in items:
        code, name = str(item.get("code", "")), item.get("name")
        if code in UNKNOWN_CODES:
            continue
        if not (len(code) == 4 and code.isdigit()) or not name or str(item.get("level")) != "1":
            raise SchemaDrift(f"KLASS 131 version {payload.get('name')}: unexpected item {item!r:.120}")
        out[code] = name
    meta = {k: payload.get(k) for k in ("name", "id", "validFrom", "validTo", "lastModified")}
    return out, meta


def parse_changes(payload: dict) -> list[dict]:
    rows = payload.get("codeChanges")
    if not isinstance(rows, list) or not rows:
        raise SchemaDrift("KLASS 131 changes: no codeChanges")
    need = ("oldCode", "oldName", "newCode", "newName", "changeOccurred")
    for r in rows:
        if any(not r.get(k) for k in need):
            raise SchemaDrift(f"KLASS 131 changes: a change lacks one of {need}: {r!r:.160}")
    return rows


def parse_codes_at(payload: dict) -> dict[str, str]:
    """A 104 ``codesAt`` body -> {fylke code: name} without 99."""
    codes = payload.get("codes")
    if not isinstance(codes, list) or not codes:
        raise SchemaDrift("KLASS 104 codesAt: no codes")
    out = {}
    for item in codes:
        code, name = str(item.get("code", "")), item.get("name")
        if code in UNKNOWN_CODES:
            continue
        if not (len(code) == 2 and code.isdigit()) or not name:
            raise SchemaDrift(f"KLASS 104 codesAt: unexpected item {item!r:.120}")
        out[code] = name
    return out


# --- divisions ------------------------------------------------------------------------------------

def _version(transport: Transport, first_year: int) -> dict[str, str]:
    return parse_version(_send(transport, version_request(kommune_versions()[first_year])).json())[0]


def code_changes_raw(transport: Transport) -> list[dict]:
    return parse_changes(_send(transport, changes_request(*changes_span(None, transport.name))).json())


def _check_year(year: int, transport: Transport) -> None:
    last = last_year(transport)
    if not FIRST_YEAR <= int(year) <= last:
        raise LoaderError(f"no kommune/fylke division for {year} (known {FIRST_YEAR}–{last})")


def kommuner_at(transport: Transport, year: int) -> dict[str, str]:
    """{kommune code: official KLASS name} of the division in force on 1 January ``year``."""
    _check_year(year, transport)
    versions = kommune_versions()
    starts = sorted(y for y in versions if y <= year)
    if starts:
        units = dict(_version(transport, starts[-1]))
        if year > max(versions):  # walk forward: units(y) from units(y-1)
            later = [c for c in code_changes_raw(transport) if max(versions) < int(c["changeOccurred"][:4]) <= year]
            for y in sorted({int(c["changeOccurred"][:4]) for c in later}):
                step = [c for c in later if int(c["changeOccurred"][:4]) == y]
                for c in step:
                    units.pop(c["oldCode"], None)
                for c in step:
                    units[c["newCode"]] = c["newName"]
        return units
    units = dict(_version(transport, min(versions)))
    by_year: dict[int, list[dict]] = defaultdict(list)
    for change in code_changes_raw(transport):
        by_year[int(change["changeOccurred"][:4])].append(change)
    for y in range(min(versions), int(year), -1):  # units(y-1) from units(y)
        changes = by_year.get(y, [])
        for c in changes:
            units.pop(c["newCode"], None)
        for c in changes:
            units[c["oldCode"]] = c["oldName"]
    return units


def fylker_at(transport: Transport, year: int) -> dict[str, str]:
    """{fylke code: KLASS name} of the division in force on 1 January ``year`` (the newest 104 answer
    stands for later years; a fylke change shows in the kommune changes and fails the orphan check)."""
    _check_year(year, transport)
    dates = fylke_dates()
    starts = sorted(y for y in dates if y <= year)
    start = starts[-1] if starts else min(dates)  # fylker did not change 2008–2017
    return parse_codes_at(_send(transport, codes_at_request(104, dates[start])).json())


def forward_map(changes, codes, from_year: int, to_year: int) -> dict[str, set[str]]:
    """Where each code of the ``from_year`` division lies in the ``to_year`` division.

    ``changes``: (old_code, new_code, year) for one level. Changes dated from_year+1 … to_year are
    applied in order; a code with no change keeps its code. A split gives several codes.
    """
    steps: dict[int, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    for old, new, year in changes:
        if from_year < int(year) <= to_year:
            steps[int(year)][old].add(new)
    out = {}
    for code in codes:
        current = {code}
        for year in sorted(steps):
            current = set().union(*(steps[year].get(c, {c}) for c in current))
        out[code] = current
    return out


# --- tables ---------------------------------------------------------------------------------------

def _runs(per_year: dict[int, dict[str, tuple[str, str | None]]], level: str) -> list[dict]:
    """Collapse year-by-year (name, parent) per code into rows with inclusive valid_from/valid_to."""
    rows: list[dict] = []
    open_: dict[str, dict] = {}
    for year in sorted(per_year):
        seen = set()
        for code, (name, parent) in per_year[year].items():
            seen.add(code)
            cur = open_.get(code)
            if cur and cur["name"] == name and cur["parent_code"] == parent and cur["valid_to"] == year - 1:
                cur["valid_to"] = year
            else:
                cur = {"code": code, "level": level, "name": name, "parent_code": parent,
                       "valid_from": year, "valid_to": year}
                open_[code] = cur
                rows.append(cur)
        for code in list(open_):
            if code not in seen:
                del open_[code]
    return rows


def classify(pairs: list[tuple[str, str]]) -> dict[tuple[str, str], str]:
    """kind per (old, new) pair of one change date.

    split: the old code goes to several new codes; merge: the new code gets several old codes;
    renumber: one old -> one new with another code; rename: same code, only the name changed.
    (split wins over merge when both hold, e.g. Stokke 2017 -> Tønsberg + Sandefjord.)
    """
    outs, ins = defaultdict(set), defaultdict(set)
    for old, new in pairs:
        outs[old].add(new)
        ins[new].add(old)
    kinds = {}
    for old, new in pairs:
        if len(outs[old]) > 1:
            kinds[(old, new)] = "split"
        elif len(ins[new]) > 1:
            kinds[(old, new)] = "merge"
        elif old != new:
            kinds[(old, new)] = "renumber"
        else:
            kinds[(old, new)] = "rename"
    return kinds


def code_changes_table(transport: Transport) -> pd.DataFrame:
    """geo_code_changes: every kommune change in the table, plus fylke changes derived from them.

    Every kommune change that crosses a fylke line gives a fylke pair (old fylke, new fylke); a fylke of
    such a pair that exists on both sides of the date also gets (f, f). The kinds then follow ``classify``:
    e.g. 2020 Oppland 05 -> Innlandet 34 + Viken 30 (Jevnaker, Lunner) is a split, Nordland 18 -> 18 + 54
    (Tjeldsund) a split, 2024 Viken 30 -> 31/32/33 a split, 2018 Sør-/Nord-Trøndelag -> 50 a merge.
    """
    raw = code_changes_raw(transport)
    by_date: dict[str, list[dict]] = defaultdict(list)
    for c in raw:
        by_date[c["changeOccurred"]].append(c)
    rows = []
    for date, changes in sorted(by_date.items()):
        pairs = list(dict.fromkeys((c["oldCode"], c["newCode"]) for c in changes))
        kinds = classify(pairs)
        seen = set()
        for c in changes:
            pair = (c["oldCode"], c["newCode"])
            if pair in seen:
                continue
            seen.add(pair)
            rows.append({"old_code": pair[0], "new_code": pair[1], "changed_on": date, "kind": kinds[pair],
                         "level": "kommune", "old_name": c["oldName"], "new_name": c["newName"]})
        year = int(date[:4])
        if FIRST_YEAR < year <= last_year(transport):
            before, after = fylker_at(transport, year - 1), fylker_at(transport, year)
            cross = [(o[:2], n[:2]) for o, n in pairs if o[:2] != n[:2]]
            kept = [(f, f) for pair in cross for f in pair if f in before and f in after]
            fpairs = list(dict.fromkeys(sorted(cross + kept)))
            fkinds = classify(fpairs)
            for old, new in fpairs:
                rows.append({"old_code": old, "new_code": new, "changed_on": date, "kind": fkinds[(old, new)],
                             "level": "fylke", "old_name": before.get(old), "new_name": after.get(new)})
    frame = pd.DataFrame(rows)
    frame["changed_on"] = pd.to_datetime(frame["changed_on"]).dt.date
    return frame


def history_table(transport: Transport) -> pd.DataFrame:
    """geo_units_history: every kommune and fylke of every division since 2008 (valid_to inclusive)."""
    kommuner, fylker = {}, {}
    for year in range(FIRST_YEAR, last_year(transport) + 1):
        fyl = fylker_at(transport, year)
        kom = kommuner_at(transport, year)
        orphans = sorted(c for c in kom if c[:2] not in fyl)
        if orphans:
            raise LoaderError(f"KLASS {year}: kommuner without a fylke of that year: {orphans[:5]}")
        kommuner[year] = {c: (n, c[:2]) for c, n in kom.items()}
        fylker[year] = {c: (n, "0") for c, n in fyl.items()}
    return pd.DataFrame(_runs(fylker, "fylke") + _runs(kommuner, "kommune"))


def units_table(transport: Transport) -> pd.DataFrame:
    """geo_units: Norway, the 15 fylker and 357 kommuner of 2024 with KLASS's official names."""
    fyl, kom = fylker_at(transport, TARGET_YEAR), kommuner_at(transport, TARGET_YEAR)
    rows = [{"code": "0", "level": "land", "name": "Norge", "parent_code": None}]
    rows += [{"code": c, "level": "fylke", "name": n, "parent_code": "0"} for c, n in sorted(fyl.items())]
    rows += [{"code": c, "level": "kommune", "name": n, "parent_code": c[:2]} for c, n in sorted(kom.items())]
    frame = pd.DataFrame(rows)
    bad = sorted(set(frame.loc[frame.level == "kommune", "parent_code"]) - set(fyl))
    if bad:
        raise LoaderError(f"KLASS 2024: kommune codes with unknown fylke prefix {bad}")
    return frame


def fetch(card: SourceCard, transport: Transport) -> LoadResult:
    """131 builds the geo tables; 104 only checks its divisions (its figures feed 131's tables)."""
    empty = pd.DataFrame(columns=OBS_COLUMNS)
    # no reset here: 104 and 131 share responses, and a refresh makes a new transport (so a new cache)
    before = len(getattr(transport, "sent", []))
    if card.table_id == "104":
        for year in sorted(fylke_dates(card)):
            fylker_at(transport, year)
        return LoadResult(empty, title=card.title, requests=len(fylke_dates(card)))
    if card.table_id != "131":
        raise LoaderError(f"klass loader knows tables 131 and 104, not {card.table_id}")
    tables = {"geo_units": units_table(transport), "geo_units_history": history_table(transport),
              "geo_code_changes": code_changes_table(transport)}
    meta = parse_version(_send(transport, version_request(kommune_versions(card)[max(kommune_versions(card))])).json())[1]
    sent = len(getattr(transport, "sent", [])) - before
    return LoadResult(empty, title=card.title, api_updated=meta.get("lastModified"),
                      requests=sent or len(kommune_versions(card)) + 1 + len(fylke_dates()),
                      extra_tables=tables)


def snapshot_requests() -> list[Request]:
    """Every request this module sends (the renderer writes exactly these)."""
    reqs = [version_request(v) for v in kommune_versions().values()]
    reqs.append(changes_request(*changes_span(None, "replay")))
    reqs += [codes_at_request(104, d) for d in fylke_dates().values()]
    return reqs


__all__ = ["kommuner_at", "fylker_at", "fetch", "forward_map", "classify", "code_changes_table", "history_table",
           "units_table"]
