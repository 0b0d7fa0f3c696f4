"""WCAG 2.1 AA in the browser: axe-core on every page (desktop and phone), reflow at 320 CSS px, and a
keyboard-only walk through Sammenlign with visible focus all the way.

axe-core comes from axe-playwright-python (pinned in requirements.txt; it bundles axe-core 4.12). Every
rule tagged WCAG 2.0/2.1 A or AA runs; none is disabled.
"""
from __future__ import annotations

import re

import pytest
from browser_support import app_url, browser, settle, shot  # noqa: F401  (fixtures)

pytestmark = pytest.mark.browser

WCAG_21_AA = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]},
              "resultTypes": ["violations"]}
PHONE, NARROWEST = 390, 320


def every_page() -> list[str]:
    import dash

    import app  # noqa: F401  (registers the pages)

    paths = [(p.get("path_template") or p["path"]).replace("<knr>", "4601") for p in dash.page_registry.values()]
    return sorted(set(paths)) + ["/kommune/1201", "/finnes-ikke"]


@pytest.fixture(scope="module")
def context_for(browser):
    """One browser context per viewport width for the whole module (cold start once, not per page)."""
    contexts = {}

    def get(width: int):
        if width not in contexts:
            contexts[width] = browser.new_context(viewport={"width": width, "height": 844}, locale="nb-NO",
                                                  accept_downloads=True)
        return contexts[width]

    yield get
    for c in contexts.values():
        c.close()


def open_page(context, url: str):
    page = context.new_page()
    page.set_default_timeout(15000)
    page.goto(url)
    settle(page)
    return page


def axe_violations(page) -> list[str]:
    from axe_playwright_python.sync_playwright import Axe

    result = Axe().run(page, options=WCAG_21_AA).response
    return [f"{v['id']} ({v['impact']}): {[n['target'] for n in v['nodes']][:5]}" for v in result["violations"]]


@pytest.mark.parametrize("width", [1280, PHONE])
def test_axe_finds_no_wcag21_aa_violation_on_any_page(context_for, app_url, width):
    found = {}
    for path in every_page():
        page = open_page(context_for(width), app_url + path)
        page.wait_for_timeout(300)
        # closed <details> hide their tables from axe: open them, so the tables are checked too
        page.evaluate("() => document.querySelectorAll('details').forEach(d => { d.open = true; })")
        violations = axe_violations(page)
        if violations:
            found[path] = violations
        page.close()
    assert found == {}


def test_axe_finds_no_violation_with_a_dropdown_open(context_for, app_url):
    page = open_page(context_for(1280), app_url + "/kommune/4601")
    page.locator("#cmp-med").click()
    page.wait_for_selector(".dash-dropdown-options")
    assert axe_violations(page) == []
    page.close()


def test_no_page_scrolls_sideways_at_320_px_and_chart_labels_stay_inside(context_for, app_url):
    wide = {}
    for path in every_page():
        page = open_page(context_for(NARROWEST), app_url + path)
        page.evaluate("() => document.querySelectorAll('details').forEach(d => { d.open = true; })")
        page.wait_for_timeout(300)
        width = page.evaluate("() => document.documentElement.scrollWidth")
        if width > NARROWEST:
            wide[path] = width
        # axis labels of every chart inside the chart's own box (not cut off at the left or right edge)
        outside = page.evaluate("""() => [...document.querySelectorAll('.js-plotly-plot')].flatMap(plot => {
            const box = plot.getBoundingClientRect();
            return [...plot.querySelectorAll('.xtick text, .ytick text, .gtitle')]
              .filter(t => { const r = t.getBoundingClientRect();
                             return r.width > 0 && (r.left < box.left - 1 || r.right > box.right + 1); })
              .map(t => t.textContent); })""")
        assert outside == [], (path, outside)
        shot(page, "320" + (path.replace("/", "-") if path != "/" else "-home"))
        page.close()
    assert wide == {}, f"scrollWidth above {NARROWEST} px: {wide}"


FOCUS_VISIBLE = """() => { const e = document.activeElement; if (!e || e === document.body) return false;
    const s = getComputedStyle(e);
    const r = e.getBoundingClientRect();
    for (let a = e; a; a = a.parentElement) if (parseFloat(getComputedStyle(a).opacity) < 0.5) return false;
    return r.width > 0 && r.height > 0 && (s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) >= 2
           || s.boxShadow !== 'none'); }"""


