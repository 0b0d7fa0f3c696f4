"""The next-year test (audit finding 7): a release adds a period, and it reaches indicator_values on 2024
borders instead of vanishing.

Built inside the test, in a tmp copy of the snapshot (never in data/): SSB 13556 gains a period "2025"
whose response is the real 2024 response relabelled 2025 (a stand-in, so its figures equal 2024's; it is
only ever in tmp), and the metadata lists it. KLASS is the snapshot's: its change table runs to 2025-01-02
with no change dated 2025, so the 2025 division is the 2024 one, one-to-one. (A live refresh asks KLASS up to
the refresh date; tests/test_newest_year.py covers 2026.)
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from loaders.__main__ import main
from loaders.transport import Request


def _add_2025(snap):
    index_path = snap / "ssb" / "index.json"
    index = json.loads(index_path.read_text("utf-8"))
    counts_2024 = [e for e in index if e["url"].endswith("/tables/13556/data")
                   and ["valueCodes[Tid]", "2024"] in e["params"] and ["valueCodes[ContentsCode]", "Bosatte"] in e["params"]]
    assert len(counts_2024) == 1
    old = counts_2024[0]
    assert Request.get(old["url"], dict(old["params"])).key == old["key"]     # keys are rebuilt faithfully
    doc = json.loads((snap / "ssb" / old["file"]).read_text("utf-8"))
    tid = doc["dimension"]["Tid"]["category"]
    assert list(tid["index"]) == ["2024"]
    tid["index"], tid["label"] = {"2025": 0}, {"2025": "2025"}
    (snap / "ssb" / "13556_data_next.json").write_text(json.dumps(doc), encoding="utf-8")
    params = [p if p[0] != "valueCodes[Tid]" else ["valueCodes[Tid]", "2025"] for p in old["params"]]
    new = {**old, "params": params, "file": "13556_data_next.json",
           "key": Request.get(old["url"], dict(params)).key}
    index.append(new)
    index_path.write_text(json.dumps(index), encoding="utf-8")
    meta_path = snap / "ssb" / "13556_metadata.json"
    meta = json.loads(meta_path.read_text("utf-8"))
    cat = meta["dimension"]["Tid"]["category"]
    cat["index"]["2025"] = len(cat["index"])
    cat["label"]["2025"] = "2025"
    meta["size"][meta["id"].index("Tid")] += 1
    meta_path.write_text(json.dumps(meta), encoding="utf-8")


@pytest.fixture(scope="module")
def next_year_db(snapshot_dir, tmp_path_factory):
    tmp = tmp_path_factory.mktemp("next_year")
    snap = tmp / "snapshot"
    shutil.copytree(snapshot_dir, snap)
    _add_2025(snap)
    db = tmp / "next.duckdb"
    assert main(["refresh", "--offline", "--quiet", "--snapshot", str(snap), "--db", str(db)]) == 0
    return db


def test_new_period_reaches_indicator_values_on_2024_borders(next_year_db, snapshot_dir):
    con = duckdb.connect(str(next_year_db), read_only=True)
    obs = con.execute("""SELECT count(*) FROM observations WHERE table_id = '13556' AND period = '2025'
                         AND geo_vintage = 2025""").fetchone()[0]
    assert obs > 0
    rows = con.execute("""SELECT geo_level, count(DISTINCT geo_code) FROM indicator_values
                          WHERE indicator_id = 'neet_15_29' AND period = '2025' AND borders = '2024'
                          GROUP BY 1 ORDER BY 1""").fetchall()
    levels = {lvl: n for lvl, n, *_ in rows}
    assert levels.get("kommune") == 357 and levels.get("fylke") == 15
    borders = con.execute("""SELECT DISTINCT borders FROM indicator_values WHERE indicator_id = 'neet_15_29'
                             AND period = '2025' AND geo_level = 'kommune'""").fetchall()
    assert sorted(borders) == [("2024",), ("as_published",)]    # as for every other year
    # the stand-in 2025 response is the 2024 one, so 2025 must equal 2024 cell for cell on 2024 borders
    diff = con.execute("""SELECT count(*) FROM indicator_values a JOIN indicator_values b
                          ON a.indicator_id = b.indicator_id AND a.geo_code = b.geo_code AND a.breakdown = b.breakdown
                          AND a.borders = b.borders
                          WHERE a.indicator_id = 'neet_15_29' AND a.period = '2024' AND b.period = '2025'
                          AND a.value IS DISTINCT FROM b.value""").fetchone()[0]
    assert diff == 0
    con.close()


def test_new_period_on_the_sammenlign_page(next_year_db):
    """The Sammenlign page (pages/compare.py) rendered in a fresh process on the next-year database shows
    2025 for Skien beside Porsgrunn (on the snapshot's own database the same render holds no "2025")."""
    code = ("import app; from pages import compare; "
            "body = compare.render('4003', ['4001'], ['neet_15_29'], 'fylke', '/x', '')[0]; "
            "text = str(body); print('HAS2025' if '2025' in text else 'NO2025')")
    root = Path(__file__).resolve().parents[1]
    env = {**os.environ, "INNENFOR_DB": str(next_year_db)}
    out = subprocess.run([sys.executable, "-c", code], cwd=root, env=env, capture_output=True, text=True,
                         timeout=240)
    assert out.returncode == 0, out.stderr[-2000:]
    assert "HAS2025" in out.stdout
