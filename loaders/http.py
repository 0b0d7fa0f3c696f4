"""The one HTTP client every live loader uses: timeouts, retries with back-off, Retry-After, rate limits.

SSB documents 30 requests per 60 s per IP and answers 429 beyond it; FHI and Udir publish no limit,
so they get a polite default. Sleeping and the clock are injectable so fault tests run in milliseconds.
"""
from __future__ import annotations

import email.utils
import random
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from typing import Callable
from urllib.parse import urlsplit

import requests

from .errors import LoaderError

USER_AGENT = "Innenfor/1.0 (KS utenforskap dashboard; https://github.com/ks-no/innenfor)"
DEFAULT_LIMITS = {"data.ssb.no": (30, 60.0)}  # host -> (requests, per seconds)
DEFAULT_LIMIT = (60, 60.0)
RETRY_STATUSES = {429, 500, 502, 503, 504}


class RateLimiter:
    """Sliding-window limiter: at most ``n`` calls in any ``per`` seconds."""

    def __init__(self, n: int, per: float, clock: Callable[[], float] = time.monotonic,
                 sleep: Callable[[float], None] = time.sleep):
        self.n, self.per, self.clock, self.sleep = n, per, clock, sleep
        self._calls: deque[float] = deque()
        self._lock = threading.Lock()
        self._local = threading.local()

    def acquire(self) -> float:
        """Block until a call is allowed; return the seconds waited."""
        waited = 0.0
        with self._lock:
            while True:
                now = self.clock()
                while self._calls and now - self._calls[0] >= self.per:
                    self._calls.popleft()
                if len(self._calls) < self.n:
                    self._calls.append(now)
                    self._local.stamp = now
                    return waited
                pause = self.per - (now - self._calls[0]) + 0.01
                self.sleep(pause)
                waited += pause

    def settle(self) -> None:
        """Count this thread's last call from now, when its answer is back, not from when it was sent.

        The server counts a request when it arrives, which is later than ``acquire`` by an unknown delay
        (connection set-up, TLS, jitter); a window measured from completion is never shorter than the
        server's, so the limit holds for any latency.
        """
        stamp = getattr(self._local, "stamp", None)
        if stamp is None:
            return
        self._local.stamp = None
        with self._lock:
            if stamp in self._calls:
                self._calls.remove(stamp)
                self._calls.append(max(stamp, self.clock()))
                self._calls = deque(sorted(self._calls))


def retry_after_seconds(value: str | None, now: float | None = None) -> float | None:
    """Parse a Retry-After header: delta-seconds or an HTTP date."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value).timestamp()
    except (TypeError, ValueError):
        return None
    return max(0.0, when - (now if now is not None else time.time()))


@dataclass
class HttpClient:
    timeout: tuple[float, float] = (10.0, 120.0)   # connect, read
    max_attempts: int = 5
    backoff: float = 1.0                            # first pause; doubles each retry
    max_pause: float = 120.0
    sleep: Callable[[float], None] = time.sleep
    limits: dict[str, tuple[int, float]] = field(default_factory=lambda: dict(DEFAULT_LIMITS))
    session: requests.Session = field(default_factory=requests.Session)
    stats: dict[str, int] = field(default_factory=lambda: {"requests": 0, "retries": 0, "429": 0})

    def __post_init__(self):
        self.session.headers.setdefault("User-Agent", USER_AGENT)
        self._limiters: dict[str, RateLimiter] = {}

    def limiter(self, host: str) -> RateLimiter:
        if host not in self._limiters:
            n, per = self.limits.get(host, DEFAULT_LIMIT)
            self._limiters[host] = RateLimiter(n, per, sleep=self.sleep)
        return self._limiters[host]

    def request(self, method: str, url: str, *, params=None, json=None) -> requests.Response:
        host = urlsplit(url).hostname or ""
        last_problem = ""
        for attempt in range(1, self.max_attempts + 1):
            limiter = self.limiter(host)
            limiter.acquire()
            self.stats["requests"] += 1
            try:
                try:
                    resp = self.session.request(method, url, params=params, json=json, timeout=self.timeout)
                finally:
                    limiter.settle()
            except (requests.Timeout, requests.ConnectionError) as exc:
                last_problem = f"{type(exc).__name__}: {exc}"
                pause = self._pause(attempt, None)
            else:
                if resp.status_code < 400:
                    return resp
                if resp.status_code not in RETRY_STATUSES:
                    raise LoaderError(f"{method} {url} answered {resp.status_code}: {_snippet(resp)}")
                if resp.status_code == 429:
                    self.stats["429"] += 1
                last_problem = f"HTTP {resp.status_code}: {_snippet(resp)}"
                pause = self._pause(attempt, retry_after_seconds(resp.headers.get("Retry-After")))
            if attempt < self.max_attempts:
                self.stats["retries"] += 1
                self.sleep(pause)
        raise LoaderError(f"{method} {url} failed after {self.max_attempts} attempts ({last_problem})")

    def _pause(self, attempt: int, retry_after: float | None) -> float:
        if retry_after is not None:
            return min(retry_after, self.max_pause)
        return min(self.backoff * 2 ** (attempt - 1) * (1 + random.random() * 0.1), self.max_pause)


def _snippet(resp: requests.Response) -> str:
    text = (resp.text or "").strip().replace("\n", " ")
    return text[:200] or resp.reason or ""
