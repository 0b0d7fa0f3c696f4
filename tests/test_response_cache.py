"""The per-worker cache of pure callbacks' answers: a repeat gets the very bytes a fresh answer would have,
keys separate what must be separate (inputs, encoding, database file), and nothing impure is kept."""
from __future__ import annotations

import gzip
import os
import shutil

import pytest

from components import response_cache, serving
from tests.test_app_hostile import CALLBACK, _render_body, client  # noqa: F401  (fixture)


@pytest.fixture()
def cache(client):  # noqa: F811
    import app

    found = app.server.extensions["innenfor_response_cache"]
    with found.lock:
        found.items.clear()
        found.size = found.hits = found.misses = 0
    return found


def test_every_pure_output_is_a_callback_of_the_app(client):  # noqa: F811
    import app

    client.get("/_dash-dependencies")  # Dash merges the pages' callbacks on its first request
    assert serving.PURE_CALLBACK_OUTPUTS <= set(app.app.callback_map)
    assert not any("download" in o or "nav-url" in o for o in serving.PURE_CALLBACK_OUTPUTS)


def test_a_repeat_is_answered_from_the_cache_with_the_same_bytes(client, cache):  # noqa: F811
    body = _render_body("4003", ["4001", "4005"], ["neet_15_29", "spesialundervisning"])
    headers = {"Accept-Encoding": "gzip"}
    first = client.post(CALLBACK, json=body, headers=headers)
    assert first.status_code == 200 and (cache.hits, cache.misses) == (0, 1)
    again = client.post(CALLBACK, json=body, headers=headers)
    assert again.status_code == 200 and cache.hits == 1
    assert again.data == first.data and again.headers["Content-Encoding"] == "gzip"
    assert again.headers["Content-Type"] == first.headers["Content-Type"]
    assert b"Sammenlign Skien" in gzip.decompress(again.data)


def test_other_inputs_and_other_encodings_get_their_own_answer(client, cache):  # noqa: F811
    body = _render_body("4003", ["4001"], ["neet_15_29"])
    gz = client.post(CALLBACK, json=body, headers={"Accept-Encoding": "gzip"})
    br = client.post(CALLBACK, json=body, headers={"Accept-Encoding": "br"})
    assert (gz.headers["Content-Encoding"], br.headers["Content-Encoding"]) == ("gzip", "br")
    other = client.post(CALLBACK, json=_render_body("4003", ["4005"], ["neet_15_29"]),
                        headers={"Accept-Encoding": "gzip"})
    assert cache.hits == 0 and cache.misses == 3
    assert b"Porsgrunn" in gzip.decompress(gz.data) and b"Porsgrunn" not in gzip.decompress(other.data)


def test_a_swapped_in_database_file_never_gets_the_old_answers(built_db, tmp_path):
    copy = tmp_path / "innenfor.duckdb"
    shutil.copyfile(built_db, copy)
    old = os.environ.get("INNENFOR_DB")
    os.environ["INNENFOR_DB"] = str(copy)
    try:
        pure = frozenset(serving.PURE_CALLBACK_OUTPUTS)
        body = _render_body("4003", [], ["neet_15_29"])
        before = response_cache.request_key(body, "gzip", pure)
        shutil.copyfile(built_db, tmp_path / "new.duckdb")
        os.replace(tmp_path / "new.duckdb", copy)  # as a refresh swaps it in
        assert response_cache.request_key(body, "gzip", pure) != before
        copy.unlink()
        assert response_cache.request_key(body, "gzip", pure) is None  # no database: nothing is cached
    finally:
        if old is None:
            os.environ.pop("INNENFOR_DB", None)
        else:
            os.environ["INNENFOR_DB"] = old


def test_downloads_and_unknown_outputs_are_never_cached(client, cache):  # noqa: F811
    pure = frozenset(serving.PURE_CALLBACK_OUTPUTS)
    assert response_cache.request_key({"output": "cmp-download.data"}, "gzip", pure) is None
    assert response_cache.request_key("not a dict", "gzip", pure) is None
    rejected = client.post(CALLBACK, json={**_render_body("0301", [], []), "inputs": []})
    assert rejected.status_code == 400 and not cache.items


def test_the_cache_is_bounded_in_bytes():
    small = response_cache.ResponseCache(limit=100)
    for i in range(10):
        small.put(f"k{i}", b"x" * 30, ())
    assert small.size <= 100 and list(small.items) == ["k7", "k8", "k9"]
    small.put("huge", b"x" * (response_cache.MAX_ENTRY_BYTES + 1), ())
    assert "huge" not in small.items
