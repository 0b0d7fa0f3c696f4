"""The large immutable scripts (plotly, React, Dash's renderer and components) sent at brotli's best quality.

flask-compress uses one quality for every response; the level that suits a callback answer (fast, made per
request) leaves ~20 % on the table for a 1 MB script that never changes while the process runs. At quality
11 plotly's core goes from ~375 to ~307 KiB, which a phone on Slow 4G (1.6 Mbit/s) receives 0.35 s sooner.
Quality 11 costs ~3 s of CPU for that file, so each body is made once per process and kept; gunicorn's master
makes them before it forks (``warm``), so no visitor waits for it. Browsers that do not accept br get
flask-compress's gzip as before.
"""
from __future__ import annotations

import re
from threading import Lock

import brotli
from flask import request

QUALITY = 11
MIN_BYTES = 20_000  # below this the gain is a few hundred bytes
MIMETYPES = ("application/javascript", "text/javascript")
_bodies: dict[str, bytes] = {}
_lock = Lock()


def accepts_br(header: str) -> bool:
    """True if an Accept-Encoding header allows br (``br;q=0`` refuses it)."""
    for part in header.split(","):
        name, _, params = part.strip().partition(";")
        if name.strip().lower() == "br":
            q = re.search(r"q\s*=\s*([0-9.]+)", params)
            return not q or float(q.group(1)) > 0
    return False


def install(server, prefixes: tuple[str, ...]) -> None:
    """Register the hook. Call after ``Compress(server)``: Flask runs after-request hooks in reverse order of
    registration, so this one runs first and flask-compress leaves the already encoded body alone."""

    @server.after_request
    def _best_brotli(response):
        if (request.method != "GET" or response.status_code != 200 or "Range" in request.headers
                or not request.path.startswith(prefixes) or response.mimetype not in MIMETYPES
                or "Content-Encoding" in response.headers
                or not accepts_br(request.headers.get("Accept-Encoding", ""))):
            return response
        if response.is_streamed:
            response.direct_passthrough = False
            response.make_sequence()
        key = request.full_path
        body = _bodies.get(key)
        if body is None:
            data = response.get_data()
            if len(data) < MIN_BYTES:
                return response
            body = brotli.compress(data, quality=QUALITY)
            with _lock:
                _bodies[key] = body
        response.set_data(body)
        response.headers["Content-Encoding"] = "br"
        etag, weak = response.get_etag()
        if etag and not weak:
            response.set_etag(f"{etag}:br")
        return response


def warm(client, page: str) -> int:
    """Request every script of ``page`` (and the plotly modules it preloads) with br, so their bodies are made
    now. Returns how many bodies are kept."""
    html = client.get(page).get_data(as_text=True)
    urls = re.findall(r'<script[^>]+src="([^"]+)"', html)
    urls += re.findall(r'<link rel="modulepreload" href="([^"]+)"', html)
    for url in urls:
        client.get(url, headers={"Accept-Encoding": "br"})
    return len(_bodies)
