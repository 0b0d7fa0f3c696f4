"""The OpenAPI 3.1 description of the open data API (served at ``/api/v1/openapi.json``), in bokmål for the
people who read it; field names are the API's own. Checked by openapi-spec-validator in tests/test_open_api.py,
and every JSON answer there is validated against the schemas here."""
from __future__ import annotations

from functools import lru_cache

from components import api_rows

VERSION = "1.0.0"
_STR, _INT, _NUM = {"type": "string"}, {"type": "integer"}, {"type": "number"}


def _nullable(schema: dict) -> dict:
    return {**schema, "type": [schema["type"], "null"]}


def _obj(props: dict, required=None) -> dict:
    return {"type": "object", "properties": props, "required": list(required or props),
            "additionalProperties": False}


VALUE_SCHEMA = _obj({
    "indicator_id": {**_STR, "description": "Indikatorens id (se /indicators)"},
    "indicator": {**_STR, "description": "Indikatorens tittel"},
    "geo_code": {**_STR, "description": "Enhetsnummer: 0 landet, to sifre fylke, fire sifre kommune"},
    "geo_name": _STR,
    "geo_level": {"enum": list(api_rows.LEVELS)},
    "period": {**_STR, "description": "Periode slik utgiveren oppgir den (år, skoleår, treårsperiode, kull)"},
    "breakdown": {**_STR, "description": "Tom for totalen, ellers gruppen, f.eks. kjonn=kvinner"},
    "value": {**_nullable(_NUM), "description": "Tallet; null når det ikke er publisert (se status_reason)"},
    "unit": _STR,
    "numerator": _nullable(_NUM), "denominator": _nullable(_NUM),
    "ci_low": {**_nullable(_NUM), "description": "95 % konfidensintervall (Wilson) der tellere finnes"},
    "ci_high": _nullable(_NUM),
    "comparison": {"enum": ["", "better", "similar", "worse", "higher", "lower"],
                   "description": "Mot landet samme periode; tom når ikke vurdert"},
    "comparison_nb": {**_STR, "description": "Sammenligningen med landet i ord, som på sidene"},
    "status": {**_STR, "description": "Utgiverens symbol når tallet mangler (.., ., :, *)"},
    "status_reason": {**_STR, "description": "Hvorfor tallet mangler, i ord; tom når tallet finnes"},
    "note": {**_STR, "description": "Merknad til tallet (f.eks. hvordan det er avledet)"},
    "borders": {"enum": list(api_rows.BORDERS)},
    "geo_vintage": {**_nullable(_INT), "description": "Inndelingsåret for tall på datidens grenser"},
    "source_tables": {**_STR, "description": "Kildetabeller, kommaseparert (kilde/tabell)"},
    "publisher": {**_STR, "description": "Utgiverne, skilt med « | »"},
    "licence": {**_STR, "description": "Utgivernes lisenser, skilt med « | »"},
})
INDICATOR_SCHEMA = _obj({
    "indicator_id": _STR, "title": _STR, "short_title": _STR, "description": _STR, "definition": _STR,
    "topic": _STR, "unit": _STR, "unit_short": _STR, "decimals": _INT,
    "polarity": {"enum": ["high_bad", "high_good", "neutral"]},
    "period_type": _STR, "levels": {"type": "array", "items": {"enum": list(api_rows.LEVELS)}},
    "periods": {"type": "array", "items": _STR, "description": "Periodene databasen har på dagens grenser"},
    "breakdowns": {"type": "array", "items": _STR},
    "source_tables": _STR, "publisher": _STR, "licence": _STR, "note": _STR, "appendix": _STR,
})
UNIT_SCHEMA = _obj({"geo_code": _STR, "geo_name": _STR, "geo_level": {"enum": list(api_rows.LEVELS)},
                    "parent_code": _STR})
COMPARATOR_SCHEMA = _obj({"code": _STR, "set": {"enum": list(api_rows.COMPARATOR_SETS_NB)}, "set_nb": _STR,
                          "rank": _INT, "member_code": _STR, "member_name": _STR,
                          "distance": _nullable(_NUM)})
