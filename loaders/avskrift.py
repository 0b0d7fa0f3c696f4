"""Transcriptions: figures a third party published in a file, standing in offline for a live-only card.

The offline snapshot holds each transcription as a small CSV (``geo_code,navn,verdi``) rendered by
``loaders.snapshot.avskrift`` with the 2024 codes added; this module reads it back. Such cards carry
``live: false``: a live refresh never asks for them.
"""
from __future__ import annotations

import io

import pandas as pd

from .cards import SourceCard
from .errors import LoaderError
from .result import OBS_COLUMNS, LoadResult, dims_key
from .transport import Request, Transport


def request_for(card: SourceCard) -> Request:
    return Request.get(f"avskrift:{card.key}")


def fetch(card: SourceCard, transport: Transport) -> LoadResult:
    if transport.name != "replay":
        raise LoaderError(f"{card.key} is a transcription: it exists only in the offline snapshot")
    q = card.query
    frame = pd.read_csv(io.BytesIO(transport.send(request_for(card)).content), dtype={"geo_code": str})
    if list(frame.columns) != ["geo_code", "navn", "verdi"] or frame.geo_code.duplicated().any():
        raise LoaderError(f"{card.key}: unexpected transcription layout {list(frame.columns)}")
    rows = pd.DataFrame({"source": card.source, "table_id": card.table_id, "measure": q["measure"],
                         "dims": dims_key(q.get("dims") or {}), "geo_code": frame.geo_code,
                         "geo_vintage": int(q["period"]), "period": str(q["period"]),
                         "value": frame.verdi.astype(float), "status": None, "unit": "prosent"})
    return LoadResult(rows=rows[OBS_COLUMNS], title=card.title, requests=1)
