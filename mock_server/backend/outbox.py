"""Outgoing HTTP deliveries (webhooks, callbacks): on the mock clock, retried, journaled."""

from __future__ import annotations

import ipaddress
import logging
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any, Protocol

import httpx

from mock_server.backend.clock import MockClock
from mock_server.urls import split_url

log = logging.getLogger("sora_mock.deliveries")

#: Sends a POST and returns its status; raises on a transport error.
Sender = Callable[[str, bytes, dict[str, str], float], int]


def http_sender(url: str, body: bytes, headers: dict[str, str], timeout: float) -> int:
    """POST over real HTTP, never following redirects."""
    with httpx.Client(timeout=timeout, follow_redirects=False, trust_env=False) as client:
        return client.post(url, content=body, headers=headers).status_code


def host_allowed(url: str, allowed: tuple[str, ...]) -> bool:
    """Whether a URL's host is loopback or one of ``allowed``."""
    parts = split_url(url)
    if parts is None or not parts.hostname:
        return False
    host = parts.hostname.lower()
    if host == "localhost" or host in {h.lower() for h in allowed}:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


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


def log_attempt(delivery: Delivery) -> None:
    """One line per attempt, in the request log's style, with what came of it.

    ``webhook POST http://127.0.0.1:9000/hooks 200 3.1ms delivered (attempt 1)``; a failed
    attempt says why and when the next one is due, and is logged as a warning.
    """
    attempt = delivery.attempts[-1]
    answer = str(attempt.status) if attempt.status is not None else f"error={attempt.error}"
    outcome = delivery.state
    if outcome == "pending":
        outcome = f"retry at mock time {delivery.due_at:.0f}"
    level = logging.INFO if delivery.state == "delivered" else logging.WARNING
    if log.isEnabledFor(level):
        log.log(
            level,
            "%s POST %s %s %.1fms %s (attempt %d, %s)",
            delivery.kind,
            delivery.url,
            answer,
            attempt.duration_ms,
            outcome,
            len(delivery.attempts),
            delivery.subject or delivery.id,
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


class Outbox:
    """Deliveries waiting for their time, tried in order, with bounded retries."""

    def __init__(
        self,
        clock: MockClock,
        *,
        allowed_hosts: tuple[str, ...] = (),
        timeout: float = 5.0,
        sender: Sender = http_sender,
        store: DeliveryStore | None = None,
    ) -> None:
        self.clock = clock
        self.allowed_hosts = allowed_hosts
        self.timeout = timeout
        self.sender = sender
        self.store: DeliveryStore = store if store is not None else MemoryDeliveries()
        #: Per kind, called right before each attempt to refresh time-bound headers (signatures).
        self.preparers: dict[str, Callable[[Delivery], None]] = {}
        self._run_lock = threading.Lock()
        self._changed = threading.Condition()
        self.on_enqueue: Callable[[], None] = lambda: None

    def enqueue(
        self,
        kind: str,
        url: str,
        body: bytes,
        headers: dict[str, str],
        *,
        retry_delays: tuple[float, ...],
        subject: str | None = None,
        ok_statuses: tuple[int, ...] | None = None,
    ) -> Delivery:
        """Schedule a delivery now."""
        delivery = Delivery(
            id="dlv_" + secrets.token_hex(12),
            kind=kind,
            url=url,
            body=body,
            headers=dict(headers),
            due_at=self.clock.now(),
            retry_delays=retry_delays,
            subject=subject,
            ok_statuses=ok_statuses,
        )
        self.store.add(delivery)
        self.on_enqueue()
        return delivery

    def pending(self) -> int:
        """How many deliveries still wait for an attempt."""
        return sum(1 for d in self.store.all() if d.state == "pending")

    def run_due(self) -> int:
        """Attempt every delivery whose time has come; return how many were attempted."""
        with self._run_lock:
            due = self.store.claim_due(self.clock.now())
            for delivery in due:
                self._attempt(delivery)
            with self._changed:
                self._changed.notify_all()
            return len(due)

    def _attempt(self, delivery: Delivery) -> None:
        started = time.perf_counter()
        status: int | None = None
        error: str | None = None
        if not host_allowed(delivery.url, self.allowed_hosts):
            error = "host not allowed (loopback only unless --allow-host names it)"
            delivery.state = "refused"
        else:
            prepare = self.preparers.get(delivery.kind)
            if prepare is not None:
                prepare(delivery)
            try:
                status = self.sender(delivery.url, delivery.body, delivery.headers, self.timeout)
            except httpx.HTTPError as exc:
                error = f"{type(exc).__name__}: {exc}"
        delivery.attempts.append(
            Attempt(self.clock.now(), status, error, (time.perf_counter() - started) * 1000)
        )
        if delivery.state != "refused":
            if status is not None and delivery.accepts(status):
                delivery.state = "delivered"
            elif len(delivery.attempts) > len(delivery.retry_delays):
                delivery.state = "failed"
            else:
                delay = delivery.retry_delays[len(delivery.attempts) - 1]
                delivery.due_at = self.clock.now() + delay
        self.store.save(delivery)
        log_attempt(delivery)

    def journal(self, kind: str | None = None) -> list[dict[str, Any]]:
        """Every delivery with its attempts, oldest first."""
        return [d.summary() for d in self.store.all() if kind is None or d.kind == kind]

    def wait_idle(self, timeout: float) -> bool:
        """Block until nothing due is pending (for a worker that delivers in the background)."""
        deadline = time.monotonic() + timeout
        with self._changed:
            while True:
                now = self.clock.now()
                if not any(is_due(d, now) for d in self.store.all()):
                    return True
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                # Another process sharing the store may be the one delivering: look again soon.
                self._changed.wait(min(left, 0.05))

    def clear(self) -> None:
        """Forget every delivery."""
        self.store.clear()
