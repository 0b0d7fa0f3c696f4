"""``<link rel="modulepreload">`` for the plotly.js modules every chart page needs (the cartesian entry and the
core chunk it imports), read from the generated assets/plotly_loader.js.

Without them the browser finds plotly only when assets/plotly_loader.js runs, after Dash's other scripts have
downloaded, and the core chunk one round trip later still (a static import of the entry): on Slow 4G that
is over a second before the largest file starts to arrive. Preloaded from the page head, it downloads
alongside Dash's scripts. The modules are fetched exactly as the loader imports them (same URLs, same-origin
credentials), so nothing is fetched twice.
"""
from __future__ import annotations

import re
from pathlib import Path

ASSETS = Path(__file__).resolve().parents[1] / "assets"


def modules() -> list[str]:
    """Paths under assets/ of the cartesian entry and its static imports, in load order."""
    loader = (ASSETS / "plotly_loader.js").read_text("utf-8")
    entry = re.search(r'var CARTESIAN = new URL\("([^"]+)"', loader).group(1)
    folder = entry.rsplit("/", 1)[0]
    imports = re.findall(r'from\s*"\./([^"]+)"', (ASSETS / entry).read_text("utf-8"))
    return [entry, *(f"{folder}/{name}" for name in imports)]


def links(asset_url) -> str:
    """The link elements, with ``asset_url`` (Dash's ``app.get_asset_url``) giving each module's URL."""
    return "".join(f'<link rel="modulepreload" href="{asset_url(path)}">' for path in modules())
