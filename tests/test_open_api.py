"""The open data API against the real offline build: every endpoint's figures equal the database's own rows and
the pages' figures; the OpenAPI description is valid 3.1 and describes every JSON answer; the Excel CSV is what
a Norwegian Excel expects; ETag / Last-Modified follow the database file; CORS is open on /api/ only; hostile
parameters get a 400 in JSON, never a 500; and the examples on the «API» page run (pandas, curl) and give the
numbers the page shows."""
from __future__ import annotations

import contextlib
import csv
import io
import json
import math
import os
import re
import shlex
import shutil
import subprocess
import threading
import time
from pathlib import Path

import pandas as pd
import pytest

from tests.app_support import walk

V = "/api/v1"


@pytest.fixture(scope="module")
def client(app_db):
    import app

    return app.server.test_client()


@pytest.fixture(scope="module")
def spec(client):
    return client.get(f"{V}/openapi.json").get_json()


def _json(client, url: str, status: int = 200) -> dict:
    r = client.get(url)
    assert r.status_code == status, (url, r.status_code, r.data[:300])
    assert r.mimetype == "application/json"
    return r.get_json()


def _all_rows(client, url: str, limit: int = 10000) -> tuple[list[dict], int]:
    """Every row of a query, following paging.next like a client would."""
    rows, page = [], _json(client, f"{url}&limit={limit}")
    total = page["paging"]["total"]
    rows += page["data"]
    while page["paging"]["next"]:
        nxt = page["paging"]["next"].replace("http://localhost", "")
        page = _json(client, nxt)
        rows += page["data"]
    return rows, total


def _same(a, b) -> bool:
    if a is None or (isinstance(a, float) and math.isnan(a)):
        return b is None or (isinstance(b, float) and math.isnan(b))
    return a == b


# --- the description ------------------------------------------------------------------------------------------

def test_openapi_description_is_valid_3_1(spec):
    from openapi_spec_validator import validate
    from openapi_spec_validator.validation.exceptions import OpenAPIValidationError

    validate(spec)  # raises on an invalid description
    assert spec["openapi"].startswith("3.1")
    broken = json.loads(json.dumps(spec))
    broken["paths"]["/values"]["get"]["parameters"][0]["in"] = "body"  # not a 3.1 location: must be caught
    with pytest.raises(OpenAPIValidationError):
        validate(broken)


def _validator(spec, name: str):
    from jsonschema import Draft202012Validator

    return Draft202012Validator({"$ref": f"#/components/schemas/{name}", "components": spec["components"]})


@pytest.mark.parametrize("url, schema", [
    (f"{V}/indicators", "IndicatorPage"),
    (f"{V}/values?indicator=neet_15_29&level=kommune&period=siste", "ValuePage"),
    (f"{V}/values?indicator=spesialundervisning&period=siste", "ValuePage"),
    (f"{V}/values?indicator=neet_15_29&borders=as_published&breakdown=alle&limit=3000", "ValuePage"),
    (f"{V}/values?indicator=gjennomforing_vgo_kommune&level=fylke", "ValuePage"),
    (f"{V}/units", "UnitPage"),
    (f"{V}/comparators/4601", "ComparatorPage"),
    (f"{V}/refresh-log", "RefreshPage"),
    (f"{V}/values?level=fylkesnivå", "Error"),
])
def test_every_json_answer_is_described_by_the_openapi_schemas(client, spec, url, schema):
    r = client.get(url)
    body = r.get_json()
    errors = sorted(_validator(spec, schema).iter_errors(body), key=str)
    assert not errors, errors[:3]
    assert (r.status_code == 400) == (schema == "Error")
    if schema != "Error":
        assert body["data"], url


def test_description_lists_every_endpoint_the_server_has(client, spec, app_db):
    import app

    served = {re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", r.rule)[len(V):] for r in app.server.url_map.iter_rules()
              if r.rule.startswith(V + "/") and "_rest" not in r.rule}
    assert served - {"/"} == set(spec["paths"])
    assert set(_json(client, f"{V}/")["endpoints"]) == set(spec["paths"])


# --- figures against the database -----------------------------------------------------------------------------

VALUE_SQL = """SELECT indicator_id, geo_code, geo_level, period, breakdown, value, numerator, denominator, ci_low,
                      ci_high, comparison, status, status_nb, borders, flag_nb FROM indicator_values"""


