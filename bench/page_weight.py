"""Benchmark: bytes on the wire for a first visit to Sammenlign (empty browser cache), compressed.

Fetches, with a browser's ``Accept-Encoding: gzip`` (and again with br), the HTML shell, every script and
stylesheet it references, Dash's layout and dependencies, and the JSON of the callbacks the page fires on
load (page content, navigation, the first render). Sums the bytes as sent (body after Content-Encoding).
Uses the Flask test client: the same responses gunicorn would send. Exits 1 if a request fails.
"""
from __future__ import annotations

import os
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from bench.callback_cost import body, database  # noqa: E402

KNR = "4601"
LAZY_CHUNKS = ("dash/dcc/async-dropdown.js", "dash/dcc/async-markdown.js", "dash/dcc/async-graph.js")
DASH_PLOTLY = "/_dash-component-suites/plotly/package_data/plotly.min.js"


def _plain(response) -> str:
    return response.get_data(as_text=True)


def main() -> int:
    os.environ["INNENFOR_DB"] = str(database())
    import app
    from components import queries
    from pages import compare

    client = app.server.test_client()
    meta = queries.indicators()
    inds = compare.kommune_indicators(meta)
    med = queries.comparators(KNR, compare.DEFAULT_SET)
    callbacks = {
        "page content": body([("_pages_content", "children"), ("_pages_store", "data")],
                             [("_pages_location", "pathname", f"/kommune/{KNR}"), ("_pages_location", "search", "")]),
        "navigation": body([("main-nav", "children")], [("_pages_location", "pathname", f"/kommune/{KNR}"),
                                                        ("last-kommune", "data", None)]),
        "remember kommune": body([("last-kommune", "data")], [("_pages_location", "pathname", f"/kommune/{KNR}")]),
        "render": body([("cmp-out", "children"), ("cmp-url", "pathname"), ("cmp-url", "search"),
                        ("cmp-title", "children")],
                       [("cmp-kommune", "value", KNR), ("cmp-med", "value", med), ("cmp-ind", "value", inds),
                        ("cmp-sett", "value", "naboer")],
                       [("cmp-url", "pathname", f"/kommune/{KNR}"), ("cmp-url", "search", "")]),
    }
    print(f"page weight, first visit to /kommune/{KNR} (Sammenlign, {len(med)} comparators, {len(inds)} indicators)")
    for encoding in ("gzip", "br"):
        headers = {"Accept-Encoding": encoding}
        rows = []

        def get(label, path, method="GET", payload=None):
            r = client.open(path, method=method, json=payload, headers=headers)
            if r.status_code != 200:
                raise RuntimeError(f"{path}: HTTP {r.status_code}")
            raw = r.get_data()
            plain = len(r.get_data()) if r.headers.get("Content-Encoding") is None else None
            rows.append((label, len(raw), r.headers.get("Content-Encoding") or "-", plain))
            return r

        html = get("html", f"/kommune/{KNR}").get_data()
        import brotli
        import gzip as gz
        text = (gz.decompress(html) if encoding == "gzip" else brotli.decompress(html)).decode()
        for src in re.findall(r'<script[^>]+src="([^"]+)"', text):
            get("js " + src.split("/")[-1].split("?")[0], src)
        for href in re.findall(r'<link[^>]+href="([^"]+)"', text):
            get("css " + href.split("/")[-1].split("?")[0], href)
        # chunks dcc loads on demand when the page's dropdowns, markdown tables and graphs mount
        for chunk in LAZY_CHUNKS:
            get("js " + chunk.split("/")[-1], f"/_dash-component-suites/{chunk}")
        # plotly.js: the modules assets/plotly_loader.js imports for a page without a map (the entry and its
        # static imports), else Dash's full bundle, which dcc.Graph fetches when no window.Plotly is set
        loader = next((src for src in re.findall(r'<script[^>]+src="([^"]+)"', text) if "plotly_loader" in src), None)
        if loader:
            entry = "/assets/" + re.findall(r'new URL\("([^"]+)"', _plain(client.get(loader)))[0]
            get("js " + entry.split("/")[-1], entry)
            for module in re.findall(r'from\s*"\./([^"]+)"', _plain(client.get(entry))):
                path = entry.rsplit("/", 1)[0] + "/" + module
                get("js " + module, path)
        else:
            get("js plotly.min.js", DASH_PLOTLY)
        get("layout", "/_dash-layout")
        get("dependencies", "/_dash-dependencies")
        for label, payload in callbacks.items():
            get("callback " + label, "/_dash-update-component", "POST", payload)
        total = sum(r[1] for r in rows)
        js = sum(r[1] for r in rows if r[0].startswith("js "))
        cb = sum(r[1] for r in rows if r[0].startswith("callback") or r[0] in ("layout", "dependencies"))
        print(f"  {encoding}: {len(rows)} responses, total {total / 1024:8.1f} KiB "
              f"(JS {js / 1024:.1f} KiB, JSON {cb / 1024:.1f} KiB)")
        if encoding == "gzip":
            for label, n, enc, _ in sorted(rows, key=lambda r: -r[1])[:30]:
                print(f"      {n / 1024:8.1f} KiB  {enc:4s}  {label}")
        uncompressed = [r[0] for r in rows if r[2] == "-" and r[1] > 1000]
        if uncompressed:
            print("    sent uncompressed:", ", ".join(uncompressed))
    return 0


if __name__ == "__main__":
    sys.exit(main())
