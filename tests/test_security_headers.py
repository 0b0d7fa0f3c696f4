"""Security headers and the health endpoint of the app itself (what every instance sends, with or without nginx)."""
from __future__ import annotations

import re

import pytest

from components import security


@pytest.fixture(scope="module")
def client(app_db):
    import app

    return app.server.test_client()


def _directives(csp: str) -> dict[str, str]:
    return {part.split()[0]: part.split(None, 1)[1] if " " in part.strip() else ""
            for part in (p.strip() for p in csp.split(";")) if part}


def test_the_page_policy_allows_exactly_dashs_own_inline_scripts(client):
    import app

    r = client.get("/kommune/0301", headers={"Accept-Encoding": "gzip"})
    assert r.status_code == 200 and r.headers["Content-Encoding"] == "gzip"  # hashed before compression
    script_src = _directives(r.headers["Content-Security-Policy"])["script-src"].split()
    hashes = sorted(s for s in script_src if s.startswith("'sha256-"))
    # Dash's own account of its inline scripts (clientside callbacks + the renderer) is the same set
    assert hashes == sorted(app.app.csp_hashes())
    assert set(script_src) - set(hashes) == {"'self'"}


def test_no_external_host_and_no_framing_anywhere(client):
    for path in ("/", "/healthz", "/kart", "/finnes-ikke", "/_dash-layout"):
        r = client.get(path)
        d = _directives(r.headers["Content-Security-Policy"])
        assert d["default-src"] == "'self'" and d["frame-ancestors"] == "'none'" and d["object-src"] == "'none'"
        assert not re.search(r"https?:|\*", r.headers["Content-Security-Policy"]), path
        assert r.headers["X-Content-Type-Options"] == "nosniff"
        assert r.headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
        assert "camera=()" in r.headers["Permissions-Policy"]
        assert "Access-Control-Allow-Origin" not in r.headers, path


def test_a_rejected_callback_still_carries_the_headers(client):
    r = client.post("/_dash-update-component", json={"output": "nope"})
    assert r.status_code == 400 and "frame-ancestors 'none'" in r.headers["Content-Security-Policy"]


def test_cors_is_open_only_under_api(client):
    import app

    with app.server.test_request_context("/api/v1/indicators"):
        from flask import Response

        assert security.add_headers(Response("[]", mimetype="application/json")).headers[
            "Access-Control-Allow-Origin"] == "*"
    with app.server.test_request_context("/kommune/0301"):
        from flask import Response

        leaked = Response("x", headers={"Access-Control-Allow-Origin": "*"})
        assert "Access-Control-Allow-Origin" not in security.add_headers(leaked).headers


def test_inline_script_hashes_skip_data_blocks_and_external_scripts():
    html = ('<script id="_dash-config" type="application/json">{"a":1}</script><script src="/x.js"></script>'
            "<script>var renderer = new DashRenderer();</script>")
    # sha256 of 'var renderer = new DashRenderer();', computed independently with `openssl dgst -sha256 -binary | base64`
    assert security.inline_script_hashes(html) == ["'sha256-jZlsGVOhUAIcH+4PVs7QuGZkthRMgvT2n0ilH6/zTM0='"]


def test_health_names_the_file_and_the_refresh_it_serves(client, app_db):
    import hashlib

    import duckdb

    r = client.get("/healthz")
    h = r.get_json()
    assert r.status_code == 200 and r.headers["Cache-Control"] == "no-store"
    assert h["db"] == str(app_db) and h["sha256"] == hashlib.sha256(app_db.read_bytes()).hexdigest()
    con = duckdb.connect(str(app_db), read_only=True)
    last = con.execute("SELECT refreshed_at, mode FROM refresh_log ORDER BY refreshed_at DESC LIMIT 1").fetchone()
    con.close()
    assert h["refresh"]["refreshed_at"] == last[0].isoformat() and h["refresh"]["mode"] == last[1]


def test_health_says_unavailable_without_a_database(client, monkeypatch, tmp_path):
    monkeypatch.setenv("INNENFOR_DB", str(tmp_path / "missing.duckdb"))
    r = client.get("/healthz")
    assert r.status_code == 503 and r.get_json()["status"] == "unavailable"