@pytest.mark.parametrize("query, where", [
    ("indicator=neet_15_29&level=kommune&period=2024",
     "indicator_id = 'neet_15_29' AND geo_level = 'kommune' AND period = '2024' AND borders = '2024' "
     "AND breakdown = ''"),
    ("indicator=spesialundervisning", "indicator_id = 'spesialundervisning' AND borders = '2024' AND breakdown = ''"),
    ("indicator=psykiske_plager_ungdom&breakdown=kjonn=jenter&code=0,4601",
     "indicator_id = 'psykiske_plager_ungdom' AND breakdown = 'kjonn=jenter' AND geo_code IN ('0', '4601') "
     "AND borders = '2024'"),
    ("indicator=frafall_vgo&borders=as_published&breakdown=alle",
     "indicator_id = 'frafall_vgo' AND borders = 'as_published'"),
    ("level=fylke&period=2024-25,2025-26", "geo_level = 'fylke' AND period IN ('2024-25', '2025-26') "
                                           "AND borders = '2024' AND breakdown = ''"),
])
def test_values_are_the_databases_rows(client, db_con, query, where):
    rows, total = _all_rows(client, f"{V}/values?{query}", limit=700)
    expected = db_con.execute(f"{VALUE_SQL} WHERE {where}").df()
    assert total == len(expected) == len(rows) > 0
    got = {(r["indicator_id"], r["geo_code"], r["period"], r["breakdown"]): r for r in rows}
    assert len(got) == len(rows)  # paging neither repeats nor skips a row
    for e in expected.to_dict("records"):
        r = got[(e["indicator_id"], e["geo_code"], e["period"], e["breakdown"])]
        for field in ("value", "numerator", "denominator", "ci_low", "ci_high"):
            assert _same(r[field], None if pd.isna(e[field]) else float(e[field])), (field, r, e)
        assert r["geo_level"] == e["geo_level"] and r["borders"] == e["borders"]
        assert r["status"] == (e["status"] if isinstance(e["status"], str) else "")
        if r["value"] is None:  # a missing figure always says why, in the build's words where it has them
            assert r["status_reason"]
            if isinstance(e["status_nb"], str) and e["status_nb"]:
                assert r["status_reason"] == e["status_nb"]
        else:
            assert r["status_reason"] == ""
        assert r["note"] == (e["flag_nb"] if isinstance(e["flag_nb"], str) else "")
        if e["geo_level"] != "land":
            assert r["comparison"] == (e["comparison"] if isinstance(e["comparison"], str) else "")


def test_a_suppressed_figure_is_empty_with_the_publishers_reason(client, db_con):
    """Eigersund (1101), special education 2025-26: Udir's «*» (fewer than 10 pupils), never 0."""
    body = _json(client, f"{V}/values?indicator=spesialundervisning&code=1101&period=2025-26")
    [row] = body["data"]
    meaning = db_con.execute("SELECT meaning_nb FROM status_codes WHERE source = 'udir' AND symbol = '*'").fetchone()[0]
    assert row["value"] is None and row["numerator"] is None and row["status"] == "*"
    assert row["status_reason"] == meaning
    assert row["source_tables"] == "udir/GSK-GSI" and row["licence"] == "NLOD" and row["period"] == "2025-26"


def test_every_row_names_its_sources_and_licence_as_provenance_does(client, db_con):
    prov = db_con.execute("SELECT source || '/' || table_id AS key, licence, publisher FROM provenance").df()
    licence, publisher = dict(zip(prov["key"], prov["licence"])), dict(zip(prov["key"], prov["publisher"]))
    meta = db_con.execute("SELECT indicator_id, sources FROM indicators").df()
    indicators = {r["indicator_id"]: r for r in _json(client, f"{V}/indicators")["data"]}
    assert set(indicators) == set(meta["indicator_id"])
    for ind, sources in zip(meta["indicator_id"], meta["sources"]):
        keys = sources.split(",")
        assert indicators[ind]["source_tables"] == sources
        assert set(indicators[ind]["licence"].split(" | ")) == {licence[k] for k in keys}
        assert set(indicators[ind]["publisher"].split(" | ")) == {publisher[k] for k in keys}
        rows = _json(client, f"{V}/values?indicator={ind}&limit=50")["data"]
        assert rows and all(r["source_tables"] == sources and r["licence"] == indicators[ind]["licence"]
                            for r in rows)


