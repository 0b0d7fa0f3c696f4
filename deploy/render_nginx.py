"""Fill deploy/nginx.conf.in: listen address, the instances, folders, and the security headers nginx adds
to the files it serves itself (the app adds the same ones to everything it answers: components/security.py)."""
from __future__ import annotations

from pathlib import Path

from components import security

TEMPLATE = Path(__file__).with_name("nginx.conf.in")


def header_lines(indent: str = "            ") -> str:
    # A static file holds no inline script: the page policy without hashes is the right one.
    headers = {"Content-Security-Policy": security.policy(), **security.STATIC_HEADERS}
    return "\n".join(f'{indent}add_header {k} "{v}" always;' for k, v in headers.items())


def render(run: Path, static: Path, listen: str, upstreams: list[str], callback_rate: int = 20,
           callback_burst: int = 60) -> str:
    servers = "\n".join(f"        server {u} max_fails=1 fail_timeout=3s;" for u in upstreams)
    fields = {"RUN": str(run), "STATIC": str(static), "LISTEN": listen, "UPSTREAM_SERVERS": servers,
              "HEADERS": header_lines(), "CALLBACK_RATE": str(callback_rate), "CALLBACK_BURST": str(callback_burst)}
    text = TEMPLATE.read_text()
    for k, v in fields.items():
        text = text.replace(f"@@{k}@@", v)
    assert "@@" not in text, "unfilled field in nginx.conf.in"
    return text
