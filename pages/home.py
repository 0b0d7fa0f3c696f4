"""Forside: what Innenfor shows, Norway's headline figures with their periods, and a kommune search."""
from __future__ import annotations

import re

import dash
from dash import dcc, html

from components import fmt, queries
from components.search import kommune_search
from components.store import DataUnavailable
from components.pages_common import source_labels, unavailable

dash.register_page(__name__, path="/", name="Forside", title="Innenfor – utenforskap i tall", order=0, nav=True,
                   description="Statistikk om utenforskap i norske kommuner")

# The figures the issue asks for: preferred indicator id, else the first whose id/title matches the pattern,
# so the page follows the indicator catalogue.
HEADLINES = (
    ("barn_vedvarende_lavinntekt", r"barn.*vedvarende"),
    ("neet_15_29", r"neet|utenfor arbeid"),
    ("frafall_vgo", r"frafall|sluttet"),
    ("gjennomforing_vgo", r"gjennomf|fullf"),
)


def pick_headlines(meta) -> list[dict]:
    picked, used = [], set()
    rows = [r._asdict() for r in meta.itertuples() if "land" in r.levels.split(",")]
    for preferred, pattern in HEADLINES:
        match = next((r for r in rows if r["indicator_id"] == preferred), None) or next(
            (r for r in rows if r["indicator_id"] not in used
             and re.search(pattern, f"{r['indicator_id']} {r['title_nb']}".lower())), None)
        if match and match["indicator_id"] not in used:
            picked.append(match)
            used.add(match["indicator_id"])
    return picked


def headline_cards(meta) -> list:
    chosen = pick_headlines(meta)
    if not chosen:
        return [html.P("Indikatorene er ikke bygget ennå.", className="notice")]
    rows = queries.headline([c["indicator_id"] for c in chosen])
    cards = []
    for c in chosen:
        sub = rows[rows["indicator_id"] == c["indicator_id"]].sort_values("period")
        with_value = sub[sub["value"].notna()]
        if with_value.empty:
            body = [html.P("ikke tilgjengelig", className="big-number")]
        else:
            last = with_value.iloc[-1]
            body = [html.P(fmt.value_text(last["value"], c["decimals"], c["unit_short"]), className="big-number"),
                    html.P(f"Hele landet, {fmt.period_label(last['period'], c.get('period_type'))}", className="period")]
        cards.append(html.Article([
            html.H3(c["title_nb"]), *body, html.P(c["description_nb"], className="desc"),
            html.P([f"Enhet: {c['unit']}. Kilde: {source_labels(c['sources'])}. ", dcc.Link("Se i kartet", href=f"/kart?ind={c['indicator_id']}")],
                   className="source"),
        ], className="card headline"))
    return cards


def layout(**_query):
    try:
        meta = queries.indicators()
        cards = headline_cards(meta)
        search = kommune_search("home")
        n_ind = len(meta)
    except DataUnavailable as exc:
        return unavailable(exc)
    return html.Div([
        html.Section([
            html.H1("Innenfor"),
            html.P(["Innenfor samler offentlig statistikk om ", html.Strong("utenforskap"),
                    " – barn i familier med lav inntekt, unge som verken er i arbeid eller utdanning, "
                    "frafall fra videregående skole og mer – for alle kommuner og fylker. "
                    f"Nå med {n_ind} indikatorer. Tallene kommer fra SSB, Udir, FHI, NAV og IMDi, "
                    "med periode, enhet og kilde ved hvert tall."], className="lead"),
            search,
        ], className="hero"),
        html.Section([html.H2("Hele landet"), html.Div(cards, className="cards")]),
        html.Section([
            html.H2("Slik bruker du Innenfor"),
            html.Ul([
                html.Li([dcc.Link("Sammenlign", href="/kommune/0301"),
                         ": en kommune mot nabokommuner, fylket og landet, med tidsserier og tabell."]),
                html.Li([dcc.Link("Kart", href="/kart"), ": fylker og kommuner i kart for én indikator og periode."]),
                html.Li([dcc.Link("Profil", href="/profil/0301"), ": alle indikatorer for én kommune på én side, "
                         "klar for utskrift."]),
                html.Li([dcc.Link("Om data", href="/om"), ": kilder, definisjoner og når tallene sist ble hentet."]),
            ]),
            html.P("Alle visninger kan lastes ned som Excel og CSV, og figurene som PNG (kameraknappen over figuren)."),
        ]),
    ])