def test_indicator_metadata_and_periods_are_the_databases(client, db_con):
    body = {r["indicator_id"]: r for r in _json(client, f"{V}/indicators")["data"]}
    meta = db_con.execute("SELECT * FROM indicators").df()
    for m in meta.to_dict("records"):
        got = body[m["indicator_id"]]
        assert (got["title"], got["unit"], got["polarity"], got["decimals"], got["period_type"]) == (
            m["title_nb"], m["unit"], m["polarity"], m["decimals"], m["period_type"])
        assert got["levels"] == m["levels"].split(",") and got["definition"] == m["definition_nb"].strip()
        periods = db_con.execute("SELECT DISTINCT period FROM indicator_values WHERE indicator_id = ? AND "
                                 "borders = '2024' ORDER BY 1", [m["indicator_id"]]).df()["period"].tolist()
        assert got["periods"] == periods


def test_latest_is_the_period_the_map_opens_with(client, db_con, app_db):
    from components import queries

    latest = db_con.execute("""SELECT indicator_id, geo_level, max(period) AS period, count(*) AS n
                               FROM indicator_values v WHERE borders = '2024' AND breakdown = ''
                               AND period = (SELECT max(period) FROM indicator_values w WHERE
                                             w.indicator_id = v.indicator_id AND w.geo_level = v.geo_level
                                             AND w.borders = '2024' AND w.breakdown = '')
                               GROUP BY ALL""").df()
    rows, total = _all_rows(client, f"{V}/values?period=siste")
    assert total == latest["n"].sum()
    got = {}
    for r in rows:
        got.setdefault((r["indicator_id"], r["geo_level"]), set()).add(r["period"])
    for m in latest.itertuples():
        assert got[(m.indicator_id, m.geo_level)] == {m.period}
        assert queries.map_periods(m.indicator_id, m.geo_level)[0] == m.period


def test_api_figures_equal_the_profile_pages_figures(client, app_db):
    """Oslo's profile table (what a visitor reads) against the API, indicator by indicator, as the page words it."""
    from components import fmt, queries
    from pages import profile

    meta = queries.indicators()
    by_title = {m.short_title_nb: m for m in meta.itertuples()}
    units = queries.geo_units().set_index("code")
    _, table = profile.barometer_rows("0301", units.loc["0301", "parent_code"], meta,
                                      queries.latest_with_spread("0301"), {})
    assert len(table) >= 5  # the offline snapshot has six indicators for Oslo
    for short, period, own_text, fylke_text, norge_text, *_ in table:
        m = by_title[short]
        rows = _json(client, f"{V}/values?indicator={m.indicator_id}&code=0301,0&period={period}")["data"]
        api = {r["geo_code"]: fmt.value_text(r["value"], m.decimals, m.unit_short, r["status"] or None,
                                             r["status_reason"]) for r in rows}
        assert api["0301"] == own_text, (short, period)
        if "0" in api:
            assert api["0"] == norge_text, (short, period)


def test_comparators_are_the_compare_pages_sets(client, db_con):
    body = _json(client, f"{V}/comparators/4601")["data"]
    expected = db_con.execute("""SELECT kind, member_code FROM comparator_sets WHERE code = '4601'
                                 AND member_code <> '4601' ORDER BY kind, rank, member_code""").df()
    got = {}
    for r in body:
        got.setdefault(r["set"], []).append((r["rank"], r["member_code"]))
    for kind, members in expected.groupby("kind", sort=False):
        assert [m for _, m in sorted(got[kind])] == members["member_code"].tolist()
    assert {r["member_name"] for r in body if r["member_code"] == "4627"} == {"Askøy"}
    only = _json(client, f"{V}/comparators/4601?set=naboer")["data"]
    assert only and {r["set"] for r in only} == {"naboer"}


def test_units_are_todays_division(client, db_con):
    rows = _json(client, f"{V}/units?level=kommune")["data"]
    assert len(rows) == 357
    assert {r["geo_code"] for r in rows} == set(db_con.execute(
        "SELECT code FROM geo_units WHERE level = 'kommune'").df()["code"])


def _copy_db(built_db, tmp_path) -> Path:
    copy = tmp_path / "copy.duckdb"
    shutil.copy2(built_db, copy)
    return copy


