"""Fault suite: the SSB loader and the shared HTTP client against a local server, with no real sleeping."""
from __future__ import annotations

import hashlib
import json
import time

import pytest
from werkzeug import Response as WResponse

from loaders import db, ssb
from loaders.cards import SourceCard
from loaders.errors import LoaderError, SchemaDrift
from loaders.http import HttpClient, RateLimiter
from loaders.transport import LiveTransport, Request

PREFIX = "/api/pxwebapi/v2"


class Sleeps(list):
    def __call__(self, seconds):
        self.append(seconds)


@pytest.fixture()
def sleeps():
    return Sleeps()


@pytest.fixture()
def live(httpserver, sleeps, monkeypatch):
    monkeypatch.setenv("INNENFOR_SSB_BASE", httpserver.url_for(PREFIX))
    return LiveTransport(HttpClient(sleep=sleeps, timeout=(2.0, 0.3), max_attempts=3))


def meta_doc(regions=("0301", "1103"), tids=("2023", "2024"), region_dim="Region"):
    dims = {region_dim: list(regions), "ContentsCode": ["Personer1"], "Tid": list(tids)}
    return {"version": "2.0", "class": "dataset", "label": "07459: test", "id": list(dims),
            "size": [len(v) for v in dims.values()],
            "dimension": {d: {"label": d, "category": {"index": {c: i for i, c in enumerate(v)},
                                                       "unit": {"Personer1": {"base": "personer", "decimals": 0}}
                                                       if d == "ContentsCode" else None}}
                          for d, v in dims.items()},
            "extension": {"px": {"tableid": "07459"}}, "value": []}


def data_doc(regions=("0301", "1103"), tids=("2024",), values=None, region_dim="Region"):
    doc = meta_doc(regions, tids, region_dim)
    doc["value"] = values if values is not None else list(range(1, len(regions) * len(tids) + 1))
    return doc


def card(**query) -> SourceCard:
    q = {"expect_dims": ["Region", "ContentsCode", "Tid"], "geo_vintage": 2024,
         "selections": [{"valueCodes": {"ContentsCode": ["Personer1"], "Region": ["*"], "Tid": ["2024"]}}]}
    q.update(query)
    return SourceCard(source="ssb", table_id="07459", loader="ssb", title="t", publisher="SSB", licence="CC BY 4.0",
                      url="u", query=q)


def serve(httpserver, info=None, meta=None, data=None):
    httpserver.expect_request(f"{PREFIX}/tables/07459").respond_with_json(info or {"id": "07459", "label": "t",
                                                                                   "updated": "2026-01-01"})
    httpserver.expect_request(f"{PREFIX}/tables/07459/metadata").respond_with_json(meta or meta_doc())
    if data is not None:
        httpserver.expect_request(f"{PREFIX}/tables/07459/data").respond_with_data(
            data if isinstance(data, (bytes, str)) else json.dumps(data), content_type="application/json")


def test_429_retry_after_is_honoured(httpserver, live, sleeps):
    serve(httpserver)
    httpserver.expect_oneshot_request(f"{PREFIX}/tables/07459/data").respond_with_data(
        "slow down", status=429, headers={"Retry-After": "7"})
    httpserver.expect_request(f"{PREFIX}/tables/07459/data").respond_with_json(data_doc())
    result = ssb.fetch(card(), live)
    assert sleeps == [7.0]
    assert live.client.stats["429"] == 1
    assert sorted(result.rows["value"]) == [1, 2]


def test_500_then_success(httpserver, live, sleeps):
    serve(httpserver)
    httpserver.expect_oneshot_request(f"{PREFIX}/tables/07459/data").respond_with_data("oops", status=500)
    httpserver.expect_request(f"{PREFIX}/tables/07459/data").respond_with_json(data_doc())
    assert len(ssb.fetch(card(), live).rows) == 2
    assert len(sleeps) == 1 and 1.0 <= sleeps[0] <= 1.1          # first back-off pause


def test_read_timeout_then_success(httpserver, live, sleeps):
    serve(httpserver)
    calls = []

    def slow_then_fast(request):
        calls.append(1)
        if len(calls) == 1:
            time.sleep(0.45)                                      # past the 0.3 s read timeout
        return WResponse(json.dumps(data_doc()), content_type="application/json")

    httpserver.expect_request(f"{PREFIX}/tables/07459/data").respond_with_handler(slow_then_fast)
    assert len(ssb.fetch(card(), live).rows) == 2
    # the local server is single-threaded: the retry may queue behind the slow answer and time out once more
    assert len(calls) in (2, 3) and len(sleeps) == len(calls) - 1


