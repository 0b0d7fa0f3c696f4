"""Guard tests over every registered indicator, on the real offline build: metadata complete, sources loaded,
values in range, counts consistent, no duplicate keys, suppressed values never turned into numbers."""
import pytest

from indicators.registry import REQUIRED, all_indicators

INDICATORS = [i.indicator_id for i in all_indicators()]


def test_registry_finds_the_catalog():
    assert {"spesialundervisning", "neet_15_29", "frafall_vgo", "gjennomforing_vgo", "befolkning"} <= set(INDICATORS)


@pytest.mark.parametrize("indicator_id", INDICATORS)
def test_metadata_complete_and_in_database(db_con, indicator_id):
    row = db_con.execute("SELECT * FROM indicators WHERE indicator_id = ?", [indicator_id]).df()
    assert len(row) == 1, "indicator missing from the built database"
    for field in REQUIRED:
        assert row.iloc[0][field] is not None, field
    assert row.iloc[0].definition_nb.strip() and row.iloc[0].title_nb.strip()


@pytest.mark.parametrize("indicator_id", INDICATORS)
def test_sources_exist_in_provenance(db_con, indicator_id):
    sources = db_con.execute("SELECT sources FROM indicators WHERE indicator_id = ?", [indicator_id]).fetchone()[0]
    loaded = {f"{s}/{t}" for s, t in db_con.execute("SELECT source, table_id FROM provenance").fetchall()}
    assert set(sources.split(",")) <= loaded


@pytest.mark.parametrize("indicator_id", INDICATORS)
def test_values_consistent(db_con, indicator_id):
    from indicators.registry import get

    ind = get(indicator_id)
    v = db_con.execute("SELECT * FROM indicator_values WHERE indicator_id = ?", [indicator_id]).df()
    assert len(v) > 0
    lo, hi = ind.value_range
    known = v.value.notna()
    assert v.loc[known, "value"].between(lo, hi).all()
    counts = v.numerator.notna() & v.denominator.notna()
    if ind.is_share:
        assert (v.loc[counts, "numerator"] <= v.loc[counts, "denominator"]).all()
        with_ci = counts & (v.denominator > 0)
        assert (v.loc[with_ci, "ci_low"] <= v.loc[with_ci, "value"] + 1e-9).all()
        assert (v.loc[with_ci, "ci_high"] >= v.loc[with_ci, "value"] - 1e-9).all()
    else:
        assert v.ci_low.isna().all(), "no interval without counts"
    assert not v.duplicated(["geo_code", "period", "breakdown", "borders", "geo_vintage"]).any()
    # Every missing value carries the publisher's symbol and a reason in words; no value carries a status.
    assert v.loc[~known, "status"].notna().all()
    assert v.loc[~known, "status_nb"].notna().all()
    assert v.loc[known, "status"].isna().all()
    assert set(v.geo_level) <= set(ind.levels)


def test_suppressed_source_values_never_become_numbers(db_con):
    """Every suppressed kommune observation behind an indicator stays NULL in indicator_values."""
    leaked = db_con.execute("""
        SELECT count(*) FROM observations o JOIN indicator_values v
          ON v.indicator_id = 'spesialundervisning' AND v.geo_code = o.geo_code AND v.period = o.period
        WHERE o.source = 'udir' AND o.table_id = 'GSK-GSI' AND o.measure = 'elever_spesialundervisning'
          AND o.status = '*' AND (v.value IS NOT NULL OR v.numerator IS NOT NULL)""").fetchone()[0]
    assert leaked == 0
    # A rate-only 0 is fine when the publisher printed 0 for that period (Kommunehelsa: Utsira 2009 "0").
    zero_from_null = db_con.execute("""
        SELECT count(*) FROM indicator_values v JOIN indicators i USING (indicator_id)
        WHERE v.value = 0 AND v.numerator IS NULL AND v.denominator IS NULL AND i.unit = 'prosent'
          AND NOT EXISTS (SELECT 1 FROM observations o
                          WHERE list_contains(string_split(i.sources, ','), o.source || '/' || o.table_id)
                            AND o.period = v.period AND o.value = 0 AND o.status IS NULL)""").fetchone()[0]
    assert zero_from_null == 0


def test_comparators_for_every_kommune(db_con):
    per_kind = dict(db_con.execute("""SELECT kind, count(DISTINCT code) FROM comparator_sets GROUP BY kind""").fetchall())
    assert per_kind["naboer"] == 357
    assert per_kind["fylke"] == 357 - 1  # Oslo is the only kommune of its fylke
    assert per_kind["storrelse"] == 357
    assert per_kind["lignende"] == 357
    skien = [c for (c,) in db_con.execute("""SELECT member_code FROM comparator_sets
                                              WHERE code = '4003' AND kind = 'naboer' ORDER BY rank""").fetchall()]
    assert "4001" in skien  # Porsgrunn
