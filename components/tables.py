"""Accessible HTML tables: the table alternative to every chart.

Small tables (the API page's) are Dash html components: a page with only those fetches no extra script.
Larger ones are one HTML string inside a single ``dcc.Markdown``: the Dash renderer pays per component, and
Sammenlign's six tables (~1000 cells, in closed <details>) as components delayed its first chart from 1.8 to
2.8 s unthrottled (bench/first_paint.py, loaded machine), which costs more than Markdown's ~100 kB gzip chunk.
Both give the same markup (caption, ``th scope``, a focusable scroll region named by the caption). Cell text
is escaped; a cell may be ``{"text": ..., "href": ...}`` for a link.
"""
from __future__ import annotations

from html import escape

from dash import dcc, html

# Above this many cells a table is sent as one HTML string (dcc.Markdown) instead of one component per cell.
COMPONENT_CELL_LIMIT = 60


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


def _content(value):
    if isinstance(value, dict) and "href" in value:
        return html.A(str(value["text"]), href=value["href"], rel="noopener")
    return "" if value is None else str(value)


def table_components(caption: str, columns: list[str], rows: list[list], numeric: set[int] | None = None,
                     table_id: str | None = None, row_header: bool = True) -> html.Div:
    """The markup of ``table_html`` as Dash components (Dash escapes the text)."""
    numeric = numeric or set()

    def cls(i):
        return {"className": "num"} if i in numeric else {}

    head = html.Tr([html.Th(c, scope="col", **cls(i)) for i, c in enumerate(columns)])
    body = [html.Tr([html.Th(_content(cell), scope="row", **cls(i)) if i == 0 and row_header
                     else html.Td(_content(cell), **cls(i)) for i, cell in enumerate(row)]) for row in rows]
    ident = {"id": table_id} if table_id else {}
    return html.Div(html.Table([html.Caption(caption), html.Thead(head), html.Tbody(body)],
                               className="data-table", **ident),
                    className="table-wrap", tabIndex="0", role="region", **{"aria-label": caption})


def data_table(caption: str, columns: list[str], rows: list[list], numeric: set[int] | None = None,
               table_id: str | None = None, row_header: bool = True):
    if len(rows) * max(len(columns), 1) <= COMPONENT_CELL_LIMIT:
        return table_components(caption, columns, rows, numeric, table_id, row_header)
    return dcc.Markdown(table_html(caption, columns, rows, numeric, table_id, row_header),
                        dangerously_allow_html=True, className="table-md")
