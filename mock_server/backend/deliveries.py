"""Deliveries the mock owes (webhooks, callbacks) and their stores, in memory and on SQLite."""

from __future__ import annotations

import heapq
import json
import threading
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any, Protocol
from urllib.parse import urlsplit

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


def receiver_of(url: str) -> str:
    """Who answers a delivery: its URL's scheme, host and port (deliveries to one receiver
    share its sending slots)."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}".lower()


class DeliveryStore(Protocol):
    """Where deliveries are kept, and who is sending which.

    Every operation but :meth:`all` reads only what it returns: the deliveries due now, the
    soonest due time, the count of those pending, never the deliveries of the past.
    """

    def add(self, delivery: Delivery) -> None:
        """Keep a new delivery."""
        ...

    def save(self, delivery: Delivery) -> None:
        """Keep a delivery after an attempt, and release its claim."""
        ...

    def all(self) -> list[Delivery]:
        """Every delivery, oldest first (the journal)."""
        ...

    def claim_due(
        self, now: float, *, limit: int | None = None, skip: frozenset[str] = frozenset()
    ) -> list[Delivery]:
        """Up to ``limit`` pending deliveries due by ``now``, soonest first, that nobody else
        is sending and whose receiver is not in ``skip``, now claimed."""
        ...

    def next_due(self) -> float | None:
        """When the soonest pending delivery is due (claimed ones included); ``None``: none."""
        ...

    def pending_count(self) -> int:
        """How many deliveries wait for an attempt."""
        ...

    def clear(self) -> None:
        """Forget every delivery."""
        ...


def is_due(delivery: Delivery, now: float) -> bool:
    """Whether a delivery waits for an attempt that is due."""
    return delivery.state == "pending" and delivery.due_at <= now


class MemoryDeliveries:
    """A :class:`DeliveryStore` in this process: every delivery in order, and a heap of the
    pending ones by due time (an entry that no longer holds is dropped when it surfaces)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._all: dict[str, Delivery] = {}
        #: ``(due_at, order, id)`` of pending deliveries that are not claimed.
        self._due: list[tuple[float, int, str]] = []
        self._order = 0
        self._claimed: set[str] = set()
        self._pending: set[str] = set()

    def _push(self, delivery: Delivery) -> None:
        if delivery.state == "pending":
            self._pending.add(delivery.id)
            self._order += 1
            heapq.heappush(self._due, (delivery.due_at, self._order, delivery.id))
        else:
            self._pending.discard(delivery.id)

    def add(self, delivery: Delivery) -> None:
        with self._lock:
            self._all[delivery.id] = delivery
            self._push(delivery)

    def save(self, delivery: Delivery) -> None:
        with self._lock:
            if delivery.id in self._claimed:
                self._claimed.discard(delivery.id)
                self._push(delivery)

    def all(self) -> list[Delivery]:
        with self._lock:
            return list(self._all.values())

    def claim_due(
        self, now: float, *, limit: int | None = None, skip: frozenset[str] = frozenset()
    ) -> list[Delivery]:
        with self._lock:
            due: list[Delivery] = []
            passed_over: list[tuple[float, int, str]] = []
            while self._due and self._due[0][0] <= now and (limit is None or len(due) < limit):
                entry = heapq.heappop(self._due)
                delivery = self._all.get(entry[2])
                if (
                    delivery is None
                    or entry[2] in self._claimed
                    or not is_due(delivery, now)
                    or delivery.due_at != entry[0]
                ):
                    continue  # forgotten, claimed or changed since it was pushed
                if skip and receiver_of(delivery.url) in skip:
                    passed_over.append(entry)
                    continue
                self._claimed.add(delivery.id)
                due.append(delivery)
            for entry in passed_over:
                heapq.heappush(self._due, entry)
            return due

    def next_due(self) -> float | None:
        with self._lock:
            soonest = [self._all[i].due_at for i in self._claimed if i in self._pending]
            while self._due:
                due_at, _, delivery_id = self._due[0]
                delivery = self._all.get(delivery_id)
                if (
                    delivery is not None
                    and delivery.state == "pending"
                    and (delivery.due_at == due_at and delivery_id not in self._claimed)
                ):
                    soonest.append(due_at)
                    break
                heapq.heappop(self._due)  # an entry that no longer holds
            return min(soonest, default=None)

    def pending_count(self) -> int:
        with self._lock:
            return len(self._pending)

    def clear(self) -> None:
        with self._lock:
            self._all.clear()
            self._due.clear()
            self._claimed.clear()
            self._pending.clear()


