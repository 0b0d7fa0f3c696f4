"""End-to-end: the real app on the real offline build, driven by headless Chromium (Playwright)."""
from __future__ import annotations

import contextlib
import http.server
import io
import re
import threading
from urllib.parse import parse_qs, urlparse

import pytest
from browser_support import app_url, browser, page, settle, shot  # noqa: F401  (fixtures)

pytestmark = pytest.mark.browser


def registry_paths() -> list[tuple[str, str]]:
    """Every registered page, with a real kommune for the path templates."""
    import dash

    import app  # noqa: F401  (registers the pages)

    out = []
    for p in dash.page_registry.values():
        path = p.get("path_template") or p["path"]
        out.append((p["module"], path.replace("<knr>", "4601")))
    return out


def test_every_page_loads_with_an_empty_console(page):
    paths = registry_paths() + [("unknown-kommune", "/kommune/1201"), ("unknown-path", "/finnes-ikke")]
    assert {m for m, _ in paths} >= {"pages.home", "pages.compare", "pages.map", "pages.profile", "pages.about",
                                    "pages.psykisk_helse", "pages.lavinntekt"}
    for module, path in paths:
        page.goto(page.base + path)
        settle(page)
        page.wait_for_timeout(300)
        assert page.title().endswith("Innenfor") or "Innenfor" in page.title(), (path, page.title())
        heading = page.locator("h1").first.inner_text()
        assert heading, path
        shot(page, module.replace("pages.", ""))
        assert page.recorder.console == [], (path, page.recorder.console)
    # the unknown kommune page points from the old code to the new one
    page.goto(page.base + "/kommune/1201")
    settle(page)
    assert "Fant ikke kommunen" in page.locator("h1").inner_text()
    assert page.locator("a[href='/kommune/4601']").count() == 1


def _choose(page, dropdown_id: str, text: str) -> None:
    """Dash 4's dropdown: open it, type in its search box, click the matching option."""
    page.locator(f"#{dropdown_id}").click()
    page.locator(".dash-dropdown-search").fill(text)
    page.locator(".dash-dropdown-options").get_by_text(re.compile(re.escape(text))).first.click()


def test_choosing_a_kommune_updates_charts_and_url(page):
    page.goto(page.base + "/kommune/4601")
    settle(page, ".js-plotly-plot")
    assert "Bergen" in page.locator("h1").inner_text()
    _choose(page, "cmp-kommune", "Tromsø")
    page.wait_for_url(re.compile(r"/kommune/5501\?"))
    page.wait_for_function("() => document.querySelector('h1').innerText.includes('Tromsø')")
    settle(page, ".js-plotly-plot")
    query = parse_qs(urlparse(page.url).query)
    assert query["sett"] == ["naboer"]
    members = query["med"][0].split(",")
    assert members and "5501" not in members
    # the bar chart now names Tromsø (bold as the chosen kommune)
    page.wait_for_function("() => [...document.querySelectorAll('.ytick text')].some(t => t.textContent == 'Tromsø')")
    shot(page, "compare-tromso")
    assert page.recorder.console == []


def test_a_shared_url_restores_the_view(page):
    url = "/kommune/4601?med=0301,5001&sett=fylke&ind=neet_15_29"
    page.goto(page.base + url)
    settle(page, ".js-plotly-plot")
    assert page.locator("section.indicator").count() == 1
    assert page.locator("section.indicator h2").inner_text().startswith("Unge")
    assert page.locator("#cmp-sett input[value='fylke']").is_checked()
    ticks = page.locator(".ytick text").all_text_contents()
    assert {"Bergen", "Oslo", "Trondheim - Tråante"} <= set(ticks), ticks
    assert parse_qs(urlparse(page.url).query)["med"] == ["0301,5001"]


def test_county_map_draws_all_15_fylker(page):
    page.goto(page.base + "/kart?ind=neet_15_29&niva=fylke&periode=2024")
    settle(page, ".choroplethlocation")
    page.wait_for_function("() => document.querySelectorAll('.choroplethlocation').length >= 15")
    assert page.locator(".choroplethlocation").count() == 15
    assert "prosent" in page.locator(".colorbar").text_content()
    shot(page, "map-fylker-2024")
    # older borders are drawn on their own division: frafall 2020-21 on the 11 fylker of 2020
    page.goto(page.base + "/kart?ind=frafall_vgo&niva=fylke&periode=2020-21")
    settle(page, ".choroplethlocation")
    page.wait_for_function("() => document.querySelectorAll('.choroplethlocation').length >= 11")
    assert page.locator(".choroplethlocation").count() == 11
    assert "inndelingen fra 2020" in page.locator(".border-note").inner_text()


