"""Two ways to send a request: over HTTP, or by replaying a recorded response from the snapshot.

Loaders build ``Request`` objects and hand them to a transport; they never know which one they
got. So an offline build runs exactly the parsing code a live refresh runs, on bytes in the
publishers' own wire formats.

Snapshot layout: ``data/snapshot/<source>/index.json`` lists every recorded request (method,
URL, params, body) with the file that holds its response body. ``SnapshotWriter`` writes it.
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from .errors import LoaderError
from .http import HttpClient

DEFAULT_SNAPSHOT = Path(__file__).resolve().parent.parent / "data" / "snapshot"
RECORDED_MARKER = "recorded.json"  # in a snapshot made by ``loaders.snapshot --from-record``


@dataclass(frozen=True)
class Request:
    method: str
    url: str
    params: tuple[tuple[str, str], ...] = ()
    body: Any = None  # JSON-serialisable, sent as JSON

    @classmethod
    def get(cls, url: str, params: dict[str, Any] | None = None) -> "Request":
        return cls("GET", url, tuple(sorted((str(k), str(v)) for k, v in (params or {}).items())))

    @classmethod
    def post(cls, url: str, body: Any, params: dict[str, Any] | None = None) -> "Request":
        return cls("POST", url, tuple(sorted((str(k), str(v)) for k, v in (params or {}).items())), body)

    def canonical(self) -> str:
        body = json.dumps(self.body, sort_keys=True, ensure_ascii=False, separators=(",", ":")) \
            if self.body is not None else ""
        params = "&".join(f"{k}={v}" for k, v in self.params)
        return f"{self.method} {self.url}?{params} {body}"

    @property
    def key(self) -> str:
        return hashlib.sha256(self.canonical().encode("utf-8")).hexdigest()[:20]

    def url_length(self) -> int:
        from urllib.parse import urlencode
        return len(self.url) + 1 + len(urlencode(list(self.params)))


@dataclass
class Response:
    content: bytes
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)

    def json(self) -> Any:
        try:
            return json.loads(self.content.decode("utf-8-sig"))
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise LoaderError(f"response is not valid JSON ({exc}); first bytes: {self.content[:80]!r}") from exc

    def text(self, encoding: str = "utf-8") -> str:
        return self.content.decode(encoding)


class Transport(Protocol):
    name: str

    def send(self, request: Request) -> Response: ...


class LiveTransport:
    """Real HTTP through the shared client (retries, back-off, rate limits)."""

    name = "live"

    def __init__(self, client: HttpClient | None = None):
        self.client = client or HttpClient()

    def send(self, request: Request) -> Response:
        resp = self.client.request(request.method, request.url, params=list(request.params) or None,
                                   json=request.body)
        return Response(resp.content, resp.status_code, dict(resp.headers))


class ReplayTransport:
    """Answers requests from recorded responses; an unknown request is an error, never a guess."""

    name = "replay"

    def __init__(self, snapshot_dir: Path | str = DEFAULT_SNAPSHOT):
        self.root = Path(snapshot_dir)
        marker = self.root / RECORDED_MARKER
        if marker.exists() and json.loads(marker.read_text(encoding="utf-8")).get("queries") == "live":
            self.name = "recorded"  # a recording of a live refresh holds the cards' live queries, not snapshot_query
        self.sent: list[Request] = []
        self._index: dict[str, tuple[Path, dict]] = {}
        for index_file in sorted(self.root.glob("*/index.json")):
            for entry in json.loads(index_file.read_text(encoding="utf-8")):
                self._index[entry["key"]] = (index_file.parent / entry["file"], entry)
        if not self._index:
            raise LoaderError(f"no recorded responses under {self.root} (expected */index.json)")

    def send(self, request: Request) -> Response:
        self.sent.append(request)
        hit = self._index.get(request.key)
        if hit is None:
            raise LoaderError(f"the snapshot has no recorded response for {request.canonical()[:300]}")
        path, entry = hit
        return Response(path.read_bytes(), entry.get("status", 200), entry.get("headers", {}))


class SnapshotWriter:
    """Records rendered responses for one source folder of the snapshot (used by loaders.snapshot)."""

    def __init__(self, root: Path | str, source: str):
        self.dir = Path(root) / source
        self.dir.mkdir(parents=True, exist_ok=True)
        self.entries: dict[str, dict] = {}

    def add(self, request: Request, content: bytes, filename: str, headers: dict[str, str] | None = None) -> Path:
        if "/" in filename or filename == "index.json":
            raise ValueError(f"bad snapshot file name {filename!r}")
        if any(e["file"] == filename for k, e in self.entries.items() if k != request.key):
            raise ValueError(f"snapshot file name {filename!r} used twice in {self.dir}")
        path = self.dir / filename
        path.write_bytes(content)
        self.entries[request.key] = {
            "key": request.key, "method": request.method, "url": request.url,
            "params": [list(p) for p in request.params], "body": request.body,
            "file": filename, "status": 200, "headers": headers or {},
        }
        return path

    def close(self) -> None:
        """Write index.json and drop files in the folder that no entry names (stale renders)."""
        keep = {e["file"] for e in self.entries.values()} | {"index.json"}
        for stale in self.dir.iterdir():
            if stale.is_file() and stale.name not in keep:
                stale.unlink()
        entries = sorted(self.entries.values(), key=lambda e: e["file"])
        (self.dir / "index.json").write_text(json.dumps(entries, ensure_ascii=False, indent=1) + "\n",
                                             encoding="utf-8")


class RecordingTransport:
    """Sends through another transport and writes every answered request and its bytes into ``root`` in the
    snapshot layout (``<source>/index.json`` + one file per response), so ``python -m loaders.snapshot
    --from-record`` can turn what a live refresh saw into the offline snapshot. ``recording.json`` says which
    queries were asked (``live``: each card's ``query``; ``replay``: its ``snapshot_query``)."""

    def __init__(self, inner: Transport, root: Path | str):
        self.inner, self.root = inner, Path(root)
        self.name = inner.name
        if self.root.exists() and any(self.root.glob("*/index.json")):
            raise LoaderError(f"{self.root} already holds a recording; choose an empty folder")
        self.root.mkdir(parents=True, exist_ok=True)
        self.source = "other"
        self.cards: list[str] = []
        self._writers: dict[str, SnapshotWriter] = {}
        self._write_manifest()

    def begin_card(self, card) -> None:
        self.source = card.source
        self.cards.append(card.key)
        self._write_manifest()

    def send(self, request: Request) -> Response:
        resp = self.inner.send(request)
        writer = self._writers.get(self.source) or self._writers.setdefault(
            self.source, SnapshotWriter(self.root, self.source))
        kind = next((v for k, v in resp.headers.items() if k.lower() == "content-type"), "")
        writer.add(request, resp.content, f"{request.key}{_extension(kind)}",
                   headers={"Content-Type": kind} if kind else {})
        writer.close()  # index.json after every response: a refresh that dies still leaves a usable recording
        return resp

    def _write_manifest(self) -> None:
        (self.root / "recording.json").write_text(json.dumps(
            {"queries": "replay" if self.name == "replay" else "live", "cards": self.cards}, indent=1) + "\n",
            encoding="utf-8")


def _extension(content_type: str) -> str:
    kind = content_type.lower()
    for word, ext in (("json", ".json"), ("csv", ".csv"), ("spreadsheet", ".xlsx"), ("html", ".html")):
        if word in kind:
            return ext
    return ".bin"
