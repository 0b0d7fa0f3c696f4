"""Kommune search (name, Sami name or number) that takes the user to the Sammenlign page."""
from __future__ import annotations

import json

from dash import ALL, Input, Output, callback, ctx, dcc, html, no_update

from components import queries
from components.store import cached

NAV_URL = "nav-url"  # the app-wide dcc.Location(refresh="callback-nav") in app.py
# Dash 4's dropdown speaks English by default.
DROPDOWN_LABELS = {"select_all": "Velg alle", "deselect_all": "Fjern alle", "selected_count": "{num_selected} valgt",
                   "search": "Søk", "clear_search": "Tøm søket", "clear_selection": "Fjern valget",
                   "no_options_found": "Ingen treff"}


def name_id(component_id) -> str:
    """The id to give a dropdown's visible label so screen readers announce it ("Kommune, Oslo (0301)").

    Dash 4's ``dcc.Dropdown`` has no aria-label prop, and its button names itself with
    ``aria-labelledby="<id>-value-count <id>-value"``, which overrides a wrapping ``<label>``. The first of those
    ids exists only while a multi dropdown holds two or more values; giving the visible label that id puts the
    label first in the name (the label precedes the dropdown, so it is the element the id resolves to).
    Pattern-matching ids are stringified as Dash's renderer does (sorted keys, compact JSON)."""
    if isinstance(component_id, dict):
        text = "{" + ",".join(f"{json.dumps(k)}:{json.dumps(component_id[k], separators=(',', ':'))}"
                              for k in sorted(component_id)) + "}"
    else:
        text = str(component_id)
    return f"{text}-value-count"


@cached(size=2)
def kommune_options() -> list[dict]:
    """Label 'Name (knr), Fylke'; the dropdown searches the label, so names in Sami and Norwegian both match.
    Built once per database file and shared between pages and requests: do not mutate."""
    units = queries.geo_units()
    fylker = dict(zip(units.loc[units["level"] == "fylke", "code"], units.loc[units["level"] == "fylke", "name"]))
    k = units[units["level"] == "kommune"].sort_values("name")
    return [{"label": f"{r.name} ({r.code}), {fylker.get(r.parent_code, '')}".rstrip(", "), "value": r.code,
             "search": f"{r.name} {r.code}"} for r in k.itertuples()]


def kommune_search(page: str, label: str = "Finn kommune (navn eller kommunenummer)", target: str = "kommune"):
    control_id = {"type": "kommune-search", "page": page, "target": target}
    # The <label> wraps the dropdown so its button gets the label as accessible name.
    return html.Label([
        html.Span(label, className="control-label", id=name_id(control_id)),
        dcc.Dropdown(id=control_id, options=kommune_options(), placeholder="Skriv for eksempel «Bergen» eller «4601»",
                     clearable=True, searchable=True, className="kommune-search",
                     labels=DROPDOWN_LABELS),
    ], className="search-box control")


@callback(Output(NAV_URL, "href", allow_duplicate=True),
          Input({"type": "kommune-search", "page": ALL, "target": ALL}, "value"),
          prevent_initial_call=True)
def go_to_kommune(values):
    trig = ctx.triggered_id
    if not trig:
        return no_update
    for item, value in zip(ctx.inputs_list[0], values):
        if item["id"] == trig and value:
            return f"/{trig['target']}/{value}"
    return no_update
