"""A local HTTP server that answers like the publishers, from the rendered snapshot, with SSB's limits.

Every recorded request in ``data/snapshot/*/index.json`` is matched the way ``ReplayTransport`` matches it
(method, URL, params, JSON body -> ``Request.key``), using the ``Host`` header for the publisher's host, so
the live HTTP path (``LiveTransport`` -> ``HttpClient``) can run against it unchanged. For SSB
(``data.ssb.no``) it enforces what SSB documents (see /work/shared/API-NOTES.md):

- 30 requests per rolling 60 s per client -> 429 with ``Retry-After`` (whole seconds) beyond it;
- a GET URL longer than 2,000 characters -> 404;
- a value code repeated within one dimension of a data request -> 500;
- more than 800,000 cells in one data request -> 403 (cells from the requested value codes, or, for
  ``*``/``top(n)``-style expressions, from the ``size`` of the response that would be served).

An unknown request answers 404 (the snapshot has no such response), never a guess.
``RedirectAdapter`` sends a ``requests`` session's traffic for every host to this server while keeping the
original host in ``Host``, so the client's per-host rate limiter still sees ``data.ssb.no``.
"""
from __future__ import annotations

import json
import math
import re
import sys
import threading
import time
from collections import Counter, deque
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Callable
from urllib.parse import parse_qsl, urlsplit

from requests.adapters import HTTPAdapter

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run from anywhere (``make bench`` runs bench/*.py)

from loaders.transport import DEFAULT_SNAPSHOT, LiveTransport, ReplayTransport, Request  # noqa: E402

SSB_HOST = "data.ssb.no"
SSB_LIMIT = (30, 60.0)
SSB_MAX_URL = 2000
SSB_MAX_CELLS = 800_000
_DATA_PATH = re.compile(r"^/api/pxwebapi/v2/tables/[^/]+/data$")
SCHEME_HEADER = "X-Original-Scheme"  # set by RedirectAdapter: recorded URLs are matched with their scheme
_CODES = re.compile(r"\[[^\]]*\]|[^,]+")


@dataclass
class Hit:
    t: float            # seconds since the server started
    host: str
    method: str
    path: str
    status: int
    source: str | None  # the snapshot folder whose recorded response was served


class SnapshotServer:
    def __init__(self, snapshot_dir: Path | str = DEFAULT_SNAPSHOT, ssb_limit: tuple[int, float] = SSB_LIMIT,
                 clock: Callable[[], float] = time.monotonic):
        self.entries: dict[str, tuple[Path, dict, str]] = {}
        for index in sorted(Path(snapshot_dir).glob("*/index.json")):
            for entry in json.loads(index.read_text(encoding="utf-8")):
                self.entries[entry["key"]] = (index.parent / entry["file"], entry, index.parent.name)
        self.ssb_limit, self.clock = ssb_limit, clock
        self.started = clock()
        self.hits: list[Hit] = []
        self.served: Counter[str] = Counter()        # key -> times served
        self._window: deque[float] = deque()
        self._lock = threading.Lock()
        self._httpd: ThreadingHTTPServer | None = None

    # --- the answer, independent of HTTP (tested directly) ---------------------------------------
    def answer(self, method: str, host: str, target: str, body: bytes = b"",
               scheme: str = "https") -> tuple[int, dict, bytes]:
        with self._lock:
            now = self.clock()
            status, headers, content, source = self._answer(method, host, target, body, now, scheme)
            path = urlsplit(target).path
            self.hits.append(Hit(now - self.started, host, method, path, status, source))
            return status, headers, content

    def _answer(self, method, host, target, body, now, scheme):
        parts = urlsplit(target)
        params = parse_qsl(parts.query, keep_blank_values=True)
        if host == SSB_HOST:
            n, per = self.ssb_limit
            while self._window and now - self._window[0] >= per:
                self._window.popleft()
            if len(self._window) >= n:
                wait = math.ceil(per - (now - self._window[0]))
                return 429, {"Retry-After": str(max(wait, 1))}, b'{"error":"Too Many Requests"}', None
            self._window.append(now)
            if method == "GET" and len(f"https://{host}{target}") > SSB_MAX_URL:
                return 404, {}, b"Not Found", None
        try:
            json_body = json.loads(body) if body else None
        except ValueError:
            return 400, {}, b"body is not JSON", None
        codes = value_codes(params, json_body) if host == SSB_HOST and _DATA_PATH.match(parts.path) else None
        if codes is not None:
            for dim, values in codes.items():
                if len(set(values)) != len(values):
                    return 500, {}, f"repeated value code in {dim}".encode(), None
            if (explicit_cells(codes) or 0) > SSB_MAX_CELLS:
                return 403, {}, f"too many cells: {explicit_cells(codes)}".encode(), None
        request = Request(method, f"{scheme}://{host}{parts.path}", tuple(sorted(params)), json_body)
        hit = self.entries.get(request.key)
        if hit is None:
            return 404, {}, b"no recorded response for this request", None
        path, entry, source = hit
        content = path.read_bytes()
        if codes is not None:
            cells = response_cells(content)   # what an expression (``*``, ``top(n)``) really selected
            if cells > SSB_MAX_CELLS:
                return 403, {}, f"too many cells: {cells}".encode(), None
        self.served[entry["key"]] += 1
        return entry.get("status", 200), dict(entry.get("headers") or {}), content, source

    # --- HTTP -------------------------------------------------------------------------------------
    def start(self) -> str:
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def _handle(self):
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                host = (self.headers.get("Host") or "").split(":")[0]
                scheme = self.headers.get(SCHEME_HEADER, "https")
                status, headers, content = server.answer(self.command, host, self.path, body, scheme)
                self.send_response(status)
                for k, v in headers.items():
                    self.send_header(k, v)
                self.send_header("Content-Length", str(len(content)))
                self.end_headers()
                self.wfile.write(content)

            do_GET = do_POST = _handle

            def log_message(self, *args):  # quiet
                pass

        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self._httpd.serve_forever, daemon=True).start()
        return f"http://127.0.0.1:{self._httpd.server_address[1]}"

    def stop(self) -> None:
        if self._httpd:
            self._httpd.shutdown()
            self._httpd.server_close()


