"""Discovers the indicators: each is ``indicators/catalog/<id>.py`` (a ``compute(ctx)``) with ``<id>.yml`` beside it.

Nothing is hand-listed: adding the two files adds the indicator to the build, the app and the exports.
"""
from __future__ import annotations

import importlib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

CATALOG = Path(__file__).with_name("catalog")
POLARITIES = {"high_bad", "high_good", "neutral"}
PERIOD_TYPES = {"year", "school_year", "3year", "cohort", "month"}
LEVELS = {"land", "fylke", "kommune"}
REQUIRED = ("title_nb", "short_title_nb", "description_nb", "definition_nb", "topic_nb", "unit", "unit_short",
            "decimals", "polarity", "period_type", "levels", "sources", "sort_order")


@dataclass(frozen=True)
class Indicator:
    indicator_id: str
    title_nb: str
    short_title_nb: str
    description_nb: str
    definition_nb: str
    topic_nb: str
    unit: str
    unit_short: str
    decimals: int
    polarity: str
    period_type: str
    levels: tuple[str, ...]
    sources: tuple[str, ...]
    sort_order: int
    appendix: str | None = None
    note_nb: str | None = None
    is_share: bool = True          # value = numerator / denominator × scale where counts exist
    scale: float = 100.0
    value_range: tuple[float, float] = (0.0, 100.0)

    @property
    def module(self):
        return importlib.import_module(f"indicators.catalog.{self.indicator_id}")

    def row(self) -> dict:
        return {"indicator_id": self.indicator_id, "title_nb": self.title_nb, "short_title_nb": self.short_title_nb,
                "description_nb": self.description_nb, "definition_nb": self.definition_nb,
                "topic_nb": self.topic_nb, "appendix": self.appendix, "unit": self.unit,
                "unit_short": self.unit_short, "decimals": self.decimals, "polarity": self.polarity,
                "period_type": self.period_type, "levels": ",".join(self.levels),
                "sources": ",".join(self.sources), "note_nb": self.note_nb, "sort_order": self.sort_order}


def load_indicator(path: Path) -> Indicator:
    raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    missing = [k for k in REQUIRED if raw.get(k) in (None, [], *([""] if k != "unit_short" else []))]
    if missing:
        raise ValueError(f"{path.name}: metadata lacks {missing}")
    if raw["polarity"] not in POLARITIES or raw["period_type"] not in PERIOD_TYPES:
        raise ValueError(f"{path.name}: bad polarity or period_type")
    if not set(raw["levels"]) <= LEVELS:
        raise ValueError(f"{path.name}: bad levels {raw['levels']}")
    if not path.with_suffix(".py").exists():
        raise ValueError(f"{path.name}: no module {path.with_suffix('.py').name} beside it")
    raw["levels"] = tuple(raw["levels"])
    raw["sources"] = tuple(raw["sources"])
    if "value_range" in raw:
        raw["value_range"] = tuple(raw["value_range"])
    return Indicator(indicator_id=path.stem, **raw)


@lru_cache(maxsize=1)
def all_indicators() -> tuple[Indicator, ...]:
    found = [load_indicator(p) for p in sorted(CATALOG.glob("*.yml"))]
    return tuple(sorted(found, key=lambda i: (i.sort_order, i.indicator_id)))


def get(indicator_id: str) -> Indicator:
    for ind in all_indicators():
        if ind.indicator_id == indicator_id:
            return ind
    raise KeyError(indicator_id)