def test_excel_export_holds_the_figures_shown(page):
    from openpyxl import load_workbook

    page.goto(page.base + "/kommune/4601?med=4602&sett=naboer&ind=neet_15_29")
    settle(page, ".js-plotly-plot")
    table = page.locator("#tbl-neet_15_29")
    header = table.locator("thead th").all_text_contents()
    bergen = table.locator("tbody tr").first.locator("th, td").all_text_contents()
    assert bergen[0] == "Bergen"
    shown = dict(zip(header[1:-1], bergen[1:-1]))
    with page.expect_download() as info:
        page.get_by_role("button", name="Last ned Excel").click()
    download = info.value
    assert download.suggested_filename == "innenfor-4601-sammenligning.xlsx"
    wb = load_workbook(io.BytesIO(open(download.path(), "rb").read()))
    assert wb.sheetnames[0] == "Om uttaket" and wb.sheetnames[-1] == "Kilder"
    ws = wb[wb.sheetnames[1]]
    rows = list(ws.iter_rows(values_only=True))
    head_idx = next(i for i, r in enumerate(rows) if r and r[0] == "Geokode")
    head = rows[head_idx]
    data = [dict(zip(head, r)) for r in rows[head_idx + 1:]]
    got = {r["Periode"]: r for r in data if r["Geokode"] == "4601"}
    assert {r["Geokode"] for r in data} == {"4601", "4602", "46", "0"}
    assert len(got) == len(shown)
    for period, text in shown.items():
        value = got[period]["Verdi"]
        expected = (f"{value:.1f}".replace(".", ",") if value is not None else got[period]["Forklaring"])
        assert text == expected, (period, text, got[period])
    sources = [r[0] for r in wb["Kilder"].iter_rows(values_only=True)]
    assert "ssb" in sources


def test_nothing_leaves_loopback_on_any_page(page):
    for path in ["/", "/kommune/0301", "/kart", "/kart?niva=kommune&ind=neet_15_29&periode=2024", "/profil/0301",
                 "/om"]:
        page.goto(page.base + path)
        settle(page)
        page.wait_for_timeout(300)
    assert any("/geo/kommuner-2024.geojson" in u for u in page.recorder.requests)
    assert any("world_110m.json" in u for u in page.recorder.requests)
    assert page.recorder.external() == []


def test_home_search_finds_sami_names_and_opens_sammenlign(page):
    page.goto(page.base + "/")
    settle(page)
    page.locator(".kommune-search").first.click()
    page.locator(".dash-dropdown-search").fill("Guovdageaidnu")
    page.locator(".dash-dropdown-options").get_by_text(re.compile(r"^Guovdageaidnu - Kautokeino \(5612\)")).first.click()
    page.wait_for_url(re.compile(r"/kommune/5612"))
    page.wait_for_function("() => document.querySelector('h1').innerText.includes('Kautokeino')", polling=100)
    assert page.recorder.console == []


def test_clicking_a_kommune_on_the_map_opens_sammenlign(page):
    page.goto(page.base + "/kart?ind=neet_15_29&niva=kommune&periode=2024")
    settle(page, ".choroplethlocation")
    page.wait_for_function("() => document.querySelectorAll('.choroplethlocation').length >= 357", polling=100)
    x, y = page.evaluate("""() => {
        const boxes = [...document.querySelectorAll('.choroplethlocation')].map(p => p.getBoundingClientRect())
            .sort((a, c) => c.width * c.height - a.width * a.height);
        return [boxes[0].x + boxes[0].width / 2, boxes[0].y + boxes[0].height / 2];  // the biggest kommune
    }""")
    page.mouse.click(x, y)
    page.wait_for_url(re.compile(r"/kommune/\d{4}"))
    settle(page, ".js-plotly-plot")
    assert page.locator("h1").inner_text().startswith("Sammenlign ")


