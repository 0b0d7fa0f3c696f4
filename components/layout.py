"""The page shell: skip link, header with navigation built from ``dash.page_registry``, footer with sources."""
from __future__ import annotations

from dash import dcc, html

from components.search import NAV_URL

NAV_ID = "main-nav"
LAST_KOMMUNE = "last-kommune"
DEFAULT_KOMMUNE = "0301"  # Oslo, until the user has chosen one


def nav_links(registry, pathname: str, last_kommune: str | None) -> list:
    knr = last_kommune or DEFAULT_KOMMUNE
    items = []
    for page in sorted(registry.values(), key=lambda p: p.get("order") if p.get("order") is not None else 99):
        if not page.get("nav"):
            continue
        template = page.get("path_template")
        href = template.replace("<knr>", knr) if template else page["path"]
        prefix = template.split("<")[0] if template else None
        active = pathname.startswith(prefix) if prefix else pathname == page["path"]
        # dcc.Link takes no aria attributes: the current page is marked on the list item instead.
        items.append(html.Li(dcc.Link(page["name"], href=href, className="active" if active else None),
                             **({"aria-current": "page"} if active else {})))
    return [html.Ul(items)]


def shell(registry, page_container):
    return html.Div([
        html.A("Hopp til innholdet", href="#innhold", className="skip-link"),
        dcc.Location(id=NAV_URL, refresh="callback-nav"),
        dcc.Store(id=LAST_KOMMUNE, storage_type="session"),
        html.Header([
            html.Div([dcc.Link([html.Span("Innenfor", className="brand-name")], href="/", className="brand"),
                      html.Span("Statistikk om utenforskap i kommunene", className="brand-tag")],
                     className="brand-wrap"),
            html.Nav(nav_links(registry, "/", None), id=NAV_ID, **{"aria-label": "Hovedmeny"}),
        ], className="site-header"),
        html.Main(page_container, id="innhold", tabIndex=-1),
        html.Footer([
            html.P(["Innenfor viser offentlige tall fra SSB, Udir, FHI, NAV og IMDi. Kilder, lisenser og datoer: ",
                    dcc.Link("Om data", href="/om"), "."]),
            html.P("Tall som er skjermet eller ikke publisert vises med forklaring, aldri som 0."),
        ], className="site-footer"),
    ], className="page")
