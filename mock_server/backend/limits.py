"""Requests-per-minute windows on the mock clock."""

from __future__ import annotations

from dataclasses import dataclass

from mock_server import catalog
from mock_server.backend.shared_values import MemoryValue, SharedValue


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

    def __init__(self, value: SharedValue | None = None) -> None:
        self._value = value if value is not None else MemoryValue(dict)

    def hit(self, key: str, now: float, per_minute: int) -> RateDecision:
        """Count a request at ``now`` unless the window already holds ``per_minute``."""
        return self._value.update(lambda seen: _hit(seen, key, now, per_minute))

    def clear(self) -> None:
        """Forget every window."""
        self._value.reset()


def _hit(seen: dict[str, list[float]], key: str, now: float, per_minute: int) -> RateDecision:
    window = catalog.RATE_WINDOW_SECONDS
    # Keys whose window has emptied are dropped, so the windows stay as many as the active keys.
    for idle in [k for k, times in seen.items() if not times or times[-1] <= now - window]:
        del seen[idle]
    times = [at for at in seen.get(key, ()) if at > now - window]
    if len(times) >= per_minute:
        seen[key] = times
        return RateDecision(False, per_minute, 0, times[0] + window - now)
    times.append(now)
    seen[key] = times
    return RateDecision(True, per_minute, per_minute - len(times), times[0] + window - now)