def test_refresh_log_and_refresh_cards_when_the_build_has_them(client, db_con, built_db, tmp_path, monkeypatch):
    body = _json(client, f"{V}/refresh-log")
    logged = db_con.execute("SELECT mode, tables, rows FROM refresh_log ORDER BY refreshed_at DESC").df()
    assert [(r["mode"], r["tables"], r["rows"]) for r in body["data"]] == list(
        zip(logged["mode"], logged["tables"].astype(int), logged["rows"].astype(int)))
    has_cards = db_con.execute("SELECT count(*) FROM information_schema.tables "
                               "WHERE table_name = 'refresh_cards'").fetchone()[0]
    assert ("refresh_cards" in body) == bool(has_cards)

    from loaders import db

    copy = _copy_db(built_db, tmp_path)
    con = db.connect(copy)
    con.execute("DROP TABLE IF EXISTS refresh_cards")
    con.execute("""CREATE TABLE refresh_cards (refreshed_at TIMESTAMP, source VARCHAR, table_id VARCHAR,
                   outcome VARCHAR, reason VARCHAR, rows BIGINT, new_periods VARCHAR)""")
    con.execute("INSERT INTO refresh_cards VALUES ('2026-12-01 06:00', 'ssb', '13556', 'uendret', NULL, 125029, '')")
    con.close()
    monkeypatch.setenv("INNENFOR_DB", str(copy))
    body = _json(client, f"{V}/refresh-log")
    assert body["refresh_cards"] == [{"refreshed_at": "2026-12-01T06:00:00", "source": "ssb", "table_id": "13556",
                                      "outcome": "uendret", "reason": None, "rows": 125029, "new_periods": ""}]
    text = client.get(f"{V}/refresh-log?table=refresh_cards&format=csv").data.decode()
    assert text.splitlines()[1] == "2026-12-01 06:00:00,ssb,13556,uendret,,125029,"


# --- formats --------------------------------------------------------------------------------------------------

def test_excel_csv_is_semicolons_decimal_comma_and_a_bom(client):
    url = f"{V}/values?indicator=spesialundervisning&code=0,0301,1101&period=2025-26"
    js = {r["geo_code"]: r for r in _json(client, url)["data"]}
    r = client.get(url + "&format=excel-csv")
    assert r.status_code == 200 and r.headers["Content-Type"].startswith("text/csv; charset=utf-8")
    assert r.data.startswith(b"\xef\xbb\xbf") and b"\r\n" in r.data
    rows = list(csv.DictReader(io.StringIO(r.data.decode("utf-8-sig")), delimiter=";"))
    assert len(rows) == 3
    for row in rows:
        j = js[row["geo_code"]]
        if j["value"] is None:
            assert row["value"] == "" and row["status"] == "*" and row["status_reason"] == j["status_reason"]
        else:
            assert "." not in row["value"] and float(row["value"].replace(",", ".")) == j["value"]
            assert row["numerator"] == f"{j['numerator']}".replace(".", ",")
    plain = list(csv.DictReader(io.StringIO(client.get(url + "&format=csv").data.decode("utf-8"))))
    assert not client.get(url + "&format=csv").data.startswith(b"\xef\xbb\xbf")
    assert [float(p["value"]) if p["value"] else None for p in plain] == [js[p["geo_code"]]["value"] for p in plain]


def test_large_answers_are_compressed_and_keep_the_bom(client):
    import gzip

    url = f"{V}/values?indicator=neet_15_29&level=kommune&limit=5000"
    for fmt_, start in (("json", b"{"), ("excel-csv", b"\xef\xbb\xbf")):
        plain = client.get(f"{url}&format={fmt_}")
        packed = client.get(f"{url}&format={fmt_}", headers={"Accept-Encoding": "gzip"})
        assert packed.headers["Content-Encoding"] == "gzip" and len(packed.data) < len(plain.data) / 4
        assert gzip.decompress(packed.data) == plain.data and plain.data.startswith(start)
        assert packed.headers["ETag"] == plain.headers["ETag"]  # weak: the same tag for either encoding


def test_spreadsheet_formulas_are_not_passed_to_excel():
    from components.open_api import csv_bytes

    frame = pd.DataFrame({"a": ["=HYPERLINK(\"x\")", "-", "+1", "Oslo"], "b": [1.5, None, 2.0, 3.25]})
    rows = list(csv.reader(io.StringIO(csv_bytes(frame, excel=True).decode("utf-8-sig")), delimiter=";"))
    assert rows == [["a", "b"], ["'=HYPERLINK(\"x\")", "1,5"], ["-", ""], ["'+1", "2,0"], ["Oslo", "3,25"]]
    assert list(csv.reader(io.StringIO(csv_bytes(frame, excel=False).decode())))[1] == ['=HYPERLINK("x")', "1.5"]


