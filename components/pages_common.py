"""Small pieces several pages share: friendly messages, unit names, download buttons."""
from __future__ import annotations

from dash import dcc, html

from components import queries
from components.store import cached


def unavailable(exc) -> html.Div:
    return html.Div([html.H1("Tallene er ikke tilgjengelige akkurat nå"),
                     html.P("Databasen kunne ikke leses. Prøv igjen om litt – den kan være under oppdatering."),
                     html.P(str(exc), className="muted")], className="notice")


def query_arg(value) -> str | None:
    """A URL argument as a memo key: Dash Pages passes a list for a repeated ``?a=1&a=2``; pages read text."""
    return value if value is None or isinstance(value, str) else str(value)


def unit_names() -> dict[str, str]:
    return dict(_unit_names())


@cached(size=2)
def _unit_names() -> dict[str, str]:
    units = queries.geo_units()
    names = dict(zip(units["code"], units["name"]))
    names["0"] = names.get("0", "Norge")
    return names


def unknown_kommune(knr: str, target: str = "kommune") -> html.Div:
    """A friendly page for a kommune number we do not know, pointing to the new unit if the code changed."""
    from components.search import kommune_search

    hints = []
    if knr and knr.isdigit():
        changes = queries.code_change(knr.zfill(4))
        for ch in changes.itertuples():
            new_name = ch.new_name or ch.new_code
            hints.append(html.Li([f"{ch.old_name or knr} ({ch.old_code}) ble til {new_name} ({ch.new_code}) "
                                  f"{str(ch.changed_on)[:10]}: ",
                                  dcc.Link(f"se {new_name}", href=f"/{target}/{ch.new_code}")]))
    return html.Div([
        html.H1("Fant ikke kommunen"),
        html.P(f"Vi har ingen kommune med nummer «{knr}» i dagens inndeling (357 kommuner, 2024). "
               "Kommunenummer har fire sifre, for eksempel 0301 for Oslo."),
        html.Ul(hints) if hints else None,
        kommune_search(f"unknown-{target}", target=target),
    ], className="notice")


def download_buttons(prefix: str) -> html.Div:
    return html.Div([
        html.Button("Last ned Excel", id=f"{prefix}-xlsx-btn", className="btn", n_clicks=0),
        html.Button("Last ned CSV", id=f"{prefix}-csv-btn", className="btn btn-secondary", n_clicks=0),
        dcc.Download(id=f"{prefix}-download"),
    ], className="downloads")


@cached(size=512)
def source_labels(sources: str) -> str:
    """'ssb/13556,udir/GSK' -> 'Statistisk sentralbyrå (13556), Utdanningsdirektoratet (GSK)' from provenance."""
    prov = queries.provenance()
    publishers = {f"{p.source}/{p.table_id}": p.publisher for p in prov.itertuples()}
    out = []
    for key in str(sources or "").split(","):
        key = key.strip()
        if not key:
            continue
        table = key.split("/", 1)[-1]
        out.append(f"{publishers.get(key, key.split('/')[0].upper())} (tabell {table})")
    return ", ".join(out)


def kept_note(sources: str):
    """A note under a chart built from a source the last refresh could not renew (its figures kept from an
    earlier fetch), or None."""
    frame = queries.not_renewed()
    kept = frame[frame["outcome"] == "kept"]
    keys = {k.strip() for k in str(sources or "").split(",")}
    hits = [r for r in kept.itertuples() if f"{r.source}/{r.table_id}" in keys]
    if not hits:
        return None
    parts = [f"{r.source}/{r.table_id} (hentet {str(r.fetched_at)[:10]})" for r in hits]
    return html.P("Siste oppdatering fikk ikke nye tall fra " + ", ".join(parts)
                  + "; tallene herfra er fra forrige henting. Se Om data.", className="note kept-note")


def period_note(meta: dict) -> str:
    return {"year": "årstall", "school_year": "skoleår", "3year": "treårsperiode", "cohort": "kull (startår)",
            "month": "måned"}.get(meta.get("period_type"), "periode")


def triggered_id():
    """``ctx.triggered_id``, or None when a callback is called directly (tests, scripts)."""
    from dash import ctx
    from dash.exceptions import MissingCallbackContextException

    try:
        return ctx.triggered_id
    except MissingCallbackContextException:
        return None
