"""Loaders: publishers' APIs (or replays of their responses) -> tidy rows in DuckDB.

Data flows one way: publishers -> loaders -> DuckDB `observations` -> indicators -> pages.
Every publisher module exposes ``fetch(card, transport) -> LoadResult`` and never writes to the
database itself; ``loaders.refresh`` does that, atomically.
"""
