"""The request journal: what every client request was and how it was answered."""

from __future__ import annotations

import json
import threading
from collections import deque
from collections.abc import Mapping
from typing import Any, Protocol

from mock_server.backend.database import SqliteDatabase
from mock_server.rules import access

#: Request headers whose values are credentials.
CREDENTIAL_HEADERS = frozenset({"authorization", "api-key", "x-sora-mock-token"})
#: The environ's two header keys without the ``HTTP_`` prefix, and their header names.
_CONTENT_KEYS = {"CONTENT_TYPE": "content-type", "CONTENT_LENGTH": "content-length"}
#: Where a server that builds the environ's header keys itself (the in-process transport)
#: leaves them as ``(key, value)`` pairs, so the journal need not look for them again.
HEADER_PAIRS_KEY = "sora_mock.header_pairs"


#: A request's headers as the WSGI environ holds them (``HTTP_X_STAINLESS_OS``): named and
#: masked only when the journal is read (most entries never are).
RawHeaders = tuple[tuple[str, str], ...]

#: What a journal entry says, in the order :data:`Entry` holds it.
ENTRY_FIELDS = (
    "id",
    "at",
    "method",
    "path",
    "query",
    "dialect",
    "headers",
    "content_type",
    "body",
    "request_contract",
    "request_violations",
    "status",
    "rule",
    "fault",
    "job",
    "terminal",
    "uses",
    "retry_after",
    "poll_after_ms",
    "duration_ms",
)
#: A journal entry as kept: its values in :data:`ENTRY_FIELDS` order, the headers raw. A
#: tuple, not a dict: a client polling writes one a read, and a thousand of them are kept.
Entry = tuple[Any, ...]
_HEADERS_AT = ENTRY_FIELDS.index("headers")
_VIOLATIONS_AT = ENTRY_FIELDS.index("request_violations")


def raw_headers(environ: Mapping[str, Any]) -> RawHeaders:
    """The header keys of an environ, as Werkzeug's ``EnvironHeaders`` reads them (or as the
    server left them under :data:`HEADER_PAIRS_KEY`)."""
    given = environ.get(HEADER_PAIRS_KEY)
    if given is not None:
        return tuple(given)
    return tuple(
        (key, value)
        for key, value in environ.items()
        if (key[:5] == "HTTP_" and key[5:] not in _CONTENT_KEYS) or (key in _CONTENT_KEYS and value)
    )


def masked_headers(headers: RawHeaders) -> dict[str, str]:
    """Raw headers lower-cased and named, with credentials masked."""
    shown = {}
    for key, value in headers:
        name = _CONTENT_KEYS.get(key) or key[5:].replace("_", "-").lower()
        if name in CREDENTIAL_HEADERS:
            scheme, _, token = value.partition(" ")
            value = f"{scheme} {access.mask_key(token)}" if token else access.mask_key(value)
        shown[name] = value
    return shown


def presented(entry: Entry) -> dict[str, Any]:
    """An entry as the journal shows it: named fields, its headers named and masked."""
    shown = dict(zip(ENTRY_FIELDS, entry, strict=True))
    shown["headers"] = masked_headers(entry[_HEADERS_AT])
    shown["request_violations"] = list(entry[_VIOLATIONS_AT])
    return shown


class RequestJournal(Protocol):
    """The latest requests, oldest first, bounded in size."""

    def record(self, entry: Entry) -> None:
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
        self._entries: deque[Entry] = deque(maxlen=size)

    def record(self, entry: Entry) -> None:
        with self._lock:
            self._entries.append(entry)

    def entries(self) -> list[dict[str, Any]]:
        with self._lock:
            kept = list(self._entries)
        return [presented(entry) for entry in kept]

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()


class SqliteRequestJournal:
    """The :class:`~mock_server.backend.journal.RequestJournal` on a SQLite file."""

    def __init__(self, database: SqliteDatabase, size: int) -> None:
        self.database = database
        self.size = size

    def record(self, entry: Entry) -> None:
        with self.database.transaction() as connection:
            position = connection.execute(
                "INSERT INTO journal (entry) VALUES (?)", (json.dumps(presented(entry)),)
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
