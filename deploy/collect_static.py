"""Copy what nginx serves itself into one folder, with a .gz beside every compressible file.

Layout mirrors the URLs: ``_dash-component-suites/<package>/<path>`` (the files of every component package
Dash registered, fingerprint-free names: nginx strips the fingerprint), ``assets/``, ``geo/`` and
``_favicon.ico``. Run at every deploy (the app's assets and Dash's bundles change only then). Nothing in
the folder is a file list: whatever the packages and assets/ hold is copied, so new bundles need no edit here.
"""
from __future__ import annotations

import gzip
import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SUITE_SUFFIXES = {".js", ".css", ".map", ".json", ".woff", ".woff2", ".ttf", ".svg", ".png"}
COMPRESSIBLE = {".js", ".css", ".map", ".json", ".geojson", ".svg", ".txt", ".ico", ".html"}
MIN_GZIP_BYTES = 500


def component_packages() -> dict[str, Path]:
    """Every package whose bundles Dash serves under /_dash-component-suites/ (imports the app)."""
    sys.path.insert(0, str(ROOT))
    import app as _app  # noqa: F401  (registers pages and components)
    import dash
    from dash.development.base_component import ComponentRegistry

    names = {"dash", *ComponentRegistry.registry}
    out = {}
    for name in sorted(names):
        module = sys.modules.get(name) or __import__(name)
        if getattr(module, "__file__", None):
            out[name] = Path(module.__file__).parent
    assert "dash" in out, dash.__file__
    return out


def _copy_tree(src: Path, dest: Path, suffixes: set[str] | None = None) -> int:
    n = 0
    for f in sorted(src.rglob("*")):
        if not f.is_file() or "__pycache__" in f.parts or (suffixes and f.suffix not in suffixes):
            continue
        target = dest / f.relative_to(src)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(f, target)
        n += 1
    return n


def _gzip_all(folder: Path) -> int:
    n = 0
    for f in folder.rglob("*"):
        if f.is_file() and f.suffix in COMPRESSIBLE and f.stat().st_size >= MIN_GZIP_BYTES:
            with open(f, "rb") as src, gzip.open(f.with_name(f.name + ".gz"), "wb", compresslevel=9) as out:
                shutil.copyfileobj(src, out)
            shutil.copystat(f, f.with_name(f.name + ".gz"))  # gzip_static sends the .gz with the file's mtime
            n += 1
    return n


def collect(dest: Path) -> dict:
    """Fill ``dest`` (emptied first); returns counts."""
    if dest.exists():
        shutil.rmtree(dest)
    dest.mkdir(parents=True)
    counts = {"suites": 0}
    for name, folder in component_packages().items():
        # a package's URL name is its import name (Dash: /_dash-component-suites/<namespace>/<relative path>)
        counts["suites"] += _copy_tree(folder, dest / "_dash-component-suites" / name, SUITE_SUFFIXES)
    counts["assets"] = _copy_tree(ROOT / "assets", dest / "assets")
    counts["geo"] = _copy_tree(ROOT / "data" / "geo", dest / "geo", {".geojson"})
    import dash

    favicon = ROOT / "assets" / "favicon.ico"
    shutil.copy2(favicon if favicon.is_file() else Path(dash.__file__).parent / "favicon.ico", dest / "_favicon.ico")
    counts["gzipped"] = _gzip_all(dest)
    return counts


if __name__ == "__main__":
    print(collect(Path(sys.argv[1])))
