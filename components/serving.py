"""Production serving: compressed responses, bounded caches of compressed immutable assets and of pure
callbacks' answers, and the callback endpoint's answer to malformed or hostile requests (4xx, never a 500
with a traceback).

``configure(app)`` is called once from ``app.py``; gunicorn settings live in ``gunicorn.conf.py``.
"""
from __future__ import annotations

import logging
import time
from collections import OrderedDict
from threading import Lock

from dash.exceptions import DependencyException
from flask import Response, request
from flask_compress import Compress
from werkzeug.exceptions import HTTPException

from components import brotli_assets, response_cache, security

log = logging.getLogger("innenfor.serving")

CALLBACK_PATH = "/_dash-update-component"
MAX_BODY_BYTES = 1_000_000  # a real callback request is a few kB; the largest (a map click) well under 100 kB
# Fingerprinted or versioned URLs whose bytes do not change while the process runs (Dash bundles carry a
# version in the path, /assets/ a ?m=<mtime>, /geo/ files change only with a deploy): compress them once.
IMMUTABLE_PREFIXES = ("/_dash-component-suites/", "/assets/", "/geo/")
# Content-hashed file names (make plotly-bundle): a new build has new names, so browsers may keep these a year
HASHED_PREFIX = "/assets/vendor/"
COMPRESSED_CACHE_BYTES = 48_000_000
_UNCACHED = "~"
# Callbacks whose answer is a function of the request body and the database file alone (no cookies, headers
# or clicks on a download): their compressed answers are kept per worker (components/response_cache.py).
# tests/test_response_cache.py checks that each is a real callback of the app.
PURE_CALLBACK_OUTPUTS = {
    ".._pages_content.children..._pages_store.data..",
    "main-nav.children",
    "cmp-sett.options",
    "cmp-med.value",
    "..cmp-out.children...cmp-url.pathname...cmp-url.search...cmp-title.children..",
    "..map-periode.options...map-periode.value..",
    "..map-graph.figure...map-info.children...map-table.children...map-url.search..",
}


class CompressedAssets:
    """flask-compress cache backend: keeps compressed bodies of immutable assets (LRU, bounded in bytes);
    every other response is compressed afresh (its key starts with ``~`` and is never stored)."""

    def __init__(self, limit: int = COMPRESSED_CACHE_BYTES):
        self.limit = limit
        self.size = 0
        self.items: OrderedDict[str, bytes] = OrderedDict()
        self.lock = Lock()

    def get(self, key: str):
        if _UNCACHED in key:
            return None
        with self.lock:
            found = self.items.get(key)
            if found is not None:
                self.items.move_to_end(key)
            return found

    def set(self, key: str, value: bytes) -> None:
        if _UNCACHED in key or len(value) > self.limit // 4:
            return
        with self.lock:
            if key in self.items:
                return
            self.items[key] = value
            self.size += len(value)
            while self.size > self.limit:
                _, old = self.items.popitem(last=False)
                self.size -= len(old)


def _cache_key(req) -> str:
    # Only whole (non-Range) GETs of immutable assets are shared; a 206 must never be stored as the file.
    if (req.method == "GET" and req.path.startswith(IMMUTABLE_PREFIXES) and "Range" not in req.headers):
        return req.full_path
    return _UNCACHED


def output_count(output: str) -> int:
    """How many outputs a callback id names: '..a.b...c.d..' -> 2, 'a.b' -> 1."""
    return output[2:-2].count("...") + 1 if output.startswith("..") and output.endswith("..") else 1


def _is_prop(item) -> bool:
    return (isinstance(item, dict) and isinstance(item.get("property"), str)
            and isinstance(item.get("id"), (str, dict)))


def _props_ok(items, expected: int) -> bool:
    """A list of ``{"id", "property", "value"}`` items (or lists of them, for ALL/ALLSMALLER patterns)."""
    if not isinstance(items, list) or len(items) != expected:
        return False
    return all(_is_prop(i) or (isinstance(i, list) and all(_is_prop(j) for j in i)) for i in items)


def callback_problem(body, callback_map: dict) -> str | None:
    """Why a callback request body is not one our renderer could have sent, or None if it is well formed.
    Checks shape only; the callbacks themselves decide what a value means."""
    if not isinstance(body, dict):
        return "body is not a JSON object"
    output = body.get("output")
    if not isinstance(output, str) or output not in callback_map:
        return "unknown output"
    spec = callback_map[output]
    outputs = body.get("outputs")
    n_out = output_count(output)
    if n_out == 1 and not output.startswith(".."):
        if not (_is_prop(outputs) or (isinstance(outputs, list) and all(_is_prop(o) for o in outputs))):
            return "malformed outputs"
    elif not (isinstance(outputs, list) and len(outputs) == n_out
              and all(_is_prop(o) or (isinstance(o, list) and all(_is_prop(x) for x in o)) for o in outputs)):
        return "malformed outputs"
    if not _props_ok(body.get("inputs"), len(spec.get("inputs", []))):
        return "malformed inputs"
    if not _props_ok(body.get("state", []), len(spec.get("state", []))):
        return "malformed state"
    changed = body.get("changedPropIds", [])
    if not isinstance(changed, list) or not all(isinstance(c, str) for c in changed):
        return "malformed changedPropIds"
    return None