def _focus_is_visible(page) -> bool:
    """An outline of 2 px or a focus shadow on the focused element, which is not transparent (plotly's
    toolbar fades in over 0.3 s when it takes focus, so allow it a moment)."""
    from playwright.sync_api import TimeoutError

    try:
        page.wait_for_function(FOCUS_VISIBLE, timeout=1000, polling=50)
        return True
    except TimeoutError:
        return False


def _tab_to(page, predicate: str, limit: int = 80, key: str = "Tab") -> None:
    """Press Tab (or Shift+Tab) until the focused element satisfies the JS predicate; focus must be visible
    at every stop."""
    trail = []
    for _ in range(limit):
        page.keyboard.press(key)
        described = page.evaluate("() => { const e = document.activeElement; return e.tagName + '#' + e.id + "
                                  "' ' + (e.innerText || e.value || e.getAttribute('aria-label') || '').slice(0, 40); }")
        trail.append(described)
        assert _focus_is_visible(page), f"focus not visible on {described}, after {trail[-6:-1]}"
        if page.evaluate(f"() => {{ const e = document.activeElement; return !!({predicate}); }}"):
            return
    raise AssertionError(f"no focusable element matching {predicate} within {limit} tabs")


def _type_in_dropdown(page, text: str) -> None:
    """On a focused dropdown, the first character opens its search box and moves focus there (Dash 4)."""
    page.keyboard.type(text[0])
    page.wait_for_function("() => document.activeElement.classList.contains('dash-dropdown-search')")
    page.keyboard.type(text[1:], delay=30)
    page.wait_for_function("t => document.activeElement.value === t", arg=text)


def test_keyboard_only_walk_through_sammenlign(browser, app_url):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="nb-NO", accept_downloads=True)
    page = context.new_page()
    page.set_default_timeout(15000)
    try:
        page.goto(app_url + "/kommune/4601?med=4602&sett=naboer&ind=neet_15_29")
        settle(page, ".js-plotly-plot")
        # the first Tab reaches the skip link, shown when focused; Enter moves focus to the content
        page.keyboard.press("Tab")
        assert page.evaluate("() => document.activeElement.className") == "skip-link"
        assert _focus_is_visible(page)
        assert page.locator(".skip-link").bounding_box()["x"] >= 0
        page.keyboard.press("Enter")
        assert page.evaluate("() => document.activeElement.id") == "innhold"

        # search a kommune: typing on the Kommune dropdown opens its search, ArrowDown + Enter choose
        _tab_to(page, "e.id === 'cmp-kommune'")
        _type_in_dropdown(page, "Tromsø")
        page.wait_for_selector(".dash-dropdown-options")
        page.wait_for_function("() => document.querySelectorAll('.dash-dropdown-options label').length === 1")
        page.keyboard.press("ArrowDown")
        page.keyboard.press("Enter")
        page.wait_for_url(re.compile(r"/kommune/5501\?"))
        page.wait_for_function("() => document.querySelector('h1').innerText.includes('Tromsø')")
        settle(page, ".js-plotly-plot")

        # change the comparison set: the radio group takes focus, the arrow keys choose
        _tab_to(page, "e.name === 'cmp-sett'")
        page.keyboard.press("ArrowRight")
        page.wait_for_url(re.compile(r"sett=fylke"))
        assert page.locator("#cmp-sett input[value='fylke']").is_checked()
        settle(page, ".js-plotly-plot")

        # add an indicator from the Indikatorer dropdown
        before = page.locator("section.indicator").count()
        _tab_to(page, "e.id === 'cmp-ind'")
        _type_in_dropdown(page, "Trangbodd")
        page.wait_for_function("() => document.querySelectorAll('.dash-dropdown-options label').length === 1")
        page.keyboard.press("ArrowDown")
        page.keyboard.press("Enter")
        page.keyboard.press("Escape")
        page.wait_for_function(f"() => document.querySelectorAll('section.indicator').length > {before}")
        settle(page, ".js-plotly-plot")

        # open a table (the <summary> of the first indicator's table)
        _tab_to(page, "e.tagName === 'SUMMARY'")
        page.keyboard.press("Enter")
        assert page.evaluate("() => document.activeElement.parentElement.open") is True

        # back up to the toolbar and download Excel with Enter on the button
        _tab_to(page, "e.innerText && e.innerText.trim() === 'Last ned Excel'", key="Shift+Tab")
        with page.expect_download() as info:
            page.keyboard.press("Enter")
        assert info.value.suggested_filename.startswith("innenfor-5501")
        assert info.value.suggested_filename.endswith(".xlsx")
    finally:
        context.close()
