"""A small in-process sliding-window rate limiter, one window per client key (IP).

Sliding log rather than fixed buckets: a client can never burst 2x the limit
across a bucket boundary. Memory stays bounded: a client's log holds at most
``limit`` timestamps and idle clients are dropped on a periodic sweep.
In-process means each server process counts on its own; the app runs as one
process, so that is the real limit.
"""

from __future__ import annotations

import math
import threading
import time
from collections import deque
from dataclasses import dataclass
from typing import Callable


@dataclass(frozen=True)
class Decision:
    allowed: bool
    retry_after: int = 0  # whole seconds until the next request would be allowed
    remaining: int = 0


class RateLimiter:
    def __init__(
        self,
        limit: int,
        window_seconds: float = 60.0,
        clock: Callable[[], float] = time.monotonic,
        max_clients: int = 50_000,
    ):
        self.limit = limit
        self.window = window_seconds
        self._clock = clock
        self._max_clients = max_clients
        self._hits: dict[str, deque[float]] = {}
        self._lock = threading.Lock()
        self._last_sweep = clock()

    @property
    def enabled(self) -> bool:
        return self.limit > 0

    def hit(self, key: str) -> Decision:
        """Count one request for ``key`` if it is allowed; say when to retry if not."""
        if not self.enabled:
            return Decision(True, 0, 0)
        now = self._clock()
        with self._lock:
            self._maybe_sweep(now)
            log = self._hits.setdefault(key, deque())
            while log and log[0] <= now - self.window:
                log.popleft()
            if len(log) >= self.limit:
                retry = max(1, math.ceil(log[0] + self.window - now))
                return Decision(False, retry, 0)
            log.append(now)
            return Decision(True, 0, self.limit - len(log))

    def reset(self) -> None:
        with self._lock:
            self._hits.clear()

    def _maybe_sweep(self, now: float) -> None:
        # Sweep idle clients once per window, or at once when too many keys pile up.
        if now - self._last_sweep < self.window and len(self._hits) < self._max_clients:
            return
        self._last_sweep = now
        cutoff = now - self.window
        for key in [k for k, log in self._hits.items() if not log or log[-1] <= cutoff]:
            del self._hits[key]
        if len(self._hits) >= self._max_clients:
            # Still full of active clients: forget the ones seen least recently.
            by_age = sorted(self._hits, key=lambda k: self._hits[k][-1])
            for key in by_age[: len(by_age) // 2]:
                del self._hits[key]
