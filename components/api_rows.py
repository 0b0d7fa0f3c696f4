"""The open data API's rows: what the database holds, in the shape the API sends, with the same status
reasons, comparison words, sources and licences as the pages (``fmt``, ``queries``, ``provenance``).

Pure functions of the database file (no Flask here); ``components/open_api.py`` turns them into HTTP answers.
"""
from __future__ import annotations

import pandas as pd

from components import fmt, queries
from components.pages_common import unit_names
from components.queries import VALUE_COLUMNS
from components.store import cached, has_table, query

LEVELS = ("land", "fylke", "kommune")
BORDERS = ("2024", "as_published")
LATEST = "siste"
TOTAL, ALL = "total", "alle"
COMPARATOR_SETS_NB = {"naboer": "Nabokommuner", "fylke": "Samme fylke", "storrelse": "Lik størrelse",
                      "lignende": "Lignende kommuner"}

VALUE_FIELDS = ["indicator_id", "indicator", "geo_code", "geo_name", "geo_level", "period", "breakdown", "value",
                "unit", "numerator", "denominator", "ci_low", "ci_high", "comparison", "comparison_nb", "status",
                "status_reason", "note", "borders", "geo_vintage", "source_tables", "publisher", "licence"]
INDICATOR_FIELDS = ["indicator_id", "title", "short_title", "description", "definition", "topic", "unit",
                    "unit_short", "decimals", "polarity", "period_type", "levels", "periods", "breakdowns",
                    "source_tables", "publisher", "licence", "note", "appendix"]
UNIT_FIELDS = ["geo_code", "geo_name", "geo_level", "parent_code"]
COMPARATOR_FIELDS = ["code", "set", "set_nb", "rank", "member_code", "member_name", "distance"]
REFRESH_FIELDS = ["refreshed_at", "mode", "tables", "rows", "seconds", "summary"]
CARD_FIELDS = ["refreshed_at", "source", "table_id", "outcome", "reason", "rows", "new_periods"]


def _text(value) -> str:
    return value if isinstance(value, str) else ""


@cached(size=2)
def source_facts() -> dict[str, dict[str, str]]:
    """indicator_id -> its source tables, publishers and licences as ``provenance`` records them."""
    prov = {f"{p.source}/{p.table_id}": p for p in queries.provenance().itertuples()}
    facts = {}
    for ind, sources in zip(queries.indicators()["indicator_id"], queries.indicators()["sources"]):
        keys = [k.strip() for k in str(sources or "").split(",") if k.strip()]
        found = [prov[k] for k in keys if k in prov]
        facts[ind] = {"source_tables": ",".join(keys),
                      "publisher": " | ".join(dict.fromkeys(_text(p.publisher) for p in found if _text(p.publisher))),
                      "licence": " | ".join(dict.fromkeys(_text(p.licence) for p in found if _text(p.licence)))}
    return facts


@cached(size=2)
def vocabulary() -> dict[str, frozenset]:
    """The values a filter may take, read from the database (so a new period or breakdown needs no code)."""
    found = query("SELECT DISTINCT period, breakdown FROM indicator_values")
    history = query("SELECT DISTINCT code FROM geo_units_history")
    current = queries.geo_units()
    return {"period": frozenset(found["period"]), "breakdown": frozenset(found["breakdown"]) - {""},
            "code_2024": frozenset(current["code"]),
            "code_any": frozenset(current["code"]) | frozenset(history["code"]) | frozenset(
                query("SELECT DISTINCT geo_code FROM indicator_values WHERE borders = 'as_published'")["geo_code"])}


@cached(size=2)
def _historic_names() -> dict[str, str]:
    """Old units' names (the latest name a code had) for rows on the borders of their own year."""
    found = query("SELECT code, name FROM geo_units_history ORDER BY code, valid_to")
    return dict(zip(found["code"], found["name"]))


