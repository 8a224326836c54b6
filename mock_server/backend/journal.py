"""The request journal: what every client request was and how it was answered."""

from __future__ import annotations

import json
import threading
from collections import deque
from typing import Any, Protocol

from mock_server.backend.database import SqliteDatabase


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


class SqliteRequestJournal:
    """The :class:`~mock_server.backend.journal.RequestJournal` on a SQLite file."""

    def __init__(self, database: SqliteDatabase, size: int) -> None:
        self.database = database
        self.size = size

    def record(self, entry: dict[str, Any]) -> None:
        with self.database.transaction() as connection:
            position = connection.execute(
                "INSERT INTO journal (entry) VALUES (?)", (json.dumps(entry),)
            ).lastrowid
            connection.execute(
                "DELETE FROM journal WHERE position <= ?", ((position or 0) - self.size,)
            )

    def entries(self) -> list[dict[str, Any]]:
        rows = self.database.connection().execute("SELECT entry FROM journal ORDER BY position")
        return [json.loads(row[0]) for row in rows]

    def clear(self) -> None:
        with self.database.transaction() as connection:
            connection.execute("DELETE FROM journal")
