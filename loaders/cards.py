"""Source cards: one YAML file per upstream table in ``loaders/sources/``.

A card says what to ask for and who publishes it; the publisher module named in ``loader``
knows how to ask. Keeping the query in data means a KS analyst can read what is fetched
without reading Python.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

SOURCES_DIR = Path(__file__).with_name("sources")
_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # the C parser when PyYAML has it: ~10x faster
REQUIRED = ("source", "table_id", "loader", "title", "publisher", "licence", "url")


@dataclass(frozen=True)
class SourceCard:
    source: str          # publisher key: ssb, klass, udir, fhi, nav, imdi, kartverket, ...
    table_id: str        # the publisher's table id, e.g. "13556", "GSK/GSI", "403"
    loader: str          # module in loaders/, e.g. "ssb"
    title: str
    publisher: str       # full name, credited in the product
    licence: str
    url: str             # human-facing page or API endpoint
    query: dict[str, Any] = field(default_factory=dict)   # loader-specific request description
    origin: dict[str, Any] = field(default_factory=dict)  # where the offline snapshot's figures were traced from
    notes: str = ""
    order: int = 100     # load order; klass/geo first
    # The offline snapshot may hold less than a live refresh asks for (e.g. SSB's published shares for
    # Telemark's kommuner only). `snapshot_query` overrides keys of `query` when replaying, so the
    # narrower selection is written down, not hidden; `offline: false` marks a live-only card that an
    # offline refresh skips (it is listed as "what a live refresh adds").
    snapshot_query: dict[str, Any] = field(default_factory=dict)
    offline: bool = True
    # `live: false` marks an offline-only card (a transcription standing in for a live-only card): a live
    # refresh skips it, and the live card it names in its notes brings the publisher's own figures.
    live: bool = True

    @property
    def key(self) -> str:
        return f"{self.source}/{self.table_id}"

    def query_for(self, transport_name: str) -> dict[str, Any]:
        """The query to send: `query`, with `snapshot_query` laid over it when replaying."""
        if transport_name == "replay" and self.snapshot_query:
            return {**self.query, **self.snapshot_query}
        return dict(self.query)


def load_card(path: Path) -> SourceCard:
    raw = yaml.load(path.read_text(encoding="utf-8"), Loader=_Loader)
    missing = [k for k in REQUIRED if not raw.get(k)]
    if missing:
        raise ValueError(f"source card {path.name} lacks {', '.join(missing)}")
    raw["table_id"] = str(raw["table_id"])
    return SourceCard(**raw)


def load_cards(only: str | None = None, directory: Path = SOURCES_DIR) -> list[SourceCard]:
    """All cards, sorted by (order, key). ``only`` is ``SOURCE`` or ``SOURCE/TABLE``."""
    cards = [load_card(p) for p in sorted(directory.glob("*.yml"))]
    keys = [c.key for c in cards]
    dupes = {k for k in keys if keys.count(k) > 1}
    if dupes:
        raise ValueError(f"duplicate source cards: {sorted(dupes)}")
    if only:
        cards = [c for c in cards if c.key == only or c.source == only]
        if not cards:
            raise ValueError(f"--only {only!r} matches no source card")
    return sorted(cards, key=lambda c: (c.order, c.key))
