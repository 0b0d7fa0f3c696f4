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
