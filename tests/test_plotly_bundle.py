"""The plotly.js build under assets/vendor/plotly (``make plotly-bundle``): complete, from the pinned
version, served long-cacheable, and used by the browser instead of Dash's full plotly.min.js."""
from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from browser_support import app_url, browser, page, settle  # noqa: F401  (fixtures)

ROOT = Path(__file__).resolve().parents[1]
VENDOR = ROOT / "assets" / "vendor" / "plotly"
LOADER = ROOT / "assets" / "plotly_loader.js"


def loader_targets() -> dict[str, str]:
    names = re.findall(r'var (CARTESIAN|GEO) = new URL\("vendor/plotly/([^"]+)"', LOADER.read_text())
    return dict(names)


def static_imports(name: str) -> list[str]:
    return re.findall(r'from\s*"\./([^"]+)"', (VENDOR / name).read_text())


def test_the_loader_points_at_built_files_and_nothing_is_left_over():
    targets = loader_targets()
    assert set(targets) == {"CARTESIAN", "GEO"}
    needed = set(targets.values())
    for name in list(needed):
        needed |= set(static_imports(name))
    assert all((VENDOR / n).is_file() for n in needed), needed
    shipped = {p.name for p in VENDOR.glob("*.js")}
    assert shipped == needed, f"stale or missing modules: {shipped ^ needed}"
    # cartesian and geo share one core chunk, so plotly's registry is one object
    assert static_imports(targets["CARTESIAN"]) == static_imports(targets["GEO"])


def test_the_build_is_the_pinned_plotly_version():
    pinned = json.loads((ROOT / "bundles" / "plotly" / "package.json").read_text())["devDependencies"]["plotly.js"]
    core = static_imports(loader_targets()["CARTESIAN"])[0]
    assert re.search(r'version\s*=\s*"' + re.escape(pinned) + '"|version:"' + re.escape(pinned) + '"',
                     (VENDOR / core).read_text())


def test_hashed_files_are_served_compressed_and_long_cacheable(app_db):
    import app

    client = app.server.test_client()
    name = loader_targets()["CARTESIAN"]
    r = client.get(f"/assets/vendor/plotly/{name}", headers={"Accept-Encoding": "gzip"})
    assert r.status_code == 200 and r.headers["Content-Encoding"] == "gzip"
    assert r.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    assert "javascript" in r.headers["Content-Type"]
    html = client.get("/kommune/4601").get_data(as_text=True)
    assert "plotly_loader.js" in html and "plotly.min.js" not in html
    # the modules are never classic scripts; the entry and the core chunk it imports are preloaded as modules
    assert not re.search(r'<script[^>]+vendor/plotly', html)
    preloaded = re.findall(r'<link rel="modulepreload" href="/assets/vendor/plotly/([^"]+)">', html)
    assert preloaded == [name, *static_imports(name)] and len(preloaded) == 2


@pytest.mark.browser
def test_the_browser_draws_with_the_small_build_and_loads_the_map_chunk_only_for_the_map(page):
    page.goto(page.base + "/kommune/4601")
    settle(page, ".js-plotly-plot .trace path")
    targets = loader_targets()
    requested = lambda part: [u for u in page.recorder.requests if part in u]  # noqa: E731
    assert requested(targets["CARTESIAN"]) and not requested(targets["GEO"])
    page.locator("nav a", has_text="Kart").click()
    page.wait_for_selector(".choroplethlocation")
    assert requested(targets["GEO"])
    assert not requested("plotly.min.js")
    assert page.recorder.console == []
