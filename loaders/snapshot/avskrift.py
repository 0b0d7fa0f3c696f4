"""Render transcription cards (``loader: avskrift``) into data/snapshot/avskrift/: the named file's figures
with the 2024 fylke code in front of each name, mapped with the KLASS 104 names of the 2024 division
(``klass.fylker_2024``, the same figures as the snapshot's KLASS answer). An unknown name stops the render."""
from __future__ import annotations

from pathlib import Path

import pandas as pd

from .. import avskrift
from ..cards import load_cards
from ..transport import SnapshotWriter
from .klass import fylker_2024


def fylke_code(name: str, klass_names: dict[str, str]) -> str:
    """'Troms' -> '55': the KLASS name itself or its first part before the Sami/Kven names ('Troms - Romsa - …')."""
    hits = [code for code, official in klass_names.items()
            if name.strip() == official or name.strip() == official.split(" - ")[0]]
    if len(hits) != 1:
        raise ValueError(f"fylke name {name!r} matches {len(hits)} KLASS 104 (2024) names")
    return hits[0]


def render(shared: Path, out: Path) -> None:
    shared = Path(shared)
    writer = SnapshotWriter(out, "avskrift")
    names = fylker_2024(shared)
    for card in load_cards():
        if card.loader != "avskrift":
            continue
        src = pd.read_csv(shared / card.query["file"], dtype=str)
        codes = [fylke_code(n, names) for n in src.iloc[:, 0]]
        if len(set(codes)) != len(codes):
            raise ValueError(f"{card.key}: two names map to one fylke")
        frame = pd.DataFrame({"geo_code": codes, "navn": src.iloc[:, 0],
                              "verdi": src[card.query["column"]]}).sort_values("geo_code")
        content = frame.to_csv(index=False, lineterminator="\n").encode("utf-8")
        writer.add(avskrift.request_for(card), content, f"{card.table_id}.csv",
                   {"Content-Type": "text/csv; charset=UTF-8"})
        print(f"  {card.key}: {len(frame)} rows")
    writer.close()