def test_persistent_500_is_a_clear_error(httpserver, live, sleeps):
    serve(httpserver)
    httpserver.expect_request(f"{PREFIX}/tables/07459/data").respond_with_data("down", status=500)
    with pytest.raises(LoaderError, match=r"failed after 3 attempts \(HTTP 500: down\)"):
        ssb.fetch(card(), live)
    assert len(sleeps) == 2


def test_truncated_json(httpserver, live):
    serve(httpserver, data=json.dumps(data_doc())[:-40])
    with pytest.raises(LoaderError, match="07459 data: response is not valid JSON"):
        ssb.fetch(card(), live)


def test_size_not_matching_value(httpserver, live):
    serve(httpserver, data=data_doc(values=[1, 2, 3]))
    with pytest.raises(LoaderError, match=r"'value' has 3 cells but the product of 'size'"):
        ssb.fetch(card(), live)


def test_renamed_dimension_is_schema_drift(httpserver, live):
    serve(httpserver, data=data_doc(region_dim="Kommune"))
    with pytest.raises(SchemaDrift, match=r"expected dimension\(s\) \['Region'\]"):
        ssb.fetch(card(), live)


def test_renamed_dimension_in_metadata(httpserver, live):
    serve(httpserver, meta=meta_doc(region_dim="Kommune"))
    with pytest.raises(SchemaDrift, match="Region"):
        ssb.fetch(card(), live)


def test_discontinued_table(httpserver, live):
    serve(httpserver, info={"id": "07459", "label": "t", "updated": "2020-01-01", "discontinued": True,
                            "lastPeriod": "2019"})
    with pytest.raises(LoaderError, match="discontinued"):
        ssb.fetch(card(), live)


def test_unknown_category_is_schema_drift(httpserver, live):
    serve(httpserver, data=data_doc(regions=("0301", "9998")))
    c = card(selections=[{"valueCodes": {"ContentsCode": ["Personer1"], "Region": ["0301", "1103"], "Tid": ["2024"]}}])
    with pytest.raises(SchemaDrift, match="not asked for"):
        ssb.fetch(c, live)


def test_long_url_becomes_post(httpserver, live):
    regions = [f"{i:04d}" for i in range(1000, 1500)]
    serve(httpserver, meta=meta_doc(regions=regions))
    httpserver.expect_request(f"{PREFIX}/tables/07459/data", method="POST").respond_with_json(
        data_doc(regions=regions))
    c = card(selections=[{"valueCodes": {"ContentsCode": ["Personer1"], "Region": regions, "Tid": ["2024"]},
                          "codelist": {"Region": "agg_KommSummer"}}])
    rows = ssb.fetch(c, live).rows
    assert len(rows) == 500
    post = [r for r, _ in httpserver.log if r.method == "POST"]
    assert len(post) == 1
    body = json.loads(post[0].data)
    region = next(s for s in body["selection"] if s["variableCode"] == "Region")
    assert region["codelist"] == "agg_KommSummer" and region["valueCodes"] == regions
    assert post[0].args["outputFormat"] == "json-stat2"


def test_short_url_stays_get_with_bracketed_expressions():
    req = ssb.data_request("13556", {"Tid": ["range(2008,2012)", "2024"], "Region": ["*"]}, {"Region": "agg_X"})
    assert req.method == "GET"
    assert dict(req.params)["valueCodes[Tid]"] == "[range(2008,2012)],2024"
    assert dict(req.params)["codelist[Region]"] == "agg_X"


def test_large_selection_is_chunked_without_repeats():
    from loaders import jsonstat
    regions = [f"{i:04d}" for i in range(1000, 2000)]          # 1 000 regions
    tids = [str(y) for y in range(1200, 2100)]                  # 900 periods -> 900 000 cells
    meta = jsonstat.parse(meta_doc(regions, tids), metadata=True)
    reqs = ssb.plan("07459", {"valueCodes": {"ContentsCode": ["Personer1"], "Region": ["*"], "Tid": ["*"]}}, meta)
    assert len(reqs) == 2
    seen = []
    for r in reqs:
        sel = {s["variableCode"]: s["valueCodes"] for s in r.body["selection"]} if r.method == "POST" else \
            {k[11:-1]: v.split(",") for k, v in r.params if k.startswith("valueCodes[")}
        sel = {d: ssb.expand(codes, meta.categories[d]) for d, codes in sel.items()}
        cells = len(sel["Region"]) * len(sel["Tid"]) * len(sel["ContentsCode"])
        assert cells <= ssb.MAX_CELLS
        seen += [(reg, t) for reg in sel["Region"] for t in sel["Tid"]]
    assert len(seen) == len(set(seen)) == 900_000


