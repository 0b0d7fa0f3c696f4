"""Benchmark: how long a visitor on a phone waits for the first chart (Sammenlign) and the first map (Kart).

The real app (``app.py``, as ``make run`` starts it) on a free loopback port, Debian's Chromium through
Playwright, a 390x844 viewport, a cold cache (a fresh browser context per run, cache disabled over CDP) and
Chrome's own network emulation (CDP ``Network.emulateNetworkConditions``: the RTT is added to every
request, the throughput is shared by all requests). Profiles: no throttling, Fast 4G (40 ms RTT, 9 Mbit/s
down) and Slow 4G (150 ms RTT, 1.6 Mbit/s down), all in one run; median of 3 runs each.

"Drawn" = the moment (``performance.now()``, from navigation start) a plotly trace element is in the DOM:
a bar/marker path of the first chart, or a drawn region of the map. A MutationObserver added before the
page's own scripts records it, so the figure does not depend on polling.

Targets (issue 13): Fast 4G <= 2 s, Slow 4G <= 4 s. Exits 1 if a target is missed or a page fails.
``--runs N`` and ``--profile NAME`` narrow the run.
"""
from __future__ import annotations

import argparse
import os
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from bench.callback_cost import database  # noqa: E402

CHROMIUM = os.environ.get("INNENFOR_CHROMIUM", "/usr/bin/chromium")
PAGES = {"/kommune/4003, first chart drawn": ("/kommune/4003", ".js-plotly-plot .trace path"),
         "/kart, first map drawn": ("/kart", ".js-plotly-plot .choroplethlocation")}
# (latency ms, download bit/s, upload bit/s); upload as in Chrome DevTools' presets of the same names
PROFILES = {"no throttling": None, "Fast 4G": (40, 9_000_000, 1_500_000), "Slow 4G": (150, 1_600_000, 750_000)}
TARGETS = {"Fast 4G": 2.0, "Slow 4G": 4.0}
TIMEOUT_MS = 60_000

OBSERVER = """
(() => {
  const mark = () => {
    for (const [name, sel] of Object.entries(window.__paintSelectors || {})) {
      if (!(name in window.__painted) && document.querySelector(sel)) window.__painted[name] = performance.now();
    }
  };
  window.__painted = {};
  window.__paintSelectors = %s;
  new MutationObserver(mark).observe(document, {childList: true, subtree: true});
})();
"""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_app(db: Path) -> tuple[subprocess.Popen, str]:
    port = _free_port()
    proc = subprocess.Popen([sys.executable, "app.py", "--host", "127.0.0.1", "--port", str(port)], cwd=ROOT,
                            env={**os.environ, "INNENFOR_DB": str(db)}, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    for _ in range(300):
        try:
            urllib.request.urlopen(url + "/", timeout=1).read()
            return proc, url
        except OSError:
            if proc.poll() is not None:
                raise RuntimeError("the app exited")
            time.sleep(0.1)
    proc.terminate()
    raise RuntimeError("the app did not answer within 30 s")


def one_run(browser, url: str, path: str, selector: str, profile) -> tuple[float, int]:
    """Seconds from navigation start to the first drawn trace, and bytes received (as sent, compressed)."""
    import json

    context = browser.new_context(viewport={"width": 390, "height": 844}, device_scale_factor=2, is_mobile=True,
                                  has_touch=True, locale="nb-NO")
    try:
        page = context.new_page()
        page.add_init_script(OBSERVER % json.dumps({"drawn": selector}))
        cdp = context.new_cdp_session(page)
        cdp.send("Network.enable")
        cdp.send("Network.setCacheDisabled", {"cacheDisabled": True})
        received = []
        cdp.on("Network.loadingFinished", lambda e: received.append(e["encodedDataLength"]))
        if profile:
            latency, down, up = profile
            cdp.send("Network.emulateNetworkConditions", {"offline": False, "latency": latency,
                                                          "downloadThroughput": down / 8, "uploadThroughput": up / 8})
        page.goto(url + path, wait_until="commit", timeout=TIMEOUT_MS)
        page.wait_for_function("() => 'drawn' in window.__painted", timeout=TIMEOUT_MS, polling=200)
        drawn_ms = page.evaluate("() => window.__painted.drawn")
        page.wait_for_load_state("networkidle", timeout=TIMEOUT_MS)
        return drawn_ms / 1000, sum(received)
    finally:
        context.close()


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--profile", choices=list(PROFILES), action="append")
    args = parser.parse_args()
    profiles = args.profile or list(PROFILES)
    from playwright.sync_api import sync_playwright

    proc, url = start_app(database())
    failed = False
    results: dict[tuple[str, str], tuple[float, int]] = {}
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True,
                                         args=["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                                               "--disable-component-update", "--no-first-run"])
            # one unmeasured visit per page: the server's own first-request work is not the network's
            for path, selector in PAGES.values():
                one_run(browser, url, path, selector, None)
            for label, (path, selector) in PAGES.items():
                for name in profiles:
                    runs = [one_run(browser, url, path, selector, PROFILES[name]) for _ in range(args.runs)]
                    results[label, name] = (statistics.median(r[0] for r in runs), max(r[1] for r in runs))
            browser.close()
    finally:
        proc.terminate()
        proc.wait(timeout=10)
    print(f"first paint, 390x844, cold cache, median of {args.runs} (seconds; KiB received on the page)")
    print("| page | " + " | ".join(profiles) + " |")
    print("|---|" + "---|" * len(profiles))
    for label in PAGES:
        cells = []
        for name in profiles:
            seconds, received = results[label, name]
            miss = name in TARGETS and seconds > TARGETS[name]
            failed |= miss
            cells.append(f"{seconds:.1f} s ({received / 1024:.0f} KiB){' MISSED' if miss else ''}")
        print(f"| {label} | " + " | ".join(cells) + " |")
    print("targets: " + ", ".join(f"{k} <= {v:g} s" for k, v in TARGETS.items()))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
