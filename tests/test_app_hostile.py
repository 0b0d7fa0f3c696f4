"""Hostile HTTP input against the real app (Flask test client, real offline build): unknown and malformed
kommune codes, SQL fragments, very long and non-ASCII lists, bad indicator ids, and garbage sent to the Dash
callback endpoint. Never a 500, never a traceback, and no SQL built from user input."""
from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CALLBACK = "/_dash-update-component"


@pytest.fixture(scope="module")
def client(built_db):
    old = os.environ.get("INNENFOR_DB")
    os.environ["INNENFOR_DB"] = str(built_db)
    import app

    yield app.server.test_client()
    if old is None:
        os.environ.pop("INNENFOR_DB", None)
    else:
        os.environ["INNENFOR_DB"] = old


def _page(client, path: str, search: str = "") -> dict:
    """What Dash Pages renders for a URL: the callback the browser sends after loading the shell."""
    body = {"output": ".._pages_content.children..._pages_store.data..",
            "outputs": [{"id": "_pages_content", "property": "children"},
                        {"id": "_pages_store", "property": "data"}],
            "inputs": [{"id": "_pages_location", "property": "pathname", "value": path},
                       {"id": "_pages_location", "property": "search", "value": search}],
            "state": [], "changedPropIds": ["_pages_location.pathname"]}
    r = client.post(CALLBACK, json=body)
    assert r.status_code == 200, r.data[:300]
    return r.get_json()["response"]["_pages_content"]["children"]


def _find(tree, ident):
    """The component with this id in a serialised layout."""
    if isinstance(tree, dict):
        if tree.get("props", {}).get("id") == ident:
            return tree["props"]
        for v in tree.values():
            found = _find(v, ident)
            if found is not None:
                return found
    elif isinstance(tree, list):
        for v in tree:
            found = _find(v, ident)
            if found is not None:
                return found
    return None


def _text(tree) -> str:
    return json.dumps(tree, ensure_ascii=False)


@pytest.mark.parametrize("url", [
    "/kommune/9999", "/kommune/0301'%20OR%201=1--", "/kommune/0301%3B%20DROP%20TABLE%20geo_units",
    "/kommune/0301?med=0301;DROP%20TABLE%20x", "/kommune/0301?med=%C3%B8,%F0%9F%99%82", "/kommune/%00",
    "/kommune/0301?ind=%27%20OR%201=1", "/profil/abc", "/kart?ind=%27&niva=land&periode=%F0%9F%99%82",
    "/geo/..%2f..%2fapp.geojson", "/geo/nope.geojson", "/" + "a" * 3000,
    "/_dash-component-suites/dash/dcc/nope.js", "/_dash-component-suites/dash/../../app.py",
])
def test_hostile_urls_never_fail(client, url):
    r = client.get(url)
    assert r.status_code in (200, 404), (url, r.status_code)
    assert b"Traceback" not in r.data


@pytest.mark.parametrize("path", ["/kommune/9999", "/kommune/0301' OR 1=1--", "/kommune/\u00f8\U0001F642",
                                  "/kommune/" + "1" * 5000])
def test_unknown_kommune_is_a_friendly_page(client, path):
    text = _text(_page(client, path))
    assert "Fant ikke kommunen" in text


def test_sql_fragment_in_comparators_is_just_an_unknown_code(client, db_con):
    before = db_con.execute("SELECT count(*) FROM indicator_values").fetchone()[0]
    layout = _page(client, "/kommune/0301", "?med=0301;DROP TABLE indicator_values")
    assert _find(layout, "cmp-med")["value"] == []
    assert db_con.execute("SELECT count(*) FROM indicator_values").fetchone()[0] == before


def test_five_thousand_comparators_keep_only_real_kommuner(client):
    codes = [str(i).zfill(4) for i in range(5000)]
    layout = _page(client, "/kommune/0301", "?med=" + ",".join(codes))
    chosen = _find(layout, "cmp-med")["value"]
    # 0301 Oslo is the kommune itself; 3201 Bærum and 4601 Bergen are real 2024 kommuner; 0101 Halden's old
    # number is not one any more (3101 since 2024); 5001 Trondheim is outside 0000-4999.
    assert "0301" not in chosen and {"3201", "4601", "3101"} <= set(chosen)
    assert "0101" not in chosen and "5001" not in chosen
    assert all(re.fullmatch(r"\d{4}", c) for c in chosen) and len(chosen) < 357


