"""Preflight (``python -m loaders check [--offline]``): only the cheap requests, one line per card.

It reuses the loaders' own request builders and checks, so it asks exactly what a refresh would ask first:
SSB table info and metadata (every dimension, value code, code list and elimination flag a card's selections
rely on, through ``ssb.plan``), KLASS versions, Udir's filter values. A card without a cheap request (its data
is one file or one data call) is listed as ``not checked`` — never as ``ok``.
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

from . import jsonstat, klass, ssb, udir
from .cards import SourceCard, load_cards
from .errors import LoaderError
from .transport import Transport


def ssb_differences(card: SourceCard, transport: Transport) -> list[str]:
    q = card.query_for(transport.name)
    lang = str(q.get("lang", "no"))
    ssb.table_info(card.table_id, transport, lang)
    raw = transport.send(ssb.metadata_request(card.table_id, lang)).content
    meta = jsonstat.parse(raw, name=f"{card.table_id} metadata", metadata=True,
                          expect_dims=q.get("expect_dims") or ())
    dims = json.loads(raw.decode("utf-8-sig")).get("dimension", {})
    out = []
    for selection in q.get("selections") or []:
        chosen = selection.get("valueCodes") or {}
        try:
            ssb.plan(card.table_id, selection, meta, lang)
        except LoaderError as exc:
            out.append(str(exc))
        for dim, codelist in (selection.get("codelist") or {}).items():
            lists = [c.get("id") for c in ((dims.get(dim) or {}).get("extension") or {}).get("codelists") or []]
            if lists and codelist not in lists:
                out.append(f"{card.table_id}: {dim} offers no code list {codelist} (offers {lists})")
        for dim in meta.ids:
            ext = (dims.get(dim) or {}).get("extension") or {}
            if dim not in chosen and ext.get("elimination") is False:
                out.append(f"{card.table_id}: {dim} cannot be eliminated but the card leaves it out")
    return list(dict.fromkeys(out))


def klass_differences(card: SourceCard, transport: Transport) -> list[str]:
    if card.table_id != "131":
        return []
    out = []
    for year, version in sorted(klass.kommune_versions(card).items()):
        payload = transport.send(klass.version_request(version)).json()
        if not isinstance(payload, dict) or not payload.get("classificationItems"):
            out.append(f"KLASS version {version} ({year}) has no classificationItems")
    return out


def udir_differences(card: SourceCard, transport: Transport) -> list[str]:
    q = card.query_for(transport.name)
    fv_request, _ = udir.gjennomfoering_requests(card, transport.name)
    try:
        udir.check_filter_values(udir.parse_report_plain(transport.send(fv_request), card.table_id), q,
                                 card.table_id)
    except LoaderError as exc:
        return [str(exc)]
    return []


CHECKS = {"ssb": ssb_differences, "klass": klass_differences,
          "udir/VGO-GjennomfoeringV": udir_differences}


def check_card(card: SourceCard, transport: Transport) -> tuple[str, str]:
    """(status, text): ``ok``, ``differs`` (what differs), or ``not checked`` (no cheap request)."""
    check = CHECKS.get(card.key) or CHECKS.get(card.loader)
    if check is None:
        return "not checked", "no cheap request; checked only by the refresh itself"
    try:
        problems = check(card, transport)
    except Exception as exc:  # noqa: BLE001 - one card's answer is reported, the rest still checked
        problems = [" ".join(str(exc).split())[:300] or type(exc).__name__]
    return ("differs", "; ".join(problems)) if problems else ("ok", "")


def run(transport: Transport, cards: list[SourceCard] | None = None) -> list[tuple[SourceCard, str, str]]:
    cards = cards if cards is not None else [c for c in load_cards() if c.offline or transport.name != "replay"]
    return [(card, *check_card(card, transport)) for card in cards]


def main(offline: bool = False, snapshot: Path | None = None) -> int:
    """Exit 0 when no card differs, 3 when some would be kept by a refresh."""
    from .refresh import make_transport

    results = run(make_transport(offline, snapshot))
    for card, status, text in results:
        print(f"{card.key:<36} {status}" + (f": {text}" if text else ""))
    differing = [c.key for c, s, _ in results if s == "differs"]
    if differing:
        print(f"{len(differing)} card(s) would fail and keep the previous figures: {', '.join(differing)}",
              file=sys.stderr)
        return 3
    return 0
