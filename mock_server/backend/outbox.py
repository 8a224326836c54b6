"""Outgoing HTTP deliveries (webhooks, callbacks): on the mock clock, retried, journaled."""

from __future__ import annotations

import logging
import secrets
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

import httpx

from mock_server.backend.clock import MockClock
from mock_server.backend.deliveries import (
    Attempt,
    Delivery,
    DeliveryStore,
    MemoryDeliveries,
    receiver_of,
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


#: Attempts in flight at once, in all and to one receiver [CHOICE]: a slow or silent
#: receiver holds at most its own share of the senders, never another receiver's deliveries.
SENDERS = 8
SENDERS_PER_RECEIVER = 2
#: Wall-clock seconds a claim outlives the longest attempt (a process that dies mid-attempt
#: leaves its claims to lapse after this) [CHOICE].
CLAIM_MARGIN_SECONDS = 30.0


class Outbox:
    """Deliveries waiting for their time, sent concurrently with bounded retries.

    Each attempt is claimed on its own right before it is sent and runs on a bounded pool of
    sender threads, with its own timeout; at most :data:`SENDERS_PER_RECEIVER` attempts go to
    one receiver at a time, so a receiver that never answers delays only its own deliveries.
    """

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
        self._changed = threading.Condition()
        #: Attempts in flight from this process, per receiver.
        self._in_flight: dict[str, int] = {}
        self._senders: ThreadPoolExecutor | None = None
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
        return self.store.pending_count()

    def longest_attempt(self) -> float:
        """The longest any attempt may take, in wall-clock seconds."""
        return max([self.timeout, *self.timeouts.values()])

    def _pool(self) -> ThreadPoolExecutor:
        if self._senders is None:
            self._senders = ThreadPoolExecutor(SENDERS, thread_name_prefix="sora-mock-delivery")
        return self._senders

    def _start_due(self) -> list[Future[None]]:
        """Claim and start what is due, as far as the free senders allow."""
        with self._changed:
            free = SENDERS - sum(self._in_flight.values())
            if free <= 0:
                return []
            busy = frozenset(
                receiver
                for receiver, count in self._in_flight.items()
                if count >= SENDERS_PER_RECEIVER
            )
            due = self.store.claim_due(self.clock.now(), limit=free, skip=busy)
            started: list[Future[None]] = []
            for delivery in due:
                receiver = receiver_of(delivery.url)
                if self._in_flight.get(receiver, 0) >= SENDERS_PER_RECEIVER:
                    self.store.save(delivery)  # its receiver filled up in this batch: later
                    continue
                self._in_flight[receiver] = self._in_flight.get(receiver, 0) + 1
                started.append(self._pool().submit(self._attempt_and_release, delivery))
            return started

    def _attempt_and_release(self, delivery: Delivery) -> None:
        try:
            self._attempt(delivery)
        except Exception:  # an attempt must never leave its sender's slot taken
            log.exception("delivery %s failed", delivery.id)
        finally:
            receiver = receiver_of(delivery.url)
            with self._changed:
                left = self._in_flight.get(receiver, 1) - 1
                if left:
                    self._in_flight[receiver] = left
                else:
                    self._in_flight.pop(receiver, None)
                self._changed.notify_all()
            self.on_enqueue()  # a sender is free: start what waited for one

    def run_due(self) -> int:
        """Start every due delivery the senders can take now; returns how many started."""
        return len(self._start_due())

    def flush(self) -> int:
        """Attempt every delivery due now and wait for the attempts in flight; returns how many
        attempts this call started. A receiver that never answers holds it for one attempt's
        timeout, not for each of its deliveries, and never past the longest timeout."""
        deadline = real_monotonic() + self.longest_attempt() + 1
        started = 0
        while True:
            new = len(self._start_due())
            started += new
            with self._changed:
                left = deadline - real_monotonic()
                if (not new and not self._in_flight) or left <= 0:
                    return started
                if not new:
                    self._changed.wait(min(left, 0.05))  # until an attempt ends

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
        """Block until nothing due is pending or in flight (for a worker that delivers in the
        background)."""
        deadline = real_monotonic() + timeout
        with self._changed:
            while True:
                soonest = self.store.next_due()
                if (soonest is None or soonest > self.clock.now()) and not self._in_flight:
                    return True
                left = deadline - real_monotonic()
                if left <= 0:
                    return False
                # Another process sharing the store may be the one delivering: look again soon.
                self._changed.wait(min(left, 0.05))

    def close(self) -> None:
        """Stop the senders, waiting for the attempts in flight."""
        if self._senders is not None:
            self._senders.shutdown(wait=True, cancel_futures=True)
            self._senders = None

    def clear(self) -> None:
        """Forget every delivery."""
        self.store.clear()
