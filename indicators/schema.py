"""Tables the indicator build writes and the app reads. One place, so both sides agree."""

SCHEMA = """
CREATE TABLE IF NOT EXISTS indicators (
    indicator_id VARCHAR PRIMARY KEY,
    title_nb VARCHAR NOT NULL,          -- "Frafall i videregående opplæring"
    short_title_nb VARCHAR NOT NULL,    -- for axis labels and tabs
    description_nb VARCHAR NOT NULL,    -- one line
    definition_nb VARCHAR NOT NULL,     -- numerator, denominator, age group, period type, in words
    topic_nb VARCHAR NOT NULL,          -- "Utdanning", "Arbeid", "Inntekt", "Helse", "Befolkning"
    appendix VARCHAR,                   -- the KS appendix it replaces, e.g. "Vedlegg 2"
    unit VARCHAR NOT NULL,              -- "prosent", "per 1000", "personer"
    unit_short VARCHAR NOT NULL,        -- "%", "‰", ""
    decimals INTEGER NOT NULL,
    polarity VARCHAR NOT NULL,          -- "high_bad" | "high_good" | "neutral"
    period_type VARCHAR NOT NULL,       -- "year" | "school_year" | "3year" | "cohort" | "month"
    levels VARCHAR NOT NULL,            -- comma list of land,fylke,kommune
    sources VARCHAR NOT NULL,           -- comma list of source/table_id keys in `provenance`
    note_nb VARCHAR,                    -- caveats shown with the figure (measure used, breaks, borders)
    sort_order INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS indicator_values (
    indicator_id VARCHAR NOT NULL,
    geo_code VARCHAR NOT NULL,          -- "0", "03", "4003"
    geo_level VARCHAR NOT NULL,         -- "land" | "fylke" | "kommune"
    period VARCHAR NOT NULL,            -- "2024", "2024-25", "2021-2023", cohort start year "2019"
    breakdown VARCHAR NOT NULL,         -- "" (total) or e.g. "kjonn=jenter", "alder=18-34"
    value DOUBLE,                       -- NULL when suppressed / not available (then status is set)
    numerator DOUBLE,
    denominator DOUBLE,
    ci_low DOUBLE,                      -- 95 % Wilson interval where counts are known
    ci_high DOUBLE,
    comparison VARCHAR,                 -- vs Norway, same period: "better" | "similar" | "worse" | NULL
    status VARCHAR,                     -- publisher's symbol when value is NULL
    status_nb VARCHAR,                  -- the reason in words
    borders VARCHAR NOT NULL,           -- "2024" (today's units) | "as_published"
    geo_vintage INTEGER,                -- division year of geo_code for as_published rows
    flag_nb VARCHAR                     -- e.g. "avledet fra publisert andel", "sammenslått: summert"
);
CREATE TABLE IF NOT EXISTS comparator_sets (
    code VARCHAR NOT NULL,              -- the chosen kommune
    kind VARCHAR NOT NULL,              -- "naboer" | "fylke" | "storrelse" | "lignende"
    member_code VARCHAR NOT NULL,
    rank INTEGER NOT NULL,
    distance DOUBLE
);
CREATE TABLE IF NOT EXISTS indicator_trends (  -- recent trend over the latest five periods (indicators/trend.py)
    indicator_id VARCHAR NOT NULL, geo_code VARCHAR NOT NULL, geo_level VARCHAR NOT NULL,
    breakdown VARCHAR NOT NULL, first_period VARCHAR, last_period VARCHAR, n_periods INTEGER,
    chi2 DOUBLE, p_value DOUBLE,
    direction VARCHAR,                  -- "up" | "down" | NULL
    verdict VARCHAR,                    -- improving | worsening | increasing | decreasing | no_change | NULL
    verdict_nb VARCHAR NOT NULL,        -- the verdict in words
    reason_nb VARCHAR                   -- why there is no verdict (NULL when tested)
);
CREATE TABLE IF NOT EXISTS indicator_changes (  -- latest period against the previous one (indicators/trend.py)
    indicator_id VARCHAR NOT NULL, geo_code VARCHAR NOT NULL, geo_level VARCHAR NOT NULL,
    breakdown VARCHAR NOT NULL, previous_period VARCHAR, latest_period VARCHAR,
    previous_value DOUBLE, latest_value DOUBLE, change DOUBLE,
    z DOUBLE, p_value DOUBLE,
    q_value DOUBLE,                     -- Benjamini–Hochberg across the tested units of indicator and level
    significant BOOLEAN NOT NULL,
    verdict VARCHAR,                    -- as in indicator_trends, only when significant
    reason_nb VARCHAR                   -- why it was not tested
);
CREATE TABLE IF NOT EXISTS release_new_periods (  -- «Nytt i tallene» (indicators/releases.py)
    indicator_id VARCHAR NOT NULL, geo_level VARCHAR NOT NULL, period VARCHAR NOT NULL, units BIGINT
);
CREATE TABLE IF NOT EXISTS release_revisions (
    indicator_id VARCHAR NOT NULL, geo_code VARCHAR NOT NULL, geo_level VARCHAR NOT NULL, period VARCHAR NOT NULL,
    breakdown VARCHAR NOT NULL, previous_value DOUBLE, new_value DOUBLE
);
CREATE TABLE IF NOT EXISTS release_info (
    previous_refreshed_at TIMESTAMP, compared BOOLEAN NOT NULL
);
"""
