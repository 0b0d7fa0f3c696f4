"""``python -m indicators coverage [--db PATH]``: per indicator and level, the latest period and how many
units have a value in it; every empty fylke row with its reason; and which sources a live refresh would add."""
from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from loaders import db


def coverage(con) -> list[str]:
    expected = dict(con.execute("SELECT level, count(*) FROM geo_units GROUP BY level").fetchall())
    lines = [f"{'indikator':<30} {'nivå':<8} {'grenser':<12} {'siste periode':<14} {'med verdi':>10} {'av':>5}"]
    rows = con.execute("""
        WITH latest AS (
            SELECT indicator_id, geo_level, borders, max(period) AS period FROM indicator_values
            WHERE breakdown = '' AND value IS NOT NULL GROUP BY ALL)
        SELECT l.indicator_id, l.geo_level, l.borders, l.period,
               count(DISTINCT v.geo_code) FILTER (WHERE v.value IS NOT NULL),
               count(DISTINCT v.geo_code)
        FROM latest l JOIN indicator_values v USING (indicator_id, geo_level, borders, period)
        JOIN indicators i USING (indicator_id)
        WHERE v.breakdown = '' GROUP BY l.indicator_id, l.geo_level, l.borders, l.period
        ORDER BY min(i.sort_order), l.indicator_id, l.borders,
                 CASE l.geo_level WHEN 'land' THEN 0 WHEN 'fylke' THEN 1 ELSE 2 END""").fetchall()
    for ind, level, borders, period, with_value, total in rows:
        of = expected.get(level, total) if borders == "2024" else total
        lines.append(f"{ind:<30} {level:<8} {borders:<12} {period:<14} {with_value:>10} {of:>5}")
    return lines


def empty_fylker(con) -> list[str]:
    """Every empty fylke row (all periods and breakdowns), grouped by indicator, borders and reason."""
    rows = con.execute("""
        SELECT indicator_id, borders, status, status_nb, count(*), min(period), max(period),
               string_agg(DISTINCT geo_code, ',' ORDER BY geo_code)
        FROM indicator_values WHERE geo_level = 'fylke' AND value IS NULL
        GROUP BY ALL ORDER BY 1, 2, 4""").fetchall()
    lines = []
    for ind, borders, status, reason, n, first, last, codes in rows:
        span = first if first == last else f"{first}–{last}"
        lines.append(f"  {ind:<30} {borders:<12} {n:>4} rader {span:<22} {status or '':<3} {reason} (fylker {codes})")
    return lines


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m indicators")
    parser.add_argument("command", choices=["coverage"])
    parser.add_argument("--db", type=Path, default=Path(os.environ.get("INNENFOR_DB", db.DEFAULT_DB)))
    args = parser.parse_args(argv)
    con = db.connect(args.db, read_only=True)
    try:
        print("\n".join(coverage(con)))
        empty = empty_fylker(con)
        if empty:
            print("\nTomme fylkesrader og hvorfor (alle perioder):")
            print("\n".join(empty))
        extra = con.execute("SELECT source || '/' || table_id, title, note FROM live_only_sources ORDER BY 1").fetchall()
        if extra:
            print("\nEn direkte oppdatering legger til (offline-utdraget mangler dette):")
            for key, title, note in extra:
                print(f"  {key:<36} {note}: {title}")
    finally:
        con.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