# --- caching, CORS, paging ------------------------------------------------------------------------------------

def test_etag_and_last_modified_follow_the_database_file(client, built_db, tmp_path, monkeypatch):
    url = f"{V}/values?indicator=befolkning&level=fylke"
    first = client.get(url)
    etag, modified = first.headers["ETag"], first.headers["Last-Modified"]
    assert etag.startswith('W/"') and first.headers["Cache-Control"] == "no-cache"
    assert client.get(url, headers={"If-None-Match": etag}).status_code == 304
    assert client.get(url, headers={"If-None-Match": etag}).data == b""
    assert client.get(url, headers={"If-Modified-Since": modified}).status_code == 304
    assert client.get(url + "&code=03").headers["ETag"] != etag  # another question, another tag
    assert client.get(url, headers={"If-None-Match": etag.replace("W/", "")}).status_code == 304
    from components import api_rows

    def not_for_a_304(*_args):
        raise AssertionError("read the rows for a client that has them")

    with monkeypatch.context() as m:  # a 304 costs no reading
        m.setattr(api_rows, "value_page", not_for_a_304)
        assert client.get(url, headers={"If-None-Match": etag}).status_code == 304
    # a refresh swaps in a new file: same question, new tag, full answer
    copy = _copy_db(built_db, tmp_path)
    os.utime(copy, (time.time() + 5, time.time() + 5))
    monkeypatch.setenv("INNENFOR_DB", str(copy))
    again = client.get(url, headers={"If-None-Match": etag, "If-Modified-Since": modified})
    assert again.status_code == 200 and again.headers["ETag"] != etag and again.data == first.data
    # a bad parameter is a 400 even when the client sends a matching tag
    assert client.get(url + "&level=x", headers={"If-None-Match": "*"}).status_code == 400


def test_cors_is_open_on_the_api_only(client):
    r = client.get(f"{V}/units?level=land", headers={"Origin": "https://example.org"})
    assert r.headers["Access-Control-Allow-Origin"] == "*"
    assert "ETag" in r.headers["Access-Control-Expose-Headers"]
    pre = client.options(f"{V}/values", headers={"Origin": "https://example.org",
                                                 "Access-Control-Request-Method": "GET"})
    assert pre.status_code == 200 and pre.headers["Access-Control-Allow-Origin"] == "*"
    assert "POST" not in pre.headers["Access-Control-Allow-Methods"]
    assert "Access-Control-Allow-Origin" not in client.get("/om", headers={"Origin": "https://example.org"}).headers


def test_paging_links_walk_the_whole_answer(client):
    first = client.get(f"{V}/values?indicator=befolkning&level=kommune&limit=100")
    assert first.headers["X-Total-Count"] == "357"
    assert first.headers["Link"].endswith('rel="next"') and "offset=100" in first.headers["Link"]
    rows, total = _all_rows(client, f"{V}/values?indicator=befolkning&level=kommune", limit=100)
    assert total == 357 and len({r["geo_code"] for r in rows}) == 357
    last = client.get(f"{V}/values?indicator=befolkning&level=kommune&limit=100&offset=300&format=csv")
    assert "Link" not in last.headers and len(last.data.decode().strip().splitlines()) == 1 + 57
    past = _json(client, f"{V}/values?indicator=befolkning&offset=100000")
    assert past["data"] == [] and past["paging"]["total"] == 373 and past["paging"]["next"] is None


# --- hostile parameters ---------------------------------------------------------------------------------------

