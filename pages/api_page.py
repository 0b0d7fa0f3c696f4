"""API: how to read Innenfor's figures straight into Excel / Power BI, R, Python and curl, with examples to
copy and the answer the example gives today (tests/test_open_api.py runs the pandas and curl examples against
the app and compares with the table shown here). No scripts on the page: examples are plain text."""
from __future__ import annotations

import os

import dash
from dash import dcc, html

from components import api_rows, fmt, queries
from components.open_api import DEFAULT_LIMIT, MAX_LIMIT, PREFIX
from components.pages_common import unavailable
from components.store import DataUnavailable
from components.tables import data_table

dash.register_page(__name__, path="/api", name="API", title="API – Innenfor", order=5, nav=True,
                   description="Hent tallene rett inn i Excel, Power BI, R og Python")

# The address visitors reach the app on, for examples to copy (never taken from the request's Host header:
# the rendered page is cached and shared between visitors).
PUBLIC_URL_ENV = "INNENFOR_PUBLIC_URL"
DEFAULT_PUBLIC_URL = "http://127.0.0.1:8050"
EXAMPLE = {"indicator": "spesialundervisning", "code": "0,0301,1101,4601,5001", "period": "siste"}


def base_url() -> str:
    return os.environ.get(PUBLIC_URL_ENV, DEFAULT_PUBLIC_URL).rstrip("/")


def example_url(fmt_: str = "excel-csv") -> str:
    query = "&".join(f"{k}={v}" for k, v in EXAMPLE.items())
    return f"{base_url()}{PREFIX}/values?{query}" + (f"&format={fmt_}" if fmt_ != "json" else "")


def examples() -> dict[str, str]:
    """The copy-paste examples, keyed by the element id they are shown in."""
    excel, csv, js = example_url("excel-csv"), example_url("csv"), example_url("json")
    return {
        "api-ex-powerquery": (
            "let\n"
            f'    Kilde = Csv.Document(Web.Contents("{excel}"),\n'
            '        [Delimiter = ";", Encoding = 65001, QuoteStyle = QuoteStyle.Csv]),\n'
            "    Overskrifter = Table.PromoteHeaders(Kilde, [PromoteAllScalars = true]),\n"
            "    Typer = Table.TransformColumnTypes(Overskrifter,\n"
            '        {{"value", type number}, {"numerator", type number}, {"denominator", type number}}, "nb-NO")\n'
            "in\n"
            "    Typer"),
        "api-ex-r": (
            f'tall <- read.csv2("{excel}",\n'
            '                  fileEncoding = "UTF-8-BOM",\n'
            '                  colClasses = c(geo_code = "character", period = "character"))\n'
            "tall[, c(\"geo_name\", \"period\", \"value\", \"status_reason\")]"),
        "api-ex-pandas": (
            "import pandas as pd\n\n"
            f'tall = pd.read_csv("{excel}",\n'
            '                   sep=";", decimal=",", encoding="utf-8-sig",\n'
            '                   dtype={"geo_code": str, "period": str})\n'
            'print(tall[["geo_name", "period", "value", "status_reason"]])'),
        "api-ex-curl": (
            f'curl -sS "{js}"\n'
            f'curl -sS --etag-save etag.txt --etag-compare etag.txt -o tall.csv "{csv}"'),
    }


def example_rows() -> list[list]:
    """What the example asks for, as the page shows it (the pandas example must give the same numbers)."""
    frame, _ = api_rows.value_page([EXAMPLE["indicator"]], None, EXAMPLE["code"].split(","), api_rows.LATEST)
    meta = queries.indicator_meta()[EXAMPLE["indicator"]]
    return [[r.geo_name, r.geo_code, r.period,
             fmt.value_text(r.value, int(meta["decimals"]), meta["unit_short"], r.status, r.status_reason),
             r.status_reason or "", r.licence] for r in frame.itertuples()]


def _code(ident: str, text: str, label: str) -> html.Figure:
    return html.Figure([html.Figcaption(label), html.Pre(html.Code(text), id=ident, tabIndex=0,
                                                          className="code")], className="example")