def _bad_request(reason: str) -> Response:
    return Response(f"Ugyldig forespørsel ({reason}).", status=400, mimetype="text/plain")


def configure(app) -> None:
    """Compression, request limits and error answers for the Dash app's Flask server."""
    server = app.server
    server.config.update(
        DEBUG=False, PROPAGATE_EXCEPTIONS=False, MAX_CONTENT_LENGTH=MAX_BODY_BYTES,
        COMPRESS_MIMETYPES=["text/html", "text/css", "text/plain", "text/javascript", "application/javascript",
                            "application/json", "text/csv", "application/geo+json", "image/svg+xml",
                            "image/x-icon", "image/vnd.microsoft.icon"],
        COMPRESS_LEVEL=6, COMPRESS_BR_LEVEL=5, COMPRESS_MIN_SIZE=500,
        COMPRESS_CACHE_BACKEND=CompressedAssets, COMPRESS_CACHE_KEY=_cache_key,
    )

    @server.before_request
    def _check_callback_request():
        if request.path != CALLBACK_PATH or request.method != "POST":
            return None
        problem = callback_problem(request.get_json(silent=True), app.callback_map)
        if problem:
            log.warning("rejected callback request: %s", problem)
            return _bad_request(problem)
        return None

    # after the check (only well-formed bodies are looked up), before Compress (stores the bytes as sent)
    response_cache.install(server, CALLBACK_PATH, PURE_CALLBACK_OUTPUTS)
    Compress(server)
    brotli_assets.install(server, IMMUTABLE_PREFIXES)  # after Compress: runs before it

    @server.after_request  # runs before Compress's hook (Flask runs them in reverse order of registration)
    def _buffer_assets(response):
        """Files are sent as streams, which flask-compress neither caches nor gzips: read the (small,
        immutable) file into memory so its compressed form is made once per worker."""
        if response.status_code == 200 and response.is_streamed and request.path.startswith(IMMUTABLE_PREFIXES):
            response.direct_passthrough = False
            response.make_sequence()
        return response

    @server.after_request
    def _cache_hashed_files(response):
        if response.status_code == 200 and request.path.startswith(HASHED_PREFIX):
            response.headers["Cache-Control"] = "public, max-age=31536000, immutable"
        return response

    security.install(server)  # headers hook registered after Compress, so it sees the uncompressed page

    @server.errorhandler(Exception)
    def _on_exception(err):
        if isinstance(err, HTTPException):
            return err
        if isinstance(err, DependencyException):  # a component-suites path Dash does not serve
            return Response("Finnes ikke.", status=404, mimetype="text/plain")
        if request.path == CALLBACK_PATH:
            # A well-formed request whose values a callback could not handle (a dict where a code belongs,
            # ...). Logged with the traceback at ERROR, so a real bug is not hidden, and answered as the
            # client's error: the page keeps what it showed.
            log.error("callback failed for %s", _summary(), exc_info=err)
            return _bad_request("verdiene kunne ikke brukes")
        log.error("request failed: %s %s", request.method, request.path, exc_info=err)
        return Response("Intern feil. Prøv igjen om litt.", status=500, mimetype="text/plain")


def _summary() -> str:
    body = request.get_json(silent=True)
    return str(body.get("output"))[:200] if isinstance(body, dict) else "?"


def warm() -> None:
    """Read the in-memory tables once and render every kommune's default Sammenlign view (called in gunicorn's
    master before it forks, so every worker starts with them: on the day the figures come out, most visitors
    open their own kommune's default view, and none of them should wait for its first rendering)."""
    from components import pages_common, queries

    try:
        queries.records_for(["0"])
        queries.comparators("0301", "naboer")
        queries.map_periods("", "")
        queries.indicator_meta()
        pages_common.unit_names()
        from pages import compare

        started = time.perf_counter()
        n = compare.warm_default_views()
        log.info("warm-up: %d default views rendered in %.1f s", n, time.perf_counter() - started)
        import app

        started = time.perf_counter()
        n = brotli_assets.warm(app.server.test_client(), "/kommune/0301")
        log.info("warm-up: %d scripts compressed at brotli %d in %.1f s", n, brotli_assets.QUALITY,
                 time.perf_counter() - started)
    except Exception as exc:  # a missing database is reported by the pages themselves
        log.warning("warm-up skipped: %s", exc)
