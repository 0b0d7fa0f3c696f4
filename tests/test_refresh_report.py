"""The refresh report names the region codes a loader left out (abroad, Svalbard, aggregates …), so a table
whose Region dimension holds more than kommuner and fylker says what it did not load."""
from __future__ import annotations

from loaders.refresh import CardOutcome


def test_report_line_lists_the_region_codes_left_out_by_kind():
    out = CardOutcome("ssb", "14882", rows=1_200, requests=3, skipped={"svalbard": 1, "abroad": 1})
    assert out.line().endswith("; utelatte regionkoder: abroad 1, svalbard 1")


def test_report_line_says_nothing_when_every_code_was_loaded():
    assert "utelatte" not in CardOutcome("ssb", "13556", rows=10, requests=2).line()
