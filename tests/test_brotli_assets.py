"""Large immutable scripts are sent at brotli 11 to browsers that accept br, byte-identical once decoded;
everything else is left to flask-compress as before."""
from __future__ import annotations

import gzip
import re
from pathlib import Path

import brotli

from components import brotli_assets

ROOT = Path(__file__).resolve().parents[1]


def test_accept_encoding_is_read_as_browsers_send_it():
    assert brotli_assets.accepts_br("gzip, deflate, br, zstd")
    assert brotli_assets.accepts_br("br;q=0.5, gzip")
    assert not brotli_assets.accepts_br("gzip, deflate")
    assert not brotli_assets.accepts_br("br;q=0, gzip")
    assert not brotli_assets.accepts_br("brotli")


def test_plotly_core_is_sent_at_best_quality_and_decodes_to_the_file(app_db):
    import app

    client = app.server.test_client()
    html = client.get("/kommune/4601").get_data(as_text=True)
    core = re.findall(r'<link rel="modulepreload" href="(/assets/vendor/plotly/core-[^"]+)"', html)[0]
    plain = (ROOT / core.lstrip("/")).read_bytes()
    r = client.get(core, headers={"Accept-Encoding": "gzip, deflate, br, zstd"})
    assert r.status_code == 200 and r.headers["Content-Encoding"] == "br"
    body = r.get_data()
    assert brotli.decompress(body) == plain
    assert int(r.headers["Content-Length"]) == len(body)
    # smaller than flask-compress's own br level (5), by more than 10 %
    assert len(body) < 0.9 * len(brotli.compress(plain, quality=5))
    assert r.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    assert "Accept-Encoding" in r.headers["Vary"]
    # the same body again (kept, not recompressed into something else)
    assert client.get(core, headers={"Accept-Encoding": "br"}).get_data() == body
    # without br: flask-compress's gzip, unchanged
    g = client.get(core, headers={"Accept-Encoding": "gzip"})
    assert g.headers["Content-Encoding"] == "gzip" and gzip.decompress(g.get_data()) == plain


def test_small_files_and_callbacks_keep_flask_compress_levels(app_db):
    import app

    client = app.server.test_client()
    loader = (ROOT / "assets" / "plotly_loader.js").read_bytes()
    assert len(loader) < brotli_assets.MIN_BYTES
    r = client.get("/assets/plotly_loader.js", headers={"Accept-Encoding": "br"})
    assert r.headers["Content-Encoding"] == "br"
    assert r.get_data() == brotli.compress(loader, quality=5, lgwin=22)
    r = client.get("/_dash-layout", headers={"Accept-Encoding": "br"})
    assert r.headers.get("Content-Encoding") in (None, "br")
    assert r.request.path not in brotli_assets._bodies


def test_warm_makes_every_large_script_of_the_page_before_the_first_visitor(app_db):
    import app

    client = app.server.test_client()
    brotli_assets._bodies.clear()
    n = brotli_assets.warm(client, "/kommune/0301")
    kept = set(brotli_assets._bodies)
    # plotly's two modules and Dash's large bundles (react-dom, renderer, dcc, polyfill); the small ones are not
    assert any("/vendor/plotly/core-" in k for k in kept) and any("/vendor/plotly/cartesian-" in k for k in kept)
    assert any("dash_renderer" in k for k in kept) and any("react-dom" in k for k in kept)
    assert not any("plotly_loader" in k or "a11y" in k for k in kept)
    assert n == len(kept) >= 6