class SqliteDeliveries:
    """The Outbox's :class:`~mock_server.backend.outbox.DeliveryStore` on a SQLite file.

    A process claims each delivery right before it sends it, for ``lease`` wall-clock seconds
    (longer than any attempt may take), so that of several processes sharing the file exactly
    one makes each attempt; a claim left by a process that died lapses. The state, due time
    and receiver of each delivery have columns of their own, so the due ones are found
    through an index of the pending ones, never by reading the past.
    """

    def __init__(
        self, database: SqliteDatabase, lease: float = 60.0, wall: Callable[[], float] = time.time
    ) -> None:
        self.database = database
        self.lease = lease
        self.wall = wall

    def add(self, delivery: Delivery) -> None:
        with self.database.transaction() as connection:
            connection.execute(
                "INSERT INTO deliveries (id, position, record, state, due_at, receiver) VALUES "
                "(?, (SELECT COALESCE(MAX(position), 0) + 1 FROM deliveries), ?, ?, ?, ?)",
                (
                    delivery.id,
                    json.dumps(delivery.record()),
                    delivery.state,
                    delivery.due_at,
                    receiver_of(delivery.url),
                ),
            )

    def save(self, delivery: Delivery) -> None:
        with self.database.transaction() as connection:
            connection.execute(
                "UPDATE deliveries SET record = ?, state = ?, due_at = ? WHERE id = ?",
                (json.dumps(delivery.record()), delivery.state, delivery.due_at, delivery.id),
            )
            connection.execute("DELETE FROM delivery_claims WHERE id = ?", (delivery.id,))

    def all(self) -> list[Delivery]:
        rows = self.database.connection().execute("SELECT record FROM deliveries ORDER BY position")
        return [Delivery.from_record(json.loads(row[0])) for row in rows]

    def claim_due(
        self, now: float, *, limit: int | None = None, skip: frozenset[str] = frozenset()
    ) -> list[Delivery]:
        wall = self.wall()
        skipped = ", ".join("?" for _ in skip)
        with self.database.transaction() as connection:
            connection.execute("DELETE FROM delivery_claims WHERE until < ?", (wall,))
            rows = connection.execute(
                "SELECT record FROM deliveries INDEXED BY deliveries_pending "
                "WHERE state = 'pending' AND due_at <= ? "
                "AND NOT EXISTS (SELECT 1 FROM delivery_claims c WHERE c.id = deliveries.id) "
                f"AND receiver NOT IN ({skipped}) ORDER BY due_at, position LIMIT ?",
                (now, *sorted(skip), -1 if limit is None else limit),
            ).fetchall()
            due = [Delivery.from_record(json.loads(row[0])) for row in rows]
            connection.executemany(
                "INSERT INTO delivery_claims (id, until) VALUES (?, ?)",
                [(delivery.id, wall + self.lease) for delivery in due],
            )
            return due

    def next_due(self) -> float | None:
        row = (
            self.database.connection()
            .execute("SELECT MIN(due_at) FROM deliveries WHERE state = 'pending'")
            .fetchone()
        )
        return None if row is None or row[0] is None else float(row[0])

    def pending_count(self) -> int:
        row = (
            self.database.connection()
            .execute("SELECT COUNT(*) FROM deliveries WHERE state = 'pending'")
            .fetchone()
        )
        return int(row[0])

    def release_all(self) -> None:
        """Drop every claim (at start-up, when no other process can hold one)."""
        with self.database.transaction() as connection:
            connection.execute("DELETE FROM delivery_claims")

    def clear(self) -> None:
        with self.database.transaction() as connection:
            connection.execute("DELETE FROM deliveries")
            connection.execute("DELETE FROM delivery_claims")