def _where(indicators, levels, codes, periods, borders, breakdowns) -> tuple[str, list]:
    clauses, params = ["borders = ?"], [borders]
    for column, chosen in (("indicator_id", indicators), ("geo_level", levels), ("geo_code", codes),
                           ("breakdown", breakdowns)):
        if chosen is not None:
            clauses.append(f"{column} IN ({', '.join('?' for _ in chosen)})")
            params.extend(chosen)
    if periods is not None and periods != LATEST:
        clauses.append(f"period IN ({', '.join('?' for _ in periods)})")
        params.extend(periods)
    return " AND ".join(clauses), params


def value_page(indicators=None, levels=None, codes=None, periods=None, borders="2024", breakdowns=("",),
               limit=1000, offset=0) -> tuple[pd.DataFrame, int]:
    """One page of ``indicator_values`` rows and the number of rows the filter matches.

    ``None`` means no filter. ``periods == "siste"``: the newest period of each indicator on each level among
    the rows the other filters (except unit codes) keep — the period the map shows first — so every unit in an
    answer is from the same period, and a unit without a row in that period is left out rather than answered
    with an older figure."""
    where, params = _where(indicators, levels, codes, periods, borders, breakdowns)
    source = "indicator_values"
    if periods == LATEST:
        latest_where, latest_params = _where(indicators, levels, None, None, borders, breakdowns)
        source = f"""(SELECT v.* FROM indicator_values v JOIN (
                        SELECT indicator_id, geo_level, max(period) AS period FROM indicator_values
                        WHERE {latest_where} GROUP BY indicator_id, geo_level) latest
                      USING (indicator_id, geo_level, period))"""
        params = latest_params + params
    total = int(query(f"SELECT count(*) AS n FROM {source} WHERE {where}", params)["n"].iloc[0])
    rows = query(f"""SELECT {VALUE_COLUMNS}, breakdown FROM {source} WHERE {where}
                     ORDER BY indicator_id, CASE geo_level WHEN 'land' THEN 0 WHEN 'fylke' THEN 1 ELSE 2 END,
                              geo_code, breakdown, period
                     LIMIT ? OFFSET ?""", params + [int(limit), int(offset)])
    return value_rows(rows), total


def value_rows(rows: pd.DataFrame) -> pd.DataFrame:
    """Database rows in the API's shape: names, unit, status reason, comparison in words, sources, licence."""
    if rows.empty:
        return pd.DataFrame(columns=VALUE_FIELDS)
    meta = queries.indicator_meta()
    facts = source_facts()
    names, old_names = unit_names(), _historic_names()
    missing = rows["value"].isna()
    out = pd.DataFrame({
        "indicator_id": rows["indicator_id"],
        "indicator": rows["indicator_id"].map(lambda i: meta[i]["title_nb"]),
        "geo_code": rows["geo_code"],
        "geo_name": rows["geo_code"].map(lambda c: names.get(c) or old_names.get(c, "")),
        "geo_level": rows["geo_level"],
        "period": rows["period"],
        "breakdown": rows["breakdown"],
        "value": rows["value"],
        "unit": rows["indicator_id"].map(lambda i: meta[i]["unit"]),
        "numerator": rows["numerator"],
        "denominator": rows["denominator"],
        "ci_low": rows["ci_low"],
        "ci_high": rows["ci_high"],
        "comparison": [c if isinstance(c, str) and lv != "land" else "" for c, lv in
                       zip(rows["comparison"], rows["geo_level"])],
        "comparison_nb": [fmt.comparison_text(c) if lv != "land" else "" for c, lv in
                          zip(rows["comparison"], rows["geo_level"])],
        "status": rows["status"].map(_text),
        "status_reason": [fmt.status_text(s, nb) if m else "" for m, s, nb in
                          zip(missing, rows["status"], rows["status_nb"])],
        "note": rows["flag_nb"].map(_text),
        "borders": rows["borders"],
        "geo_vintage": rows["geo_vintage"].astype("Int64"),
        "source_tables": rows["indicator_id"].map(lambda i: facts[i]["source_tables"]),
        "publisher": rows["indicator_id"].map(lambda i: facts[i]["publisher"]),
        "licence": rows["indicator_id"].map(lambda i: facts[i]["licence"]),
    })
    return out.reset_index(drop=True)


