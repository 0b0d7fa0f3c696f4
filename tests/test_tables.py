"""Small tables as Dash components carry exactly the markup of the HTML-string tables (caption, th scope, the
named scroll region), so moving them off dcc.Markdown changes no table a screen reader reads."""
from __future__ import annotations

import re
from html import escape

from dash import dcc, html

from components import tables

# a row of the map table as the page builds it (name as link, number, value, comparison), one suppressed value,
# and text that must be escaped
COLUMNS = ["Navn", "Nummer", "Verdi", "Mot landet"]
ROWS = [[{"text": "Bø (Telemark)", "href": "/kommune/4022"}, "4022", "12,3 %", "over"],
        [{"text": "Våler (Innlandet)", "href": "/kommune/3419"}, "3419", ".. (skjermet)", ""],
        ["A <b>&</b> B", "0000", None, "\"sitat\""]]
ATTR = {"className": "class", "tabIndex": "tabindex"}


def to_html(node) -> str:
    """Dash html components serialised the way React renders them (attributes in the order the string uses)."""
    if node is None:
        return ""
    if isinstance(node, str):
        return escape(node, quote=False)
    if isinstance(node, (list, tuple)):
        return "".join(to_html(n) for n in node)
    assert isinstance(node, html.Div | html.Table | html.Caption | html.Thead | html.Tbody | html.Tr | html.Th
                      | html.Td | html.A), type(node)
    tag = type(node).__name__.lower()
    props = node.to_plotly_json()["props"]
    order = {"Div": ["className", "tabIndex", "role", "aria-label"], "Table": ["className", "id"],
             "Th": ["scope", "className"], "Td": ["className"], "A": ["href", "rel"]}.get(type(node).__name__, [])
    assert set(props) - {"children"} <= set(order), props
    attrs = "".join(f' {ATTR.get(k, k)}="{escape(str(props[k]), quote=True)}"' for k in order if k in props)
    return f"<{tag}{attrs}>{to_html(props.get('children'))}</{tag}>"


def test_component_table_is_the_same_markup_as_the_string_table():
    for row_header in (True, False):
        for table_id in (None, "map-data-table"):
            args = ("Andel (prosent), 2024 & «sitat»", COLUMNS, ROWS, {2}, table_id, row_header)
            built = tables.table_components(*args)
            expected = tables.table_html(*args)
            # the string version also escapes quotes in text (no attribute here holds one); React does not
            assert to_html(built) == expected.replace("&quot;", '"')


def test_row_headers_and_column_headers_have_scope():
    built = to_html(tables.table_components("T", COLUMNS, ROWS, {1, 2}))
    assert built.count('<th scope="col"') == 4 and built.count('<th scope="row"') == 3
    assert '<th scope="col" class="num">Nummer</th>' in built and '<td class="num">12,3 %</td>' in built
    assert '<a href="/kommune/4022" rel="noopener">Bø (Telemark)</a>' in built
    assert "A &lt;b&gt;&amp;&lt;/b&gt; B" in built


def test_only_large_tables_use_markdown():
    small = tables.data_table("T", COLUMNS, ROWS * 5)  # 60 cells, as the API page's largest
    assert isinstance(small, html.Div)
    assert isinstance(tables.data_table("T", COLUMNS, ROWS * 6), dcc.Markdown)
    rows_357 = [[f"K{i}", f"{i:04d}", "1,0", ""] for i in range(357)]  # every kommune on the map page
    large = tables.data_table("T", COLUMNS, rows_357)
    assert isinstance(large, dcc.Markdown) and large.dangerously_allow_html
    assert len(re.findall(r"<tr>", large.children)) == 358