def test_non_ascii_and_bad_indicators_fall_back(client):
    layout = _page(client, "/kommune/0301", "?med=\u00f8,\U0001F642&ind=\u00f8,'--,neet_15_29,<script>")
    assert _find(layout, "cmp-med")["value"] == []
    assert _find(layout, "cmp-ind")["value"] == ["neet_15_29"]
    layout = _page(client, "/kommune/0301", "?ind=%27%3B--&sett=DROP")
    assert len(_find(layout, "cmp-ind")["value"]) == 6 and _find(layout, "cmp-sett")["value"] == "naboer"


def _render_body(knr, med, inds, sett="naboer"):
    return {"output": "..cmp-out.children...cmp-url.pathname...cmp-url.search...cmp-title.children..",
            "outputs": [{"id": "cmp-out", "property": "children"}, {"id": "cmp-url", "property": "pathname"},
                        {"id": "cmp-url", "property": "search"}, {"id": "cmp-title", "property": "children"}],
            "inputs": [{"id": "cmp-kommune", "property": "value", "value": knr},
                       {"id": "cmp-med", "property": "value", "value": med},
                       {"id": "cmp-ind", "property": "value", "value": inds},
                       {"id": "cmp-sett", "property": "value", "value": sett}],
            "state": [{"id": "cmp-url", "property": "pathname", "value": "/kommune/0301"},
                      {"id": "cmp-url", "property": "search", "value": ""}],
            "changedPropIds": ["cmp-kommune.value"]}


def _map_body(ind, niva, periode):
    return {"output": "..map-graph.figure...map-info.children...map-table.children...map-url.search..",
            "outputs": [{"id": "map-graph", "property": "figure"}, {"id": "map-info", "property": "children"},
                        {"id": "map-table", "property": "children"}, {"id": "map-url", "property": "search"}],
            "inputs": [{"id": "map-ind", "property": "value", "value": ind},
                       {"id": "map-niva", "property": "value", "value": niva},
                       {"id": "map-periode", "property": "value", "value": periode}],
            "state": [{"id": "map-url", "property": "search", "value": ""}], "changedPropIds": ["map-ind.value"]}


def test_real_callback_requests_succeed(client):
    r = client.post(CALLBACK, json=_render_body("4601", ["4602"], ["neet_15_29"]))
    assert r.status_code == 200
    out = r.get_json()["response"]
    assert out["cmp-title"]["children"] == "Sammenlign Bergen"
    assert out["cmp-url"]["search"] == "?med=4602&sett=naboer&ind=neet_15_29"
    r = client.post(CALLBACK, json=_map_body("neet_15_29", "kommune", "2024"))
    assert r.status_code == 200 and "Bergen" in r.get_data(as_text=True)


GARBAGE = [
    b"", b"not json", b"[]", b"null", b'"x"', b"{}", b'{"output": 5}', b'{"output": "nope.children"}',
    json.dumps({"output": "cmp-sett.options"}).encode(),
    json.dumps({"output": "cmp-sett.options", "outputs": {"id": "cmp-sett", "property": "options"},
                "inputs": "x"}).encode(),
    json.dumps({"output": "cmp-sett.options", "outputs": {"id": "cmp-sett", "property": "options"},
                "inputs": [1, 2, 3]}).encode(),
    json.dumps({"output": "cmp-sett.options", "outputs": {"id": "cmp-sett", "property": "options"},
                "inputs": [{"id": "cmp-kommune", "property": "value", "value": "0301"}],
                "changedPropIds": [{"a": 1}]}).encode(),
    json.dumps({**_render_body("0301", [], []), "outputs": [{"id": "x", "property": "y"}]}).encode(),
    json.dumps({**_render_body("0301", [], []), "inputs": []}).encode(),
    json.dumps({**_render_body("0301", [], []), "state": None}).encode(),
    "{\"output\": \"\u00f8\U0001F642\"}".encode(),
]


@pytest.mark.parametrize("raw", GARBAGE, ids=range(len(GARBAGE)))
def test_garbage_callback_bodies_are_rejected(client, raw):
    r = client.post(CALLBACK, data=raw, content_type="application/json")
    assert r.status_code == 400, (raw, r.status_code, r.data[:200])
    assert b"Traceback" not in r.data