HOSTILE = [
    ("values?indicator=neet_15_29';DROP TABLE indicator_values;--", "indicator"),
    ("values?indicator=" + ",".join(f"x{i}" for i in range(500)), "indicator"),
    ("values?level=Kommune", "level"), ("values?level=", "level"), ("values?level=,,,", "level"),
    ("values?code=0301%00", "code"), ("values?code=abcd", "code"), ("values?code=12345", "code"),
    ("values?code=1201", "code"), ("values?code=9999", "code"), ("values?code=" + "1" * 5000, "code"),
    ("values?code=../../etc/passwd", "code"), ("values?code=%F0%9F%98%80", "code"),
    ("values?period=2099", "period"), ("values?period=siste,2099", "period"), ("values?period=1' OR '1'='1", "period"),
    ("values?borders=1990", "borders"), ("values?borders=2024&borders=as_published", "borders"),
    ("values?breakdown=kjonn=alle", "breakdown"), ("values?format=xlsx", "format"), ("values?format=", "format"),
    ("values?format=json&format=csv", "format"), ("values?limit=0", "limit"), ("values?limit=-5", "limit"),
    ("values?limit=10001", "limit"), ("values?limit=1e3", "limit"), ("values?limit=%EF%BC%91", "limit"),
    ("values?offset=abc", "offset"), ("values?offset=" + "9" * 40, "offset"),
    ("values?indikator=neet_15_29", "indikator"),
    ("indicators?indicator=nope", "indicator"), ("indicators?level=kommune", "level"),
    ("units?level=bydel", "level"), ("comparators/4601?set=alle", "set"), ("comparators/1201", "code"),
    ("comparators/%27%3B--", "code"), ("comparators/03", "code"), ("refresh-log?table=observations", "table"),
    ("openapi.json?x=1", "x"),
]


@pytest.mark.parametrize("path, parameter", HOSTILE)
def test_hostile_parameters_get_a_json_4xx_naming_the_parameter(client, path, parameter):
    r = client.get(f"{V}/{path}")
    assert r.status_code in (400, 404), (path, r.status_code, r.data[:200])
    body = r.get_json()
    assert body["error"]["status"] == r.status_code and body["error"]["message"]
    assert body["error"].get("parameter") == parameter
    assert "Traceback" not in r.data.decode("utf-8", "replace")


def test_the_values_filter_puts_no_value_into_sql():
    """api_rows builds its WHERE from fixed column names and placeholders; the values go as parameters."""
    from components.api_rows import _where

    hostile = ["x' OR '1'='1", "0301;DROP TABLE indicator_values", "--"]
    sql, params = _where(hostile, hostile, hostile, hostile, "2024' --", hostile)
    assert not any(h in sql for h in hostile + ["2024' --"])
    assert sql.count("?") == len(params) == 1 + 5 * len(hostile)
    assert set(re.findall(r"[a-z_]+(?= (?:=|IN))", sql)) == {"borders", "indicator_id", "geo_level", "geo_code",
                                                              "breakdown", "period"}


def test_unknown_paths_and_methods_answer_in_json(client):
    for path in ("/api/v1/nope", "/api/v1/values/extra", "/api/v1/comparators/"):
        r = client.get(path)
        assert r.status_code == 404 and r.get_json()["error"]["status"] == 404, path
    r = client.post(f"{V}/values", json={"indicator": "x"})
    assert r.status_code == 405 and r.get_json()["error"]["status"] == 405 and "GET" in r.headers["Allow"]
    r = client.head(f"{V}/values?indicator=befolkning")
    assert r.status_code == 200 and r.data == b"" and r.headers["ETag"]


def test_a_missing_database_is_a_503_in_json(client, tmp_path, monkeypatch):
    monkeypatch.setenv("INNENFOR_DB", str(tmp_path / "gone.duckdb"))
    r = client.get(f"{V}/values?indicator=befolkning")
    assert r.status_code == 503 and r.get_json()["error"]["status"] == 503 and r.headers["Retry-After"]


# --- the «API» page and its examples --------------------------------------------------------------------------

@pytest.fixture()
def live_api(app_db, monkeypatch):
    """The app served over real HTTP on a free loopback port (pandas and curl fetch from it)."""
    from werkzeug.serving import make_server

    import app

    server = make_server("127.0.0.1", 0, app.server, threaded=True)
    url = f"http://127.0.0.1:{server.server_port}"
    monkeypatch.setenv("INNENFOR_PUBLIC_URL", url)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield url
    finally:
        server.shutdown()
        thread.join(timeout=10)


def _text(node) -> str:
    """A cell's text as shown: a string, or the text of the link it holds."""
    return node if isinstance(node, str) else _text(node.children)