REFRESH_SCHEMA = _obj({"refreshed_at": _nullable(_STR), "mode": _nullable(_STR), "tables": _nullable(_INT),
                       "rows": _nullable(_INT), "seconds": _nullable(_NUM), "summary": _nullable(_STR)})
CARD_SCHEMA = {"type": "object", "properties": {f: {} for f in api_rows.CARD_FIELDS}}
PAGING_SCHEMA = _obj({"total": _INT, "offset": _INT, "limit": _INT, "returned": _INT, "next": _nullable(_STR)})
ERROR_SCHEMA = _obj({"error": _obj({"status": _INT, "message": _STR, "parameter": _STR,
                                    "allowed": {"type": "array", "items": _STR}}, required=["status", "message"])})


def _page(item: str, extra: dict | None = None) -> dict:
    props = {"data": {"type": "array", "items": {"$ref": f"#/components/schemas/{item}"}},
             "paging": {"$ref": "#/components/schemas/Paging"}, **(extra or {})}
    return _obj(props, required=["data", "paging"])


def _param(name: str, description: str, schema=None, where: str = "query", required: bool = False) -> dict:
    return {"name": name, "in": where, "required": required, "description": description,
            "schema": schema or _STR}


def _list_param(name: str, description: str) -> dict:
    return {**_param(name, description + " Flere verdier med komma eller gjentatt parameter.",
                     {"type": "array", "items": _STR}), "style": "form", "explode": False}


FORMAT = _param("format", "json (standard), csv (komma, desimalpunktum, UTF-8) eller excel-csv (semikolon, "
                "desimalkomma, UTF-8 med BOM: åpnes riktig i norsk Excel med dobbeltklikk).",
                {"enum": ["json", "csv", "excel-csv"], "default": "json"})
LIMIT = _param("limit", "Høyst så mange rader per kall (standard 1000, høyst 10000).",
               {"type": "integer", "minimum": 1, "maximum": 10000, "default": 1000})
OFFSET = _param("offset", "Hopp over så mange rader (bla videre; se paging.next eller Link-headeren).",
                {"type": "integer", "minimum": 0, "default": 0})
COMMON = [FORMAT, LIMIT, OFFSET]


def _responses(schema: str, csv: bool = True) -> dict:
    content = {"application/json": {"schema": {"$ref": f"#/components/schemas/{schema}"}}}
    if csv:
        content["text/csv"] = {"schema": _STR}
    headers = {name: {"description": text, "schema": _STR} for name, text in (
        ("ETag", "Endres når databasen oppdateres; send If-None-Match for 304"),
        ("Last-Modified", "Når databasefilen sist ble byttet ut"),
        ("X-Total-Count", "Antall rader filteret gir, alle sider"),
        ("Link", "rel=\"next\" når det finnes flere rader"))}
    return {"200": {"description": "OK", "headers": headers, "content": content},
            "304": {"description": "Uendret siden forrige nedlasting (ETag / Last-Modified)"},
            "400": {"description": "Ugyldig parameter", "content": {"application/json": {
                "schema": {"$ref": "#/components/schemas/Error"}}}},
            "503": {"description": "Databasen kan ikke leses akkurat nå", "content": {"application/json": {
                "schema": {"$ref": "#/components/schemas/Error"}}}}}


def _get(summary: str, description: str, params: list, schema: str, csv: bool = True, op: str = "") -> dict:
    return {"get": {"operationId": op, "summary": summary, "description": description, "parameters": params,
                    "responses": _responses(schema, csv)}}


