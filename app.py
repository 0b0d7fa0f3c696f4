"""Innenfor — the Dash app: pages from ``pages/``, navigation from the page registry, a read-only database.

Run ``python app.py --host 127.0.0.1 --port 8050``; gunicorn uses ``app:server``.
"""
from __future__ import annotations

import argparse
from pathlib import Path

import dash
from dash import Dash, Input, Output, dcc, html
from flask import abort, send_from_directory

from components import layout, open_api, plotly_preload, search, serving  # noqa: F401  (search: a callback)

ROOT = Path(__file__).resolve().parent
GEO_DIR = ROOT / "data" / "geo"

app = Dash(__name__, title="Innenfor", use_pages=True, suppress_callback_exceptions=True,
           serve_locally=True, compress=False, update_title=None,
           # ES modules of the plotly.js build, imported by assets/plotly_loader.js, never as classic scripts
           assets_path_ignore=["^vendor$"])
server = app.server
serving.configure(app)  # compression, request limits, 4xx for hostile callback requests (debug stays off)
open_api.register(server)  # read-only /api/v1/ (JSON, CSV, Excel CSV; OpenAPI at /api/v1/openapi.json)

# plotly's modules preloaded from the head: they download alongside Dash's scripts (components/plotly_preload.py)
app.index_string = """<!DOCTYPE html>
<html lang="nb">
<head>{%metas%}<title>{%title%}</title>{%favicon%}{%css%}""" + plotly_preload.links(app.get_asset_url) + """</head>
<body>{%app_entry%}<footer>{%config%}{%scripts%}{%renderer%}</footer></body>
</html>"""


@server.route("/geo/<name>.geojson")
def boundaries(name: str):
    """Boundary files for the map, fetched by the browser from this server (never from the internet)."""
    if not (GEO_DIR / f"{name}.geojson").is_file():
        abort(404)
    return send_from_directory(GEO_DIR, f"{name}.geojson", mimetype="application/geo+json", max_age=3600)


app.layout = layout.shell(dash.page_registry, dash.page_container)


@app.callback(Output(layout.NAV_ID, "children"), Input("_pages_location", "pathname"),
              Input(layout.LAST_KOMMUNE, "data"))
def navigation(pathname, last_kommune):
    return layout.nav_links(dash.page_registry, pathname or "/", last_kommune)


@app.callback(Output(layout.LAST_KOMMUNE, "data"), Input("_pages_location", "pathname"),
              prevent_initial_call=False)
def remember_kommune(pathname):
    """The last kommune a user looked at, so 'Sammenlign' and 'Profil' in the menu lead back to it."""
    parts = (pathname or "").strip("/").split("/")
    if len(parts) == 2 and parts[0] in ("kommune", "profil") and parts[1].isdigit() and len(parts[1]) == 4:
        return parts[1]
    return dash.no_update


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8050)
    parser.add_argument("--debug", action="store_true")
    args = parser.parse_args()
    app.run(host=args.host, port=args.port, debug=args.debug)
