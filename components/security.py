"""Security headers on every response, and the health endpoint a proxy or an operator asks.

The Content-Security-Policy allows only this origin. Dash's index page carries inline scripts (the clientside
callbacks' definitions and ``var renderer = new DashRenderer();``); instead of a fixed list, each HTML
response's own inline scripts are hashed, so a new clientside callback or a changed index page cannot drift
out of the policy. Styles keep 'unsafe-inline': Plotly, react-select and the DataTable inject <style>
elements at run time (see docs/DEPLOY.md); scripts, the part a CSP exists for, stay strict.

``Access-Control-Allow-Origin: *`` is added only under /api/ (open data endpoints), never on pages.
"""
from __future__ import annotations

import base64
import hashlib
import os
import re
from threading import Lock

from flask import jsonify, request

from components import store

# <script> elements without src whose type a browser executes (JSON config blocks are data, not scripts).
_INLINE_SCRIPT = re.compile(r"<script(?P<attrs>[^>]*)>(?P<body>.*?)</script>", re.S | re.I)
_DATA_TYPE = re.compile(r"""type\s*=\s*["']?application/json""", re.I)

BASE_POLICY = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self' 'unsafe-inline'",
    "img-src": "'self' data: blob:",
    "font-src": "'self' data:",
    "connect-src": "'self'",
    "worker-src": "'self' blob:",
    "object-src": "'none'",
    "base-uri": "'self'",
    "form-action": "'self'",
    "frame-ancestors": "'none'",
}
STATIC_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "strict-origin-when-cross-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=(), payment=(), usb=(), interest-cohort=()",
    "X-Frame-Options": "DENY",  # for browsers without frame-ancestors
    "Cross-Origin-Opener-Policy": "same-origin",
}
API_PREFIX = "/api/"
HEALTH_PATH = "/healthz"


def inline_script_hashes(html: str) -> list[str]:
    """CSP source expressions ('sha256-...') for every executable inline script in an HTML document."""
    out = []
    for m in _INLINE_SCRIPT.finditer(html):
        attrs = m.group("attrs")
        if re.search(r"\bsrc\s*=", attrs, re.I) or _DATA_TYPE.search(attrs):
            continue
        digest = hashlib.sha256(m.group("body").encode("utf-8")).digest()
        out.append(f"'sha256-{base64.b64encode(digest).decode('ascii')}'")
    return sorted(set(out))


def policy(script_hashes: list[str] = ()) -> str:
    parts = dict(BASE_POLICY)
    if script_hashes:
        parts["script-src"] = " ".join(["'self'", *script_hashes])
    return "; ".join(f"{k} {v}" for k, v in parts.items())


def add_headers(response):
    """after_request hook: must see the body before compression (registered after flask-compress)."""
    hashes: list[str] = []
    if response.mimetype == "text/html" and not response.direct_passthrough and not response.is_streamed:
        hashes = inline_script_hashes(response.get_data(as_text=True))
    response.headers["Content-Security-Policy"] = policy(hashes)
    for name, value in STATIC_HEADERS.items():
        response.headers.setdefault(name, value)
    if request.path.startswith(API_PREFIX):
        response.headers["Access-Control-Allow-Origin"] = "*"
    else:
        response.headers.pop("Access-Control-Allow-Origin", None)
    return response


_DIGESTS: dict[tuple, str] = {}
_DIGEST_LOCK = Lock()


def _file_sha256(identity: tuple) -> str:
    """sha256 of the database file, computed once per file identity (a 13 MB read, ~30 ms)."""
    with _DIGEST_LOCK:
        found = _DIGESTS.get(identity)
    if found:
        return found
    h = hashlib.sha256()
    with open(store.db_path(), "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    digest = h.hexdigest()
    with _DIGEST_LOCK:
        _DIGESTS.clear()
        _DIGESTS[identity] = digest
    return digest


def health() -> tuple[dict, int]:
    """Which database file (identity, checksum) and which refresh this process serves."""
    info = {"instance": os.environ.get("INNENFOR_INSTANCE", ""), "pid": os.getpid(), "db": str(store.db_path())}
    try:
        ino, mtime_ns, size = store.identity()
        info.update(inode=ino, mtime_ns=mtime_ns, size=size, sha256=_file_sha256((ino, mtime_ns, size)))
        last = store.query("SELECT refreshed_at, mode, tables, rows FROM refresh_log "
                           "ORDER BY refreshed_at DESC LIMIT 1")
        if len(last):
            row = last.iloc[0]
            info["refresh"] = {"refreshed_at": row["refreshed_at"].isoformat(), "mode": row["mode"],
                               "tables": int(row["tables"]), "rows": int(row["rows"])}
        info["status"] = "ok"
        return info, 200
    except Exception as exc:  # no file, or not a database: the proxy takes this instance out of rotation
        info.update(status="unavailable", reason=str(exc)[:300])
        return info, 503


def install(server) -> None:
    @server.route(HEALTH_PATH)
    def _health():
        info, status = health()
        response = jsonify(info)
        response.status_code = status
        response.headers["Cache-Control"] = "no-store"
        return response

    server.after_request(add_headers)
