"""Requests-per-minute windows on the mock clock."""

from __future__ import annotations

import threading
from collections import defaultdict, deque
from dataclasses import dataclass

from mock_server import catalog


@dataclass(frozen=True)
class RateDecision:
    """What the limiter said about one request."""

    allowed: bool
    limit: int
    remaining: int
    #: Seconds until the window has room again.
    reset_after: float


class RequestRateLimiter:
    """A sliding one-minute window of request times per key."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._seen: dict[str, deque[float]] = defaultdict(deque)

    def hit(self, key: str, now: float, per_minute: int) -> RateDecision:
        """Count a request at ``now`` unless the window already holds ``per_minute``."""
        window = catalog.RATE_WINDOW_SECONDS
        with self._lock:
            times = self._seen[key]
            while times and times[0] <= now - window:
                times.popleft()
            if len(times) >= per_minute:
                return RateDecision(False, per_minute, 0, times[0] + window - now)
            times.append(now)
            reset = times[0] + window - now
            return RateDecision(True, per_minute, per_minute - len(times), reset)

    def clear(self) -> None:
        """Forget every window."""
        with self._lock:
            self._seen.clear()