@lru_cache(maxsize=1)
def spec() -> dict:
    """The whole description (static: it names parameters, not the database's contents)."""
    return {
        "openapi": "3.1.0",
        "info": {"title": "Innenfor – åpne data", "version": VERSION,
                 "description": "Indikatorer om utenforskap i kommuner, fylker og landet, bygget fra offentlige "
                                "tall fra SSB, Udir, FHI, NAV og IMDi. Hver rad oppgir periode, kildetabell og "
                                "lisens, og status og forklaring når tallet mangler. Skjermede tall er aldri 0.",
                 "license": {"name": "Tallene har utgivernes lisens (se feltet licence)",
                             "identifier": "CC-BY-4.0"}},
        "servers": [{"url": "/api/v1"}],
        "paths": {
            "/indicators": _get("Indikatorene", "Definisjon, enhet, retning (polarity), kildetabeller, lisens, "
                                "perioder og nivåer.",
                                [_list_param("indicator", "Bare disse indikatorene."), *COMMON], "IndicatorPage",
                                op="indicators"),
            "/values": _get("Tallene", "Verdier filtrert på indikator, nivå, enhet, periode og grenser. "
                            "period=siste gir nyeste periode for hver indikator og hvert nivå (samme periode "
                            "for alle enheter, som kartet); enheter uten rad i den perioden er ikke med.",
                            [_list_param("indicator", "Indikator-id (se /indicators)."),
                             _list_param("level", "land, fylke eller kommune."),
                             _list_param("code", "Enhetsnummer, f.eks. 0 (landet), 03, 0301."),
                             _list_param("period", "Perioder slik de står i /indicators, eller siste."),
                             _param("borders", "2024 (dagens grenser, standard) eller as_published "
                                    "(grensene da tallene ble publisert).",
                                    {"enum": list(api_rows.BORDERS), "default": "2024"}),
                             _list_param("breakdown", "total (standard), alle, eller grupper som kjonn=kvinner."),
                             *COMMON], "ValuePage", op="values"),
            "/units": _get("Enhetene", "Landet, fylkene og kommunene i dagens inndeling (2024).",
                           [_list_param("level", "land, fylke eller kommune."), *COMMON], "UnitPage", op="units"),
            "/comparators/{code}": _get("Sammenligningsgrupper", "Kommunene siden Sammenlign tilbyr for en "
                                        "kommune: naboer, samme fylke, lik størrelse, lignende kommuner.",
                                        [_param("code", "Kommunenummer (fire sifre).", where="path",
                                                required=True),
                                         _list_param("set", "naboer, fylke, storrelse eller lignende."), *COMMON],
                                        "ComparatorPage", op="comparators"),
            "/refresh-log": _get("Oppdateringer", "Databasens oppdateringer, nyeste først; i JSON også "
                                 "utfallet per kildetabell når databasen har det (refresh_cards).",
                                 [_param("table", "Tabellen CSV-svaret gir.",
                                         {"enum": ["refresh_log", "refresh_cards"], "default": "refresh_log"}),
                                  *COMMON], "RefreshPage", op="refreshLog"),
            "/openapi.json": {"get": {"operationId": "openapi", "summary": "Denne beskrivelsen",
                                      "responses": {"200": {"description": "OpenAPI 3.1",
                                                            "content": {"application/json": {}}}}}},
        },
        "components": {"schemas": {
            "Value": VALUE_SCHEMA, "Indicator": INDICATOR_SCHEMA, "Unit": UNIT_SCHEMA,
            "Comparator": COMPARATOR_SCHEMA, "Refresh": REFRESH_SCHEMA, "RefreshCard": CARD_SCHEMA,
            "Paging": PAGING_SCHEMA, "Error": ERROR_SCHEMA,
            "ValuePage": _page("Value"), "IndicatorPage": _page("Indicator"), "UnitPage": _page("Unit"),
            "ComparatorPage": _page("Comparator"),
            "RefreshPage": _obj({
                "data": {"type": "array", "items": {"anyOf": [{"$ref": "#/components/schemas/Refresh"},
                                                              {"$ref": "#/components/schemas/RefreshCard"}]}},
                "refresh_cards": {"type": "array", "items": {"$ref": "#/components/schemas/RefreshCard"}},
                "paging": {"$ref": "#/components/schemas/Paging"}}, required=["data", "paging"]),
        }},
    }


def index(prefix: str) -> dict:
    return {"name": "Innenfor – åpne data", "version": VERSION, "openapi": f"{prefix}/openapi.json",
            "documentation": "/api",
            "endpoints": {path: f"{prefix}{path}" for path in spec()["paths"]}}
