"""Fill deploy/nginx.conf.in: listen address (plain, or TLS with HSTS), the instances, folders, and the
security headers nginx adds to the files it serves itself (the app adds the same ones to everything it
answers: components/security.py).

    python -m deploy.render_nginx --run /srv/innenfor/run --listen 443 --upstream 127.0.0.1:8001 \\
        --upstream 127.0.0.1:8002 --server-name innenfor.example.no \\
        --tls-cert /etc/letsencrypt/live/innenfor.example.no/fullchain.pem \\
        --tls-key /etc/letsencrypt/live/innenfor.example.no/privkey.pem > /srv/innenfor/run/nginx.conf
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from components import security  # noqa: E402

TEMPLATE = Path(__file__).with_name("nginx.conf.in")
HSTS = "max-age=63072000; includeSubDomains"


def header_lines(tls: bool, indent: str = "            ") -> str:
    # A static file holds no inline script: the page policy without hashes is the right one.
    headers = {"Content-Security-Policy": security.policy(), **security.STATIC_HEADERS}
    if tls:
        headers["Strict-Transport-Security"] = HSTS
    return "\n".join(f'{indent}add_header {k} "{v}" always;' for k, v in headers.items())


def listen_lines(listen: str, tls_cert: str | None, tls_key: str | None) -> str:
    if not tls_cert:
        return f"        listen {listen};"
    return "\n".join([
        f"        listen {listen} ssl http2;",
        f"        ssl_certificate {tls_cert};",
        f"        ssl_certificate_key {tls_key};",
        "        ssl_protocols TLSv1.2 TLSv1.3;",
        "        ssl_session_cache shared:tls:10m;",
        # inherited by the proxied locations (they add no header of their own); static ones list it themselves
        f'        add_header Strict-Transport-Security "{HSTS}" always;',
    ])


def render(run: Path, static: Path, listen: str, upstreams: list[str], callback_rate: int = 20,
           callback_burst: int = 60, server_name: str = "_", tls_cert: str | None = None,
           tls_key: str | None = None) -> str:
    servers = "\n".join(f"        server {u} max_fails=1 fail_timeout=3s;" for u in upstreams)
    fields = {"RUN": str(run), "STATIC": str(static), "LISTEN": listen_lines(listen, tls_cert, tls_key),
              "SERVER_NAME": server_name, "UPSTREAM_SERVERS": servers, "HEADERS": header_lines(bool(tls_cert)),
              "CALLBACK_RATE": str(callback_rate), "CALLBACK_BURST": str(callback_burst)}
    text = TEMPLATE.read_text()
    for k, v in fields.items():
        text = text.replace(f"@@{k}@@", v)
    assert "@@" not in text, "unfilled field in nginx.conf.in"
    if tls_cert:  # plain http only redirects
        text = text.rstrip().removesuffix("}") + (
            "    server {\n        listen 80;\n        server_name " + server_name + ";\n"
            "        return 301 https://$host$request_uri;\n    }\n}\n")
    return text


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description="print an nginx.conf for Innenfor")
    ap.add_argument("--run", type=Path, required=True, help="folder for pid, logs, temp files")
    ap.add_argument("--static", type=Path, help="collected static files (default RUN/static)")
    ap.add_argument("--listen", default="127.0.0.1:8080")
    ap.add_argument("--upstream", action="append", required=True, help="host:port of an instance (repeat)")
    ap.add_argument("--server-name", default="_")
    ap.add_argument("--tls-cert")
    ap.add_argument("--tls-key")
    ap.add_argument("--callback-rate", type=int, default=20)
    args = ap.parse_args(argv)
    if bool(args.tls_cert) != bool(args.tls_key):
        ap.error("--tls-cert and --tls-key go together")
    sys.stdout.write(render(args.run, args.static or args.run / "static", args.listen, args.upstream,
                            args.callback_rate, server_name=args.server_name, tls_cert=args.tls_cert,
                            tls_key=args.tls_key))
    return 0


if __name__ == "__main__":
    sys.exit(main())
