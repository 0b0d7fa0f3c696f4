"""Accessible HTML tables: the table alternative to every chart."""
from __future__ import annotations

from dash import html


def data_table(caption: str, columns: list[str], rows: list[list], numeric: set[int] | None = None,
               table_id: str | None = None, row_header: bool = True) -> html.Table:
    numeric = numeric or set()
    head = html.Thead(html.Tr([html.Th(c, scope="col", className="num" if i in numeric else None)
                               for i, c in enumerate(columns)]))
    body = []
    for row in rows:
        cells = []
        for i, cell in enumerate(row):
            cls = "num" if i in numeric else None
            if i == 0 and row_header:
                cells.append(html.Th(cell, scope="row", className=cls))
            else:
                cells.append(html.Td(cell, className=cls))
        body.append(html.Tr(cells))
    kwargs = {"id": table_id} if table_id else {}
    return html.Div(html.Table([html.Caption(caption), head, html.Tbody(body)], className="data-table", **kwargs),
                    className="table-wrap", tabIndex=0, role="region", **{"aria-label": caption})
