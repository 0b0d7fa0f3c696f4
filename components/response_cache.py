"""Whole answers of pure callbacks, kept as sent (compressed) in each worker.

Once a view's figures are memoised (``store.cached``), most of what a repeated callback costs is Dash's
dispatch, JSON serialisation and compression of the very same answer. A callback whose answer depends only
on its request body and the database file is named to ``install`` (``serving.PURE_CALLBACK_OUTPUTS``); its 200 answer is stored under
(database identity, Accept-Encoding, the request fields Dash reads) and the next identical request is
answered from memory. Downloads are not listed (large, rare); nor is anything that reads cookies or headers.
"""
from __future__ import annotations

import hashlib
import json
from collections import OrderedDict
from threading import Lock

from flask import Response, g, request

from components import store

# The request fields Dash's dispatch reads (dash.Dash._initialize_context / _prepare_callback).
DISPATCH_FIELDS = ("output", "outputs", "inputs", "state", "changedPropIds")
LIMIT_BYTES = 32_000_000     # per worker; a compressed Sammenlign answer is ~10 kB
MAX_ENTRY_BYTES = 1_000_000
HEADERS_KEPT = ("Content-Type", "Content-Encoding", "Vary")


class ResponseCache:
    """LRU of (body bytes, headers) bounded in bytes; thread-safe."""

    def __init__(self, limit: int = LIMIT_BYTES):
        self.limit = limit
        self.size = 0
        self.items: OrderedDict[str, tuple[bytes, tuple]] = OrderedDict()
        self.lock = Lock()
        self.hits = self.misses = 0

    def get(self, key: str):
        with self.lock:
            found = self.items.get(key)
            if found is None:
                self.misses += 1
                return None
            self.items.move_to_end(key)
            self.hits += 1
            return found

    def put(self, key: str, data: bytes, headers: tuple) -> None:
        if len(data) > MAX_ENTRY_BYTES:
            return
        with self.lock:
            if key in self.items:
                return
            self.items[key] = (data, headers)
            self.size += len(data)
            while self.size > self.limit:
                _, (old, _h) = self.items.popitem(last=False)
                self.size -= len(old)


def request_key(body, accept_encoding: str, pure: frozenset[str]) -> str | None:
    """The cache key of a callback request, or None when it is not a pure callback's (or the database is gone)."""
    if not isinstance(body, dict) or body.get("output") not in pure:
        return None
    try:
        identity = store.identity()
    except store.DataUnavailable:
        return None
    fields = json.dumps([body.get(f) for f in DISPATCH_FIELDS], sort_keys=True, separators=(",", ":"),
                        ensure_ascii=False)
    encoding = ",".join(sorted(p.strip().lower() for p in accept_encoding.split(",") if p.strip()))
    digest = hashlib.sha256(fields.encode("utf-8")).hexdigest()
    return f"{identity}|{encoding}|{digest}"


def install(server, callback_path: str, pure_outputs: set[str]) -> ResponseCache:
    """Hooks on the Flask server. Call it after the request-validation hook is registered (before_request
    hooks run in order, so only well-formed bodies are looked up) and *before* flask-compress registers its
    after_request (those run in reverse order, so the store hook sees the compressed bytes as sent)."""
    cache = ResponseCache()
    pure = frozenset(pure_outputs)

    @server.before_request
    def _answer_from_cache():
        if request.path != callback_path or request.method != "POST":
            return None
        key = request_key(request.get_json(silent=True), request.headers.get("Accept-Encoding", ""), pure)
        if key is None:
            return None
        found = cache.get(key)
        if found is None:
            g.response_cache_key = key
            return None
        data, headers = found
        return Response(data, status=200, headers=list(headers))

    @server.after_request
    def _store(response):
        key = g.pop("response_cache_key", None)
        if key is not None and response.status_code == 200 and not response.is_streamed:
            headers = tuple((h, response.headers[h]) for h in HEADERS_KEPT if h in response.headers)
            cache.put(key, response.get_data(), headers)
        return response

    server.extensions["innenfor_response_cache"] = cache
    return cache
