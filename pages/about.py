"""Om data: every source with publisher, licence and dates; every indicator's definition; the last refresh;
what the offline snapshot covers."""
from __future__ import annotations

import dash
from dash import html

from components import fmt, queries
from components.pages_common import source_labels, unavailable
from components.store import DataUnavailable, has_table
from components.tables import data_table

dash.register_page(__name__, path="/om", name="Om data", title="Om data – Innenfor", order=4, nav=True,
                   description="Kilder, definisjoner og oppdatering")

TRANSPORT_NB = {"replay": "fra lagret øyeblikksbilde (offline)", "live": "hentet direkte fra utgiveren",
                "recorded": "fra et opptak av en direkte oppdatering (offline)"}


def _text(value) -> str:
    return value if isinstance(value, str) else ""


def _date(value) -> str:
    return "" if fmt.is_missing(value) or value is None else str(value)[:16].replace("T", " ")


def live_only_table():
    """Tables only a live refresh fetches (source cards with ``offline: false``), if the build records them in
    ``live_only_sources``; pages read the database only, never the loaders' cards."""
    if not has_table("live_only_sources"):
        return None
    rows = queries.query("SELECT source, table_id, title, publisher, note FROM live_only_sources ORDER BY ALL")
    if rows.empty:
        return None
    return html.Div([html.H3("Dette legger en direkte oppdatering til"),
                     data_table("Tabeller som bare hentes, eller hentes fullt ut, ved direkte oppdatering",
                                ["Kilde", "Tittel", "Utgiver", "Hva offline-utdraget mangler"],
                                [[f"{r.source}/{r.table_id}", r.title, r.publisher, r.note] for r in rows.itertuples()])])


OUTCOME_NB = {"kept": "beholdt fra forrige henting", "empty": "ingen tall"}


def not_renewed_section():
    """Source tables the last refresh could not renew, from ``refresh_cards``: kept (with when they were
    fetched) or empty, each with the reason; None when every table was renewed."""
    rows = queries.not_renewed()
    if rows.empty:
        return None
    return html.Section([
        html.H2("Kilder som ikke ble fornyet"),
        html.P("Ved siste oppdatering svarte ikke utgiveren som ventet for disse tabellene. Tall som var hentet "
               "tidligere er beholdt og merket med datoen de ble hentet; tabeller uten tidligere tall står tomme."),
        data_table("Tabeller som ikke ble fornyet", ["Kilde", "Tittel", "Status", "Tallene hentet (UTC)", "Årsak"],
                   [[f"{r.source}/{r.table_id}", _text(r.title), OUTCOME_NB.get(r.outcome, r.outcome),
                     _date(r.fetched_at) if r.outcome == "kept" else "", _text(r.reason)] for r in rows.itertuples()],
                   table_id="about-not-renewed"),
    ], id="about-not-renewed")


def layout(**_query):
    try:
        prov = queries.provenance()
        meta = queries.indicators()
        last = queries.last_refresh()
        cover = queries.coverage()
        statuses = queries.status_codes()
        live_only = live_only_table()
        not_renewed = not_renewed_section()
    except DataUnavailable as exc:
        return unavailable(exc)
    if last.empty:
        refreshed = html.P("Databasen har ingen registrert oppdatering.")
    else:
        r = last.iloc[0]
        refreshed = html.P([f"Sist oppdatert {_date(r['refreshed_at'])} (UTC), ",
                            TRANSPORT_NB.get("replay" if r["mode"] == "offline" else "live", r["mode"]),
                            f": {int(r['tables'])} tabeller, {fmt.number(r['rows'], 0)} rader."])
    sources = [[f"{p.source}/{p.table_id}",
                {"text": p.title or p.url, "href": p.url}
                if isinstance(p.url, str) and p.url.startswith("http") else (p.title or ""),
                p.publisher or "", p.licence or "", _text(p.api_updated) or "ikke oppgitt", _date(p.fetched_at),
                fmt.number(p.n_rows, 0)] for p in prov.itertuples()]
    transports = sorted({TRANSPORT_NB.get(t, t) for t in prov["transport"].dropna()})
    defs = [html.Article([
        html.H3(m.title_nb, id=f"def-{m.indicator_id}"),
        html.P(f"{m.topic_nb} · Enhet: {m.unit}{f' ({m.unit_short})' if m.unit_short else ''} · "
               f"Kilde: {source_labels(m.sources)}" + (f" · Erstatter {m.appendix}" if m.appendix else ""),
               className="meta"),
        html.P(m.definition_nb),
        html.P(f"Merk: {m.note_nb}", className="note") if m.note_nb else None,
    ], className="definition") for m in meta.itertuples()]
    titles = dict(zip(meta["indicator_id"], meta["short_title_nb"]))
    cov = [[titles.get(c.indicator_id, c.indicator_id), fmt.LEVEL_NB.get(c.geo_level, c.geo_level),
            "dagens grenser" if c.borders == "2024" else "grenser da tallene ble publisert",
            fmt.number(c.units, 0), f"{c.first_period} – {c.last_period}", fmt.number(c.missing, 0)]
           for c in cover.itertuples()]
    status_rows = [[s.source.upper(), s.symbol or "(tom)", s.meaning_nb] for s in statuses.itertuples()]
    return html.Div([
        html.H1("Om data"),
        html.P("Innenfor henter offentlige tall fra utgiverne og bygger indikatorene på nytt ved hver oppdatering. "
               "Ingen tall er anslått eller fylt inn: tall som utgiveren skjermer eller ikke har, vises med "
               "utgiverens forklaring.", className="lead"),
        html.Section([html.H2("Oppdatering"), refreshed]),
        not_renewed,
        html.Section([html.H2("Kilder"),
                      html.P(f"Tabellene i denne databasen er {' og '.join(transports)}.") if transports else None,
                      data_table("Kildetabeller (tittelen lenker til utgiverens side)",
                                 ["Kilde", "Tittel", "Utgiver", "Lisens", "Sist oppdatert hos utgiver",
                                  "Hentet (UTC)", "Rader"], sources, numeric={6}, table_id="about-sources")]),
        html.Section([html.H2("Indikatorer og definisjoner"), *defs], id="about-defs"),
        html.Section([html.H2("Hva tallene dekker"),
                      html.P("Det lagrede øyeblikksbildet (offline) dekker disse nivåene og periodene. "
                             "En oppdatering direkte fra utgiverne (make refresh) henter de samme tabellene på nytt, "
                             "med siste publiserte perioder og alle kommuner der øyeblikksbildet er smalere."),
                      live_only if live_only is not None else None,
                      data_table("Dekning per indikator", ["Indikator", "Nivå", "Grenser", "Enheter", "Perioder",
                                                           "Mangler (skjermet e.l.)"], cov, numeric={3, 5},
                                 table_id="about-coverage")]),
        html.Section([html.H2("Symboler for manglende tall"),
                      data_table("Utgivernes symboler", ["Utgiver", "Symbol", "Betydning"], status_rows)]),
    ])
