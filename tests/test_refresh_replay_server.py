"""The benchmark's replay server answers like the publishers and enforces SSB's limits; the HTTP client
paced by its per-host limiter never trips them."""
from __future__ import annotations

import json
from urllib.parse import urlencode

import requests

from bench.replay_server import RedirectAdapter, SnapshotServer, value_codes
from loaders.http import HttpClient, RateLimiter
from loaders.transport import LiveTransport, Request

SSB = "data.ssb.no"
DATA_07459 = "/api/pxwebapi/v2/tables/07459/data"
PARAMS_07459 = [("codelist[Region]", "agg_KommSummer"), ("lang", "no"), ("outputFormat", "json-stat2"),
                ("valueCodes[ContentsCode]", "Personer1"), ("valueCodes[Region]", "*"), ("valueCodes[Tid]", "2024")]


class Clock:
    def __init__(self):
        self.t = 0.0

    def __call__(self):
        return self.t


def target(path, params):
    return f"{path}?{urlencode(params)}"


def test_recorded_response_served_with_its_bytes_and_unknown_request_is_404(snapshot_dir):
    server = SnapshotServer(snapshot_dir)
    status, headers, content = server.answer("GET", SSB, target(DATA_07459, PARAMS_07459))
    assert status == 200 and headers["Content-Type"].startswith("application/json")
    assert content == (snapshot_dir / "ssb" / "07459_data_01.json").read_bytes()
    doc = json.loads(content)
    assert doc["size"][doc["id"].index("Region")] == 357          # the 2024 kommuner
    other = [p if p[0] != "valueCodes[Tid]" else ("valueCodes[Tid]", "2023") for p in PARAMS_07459]
    assert server.answer("GET", SSB, target(DATA_07459, other))[0] == 404
    assert server.answer("GET", "example.org", target(DATA_07459, PARAMS_07459))[0] == 404


def test_ssb_limits_429_404_500_403(snapshot_dir):
    clock = Clock()
    server = SnapshotServer(snapshot_dir, clock=clock)
    ok = target(DATA_07459, PARAMS_07459)
    for i in range(30):
        clock.t = i * 0.5
        assert server.answer("GET", SSB, ok)[0] == 200
    clock.t = 20.0
    status, headers, _ = server.answer("GET", SSB, ok)
    assert status == 429 and headers["Retry-After"] == "40"        # the first call leaves the window at 60 s
    clock.t = 60.0
    assert server.answer("GET", SSB, ok)[0] == 200
    clock.t = 200.0                                                # a fresh window for the rest
    long_codes = ",".join(f"{i:04d}" for i in range(400))
    assert server.answer("GET", SSB, target(DATA_07459, [("valueCodes[Region]", long_codes)]))[0] == 404
    repeated = [("valueCodes[Region]", "0301,4003,0301"), ("valueCodes[Tid]", "2024")]
    assert server.answer("GET", SSB, target(DATA_07459, repeated))[0] == 500
    body = {"selection": [{"variableCode": "Region", "valueCodes": [f"{i:04d}" for i in range(1000)]},
                          {"variableCode": "Tid", "valueCodes": [str(y) for y in range(1200, 2001)]}]}
    status, _, content = server.answer("POST", SSB, target(DATA_07459, [("lang", "no")]), json.dumps(body).encode())
    assert status == 403 and content == b"too many cells: 801000"


def test_value_codes_keep_bracketed_expressions_whole():
    codes = value_codes([("valueCodes[Tid]", "2020,[range(2021,2023)]"), ("lang", "no")], None)
    assert codes == {"Tid": ["2020", "[range(2021,2023)]"]}


def test_rate_limiter_counts_a_call_from_when_its_answer_came_back():
    clock = Clock()
    limiter = RateLimiter(2, 10.0, clock=clock, sleep=lambda s: setattr(clock, "t", clock.t + s))
    limiter.acquire()          # sent at 0, the server sees it at 3 (slow connect), answered at 3
    clock.t = 3.0
    limiter.settle()
    limiter.acquire()          # 3
    limiter.settle()
    limiter.acquire()          # must wait for the first call's window, counted from 3, not from 0
    assert clock.t >= 13.0


def test_client_through_the_server_is_paced_and_never_sees_429(snapshot_dir):
    server = SnapshotServer(snapshot_dir, ssb_limit=(3, 0.6))
    session = requests.Session()
    session.mount("https://", RedirectAdapter(server.start()))
    try:
        client = HttpClient(session=session, limits={SSB: (3, 0.6)}, max_attempts=1)
        transport = LiveTransport(client)
        request = Request.get(f"https://{SSB}{DATA_07459}", dict(PARAMS_07459))
        for _ in range(7):
            assert transport.send(request).json()["size"]
    finally:
        server.stop()
    times = [h.t for h in server.hits]
    assert [h.status for h in server.hits] == [200] * 7 and client.stats["429"] == 0
    assert times[3] - times[0] >= 0.6 and times[6] - times[3] >= 0.6
