"""Preflight (``python -m loaders check``) against the recorded responses: ``ok`` for every card it can check,
and, when the publisher's metadata changes under a card, a line naming the card and the difference."""
from __future__ import annotations

import json
import shutil

import pytest

from loaders import preflight
from loaders.__main__ import main
from loaders.transport import ReplayTransport


def test_every_checkable_card_is_ok_on_the_snapshot(snapshot_dir, capsys):
    results = preflight.run(ReplayTransport(snapshot_dir))
    status = {card.key: s for card, s, _ in results}
    assert {k for k, s in status.items() if s == "ok"} >= {"ssb/07459", "ssb/08764", "ssb/12944", "ssb/13556",
                                                           "klass/131", "udir/VGO-GjennomfoeringV"}
    assert "differs" not in status.values()
    assert main(["check", "--offline", "--snapshot", str(snapshot_dir)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == len(results) and lines[0].split()[1] in ("ok", "not")


def _rename_dimension(doc):
    i = doc["id"].index("Alder")
    doc["id"][i] = "Aldersgruppe"
    doc["dimension"]["Aldersgruppe"] = doc["dimension"].pop("Alder")


def _remove_code(doc):
    cat = doc["dimension"]["Alder"]["category"]
    codes = [c for c in sorted(cat["index"], key=cat["index"].get) if c != "067+"]
    cat["index"] = {c: n for n, c in enumerate(codes)}
    cat["label"].pop("067+")
    doc["size"][doc["id"].index("Alder")] -= 1


def _not_eliminable(doc):
    doc["id"].insert(1, "Kjonn")
    doc["size"].insert(1, 3)
    doc["dimension"]["Kjonn"] = {"label": "kjønn", "category": {"index": {"0": 0, "1": 1, "2": 2},
                                                                 "label": {"0": "Begge", "1": "Menn", "2": "Kvinner"}},
                                 "extension": {"elimination": False}}


def _codelist_gone(doc):
    doc["dimension"]["Region"]["extension"] = {"codelists": [{"id": "vs_Kommun", "label": "Kommuner"}]}


@pytest.mark.parametrize("table,change,expected", [
    ("12944", _rename_dimension, "Alder"),
    ("12944", _remove_code, "067+"),
    ("07459", _not_eliminable, "Kjonn cannot be eliminated"),
    ("07459", _codelist_gone, "no code list agg_KommSummer"),
], ids=["renamed-dimension", "removed-code", "elimination", "codelist"])
def test_a_changed_metadata_names_the_card_and_the_difference(snapshot_dir, tmp_path, capsys, table, change, expected):
    snap = tmp_path / "snapshot"
    shutil.copytree(snapshot_dir, snap)
    meta = snap / "ssb" / f"{table}_metadata.json"
    doc = json.loads(meta.read_text(encoding="utf-8"))
    change(doc)
    meta.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    assert main(["check", "--offline", "--snapshot", str(snap)]) == 3
    captured = capsys.readouterr()
    differing = [line for line in captured.out.splitlines() if " differs" in line]
    assert len(differing) == 1, captured.out
    assert differing[0].startswith(f"ssb/{table} ") and expected in differing[0]
    assert f"ssb/{table}" in captured.err
