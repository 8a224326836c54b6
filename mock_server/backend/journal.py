"""The request journal: what every client request was and how it was answered."""

from __future__ import annotations

import threading
from collections import deque
from typing import Any, Protocol


class RequestJournal(Protocol):
    """The latest requests, oldest first, bounded in size."""

    def record(self, entry: dict[str, Any]) -> None:
        """Add one request."""
        ...

    def entries(self) -> list[dict[str, Any]]:
        """Every kept request, oldest first."""
        ...

    def clear(self) -> None:
        """Forget every request."""
        ...


class MemoryRequestJournal:
    """A :class:`RequestJournal` in this process."""

    def __init__(self, size: int) -> None:
        self._lock = threading.Lock()
        self._entries: deque[dict[str, Any]] = deque(maxlen=size)

    def record(self, entry: dict[str, Any]) -> None:
        with self._lock:
            self._entries.append(entry)

    def entries(self) -> list[dict[str, Any]]:
        with self._lock:
            return list(self._entries)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