ENDPOINTS = [
    ("/indicators", "Indikatorene: definisjon, enhet, retning (polarity), kildetabeller, lisens, perioder, nivåer"),
    ("/values", "Tallene, filtrert på indikator, nivå, enhet, periode, grenser og gruppe"),
    ("/units", "Landet, fylkene og kommunene med nummer og navn (dagens inndeling)"),
    ("/comparators/0301", "Sammenligningsgruppene for en kommune (naboer, fylke, størrelse, lignende)"),
    ("/refresh-log", "Når databasen ble oppdatert, og utfallet per kildetabell når det er registrert"),
    ("/openapi.json", "Maskinlesbar beskrivelse (OpenAPI 3.1) for verktøy som leser den"),
]
PARAMETERS = [
    ("indicator", "Indikator-id fra /indicators; flere med komma", "neet_15_29,spesialundervisning"),
    ("level", "land, fylke eller kommune", "kommune"),
    ("code", "Enhetsnummer: 0 for landet, to sifre for fylke, fire for kommune", "0,03,0301"),
    ("period", "Perioder slik de står i /indicators, eller siste (nyeste for hver indikator og nivå)", "siste"),
    ("borders", "2024 (dagens grenser, standard) eller as_published (grensene da tallene kom)", "2024"),
    ("breakdown", "total (standard), alle, eller en gruppe fra /indicators", "kjonn=kvinner"),
    ("format", "json (standard), csv, eller excel-csv (semikolon, desimalkomma, UTF-8 med BOM)", "excel-csv"),
    ("limit, offset", f"Rader per kall (standard {DEFAULT_LIMIT}, høyst {fmt.number(MAX_LIMIT, 0)}) og hvor "
                      "mange som hoppes over", "limit=5000&offset=5000"),
]


def layout(**_query):
    try:
        rows = example_rows()
    except DataUnavailable as exc:
        return unavailable(exc)
    base = base_url()
    ex = examples()
    return html.Div([
        html.H1("API – hent tallene direkte"),
        html.P("Alle tallene i Innenfor kan hentes rett inn i Excel, Power BI, R og Python, uten å laste ned "
               "filer for hånd. Adressene under gir alltid tallene fra siste oppdatering. Hver rad oppgir periode, "
               "kildetabell og lisens, og når tallet mangler: utgiverens symbol og årsaken i ord. Skjermede tall "
               "er tomme, aldri 0.", className="lead"),
        html.H2("Endepunkter"),
        data_table("Endepunktene i API-et", ["Adresse", "Innhold"],
                   [[{"text": f"{base}{PREFIX}{path}", "href": f"{PREFIX}{path}"}, text] for path, text in ENDPOINTS],
                   table_id="api-endpoints"),
        html.H2("Filtre"),
        data_table("Parametere til /values (indicator, format, limit og offset gjelder også de andre)",
                   ["Parameter", "Betydning", "Eksempel"], [list(p) for p in PARAMETERS], table_id="api-params"),
        html.P(["Formatet ", html.Code("excel-csv"), " åpnes riktig i norsk Excel med dobbeltklikk: semikolon "
                "mellom kolonnene, desimalkomma og UTF-8 med BOM (æ, ø og å blir riktige). ", html.Code("csv"),
                " er vanlig CSV med komma og desimalpunktum. Tomme celler i ", html.Code("value"),
                " er tall som ikke er publisert; årsaken står i ", html.Code("status_reason"), ". Excel viser "
                "kommunenummer som tall ved dobbeltklikk (0301 blir 301); Power Query, R og pandas-eksemplene under "
                "beholder nullen."]),
        html.H2("Eksempler"),
        html.P(["Alle eksemplene henter andelen elever med spesialundervisning i siste skoleår for landet, Oslo, "
                "Eigersund, Bergen og Trondheim: ", html.A(example_url("json"), href=example_url("json"))]),
        _code("api-ex-powerquery", ex["api-ex-powerquery"],
              "Excel og Power BI: Hent data › Fra andre kilder › Tom spørring › Avansert redigering (Power Query M)"),
        _code("api-ex-r", ex["api-ex-r"], "R"),
        _code("api-ex-pandas", ex["api-ex-pandas"], "Python (pandas)"),
        _code("api-ex-curl", ex["api-ex-curl"],
              "curl: JSON til skjermen, og CSV lagret bare når databasen er oppdatert siden sist"),
        html.H3("Svaret på eksemplet i dag"),
        data_table("Elever med spesialundervisning, siste periode", ["Enhet", "Nummer", "Periode", "Verdi",
                                                                   "Forklaring", "Lisens"], rows,
                   numeric={3}, table_id="api-example-table"),
        html.H2("Oppdatering, grenser og bruk"),
        html.Ul([
            html.Li("Hvert svar har ETag og Last-Modified fra databasefilen. Spør med If-None-Match eller "
                    "If-Modified-Since, så får du «304 Uendret» uten innhold til neste oppdatering."),
            html.Li(f"Høyst {fmt.number(MAX_LIMIT, 0)} rader per kall. Flere rader: bruk offset; JSON-svaret har "
                    "paging.next, CSV-svaret en Link-header og X-Total-Count med antall rader i alt."),
            html.Li("Et ugyldig filter gir feilkode 400 med forklaring i JSON (feltet error), aldri en tom tabell "
                    "uten grunn."),
            html.Li("API-et kan brukes fra andre nettsider (CORS er åpent). Tallene har utgivernes lisenser "
                    "(feltet licence); oppgi utgiveren som kilde."),
            html.Li(["Maskinlesbar beskrivelse: ", html.A(f"{PREFIX}/openapi.json", href=f"{PREFIX}/openapi.json"),
                     ". Kilder og definisjoner i ord: ", dcc.Link("Om data", href="/om"), "."]),
        ]),
    ], className="api-page")
