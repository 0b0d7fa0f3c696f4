"""A friendly page for addresses that do not exist."""
import dash
from dash import dcc, html

dash.register_page(__name__, path="/404", name="Fant ikke siden", title="Fant ikke siden – Innenfor")


def layout(**_query):
    return html.Div([html.H1("Fant ikke siden"),
                     html.P(["Adressen finnes ikke i Innenfor. Gå til ", dcc.Link("forsiden", href="/"),
                             " eller finn en kommune der."])], className="notice")
