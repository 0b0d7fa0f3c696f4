"""The analyst notebook runs top to bottom on the real offline build, with no cell errors.

It runs in a kernel of the interpreter running pytest (``kernel_name="python3"`` is ipykernel's own spec,
i.e. this virtualenv), so nothing has to be registered on a CI machine.
"""
from __future__ import annotations

from pathlib import Path

import nbclient
import nbformat

NOTEBOOK = Path(__file__).resolve().parents[1] / "notebooks" / "analyse_kommune.ipynb"


def outputs(cell, mime: str) -> list:
    return [o["data"][mime] for o in cell.get("outputs", []) if mime in o.get("data", {})]


def test_analyse_kommune_runs_without_errors(built_db, monkeypatch):
    monkeypatch.setenv("INNENFOR_DB", str(built_db))
    nb = nbformat.read(NOTEBOOK, as_version=4)
    assert not any(c.get("outputs") for c in nb.cells if c.cell_type == "code"), "commit the notebook without outputs"
    nbclient.NotebookClient(nb, kernel_name="python3", timeout=60,
                            resources={"metadata": {"path": str(NOTEBOOK.parent)}}).execute()
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert not [o for c in code for o in c.outputs if o.output_type == "error"]
    texts = [t for c in code for t in outputs(c, "text/plain")]
    # SSB 13556 counts, 15-29 both sexes, 2024: Skien 1 132 NEET of 9 751 residents = 11.6 %
    # (larsbauger_kjonn_neet.csv in ../shared/data/ssb); Siljan 4010 is among Skien's neighbours.
    assert "Skien (4003) har 7 nabokommuner" in "\n".join(o.get("text", "") for c in code for o in c.outputs)
    table = next(t for t in texts if "neet_15_29 (2024)" in t)
    skien = next(line for line in table.splitlines() if line.startswith("4003"))
    assert skien.split()[1:3] == ["Skien", "11.6"]
    # Udir suppresses Midt-Telemark's special-education share ("*"): it stays empty, never 0
    midt = next(line for line in table.splitlines() if line.startswith("4020"))
    assert midt.split()[-1] == "NaN"
    assert len([c for c in code if outputs(c, "application/vnd.plotly.v1+json")]) == 2
