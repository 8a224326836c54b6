"""Outgoing HTTP deliveries (webhooks, callbacks): on the mock clock, retried, journaled."""

from __future__ import annotations

import logging
import secrets
import threading
import time
from collections.abc import Callable
from typing import Any

import httpx

from mock_server.backend.clock import MockClock
from mock_server.backend.deliveries import (
    Attempt,
    Delivery,
    DeliveryStore,
    MemoryDeliveries,
    is_due,
)
from mock_server.backend.real_time import real_monotonic
from mock_server.client_urls import allowed_host_names, delivery_refusal

log = logging.getLogger("sora_mock.deliveries")

#: Sends a POST and returns its status; raises on a transport error.
Sender = Callable[[str, bytes, dict[str, str], float], int]


def http_sender(url: str, body: bytes, headers: dict[str, str], timeout: float) -> int:
    """POST over real HTTP, never following redirects."""
    with httpx.Client(timeout=timeout, follow_redirects=False, trust_env=False) as client:
        return client.post(url, content=body, headers=headers).status_code


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
        #: Hosts besides loopback that deliveries may go to, in canonical form.
        self.allowed_hosts = allowed_host_names(allowed_hosts)
        self.timeout = timeout
        #: Per kind, how long the receiver has to answer, where it is not ``timeout``.
        self.timeouts: dict[str, float] = {}
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
        refusal = delivery_refusal(delivery.url, self.allowed_hosts)
        if refusal is not None:
            error = f"refused: {refusal}"
            delivery.state = "refused"
        else:
            prepare = self.preparers.get(delivery.kind)
            if prepare is not None:
                prepare(delivery)
            try:
                timeout = self.timeouts.get(delivery.kind, self.timeout)
                status = self.sender(delivery.url, delivery.body, delivery.headers, timeout)
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
        deadline = real_monotonic() + timeout
        with self._changed:
            while True:
                now = self.clock.now()
                if not any(is_due(d, now) for d in self.store.all()):
                    return True
                left = deadline - real_monotonic()
                if left <= 0:
                    return False
                # Another process sharing the store may be the one delivering: look again soon.
                self._changed.wait(min(left, 0.05))

    def clear(self) -> None:
        """Forget every delivery."""
        self.store.clear()
