"""Indicators: observations -> `indicators`, `indicator_values` and `comparator_sets` in DuckDB."""
