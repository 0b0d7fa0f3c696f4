"""Accessible HTML tables: the table alternative to every chart.

Rendered as one HTML string inside a single ``dcc.Markdown`` instead of one Dash component per cell:
the Dash renderer needs seconds for a few thousand cell components (357 kommuner × 4 columns).
Cell text is escaped; a cell may be ``{"text": ..., "href": ...}`` for a link.
"""
from __future__ import annotations

from html import escape

from dash import dcc


def _cell(value) -> str:
    if isinstance(value, dict) and "href" in value:
        return f'<a href="{escape(value["href"], quote=True)}" rel="noopener">{escape(str(value["text"]))}</a>'
    return escape("" if value is None else str(value))


def table_html(caption: str, columns: list[str], rows: list[list], numeric: set[int] | None = None,
               table_id: str | None = None, row_header: bool = True) -> str:
    numeric = numeric or set()

    def cls(i):
        return ' class="num"' if i in numeric else ""

    head = "".join(f'<th scope="col"{cls(i)}>{escape(c)}</th>' for i, c in enumerate(columns))
    body = []
    for row in rows:
        cells = []
        for i, cell in enumerate(row):
            tag = ('th scope="row"', "th") if i == 0 and row_header else ("td", "td")
            cells.append(f"<{tag[0]}{cls(i)}>{_cell(cell)}</{tag[1]}>")
        body.append("<tr>" + "".join(cells) + "</tr>")
    ident = f' id="{escape(table_id, quote=True)}"' if table_id else ""
    return (f'<div class="table-wrap" tabindex="0" role="region" aria-label="{escape(caption, quote=True)}">'
            f'<table class="data-table"{ident}><caption>{escape(caption)}</caption>'
            f'<thead><tr>{head}</tr></thead><tbody>{"".join(body)}</tbody></table></div>')


def data_table(caption: str, columns: list[str], rows: list[list], numeric: set[int] | None = None,
               table_id: str | None = None, row_header: bool = True) -> dcc.Markdown:
    return dcc.Markdown(table_html(caption, columns, rows, numeric, table_id, row_header),
                        dangerously_allow_html=True, className="table-md")
