"""Innenfor — the Dash app. Placeholder until the dashboard lands: proves the offline database opens."""
from __future__ import annotations

import argparse
import os

from dash import Dash, html

from loaders import db

DB_PATH = os.environ.get("INNENFOR_DB", str(db.DEFAULT_DB))

app = Dash(__name__, title="Innenfor")
server = app.server


def layout():
    con = db.connect(DB_PATH, read_only=True)
    try:
        n = con.execute("SELECT count(*) FROM observations").fetchone()[0]
    finally:
        con.close()
    return html.Main([html.H1("Innenfor"), html.P(f"Databasen har {n} observasjoner.")])


app.layout = layout

if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8050)
    parser.add_argument("--debug", action="store_true")
    args = parser.parse_args()
    app.run(host=args.host, port=args.port, debug=args.debug)
