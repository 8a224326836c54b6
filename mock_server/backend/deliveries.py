"""Deliveries the mock owes (webhooks, callbacks) and their stores, in memory and on SQLite."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any, Protocol

from mock_server.backend.database import SqliteDatabase


@dataclass
class Attempt:
    """One try at a delivery."""

    at: float
    status: int | None
    error: str | None
    duration_ms: float


@dataclass
class Delivery:
    """A POST the mock owes someone."""

    id: str
    kind: str
    url: str
    body: bytes
    headers: dict[str, str]
    due_at: float
    #: Mock-clock seconds to wait after each failed attempt; one more attempt than delays.
    retry_delays: tuple[float, ...]
    subject: str | None = None
    #: Statuses that count as received; ``None`` means any 2xx.
    ok_statuses: tuple[int, ...] | None = None
    attempts: list[Attempt] = field(default_factory=list)
    state: str = "pending"

    def accepts(self, status: int) -> bool:
        """Whether the receiver's answer counts as received."""
        if self.ok_statuses is None:
            return 200 <= status < 300
        return status in self.ok_statuses

    def summary(self) -> dict[str, Any]:
        """A JSON-ready view for the journal."""
        return {
            "id": self.id,
            "kind": self.kind,
            "url": self.url,
            "subject": self.subject,
            "state": self.state,
            "due_at": self.due_at,
            "headers": dict(self.headers),
            "body": self.body.decode("utf-8", "replace"),
            "attempts": [asdict(attempt) for attempt in self.attempts],
        }

    def record(self) -> dict[str, Any]:
        """Everything needed to rebuild the delivery after a restart."""
        return {
            **self.summary(),
            "retry_delays": list(self.retry_delays),
            "ok_statuses": None if self.ok_statuses is None else list(self.ok_statuses),
        }

    @classmethod
    def from_record(cls, record: dict[str, Any]) -> Delivery:
        """A delivery rebuilt from :meth:`record`."""
        ok = record.get("ok_statuses")
        return cls(
            id=record["id"],
            kind=record["kind"],
            url=record["url"],
            body=record["body"].encode(),
            headers=dict(record["headers"]),
            due_at=record["due_at"],
            retry_delays=tuple(record["retry_delays"]),
            subject=record.get("subject"),
            ok_statuses=None if ok is None else tuple(ok),
            attempts=[Attempt(**attempt) for attempt in record["attempts"]],
            state=record["state"],
        )


class DeliveryStore(Protocol):
    """Where deliveries are kept, and who is sending which."""

    def add(self, delivery: Delivery) -> None:
        """Keep a new delivery."""
        ...

    def save(self, delivery: Delivery) -> None:
        """Keep a delivery after an attempt, and release its claim."""
        ...

    def all(self) -> list[Delivery]:
        """Every delivery, oldest first."""
        ...

    def claim_due(self, now: float) -> list[Delivery]:
        """Pending deliveries due by ``now`` that nobody else is sending, now claimed."""
        ...

    def clear(self) -> None:
        """Forget every delivery."""
        ...


def is_due(delivery: Delivery, now: float) -> bool:
    """Whether a delivery waits for an attempt that is due."""
    return delivery.state == "pending" and delivery.due_at <= now


class MemoryDeliveries:
    """A :class:`DeliveryStore` in this process."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._all: list[Delivery] = []
        self._claimed: set[str] = set()

    def add(self, delivery: Delivery) -> None:
        with self._lock:
            self._all.append(delivery)

    def save(self, delivery: Delivery) -> None:
        with self._lock:
            self._claimed.discard(delivery.id)

    def all(self) -> list[Delivery]:
        with self._lock:
            return list(self._all)

    def claim_due(self, now: float) -> list[Delivery]:
        with self._lock:
            due = [d for d in self._all if is_due(d, now) and d.id not in self._claimed]
            self._claimed.update(d.id for d in due)
            return due

    def clear(self) -> None:
        with self._lock:
            self._all.clear()
            self._claimed.clear()


class SqliteDeliveries:
    """The Outbox's :class:`~mock_server.backend.outbox.DeliveryStore` on a SQLite file.

    A process claims the deliveries it is about to send, for ``lease`` wall-clock seconds, so
    that of several processes sharing the file exactly one sends each attempt; a claim left by a
    process that died lapses.
    """

    def __init__(
        self, database: SqliteDatabase, lease: float = 60.0, wall: Callable[[], float] = time.time
    ) -> None:
        self.database = database
        self.lease = lease
        self.wall = wall

    def add(self, delivery: Delivery) -> None:
        self._write(delivery)

    def _write(self, delivery: Delivery) -> None:
        with self.database.transaction() as connection:
            connection.execute(
                "INSERT INTO deliveries (id, position, record) VALUES "
                "(?, (SELECT COALESCE(MAX(position), 0) + 1 FROM deliveries), ?) "
                "ON CONFLICT (id) DO UPDATE SET record = excluded.record",
                (delivery.id, json.dumps(delivery.record())),
            )

    def save(self, delivery: Delivery) -> None:
        with self.database.transaction() as connection:
            self._write(delivery)
            connection.execute("DELETE FROM delivery_claims WHERE id = ?", (delivery.id,))

    def all(self) -> list[Delivery]:
        rows = self.database.connection().execute("SELECT record FROM deliveries ORDER BY position")
        return [Delivery.from_record(json.loads(row[0])) for row in rows]

    def claim_due(self, now: float) -> list[Delivery]:
        wall = self.wall()
        with self.database.transaction() as connection:
            connection.execute("DELETE FROM delivery_claims WHERE until < ?", (wall,))
            rows = connection.execute(
                "SELECT record FROM deliveries WHERE id NOT IN (SELECT id FROM delivery_claims) "
                "ORDER BY position"
            )
            due = [
                delivery
                for delivery in (Delivery.from_record(json.loads(row[0])) for row in rows)
                if is_due(delivery, now)
            ]
            connection.executemany(
                "INSERT INTO delivery_claims (id, until) VALUES (?, ?)",
                [(delivery.id, wall + self.lease) for delivery in due],
            )
            return due

    def release_all(self) -> None:
        """Drop every claim (at start-up, when no other process can hold one)."""
        with self.database.transaction() as connection:
            connection.execute("DELETE FROM delivery_claims")

    def clear(self) -> None:
        with self.database.transaction() as connection:
            connection.execute("DELETE FROM deliveries")
            connection.execute("DELETE FROM delivery_claims")
