"""The trend verdict where users meet it: Sammenlign (beside the bar), Profil (a column), the map's hover
and table, and the exports — all read from `indicator_trends`, never computed in a callback."""
from __future__ import annotations

import io

import pandas as pd

TYNSET = "Trend 2020–2024: Ingen signifikant endring (p = 0,048)"


def test_trend_words(app_db):
    from components import trend_text

    words = trend_text.lookup(["3427", "1580"])
    assert words[("neet_15_29", "3427")] == TYNSET
    assert words[("neet_15_29", "1580")] == "Trend 2020–2024: ingen vurdering – grensene endret seg i perioden (deling 2024)"


def test_compare_bar_carries_the_trend(app_db):
    from components import queries
    from components.pages_common import unit_names
    from pages import compare

    codes = ["3427", "3403", "0"]
    rows = [r for r in queries.records_for(codes) if r["indicator_id"] == "neet_15_29"]
    meta = dict(queries.indicator_meta()["neet_15_29"])
    text = str(compare.indicator_section(meta, rows, "3427", ["3403"], None, codes, unit_names()))
    assert "<br>trend: bedring" in text  # Hamar's significant fall, beside its bar
    assert text.count("trend: ") == 1 and TYNSET in text  # Tynset's verdict only in its hover


def test_profile_has_a_trend_column(app_db):
    from pages import profile

    page = str(profile.layout("3427"))
    assert "Trend" in page and TYNSET in page


def test_map_hover_and_table_carry_the_trend(app_db):
    from pages import map as map_page

    fig, _info, table = map_page.map_view("neet_15_29", "kommune", "2024")
    hovers = [h for trace in fig["data"] for h in trace.get("hovertext", [])]
    assert any("Tynset" in h and TYNSET in h for h in hovers)
    assert TYNSET in str(table)


def test_export_puts_the_verdict_on_the_last_period_row(app_db):
    from components import export, queries
    from components.pages_common import unit_names

    values = queries.values_for(["3427"])
    values = values[values["indicator_id"] == "neet_15_29"]
    frame = export.long_frame(values, queries.indicators(), unit_names())
    marked = frame[frame[export.TREND] != ""]
    assert list(marked["Periode"]) == ["2024"] and marked[export.TREND].iloc[0] == TYNSET
    back = pd.read_csv(io.StringIO(export.to_csv(frame).decode("utf-8-sig")), sep=";", decimal=",")
    assert export.TREND in back.columns
