"""The API from a real browser (Chromium): the «API» page shows its examples and today's answer, and a page on
another origin can read /api/ (CORS open, preflight included) but not the rest of the app."""
from __future__ import annotations

import pytest
from browser_support import app_url, browser, page, settle  # noqa: F401  (fixtures)

pytestmark = pytest.mark.browser


def test_api_page_shows_examples_and_the_examples_answer(page):
    page.goto(page.base + "/api")
    settle(page, "#api-example-table")
    assert page.locator("h1").inner_text().startswith("API")
    for ident in ("api-ex-powerquery", "api-ex-r", "api-ex-pandas", "api-ex-curl"):
        assert "/api/v1/values?" in page.locator(f"#{ident}").inner_text(), ident
    eigersund = page.locator("#api-example-table tr", has_text="Eigersund").inner_text()
    assert "Skjermet" in eigersund and "0 %" not in eigersund
    assert page.locator("nav a", has_text="API").count() == 1
    assert page.recorder.console == []


def test_another_origin_reads_the_api_but_not_the_app(page):
    other = page.base.replace("127.0.0.1", "localhost")  # same server, another origin for the browser
    page.goto(other + "/api")
    settle(page, "#api-example-table")
    api = page.base + "/api/v1/values?indicator=befolkning&code=0"
    got = page.evaluate("""async (url) => {
        const first = await fetch(url);
        const body = await first.json();
        const etag = first.headers.get('ETag');
        const again = await fetch(url, {headers: {'If-None-Match': etag}, cache: 'no-store'});
        return {status: first.status, value: body.data[0].value, etag, again: again.status};
    }""", api)
    assert got["status"] == 200 and got["value"] > 5_000_000 and got["etag"].startswith('W/"')
    assert got["again"] == 304  # the custom header needed a preflight, and the preflight was allowed
    blocked = page.evaluate("""async (url) => {
        try { await fetch(url); return 'read'; } catch (e) { return 'blocked'; } }""",
                            page.base + "/geo/fylker-2024.geojson")
    assert blocked == "blocked"
    page.recorder.console.clear()  # Chromium logs the refused cross-origin read; that refusal is the point
