"""Deliveries that no receiver can hold, each attempt made once, and a round that reads only
what is due.

Once one thread sent every webhook and callback in turn: two callbacks to a socket that never
answers delayed another client's webhook by 59.7 s and ``POST /_mock/deliveries/flush`` hung
as long; two processes on one database sent some callbacks twice (a claim's lease covered a
whole batch sent one by one); and every round read every past delivery.
"""

from __future__ import annotations

import contextlib
import socket
import sqlite3
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from mock_server import create_app, state_of
from mock_server.backend import deliveries as deliveries_module
from mock_server.backend.database import SqliteDatabase
from mock_server.backend.deliveries import Delivery, MemoryDeliveries, SqliteDeliveries
from mock_server.backend.outbox import SENDERS_PER_RECEIVER
from sora_testkit import httpx_client
from tests.conftest import AUTH
from tests.receiver import Receiver

GT_CREATE = "/api/v1/generateTask/sora-2-pro"


class SilentReceiver:
    """A socket that takes requests and never answers until released, counting the
    connections open at once (a connection the sender gives up on closes)."""

    def __init__(self) -> None:
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self.listener.getsockname()[1]}/callback"
        self.held: list[socket.socket] = []
        self.open_now = 0
        self.most_held = 0
        self.released = threading.Event()
        self._lock = threading.Condition()
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while not self.released.is_set():
            try:
                connection, _ = self.listener.accept()
            except OSError:
                return
            with self._lock:
                if self.released.is_set():
                    connection.close()
                    return
                self.held.append(connection)
                self.open_now += 1
                self.most_held = max(self.most_held, self.open_now)
                self._lock.notify_all()
            threading.Thread(target=self._hold, args=(connection,), daemon=True).start()

    def _hold(self, connection: socket.socket) -> None:
        """Read what the sender sends until it closes its end; answer nothing."""
        try:
            while connection.recv(65536):
                pass
        except OSError:
            pass
        with self._lock:
            self.open_now -= 1

    def wait_held(self, count: int, timeout: float = 20) -> bool:
        """Wait until ``count`` connections have been open at once."""
        with self._lock:
            return self._lock.wait_for(lambda: self.most_held >= count, timeout=timeout)

    def release(self) -> None:
        with self._lock:
            if self.released.is_set():
                return
            self.released.set()
            self.listener.close()
            for connection in self.held:
                with contextlib.suppress(OSError):
                    connection.shutdown(socket.SHUT_RDWR)
                connection.close()


@pytest.fixture
def silent() -> Iterator[SilentReceiver]:
    receiver = SilentReceiver()
    yield receiver
    receiver.release()


def callback_task(http: httpx.Client, url: str) -> None:
    body = {
        "request_type": "callback",
        "callback_url": url,
        "input": {"mode": "text-to-video", "prompt": "x"},
    }
    assert http.post(GT_CREATE, json=body).status_code == 200


def test_two_silent_callback_receivers_do_not_delay_a_third_receivers_webhook(
    silent: SilentReceiver,
) -> None:
    other_silent = SilentReceiver()
    webhook = Receiver()
    app = create_app(
        {"progression": "instant", "webhook_urls": [webhook.url], "background_worker": True}
    )
    try:
        with httpx_client(app, headers=AUTH) as http:
            callback_task(http, silent.url)  # due first: once, they held the only sender
            callback_task(http, other_silent.url)
            assert http.post("/v1/videos", json={"prompt": "x"}).status_code == 200
            # Each silent receiver holds its callback for 30 s; the webhook does not wait.
            assert webhook.arrived.wait(timeout=20), "the webhook waited for the silent ones"
            journal = http.get("/_mock/deliveries", params={"kind": "callback"}).json()
        assert [d["attempts"] for d in journal["deliveries"]] == [[], []]  # still in flight
        assert len(webhook.received) == 1
    finally:
        silent.release()  # the attempts held end now
        other_silent.release()
        webhook.close()
        state_of(app).close()


def test_one_receiver_holds_at_most_its_share_of_the_senders(silent: SilentReceiver) -> None:
    webhook = Receiver()
    app = create_app(
        {"progression": "instant", "webhook_urls": [webhook.url], "background_worker": True}
    )
    try:
        with httpx_client(app, headers=AUTH) as http:
            for _ in range(5):
                callback_task(http, silent.url)
            for _ in range(3):
                assert http.post("/v1/videos", json={"prompt": "x"}).status_code == 200
            with webhook._count:
                assert webhook._count.wait_for(lambda: len(webhook.received) == 3, timeout=20)
            assert silent.wait_held(SENDERS_PER_RECEIVER)
        assert silent.most_held == SENDERS_PER_RECEIVER  # never more, with five due
    finally:
        silent.release()  # the attempts held end now
        webhook.close()
        state_of(app).close()