def value_codes(params: list[tuple[str, str]], body) -> dict[str, list[str]]:
    """The value codes per dimension of an SSB data request (GET ``valueCodes[X]=a,b`` or POST selection)."""
    out: dict[str, list[str]] = {}
    for k, v in params:
        m = re.fullmatch(r"valueCodes\[(.+)\]", k)
        if m:
            out[m.group(1)] = _CODES.findall(v)
    for sel in (body or {}).get("selection", []) if isinstance(body, dict) else []:
        out[sel["variableCode"]] = list(sel.get("valueCodes", []))
    return out


def explicit_cells(codes: dict[str, list[str]]) -> int | None:
    """Cells the value codes ask for, or None when an expression (``*``, ``top(n)`` ...) hides the count."""
    if any(not re.fullmatch(r"[\w.\-+ ]+", c) for vals in codes.values() for c in vals):
        return None
    return math.prod(len(v) for v in codes.values())


def response_cells(content: bytes) -> int:
    try:
        size = json.loads(content).get("size") or []
    except (ValueError, AttributeError):
        return 0
    return math.prod(size) if size else 0


class RedirectAdapter(HTTPAdapter):
    """Send every request to ``base`` (the local server), keeping the original host in the Host header."""

    def __init__(self, base: str, **kwargs):
        super().__init__(**kwargs)
        self.base = base.rstrip("/")

    def send(self, request, **kwargs):
        parts = urlsplit(request.url)
        request.headers["Host"] = parts.netloc
        request.headers[SCHEME_HEADER] = parts.scheme
        request.url = self.base + parts.path + (f"?{parts.query}" if parts.query else "")
        return super().send(request, **kwargs)


if __name__ == "__main__":  # a module, not a benchmark: ``make bench`` runs every bench/*.py
    print("replay_server: used by bench/refresh_efficiency.py")


class SnapshotScopedLiveTransport(LiveTransport):
    """Live HTTP asking the snapshot's (narrower) queries, since the loaders choose the query by transport name and
    the server only holds those. A transcription (``avskrift:`` request) is a file in the snapshot that no HTTP
    server answers, so it is read from the snapshot folder as a replay would."""

    name = "replay"

    def __init__(self, client, snapshot_dir: Path = DEFAULT_SNAPSHOT):
        super().__init__(client)
        self.snapshot_dir = Path(snapshot_dir)

    def send(self, request: Request):
        if request.url.startswith("avskrift:"):
            return ReplayTransport(self.snapshot_dir).send(request)
        return super().send(request)