def _page_parts(layout) -> tuple[dict[str, str], list[list[str]]]:
    """The examples as shown (by element id) and the example answer table's rows as shown."""
    codes, table = {}, None
    for c in walk(layout):
        if getattr(c, "id", None) and str(c.id).startswith("api-ex-"):
            codes[c.id] = c.children.children
        if getattr(c, "id", None) == "api-example-table":  # a small table: Dash html components
            _caption, _head, body = c.children
            return codes, [[_text(cell.children) for cell in tr.children] for tr in body.children]
        if 'id="api-example-table"' in str(getattr(c, "children", "")):
            table = c.children
    assert table, "the example's answer is not on the page"
    cells = re.findall(r"<tr>(.*?)</tr>", table.split("<tbody>", 1)[1])
    import html as htmllib

    rows = [[htmllib.unescape(x) for x in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row)] for row in cells]
    return codes, rows


def test_pandas_example_reads_the_excel_csv_and_gets_the_pages_numbers(live_api):
    from components import fmt, queries
    from pages import api_page

    codes, shown = _page_parts(api_page.layout())
    assert live_api in codes["api-ex-pandas"] and "excel-csv" in codes["api-ex-pandas"]
    scope: dict = {}
    with contextlib.redirect_stdout(io.StringIO()) as printed:
        exec(codes["api-ex-pandas"], scope)  # noqa: S102  (the page's own example, against the local app)
    tall = scope["tall"]
    assert "Eigersund" in printed.getvalue()
    meta = queries.indicator_meta()["spesialundervisning"]
    assert len(tall) == len(shown) == 5
    for row, (name, code, period, value_text, reason, licence) in zip(tall.itertuples(), shown):
        assert (row.geo_name, row.geo_code, row.period, row.licence) == (name, code, period, licence)
        status = row.status if isinstance(row.status, str) else None
        reason_api = row.status_reason if isinstance(row.status_reason, str) else ""
        assert fmt.value_text(row.value, int(meta["decimals"]), meta["unit_short"], status, reason_api) == value_text
    assert pd.isna(tall.set_index("geo_code").loc["1101", "value"])  # suppressed: empty, not 0
    assert tall["value"].dtype == float


def test_curl_examples_run_and_the_second_download_is_skipped_until_a_refresh(live_api, tmp_path):
    from pages import api_page

    codes, shown = _page_parts(api_page.layout())
    first, second = codes["api-ex-curl"].splitlines()
    out = subprocess.run(shlex.split(first), capture_output=True, timeout=30, check=True, cwd=tmp_path)
    body = json.loads(out.stdout)
    assert [r["geo_name"] for r in body["data"]] == [row[0] for row in shown]
    subprocess.run(shlex.split(second), capture_output=True, timeout=30, check=True, cwd=tmp_path)
    saved = (tmp_path / "tall.csv").read_text(encoding="utf-8")
    assert saved.splitlines()[0].startswith("indicator_id,indicator,geo_code") and len(saved.splitlines()) == 6
    (tmp_path / "tall.csv").unlink()
    subprocess.run(shlex.split(second), capture_output=True, timeout=30, check=True, cwd=tmp_path)
    assert not (tmp_path / "tall.csv").exists()  # 304: the same database, nothing downloaded


def test_r_and_power_query_examples_ask_for_what_the_server_sends(live_api):
    """R and Power Query are not installed here: check that they read the Excel CSV with the separators,
    decimal mark and encoding the server actually uses (the pandas test reads the same bytes)."""
    from pages import api_page

    codes, _ = _page_parts(api_page.layout())
    excel = api_page.example_url("excel-csv")
    assert f'read.csv2("{excel}"' in codes["api-ex-r"] and 'fileEncoding = "UTF-8-BOM"' in codes["api-ex-r"]
    m = codes["api-ex-powerquery"]
    assert f'Web.Contents("{excel}")' in m and 'Delimiter = ";"' in m and "Encoding = 65001" in m
    assert '"nb-NO"' in m  # decimal comma parsed with Norwegian culture


def test_api_page_is_in_the_menu_and_has_no_scripts(app_db):
    import dash

    from pages import api_page

    page = next(p for p in dash.page_registry.values() if p["path"] == "/api")
    assert page["nav"] and page["name"] == "API"
    kinds = {type(c).__name__ for c in walk(api_page.layout())}
    assert "Script" not in kinds and "Iframe" not in kinds
    assert not any(cb.get("clientside_function") for cb in dash.get_app().callback_map.values()
                   if "api-" in str(cb.get("output")))