def test_repeated_value_code_refused():
    with pytest.raises(LoaderError, match="repeated"):
        ssb.data_request("07459", {"Region": ["0301", "0301"]})
    from loaders import jsonstat
    meta = jsonstat.parse(meta_doc(), metadata=True)
    reqs = ssb.plan("07459", {"valueCodes": {"ContentsCode": ["Personer1"], "Region": ["*"],
                                             "Tid": ["2024", "top(1)"]}, "chunk_by": "Tid"}, meta)
    assert [dict(r.params)["valueCodes[Tid]"] for r in reqs] == ["2024"]      # top(1) = 2024, asked once


def test_rate_limiter_never_exceeds_30_per_60s():
    now = [0.0]
    calls = []

    def sleep(s):
        now[0] += s

    limiter = RateLimiter(30, 60.0, clock=lambda: now[0], sleep=sleep)
    for i in range(100):
        limiter.acquire()
        calls.append(now[0])
        now[0] += 0.5                                          # the request itself
    for i, t in enumerate(calls):
        in_window = [c for c in calls if t <= c < t + 60.0]
        assert len(in_window) <= 30, (i, len(in_window))
    assert calls[30] >= 60.0


def test_client_uses_ssb_limit():
    client = HttpClient(sleep=lambda s: None)
    lim = client.limiter("data.ssb.no")
    assert (lim.n, lim.per) == (30, 60.0)


def test_refresh_failing_midway_leaves_db_unchanged(httpserver, monkeypatch, tmp_path, capsys, sleeps):
    from loaders import __main__ as cli
    from loaders import refresh as refresh_mod

    path = tmp_path / "innenfor.duckdb"
    con = db.connect(path)
    db.create_schema(con)
    con.execute("INSERT INTO provenance (source, table_id, n_rows) VALUES ('ssb', '07459', 1)")
    con.close()
    before = hashlib.sha256(path.read_bytes()).hexdigest()

    monkeypatch.setenv("INNENFOR_SSB_BASE", httpserver.url_for(PREFIX))
    monkeypatch.setattr(refresh_mod, "make_transport",
                        lambda offline, snapshot: LiveTransport(HttpClient(sleep=sleeps, max_attempts=2)))
    serve(httpserver, data=b'{"class":"dataset","id":["Region"')          # 07459 loads first, then breaks
    code = cli.main(["refresh", "--db", str(path), "--only", "ssb", "--quiet", "--strict"])  # all or nothing
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 1
    assert err[0].startswith("refresh failed: ssb/07459: 07459 data: response is not valid JSON")
    assert "Traceback" not in "\n".join(err)
    assert hashlib.sha256(path.read_bytes()).hexdigest() == before
    assert list(tmp_path.iterdir()) == [path]                            # no half-built file left


def test_refresh_with_nothing_renewed_exits_1_and_leaves_db_unchanged(httpserver, monkeypatch, tmp_path, capsys,
                                                                      sleeps):
    """Without --strict a failing card is kept, but when no card at all could be renewed nothing usable was
    built: exit 1, the old file as it was."""
    from loaders import __main__ as cli
    from loaders import refresh as refresh_mod

    path = tmp_path / "innenfor.duckdb"
    con = db.connect(path)
    db.create_schema(con)
    con.execute("INSERT INTO provenance (source, table_id, n_rows) VALUES ('ssb', '07459', 1)")
    con.close()
    before = hashlib.sha256(path.read_bytes()).hexdigest()
    monkeypatch.setenv("INNENFOR_SSB_BASE", httpserver.url_for(PREFIX))
    monkeypatch.setattr(refresh_mod, "make_transport",
                        lambda offline, snapshot: LiveTransport(HttpClient(sleep=sleeps, max_attempts=2)))
    serve(httpserver, data=b'{"class":"dataset","id":["Region"')
    code = cli.main(["refresh", "--db", str(path), "--only", "ssb", "--quiet"])
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 1
    assert err[0].startswith("refresh failed: no source could be renewed: ssb/07459: 07459 data: response is not valid")
    assert hashlib.sha256(path.read_bytes()).hexdigest() == before
    assert list(tmp_path.iterdir()) == [path]
