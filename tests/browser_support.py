"""Fixtures for the headless-browser tests: the real app in a subprocess on a free loopback port, against
the real offline build (``built_db``), and Playwright driving Debian's Chromium.

Chromium missing -> the tests skip with the reason, except under CI=true where they fail.
"""
from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlparse

import pytest

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = os.environ.get("INNENFOR_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
SHOTS = Path(os.environ.get("INNENFOR_SHOTS", "/tmp/shots"))
LOOPBACK = {"127.0.0.1", "localhost", "::1", "[::1]"}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# Every browser test module imports these fixtures, so pytest keeps one instance per module: the app
# server and the browser are shared between them (reference-counted), since two sync Playwright instances
# cannot run in one process, and one app server is enough.
_SHARED: dict[str, list] = {}


def _shared(key: str, start, stop):
    entry = _SHARED.get(key)
    if entry is None:
        entry = _SHARED[key] = [start(), 0]
    entry[1] += 1
    try:
        yield entry[0][0]
    finally:
        entry[1] -= 1
        if entry[1] == 0:
            del _SHARED[key]
            stop(entry[0])


def _start_app(built_db):
    port = _free_port()
    env = {**os.environ, "INNENFOR_DB": str(built_db)}
    log = open(built_db.parent / "app.log", "w")
    proc = subprocess.Popen([sys.executable, "app.py", "--host", "127.0.0.1", "--port", str(port)], cwd=ROOT,
                            env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    for _ in range(150):
        try:
            urllib.request.urlopen(url + "/", timeout=1).read()
            return url, proc, log
        except OSError:
            if proc.poll() is not None:
                raise RuntimeError("the app exited: " + (built_db.parent / "app.log").read_text()[-2000:])
            time.sleep(0.1)
    _stop_app((url, proc, log))
    raise RuntimeError("the app did not answer within 15 s")


def _stop_app(started) -> None:
    _, proc, log = started
    proc.terminate()
    proc.wait(timeout=10)
    log.close()


@pytest.fixture(scope="session")
def app_url(built_db):
    yield from _shared("app", lambda: _start_app(built_db), _stop_app)


def _start_browser():
    from playwright.sync_api import sync_playwright

    pw = sync_playwright().start()
    return pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True), pw


def _stop_browser(started) -> None:
    b, pw = started
    b.close()
    pw.stop()


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        message = f"no Chromium at {CHROMIUM} (apt-get install chromium)"
        if os.environ.get("CI") == "true":
            pytest.fail(message + " — CI must have it")
        pytest.skip(message)
    yield from _shared("browser", _start_browser, _stop_browser)


class Recorder:
    """Every request the page makes and every console message / page error it logs."""

    def __init__(self, page):
        self.requests: list[str] = []
        self.console: list[str] = []
        page.on("request", lambda r: self.requests.append(r.url))
        page.on("console", lambda m: self.console.append(f"{m.type}: {m.text}")
                if m.type in ("error", "warning") else None)
        page.on("pageerror", lambda e: self.console.append(f"pageerror: {e}"))

    def external(self) -> list[str]:
        out = []
        for url in self.requests:
            parsed = urlparse(url)
            if parsed.scheme in ("data", "blob", "about"):
                continue
            if parsed.hostname not in LOOPBACK:
                out.append(url)
        return out


@pytest.fixture()
def page(browser, app_url):
    context = browser.new_context(accept_downloads=True, viewport={"width": 1280, "height": 900}, locale="nb-NO")
    # Every CSP violation (blocked inline script or style, eval, a request elsewhere) reaches the console.
    context.add_init_script("document.addEventListener('securitypolicyviolation', e => console.error("
                            "'CSP violation: ' + e.violatedDirective + ' blocked ' + e.blockedURI))")
    pg = context.new_page()
    pg.set_default_timeout(15000)
    pg.recorder = Recorder(pg)
    pg.base = app_url
    yield pg
    external = pg.recorder.external()
    context.close()
    assert not external, f"requests left loopback: {external}"
    assert not csp_violations(pg.recorder.console), f"CSP violations: {csp_violations(pg.recorder.console)}"


def csp_violations(console: list[str]) -> list[str]:
    return [m for m in console if "Content Security Policy" in m or "CSP violation" in m]


def settle(page, selector: str = "h1") -> None:
    """Wait until Dash has rendered the page and no callback is pending."""
    page.wait_for_selector(selector)
    page.wait_for_load_state("networkidle")
    page.wait_for_function("() => !document.querySelector('[data-dash-is-loading=\"true\"]')", polling=100)


def shot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)
