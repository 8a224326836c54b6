"""HTTP faults queued by a test: the next matching requests get them instead of an answer."""

from __future__ import annotations

import fnmatch
from dataclasses import asdict, dataclass, field
from typing import Any

from mock_server.backend.shared_values import MemoryValue, SharedValue


@dataclass
class Fault:
    """One injected failure.

    ``status`` 0 with ``delay_ms`` only slows the response down; any other status replaces it.
    """

    status: int
    count: int = 1
    method: str | None = None
    path: str | None = None
    retry_after: float | None = None
    retry_after_ms: int | None = None
    should_retry: bool | None = None
    delay_ms: int = 0
    message: str | None = None
    headers: dict[str, str] = field(default_factory=dict)

    def matches(self, method: str, path: str) -> bool:
        """Whether this fault applies to a request."""
        if self.method and self.method.upper() != method.upper():
            return False
        return not self.path or fnmatch.fnmatchcase(path, self.path)

    def response_headers(self) -> dict[str, str]:
        """Headers the faulty response carries."""
        headers = dict(self.headers)
        if self.retry_after is not None:
            headers["retry-after"] = f"{self.retry_after:g}"
        if self.retry_after_ms is not None:
            headers["retry-after-ms"] = str(self.retry_after_ms)
        if self.should_retry is not None:
            headers["x-should-retry"] = "true" if self.should_retry else "false"
        return headers

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready view."""
        return asdict(self)


class FaultQueue:
    """Faults in the order they were queued; each used up after ``count`` matching requests."""

    def __init__(self, value: SharedValue | None = None) -> None:
        self._value = value if value is not None else MemoryValue(list)

    def add(self, fault: Fault) -> None:
        """Queue a fault."""
        self._value.update(lambda faults: faults.append(fault.to_dict()))

    def take(self, method: str, path: str) -> Fault | None:
        """The first queued fault for this request, counting one use."""
        if not self._value.read():
            return None
        return self._value.update(lambda faults: _take(faults, method, path))

    def delays_pending(self) -> bool:
        """Whether a queued fault holds its request up (``delay_ms``)."""
        faults = self._value.read()
        return bool(faults) and any(fault["delay_ms"] for fault in faults)

    def pending(self) -> list[dict[str, Any]]:
        """The faults still queued."""
        return [dict(fault) for fault in self._value.read()]

    def clear(self) -> None:
        """Drop every queued fault."""
        self._value.reset()


def _take(faults: list[dict[str, Any]], method: str, path: str) -> Fault | None:
    for index, record in enumerate(faults):
        fault = Fault(**record)
        if fault.matches(method, path):
            record["count"] -= 1
            if record["count"] <= 0:
                del faults[index]
            return fault
    return None