def test_appendix_pages_with_skien(page):
    page.goto(page.base + "/psykisk-helse?kommune=4003")
    settle(page, ".js-plotly-plot")
    assert page.locator("h1").inner_text() == "Psykisk helse blant unge"
    assert page.locator(".js-plotly-plot").count() == 3
    assert "Ingen Ungdata-undersøkelse dette året" in page.locator(".gaps").first.inner_text()
    page.wait_for_function("() => [...document.querySelectorAll('.legendtext')].some(t => t.textContent == 'Skien, alle')")
    shot(page, "psykisk-helse-skien")
    page.goto(page.base + "/lavinntekt?kommune=4003")
    settle(page, ".js-plotly-plot")
    assert page.locator(".js-plotly-plot").count() == 3
    shot(page, "lavinntekt-skien")
    # choosing another kommune puts it in the URL and redraws
    page.locator(".appendix-page .kommune-search").first.click()
    page.locator(".dash-dropdown-search").fill("Porsgrunn")
    page.locator(".dash-dropdown-options").get_by_text(re.compile(r"^Porsgrunn \(4001\)")).first.click()
    page.wait_for_url(re.compile(r"/lavinntekt\?kommune=4001$"))
    page.wait_for_function("() => [...document.querySelectorAll('.legendtext')].some(t => t.textContent == 'Porsgrunn')")
    assert page.recorder.console == []


def test_cohort_2019_on_the_fylker_of_2018(page):
    page.goto(page.base + "/kart?ind=gjennomforing_vgo&niva=fylke&periode=2019")
    settle(page, ".choroplethlocation")
    page.wait_for_function("() => document.querySelectorAll('.choroplethlocation').length >= 18", polling=100)
    page.wait_for_timeout(200)
    assert page.locator(".choroplethlocation").count() == 18
    assert "inndelingen fra 2018" in page.locator(".border-note").inner_text()
    assert "startet Vg1 2019" in page.locator("#map-periode").inner_text()
    assert page.recorder.requests and any("/geo/fylker-2018.geojson" in u for u in page.recorder.requests)
    shot(page, "map-kull-2019")
    assert page.recorder.console == []


def _dropdown_names(page) -> list[tuple[str, str]]:
    """(visible label, Chromium's computed accessible name) for every dropdown button on the page."""
    cdp = page.context.new_cdp_session(page)
    root = cdp.send("DOM.getDocument", {"depth": 0})["root"]["nodeId"]
    found = cdp.send("DOM.querySelectorAll", {"nodeId": root, "selector": "button.dash-dropdown"})["nodeIds"]
    out = []
    for node in found:
        ax = cdp.send("Accessibility.getPartialAXTree", {"nodeId": node, "fetchRelatives": False})["nodes"][0]
        obj = cdp.send("DOM.resolveNode", {"nodeId": node})["object"]["objectId"]
        label = cdp.send("Runtime.callFunctionOn", {
            "objectId": obj, "returnByValue": True,
            "functionDeclaration": "function() { const l = this.closest('label');"
                                   " const s = l && l.querySelector('.control-label'); return s ? s.innerText : ''; }",
        })["result"]["value"]
        out.append((label, ax.get("name", {}).get("value", "")))
    cdp.detach()
    return out


@pytest.mark.parametrize("path,expected", [
    ("/kommune/4003", ["Kommune", "Kommuner i sammenligningen", "Indikatorer"]),
    ("/kart", ["Indikator", "Periode"]),
    ("/psykisk-helse?kommune=4003", ["Vis en kommune ved siden av landet"]),
    ("/", ["Finn kommune"]),
])
def test_every_dropdown_is_announced_by_its_label(page, path, expected):
    """Dash 4's dropdown names itself after its value; the visible label must come first in that name."""
    page.goto(page.base + path)
    settle(page, "button.dash-dropdown")
    page.wait_for_timeout(300)
    names = _dropdown_names(page)
    assert [label.split(" (")[0] for label, _ in names] == expected, names
    for label, name in names:
        assert label and name.startswith(label), (label, name)
    if path.startswith("/kommune"):
        kommune = names[0][1]
        assert "Skien" in kommune  # the value is still announced after the label


# --- the open data API from a browser: the «API» page, and CORS for another origin ---------------------------

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
    # The app's own pages allow fetches to their own origin only (CSP connect-src 'self'), so the reader is a
    # plain page on another server, as a kommune's own web page would be.
    with _other_site() as site:
        page.goto(site)
        _read_api_from_another_site(page)


@contextlib.contextmanager
def _other_site():
    class Blank(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            body = b"<!doctype html><title>Et annet nettsted</title>"
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Blank)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


def _read_api_from_another_site(page):
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
