"""Benchmark: bytes on the wire for a first visit to Sammenlign (empty browser cache), compressed.

Fetches, with ``Accept-Encoding: gzip`` and again with br (what browsers send over HTTPS), the HTML shell,
every script and stylesheet it references, the plotly modules, the dcc chunks of the component types the
first view mounts, Dash's layout and dependencies, and the JSON of the callbacks the page fires on load
(page content, navigation, the first render). Sums the bytes as sent (body after Content-Encoding).
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
# chunks dcc fetches when a component of that type first mounts
LAZY_CHUNKS = {"Dropdown": "dash/dcc/async-dropdown.js", "Markdown": "dash/dcc/async-markdown.js",
               "Graph": "dash/dcc/async-graph.js"}
DASH_PLOTLY = "/_dash-component-suites/plotly/package_data/plotly.min.js"


def _plain(response) -> str:
    return response.get_data(as_text=True)


def _decoded(response, encoding: str) -> bytes:
    import brotli
    import gzip as gz
    raw = response.get_data()
    if response.headers.get("Content-Encoding") is None:
        return raw
    return gz.decompress(raw) if encoding == "gzip" else brotli.decompress(raw)


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
        # stylesheets and the icon; modulepreload links name plotly's modules, counted below from the loader
        for href in re.findall(r'<link(?![^>]*modulepreload)[^>]+href="([^"]+)"', text):
            get("css " + href.split("/")[-1].split("?")[0], href)
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
        mounted = b""
        for label, payload in callbacks.items():
            r = get("callback " + label, "/_dash-update-component", "POST", payload)
            mounted += _decoded(r, encoding)
        # chunks dcc loads on demand when the first view mounts a component of their type (the shell's own
        # search dropdown counts: it is in the layout)
        mounted += _decoded(client.get("/_dash-layout", headers=headers), encoding)
        for kind, chunk in LAZY_CHUNKS.items():
            if re.search(rb'"type":\s*"%s"' % kind.encode(), mounted):
                get("js " + chunk.split("/")[-1], f"/_dash-component-suites/{chunk}")
        total = sum(r[1] for r in rows)
        js = sum(r[1] for r in rows if r[0].startswith("js "))
        cb = sum(r[1] for r in rows if r[0].startswith("callback") or r[0] in ("layout", "dependencies"))
        print(f"  {encoding}: {len(rows)} responses, total {total / 1024:8.1f} KiB "
              f"(JS {js / 1024:.1f} KiB, JSON {cb / 1024:.1f} KiB)")
        print(f"    target (issue 13): <= 600 kB = 585.9 KiB: {'met' if total <= 600_000 else 'MISSED'}")
        if True:
            for label, n, enc, _ in sorted(rows, key=lambda r: -r[1])[:30]:
                print(f"      {n / 1024:8.1f} KiB  {enc:4s}  {label}")
        uncompressed = [r[0] for r in rows if r[2] == "-" and r[1] > 1000]
        if uncompressed:
            print("    sent uncompressed:", ", ".join(uncompressed))
    return 0


if __name__ == "__main__":
    sys.exit(main())