def test_flush_waits_for_one_attempt_per_receiver_not_for_each_delivery(
    silent: SilentReceiver,
) -> None:
    app = create_app({"progression": "instant", "background_worker": False})
    outbox = state_of(app).outbox
    outbox.timeouts["callback"] = 0.5  # the receiver's whole allowance, made short here
    try:
        with httpx_client(app, headers=AUTH) as http:
            for _ in range(2):
                callback_task(http, silent.url)
            flushed = http.post("/_mock/deliveries/flush").json()
        assert flushed["attempted"] == 2
        attempts = [d["attempts"] for d in flushed["deliveries"]]
        assert [len(made) for made in attempts] == [1, 1]
        assert all("Timeout" in made[0]["error"] for made in attempts)
        assert silent.wait_held(2)  # both were sent at once, not one after the other
    finally:
        state_of(app).close()


def test_two_processes_on_one_database_make_each_attempt_once(tmp_path: Path) -> None:
    """Each attempt is claimed on its own right before it is sent: a slow receiver's answers
    never outlast a claim, so another process never sends the same attempt again."""
    database = str(tmp_path / "shared.sqlite3")
    config = {"db": database, "progression": "instant", "background_worker": False}
    first = create_app(config)
    second = create_app(config, join_database=True)
    sent: list[str] = []
    gate = threading.Event()
    lock = threading.Lock()

    def slow_receiver(url: str, body: bytes, headers: dict[str, str], timeout: float) -> int:
        with lock:
            sent.append(url)
        gate.wait(timeout=10)  # answers only once the other process has looked again
        return 200

    for app in (first, second):
        state_of(app).outbox.sender = slow_receiver
        # A claim lasts longer than any attempt: here far shorter than 60 s, to be seen.
        store = state_of(app).outbox.store
        assert isinstance(store, SqliteDeliveries)
        store.lease = 5
    try:
        with httpx_client(first, headers=AUTH) as http:
            for n in range(4):
                callback_task(http, f"http://127.0.0.1:9/callback-{n}")
        state_of(first).outbox.run_due()  # starts its share; they wait at the receiver
        with httpx_client(second, headers=AUTH) as http:
            state_of(second).outbox.run_due()  # takes only what nobody is sending
            gate.set()
            http.post("/_mock/deliveries/flush")
            state_of(first).outbox.flush()
            journal = http.get("/_mock/deliveries", params={"kind": "callback"}).json()
    finally:
        for app in (first, second):
            state_of(app).close()
    assert sorted(sent) == sorted(f"http://127.0.0.1:9/callback-{n}" for n in range(4))
    assert [len(d["attempts"]) for d in journal["deliveries"]] == [1, 1, 1, 1]
    assert {d["state"] for d in journal["deliveries"]} == {"delivered"}


# --- the work of a round does not grow with the deliveries of the past -------------------------


def delivered(index: int) -> Delivery:
    past = Delivery(f"dlv_{index:06d}", "webhook", "http://127.0.0.1:9/h", b"{}", {}, 0.0, ())
    past.state = "delivered"
    return past


def due_now(index: int) -> Delivery:
    return Delivery(f"dlv_due_{index}", "webhook", "http://127.0.0.1:9/h", b"{}", {}, 5.0, ())


def memory_round_work(past: int, monkeypatch: pytest.MonkeyPatch) -> int:
    store = MemoryDeliveries()
    for index in range(past):
        store.add(delivered(index))
    store.add(due_now(0))
    looked: list[Any] = []
    real = deliveries_module.is_due

    def counted(delivery: Delivery, now: float) -> bool:
        looked.append(delivery)
        return real(delivery, now)

    monkeypatch.setattr(deliveries_module, "is_due", counted)
    assert [d.id for d in store.claim_due(10.0)] == ["dlv_due_0"]
    assert store.next_due() == 5.0 and store.pending_count() == 1
    monkeypatch.setattr(deliveries_module, "is_due", real)
    return len(looked)


def sqlite_round_work(path: Path, past: int) -> int:
    database = SqliteDatabase(path)
    store = SqliteDeliveries(database)
    with database.transaction():
        for index in range(past):
            store.add(delivered(index))
    store.add(due_now(0))
    steps = [0]

    def step() -> int:
        steps[0] += 1
        return 0

    connection: sqlite3.Connection = database.connection()
    connection.set_progress_handler(step, 100)  # a call per 100 virtual machine steps
    assert [d.id for d in store.claim_due(10.0)] == ["dlv_due_0"]
    assert store.next_due() == 5.0 and store.pending_count() == 1
    store.add(due_now(1))
    connection.set_progress_handler(None, 100)
    database.close()
    return steps[0]


def test_a_round_in_memory_looks_only_at_what_is_due(monkeypatch: pytest.MonkeyPatch) -> None:
    assert memory_round_work(1_000, monkeypatch) == memory_round_work(100_000, monkeypatch) == 1


def test_a_round_on_sqlite_reads_only_what_is_due(tmp_path: Path) -> None:
    small = sqlite_round_work(tmp_path / "small.sqlite3", 1_000)
    large = sqlite_round_work(tmp_path / "large.sqlite3", 100_000)
    assert large <= small + 2  # an index's depth, not the past's length