@cached(size=2)
def indicator_rows() -> pd.DataFrame:
    """Every indicator with its metadata, the periods and breakdowns the database holds on today's borders."""
    meta = queries.indicators()
    facts = source_facts()
    held = query("""SELECT indicator_id, list(DISTINCT period ORDER BY period) AS periods,
                           list(DISTINCT breakdown ORDER BY breakdown) FILTER (WHERE breakdown <> '') AS breakdowns
                    FROM indicator_values WHERE borders = '2024' GROUP BY indicator_id""")
    periods = dict(zip(held["indicator_id"], held["periods"]))
    breakdowns = dict(zip(held["indicator_id"], held["breakdowns"]))

    def as_list(value) -> list[str]:
        return [str(v) for v in value] if hasattr(value, "__iter__") and not isinstance(value, str) else []

    return pd.DataFrame({
        "indicator_id": meta["indicator_id"], "title": meta["title_nb"], "short_title": meta["short_title_nb"],
        "description": meta["description_nb"], "definition": meta["definition_nb"].str.strip(),
        "topic": meta["topic_nb"], "unit": meta["unit"], "unit_short": meta["unit_short"],
        "decimals": meta["decimals"].astype(int), "polarity": meta["polarity"],
        "period_type": meta["period_type"], "levels": meta["levels"].map(lambda s: s.split(",")),
        "periods": meta["indicator_id"].map(lambda i: as_list(periods.get(i))),
        "breakdowns": meta["indicator_id"].map(lambda i: as_list(breakdowns.get(i))),
        "source_tables": meta["indicator_id"].map(lambda i: facts[i]["source_tables"]),
        "publisher": meta["indicator_id"].map(lambda i: facts[i]["publisher"]),
        "licence": meta["indicator_id"].map(lambda i: facts[i]["licence"]),
        "note": meta["note_nb"].map(lambda s: _text(s).strip()), "appendix": meta["appendix"].map(_text),
    })


def unit_rows(levels=None) -> pd.DataFrame:
    units = queries.geo_units()
    if levels is not None:
        units = units[units["level"].isin(levels)]
    order = units["level"].map({lv: i for i, lv in enumerate(LEVELS)})
    units = units.assign(_o=order).sort_values(["_o", "code"], kind="stable")
    return pd.DataFrame({"geo_code": units["code"], "geo_name": units["name"], "geo_level": units["level"],
                         "parent_code": units["parent_code"].map(_text)}).reset_index(drop=True)


def comparator_rows(code: str, sets=None) -> pd.DataFrame:
    """The comparator sets the Sammenlign page offers for a kommune, members in the page's order."""
    names = unit_names()
    distances = query("SELECT kind, member_code, distance FROM comparator_sets WHERE code = ?", (code,))
    distance = {(k, m): d for k, m, d in zip(distances["kind"], distances["member_code"], distances["distance"])}
    rows = []
    for kind in queries.comparator_kinds(code):
        if sets is not None and kind not in sets:
            continue
        for rank, member in enumerate(queries.comparators(code, kind), start=1):
            rows.append([code, kind, COMPARATOR_SETS_NB.get(kind, kind), rank, member, names.get(member, ""),
                         fmt.clean(distance.get((kind, member)))])
    return pd.DataFrame(rows, columns=COMPARATOR_FIELDS)


def refresh_rows() -> pd.DataFrame:
    found = query("SELECT refreshed_at, mode, tables, rows, seconds, summary FROM refresh_log "
                  "ORDER BY refreshed_at DESC")
    return found[REFRESH_FIELDS].reset_index(drop=True)


def refresh_card_rows() -> pd.DataFrame | None:
    """Per-table outcomes of the refreshes, when the build records them (``refresh_cards``); else None."""
    if not has_table("refresh_cards"):
        return None
    found = query("SELECT * FROM refresh_cards ORDER BY refreshed_at DESC, source, table_id")
    return found[[c for c in CARD_FIELDS if c in found.columns]].reset_index(drop=True)