WRONG_VALUES = [
    _render_body({"a": 1}, [], ["neet_15_29"]), _render_body("0301", "0301", ["neet_15_29"]),
    _render_body("0301", [{"x": 1}], ["neet_15_29"]), _render_body("0301", [], 5),
    _render_body("0301' OR 1=1--", ["0301;DROP TABLE x"], ["neet_15_29"]), _render_body(["0301"], None, None),
    _render_body("0301", [str(i).zfill(4) for i in range(5000)], ["neet_15_29"]),
    _render_body("\u00f8", ["\U0001F642"], ["\u00f8"], sett={"x": 1}),
    _map_body(["x"], "kommune", "2024"), _map_body("neet_15_29", 5, {"x": 1}), _map_body("'--", "land", "1"),
    {"output": "cmp-sett.options", "outputs": {"id": "cmp-sett", "property": "options"},
     "inputs": [{"id": "cmp-kommune", "property": "value", "value": {"$ne": 1}}], "changedPropIds": []},
    {"output": "cmp-med.value", "outputs": {"id": "cmp-med", "property": "value"},
     "inputs": [{"id": "cmp-kommune", "property": "value", "value": "0301"},
                {"id": "cmp-sett", "property": "value", "value": ["naboer"]}], "changedPropIds": []},
]


@pytest.mark.parametrize("body", WRONG_VALUES, ids=range(len(WRONG_VALUES)))
def test_wrong_values_never_500(client, body):
    r = client.post(CALLBACK, json=body)
    assert r.status_code in (200, 204, 400), (r.status_code, r.data[:300])
    assert b"Traceback" not in r.data


def test_sql_fragments_reach_duckdb_only_as_parameters(client):
    from components import queries

    assert queries.code_change("0301' OR '1'='1").empty
    assert queries.values_for(["0301' OR '1'='1", "0301;DROP TABLE x"]).empty
    assert queries.map_values("x' OR 1=1--", "kommune", "2024").empty


def test_oversized_callback_body_is_refused(client):
    r = client.post(CALLBACK, data=b"{" + b" " * 2_000_000 + b"}", content_type="application/json")
    assert r.status_code == 413


def test_no_sql_built_from_values():
    """Every f-string handed to query()/execute() in the app interpolates only fixed column lists and
    placeholder strings ("?, ?, ?"), never a value."""
    allowed = {"VALUE_COLUMNS", "marks", "bmarks",
               "where", "source"}  # api_rows: fixed column names and "?" only (tests/test_open_api.py checks)
    files = [*ROOT.glob("pages/*.py"), *ROOT.glob("components/*.py"), ROOT / "app.py"]
    found = []
    for f in files:
        text = f.read_text()
        for m in re.finditer(r"(?:query|execute)\(\s*f(\"\"\"|\"|')(.*?)\1", text, re.S):
            names = set(re.findall(r"\{([^}]*)\}", m.group(2)))
            found.append(f.name)
            assert names <= allowed, (f.name, names - allowed)
    assert "queries.py" in found  # the pattern did match the real f-string queries


def test_production_answers(client):
    import app

    assert app.server.debug is False
    r = client.get("/", headers={"Accept-Encoding": "gzip"})
    assert r.headers["Content-Encoding"] == "gzip"
    r = client.post(CALLBACK, json=_render_body("4601", ["4602"], ["neet_15_29"]),
                    headers={"Accept-Encoding": "br"})
    assert r.headers["Content-Encoding"] == "br"


def test_range_request_is_not_cached_as_the_whole_file(client):
    whole = (ROOT / "data" / "geo" / "fylker-2024.geojson").read_bytes()
    part = client.get("/geo/fylker-2024.geojson", headers={"Range": "bytes=0-99", "Accept-Encoding": "gzip"})
    assert part.status_code == 206
    import gzip

    full = client.get("/geo/fylker-2024.geojson", headers={"Accept-Encoding": "gzip"})
    assert full.status_code == 200 and gzip.decompress(full.data) == whole
    again = client.get("/geo/fylker-2024.geojson", headers={"Accept-Encoding": "gzip"})
    assert again.data == full.data
