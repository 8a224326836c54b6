"""Two apps on one SQLite file behave as one server: what ``--workers N`` relies on.

Each app here stands for a worker process: it has its own clock object, caches and locks, and
shares nothing with the other but the file. Whatever a client or the control API does through
one must hold when the next request lands on the other.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
import pytest
from flask import Flask

from mock_server import create_app, state_of
from mock_server.backend.database import SqliteDatabase
from mock_server.backend.deliveries import Delivery, SqliteDeliveries
from sora_testkit import httpx_client
from tests.conftest import AUTH
from tests.helpers import assert_openai_error, image_bytes, named_file
from tests.receiver import Receiver

START = 1_760_000_000.0
FACE_MESSAGE = (
    "The request is blocked by our moderation system when checking inputs. Possible reasons: "
    "people-in-user-uploads."
)
UNREACHABLE_MESSAGE = (
    "Invalid input_reference.image_url: the image could not be fetched from "
    "'https://images.example.com/a.png'."
)

PairFactory = Callable[..., tuple[httpx.Client, httpx.Client]]


class Pair:
    """Two apps sharing ``db``; ``first`` started the server, ``second`` joined it."""

    def __init__(self, db: Path, **config: Any) -> None:
        config = {
            "db": str(db),
            "background_worker": False,
            "validate_responses": "error",
            **config,
        }
        self.config = config
        self.apps: list[Flask] = [create_app(config)]
        self.apps.append(create_app(config, join_database=True))
        self.clients = [httpx_client(app, headers=AUTH) for app in self.apps]

    def join(self, **changes: Any) -> httpx.Client:
        """Another app joining the same file (a worker started later)."""
        app = create_app({**self.config, **changes}, join_database=True)
        self.apps.append(app)
        client = httpx_client(app, headers=AUTH)
        self.clients.append(client)
        return client

    def close(self) -> None:
        for client in self.clients:
            client.close()
        for app in self.apps:
            state_of(app).close()
            assert state_of(app).contract_violations == []


@pytest.fixture
def make_pair(tmp_path: Path) -> Iterator[PairFactory]:
    made: list[Pair] = []

    def factory(**config: Any) -> tuple[httpx.Client, httpx.Client]:
        pair = Pair(tmp_path / f"shared-{len(made)}.db", **config)
        made.append(pair)
        return pair.clients[0], pair.clients[1]

    yield factory
    for pair in made:
        pair.close()


def test_progression_and_clock_set_through_one_hold_in_the_other(make_pair: PairFactory) -> None:
    first, second = make_pair(clock_start=START)
    first.post("/_mock/progression", json={"mode": "manual"})
    assert second.get("/_mock/").json()["progression"] == "manual"
    frozen_at = first.get("/_mock/clock").json()["now"]
    assert second.get("/_mock/clock").json() == {"now": frozen_at, "frozen": True}
    video = second.post("/v1/videos", json={"prompt": "x", "model": "sora-2"}).json()
    first.post("/_mock/clock/advance", json={"seconds": 30})
    second.post("/_mock/clock/advance", json={"seconds": 30})
    assert first.get("/_mock/clock").json()["now"] == frozen_at + 60
    assert first.get(f"/v1/videos/{video['id']}").json()["status"] == "in_progress"
    first.post("/_mock/clock/advance", json={"seconds": 600})
    assert second.get(f"/v1/videos/{video['id']}").json()["status"] == "completed"


def test_clock_advances_from_both_at_once_all_count(make_pair: PairFactory) -> None:
    first, second = make_pair(clock_start=START, progression="manual")

    def advance(client: httpx.Client) -> None:
        for _ in range(10):
            client.post("/_mock/clock/advance", json={"seconds": 1})

    threads = [threading.Thread(target=advance, args=(c,)) for c in (first, second) * 2]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert first.get("/_mock/clock").json()["now"] == START + 40
    assert second.get("/_mock/clock").json()["now"] == START + 40


def test_a_joining_app_takes_up_the_running_progression(
    make_pair: PairFactory, tmp_path: Path
) -> None:
    first, _ = make_pair(progression="polls")
    first.post("/_mock/progression", json={"mode": "time", "speed": 30})
    pair_config = {"db": str(tmp_path / "shared-0.db"), "background_worker": False}
    late = create_app({**pair_config, "progression": "instant"}, join_database=True)
    try:
        status = httpx_client(late).get("/_mock/").json()
        assert (status["progression"], status["speed"]) == ("time", 30)
    finally:
        state_of(late).close()
    restarted = create_app({**pair_config, "progression": "instant"})
    try:
        status = httpx_client(restarted).get("/_mock/").json()
        assert status["progression"] == "instant"  # a fresh start takes its own settings
        assert first.get("/_mock/").json()["progression"] == "instant"
    finally:
        state_of(restarted).close()


def test_a_queued_fault_answers_exactly_count_requests_across_both(make_pair: PairFactory) -> None:
    first, second = make_pair()
    first.post("/_mock/faults", json={"status": 503, "count": 3, "path": "/v1/videos"})
    answers = [client.get("/v1/videos").status_code for client in (second, first) * 3]
    assert answers == [503, 503, 503, 200, 200, 200]
    assert second.get("/_mock/faults").json() == {"faults": []}


def test_forced_outcomes_are_used_once_across_both(make_pair: PairFactory) -> None:
    first, second = make_pair(progression="instant")
    first.post("/_mock/outcomes", json={"outcome": "moderation_blocked", "count": 2})
    jobs = [c.post("/v1/videos", json={"prompt": "x"}).json() for c in (second, first, second)]
    assert [job["status"] for job in jobs] == ["failed", "failed", "completed"]
    assert first.get("/_mock/outcomes").json()["forced_outcomes"] == []


def test_a_forced_face_refusal_is_used_up_on_a_shared_database(make_pair: PairFactory) -> None:
    first, second = make_pair()
    first.post("/_mock/outcomes", json={"outcome": "face_rejected"})
    files = {"input_reference": named_file(image_bytes(720, 1280), "ref.png")}
    form = {"prompt": "x", "size": "720x1280"}
    refused = second.post("/v1/videos", data=form, files=files)
    assert_openai_error(
        refused,
        400,
        "input_reference.face",
        FACE_MESSAGE,
    )
    files = {"input_reference": named_file(image_bytes(720, 1280), "ref.png")}
    assert first.post("/v1/videos", data=form, files=files).status_code == 200


def test_a_history_queued_through_one_plays_through_both(make_pair: PairFactory) -> None:
    first, second = make_pair()
    steps = [
        {"status": "queued", "progress": 0},
        {"fault": 429, "retry_after_ms": 5},
        {"status": "in_progress", "progress": 40},
        {"status": "completed", "progress": 100},
    ]
    first.post("/_mock/histories", json={"steps": steps})
    video = second.post("/v1/videos", json={"prompt": "x"}).json()
    reads = [c.get(f"/v1/videos/{video['id']}") for c in (first, second, first, second)]
    assert [r.status_code for r in reads] == [200, 429, 200, 200]
    assert [reads[i].json()["status"] for i in (0, 2, 3)] == ["queued", "in_progress", "completed"]


def test_unreachable_hosts_registered_through_one_hold_in_the_other(make_pair: PairFactory) -> None:
    first, second = make_pair()
    first.post("/_mock/unreachable", json={"host": "images.example.com"})
    response = second.post(
        "/v1/videos",
        json={"prompt": "x", "input_reference": {"image_url": "https://images.example.com/a.png"}},
    )
    assert_openai_error(
        response,
        400,
        "input_reference.url_unreachable",
        UNREACHABLE_MESSAGE,
        param="input_reference",
        code="invalid_value",
    )
    assert second.get("/_mock/unreachable").json() == {"urls": [], "hosts": ["images.example.com"]}


def test_the_rate_window_is_one_window_across_both(make_pair: PairFactory) -> None:
    first, second = make_pair(requests_per_minute=4, progression="manual")
    answers = [client.get("/v1/videos") for client in (first, second) * 3]
    assert [r.status_code for r in answers] == [200, 200, 200, 200, 429, 429]
    assert [r.headers["x-ratelimit-remaining-requests"] for r in answers[:4]] == [
        "3",
        "2",
        "1",
        "0",
    ]
    assert_openai_error(
        answers[4],
        429,
        "rate_limit.requests",
        "Rate limit reached for requests: limit 4 per min. Please try again in 60s.",
        code="rate_limit_exceeded",
        error_type="requests",
    )


def test_the_concurrent_job_limit_is_exact_under_parallel_creates(make_pair: PairFactory) -> None:
    first, second = make_pair(concurrent_jobs=5, progression="manual")

    def create(index: int) -> int:
        client = (first, second)[index % 2]
        return client.post("/v1/videos", json={"prompt": f"job {index}"}).status_code

    with ThreadPoolExecutor(8) as pool:
        statuses = list(pool.map(create, range(24)))
    assert statuses.count(200) == 5
    assert statuses.count(429) == 19
    listed = first.get("/v1/videos", params={"limit": 100}).json()["data"]
    assert len({video["id"] for video in listed}) == 5


def test_one_journal_holds_the_requests_of_both(make_pair: PairFactory) -> None:
    first, second = make_pair(journal_size=3)
    for client, path in ((first, "/v1/videos"), (second, "/v1/videos/video_a"), (first, "/x")):
        client.get(path)
    second.post("/v1/videos", json={"prompt": "last"})
    paths = [entry["path"] for entry in first.get("/_mock/requests").json()["requests"]]
    assert paths == ["/v1/videos/video_a", "/x", "/v1/videos"]
    assert second.get("/_mock/requests").json()["requests"][-1]["body"] == {"prompt": "last"}


def test_a_reset_through_one_resets_the_other(tmp_path: Path) -> None:
    pair = Pair(tmp_path / "reset.db", progression="instant")
    first, second = pair.clients
    try:
        video = second.post("/v1/videos", json={"prompt": "x"}).json()
        assert second.get(f"/v1/videos/{video['id']}/content").status_code == 200
        assert len(state_of(pair.apps[1]).media) == 1
        second.post("/_mock/progression", json={"mode": "manual"})
        second.post("/_mock/faults", json={"status": 500, "path": "/nowhere"})
        first.post("/_mock/reset")
        status = second.get("/_mock/").json()
        assert (status["progression"], status["faults"]) == ("instant", [])
        assert status["unfinished_jobs"] == 0
        assert second.get(f"/v1/videos/{video['id']}").status_code == 404
        assert len(state_of(pair.apps[1]).media) == 0  # its rendered files are let go too
    finally:
        pair.close()


def test_webhooks_are_delivered_once_whichever_app_sends(make_pair: PairFactory) -> None:
    receiver = Receiver()
    try:
        first, second = make_pair(webhook_urls=[receiver.url], progression="instant")
        for client in (first, second, first):
            client.post("/v1/videos", json={"prompt": "x"})
        with ThreadPoolExecutor(4) as pool:
            flushed = list(
                pool.map(
                    lambda c: c.post("/_mock/deliveries/flush").json()["attempted"],
                    (first, second) * 2,
                )
            )
        assert sum(flushed) == 3
        assert len(receiver.received) == 3
        journal = second.get("/_mock/deliveries").json()["deliveries"]
        assert [d["state"] for d in journal] == ["delivered"] * 3
    finally:
        receiver.close()


def test_deliveries_are_claimed_by_one_store_at_a_time(tmp_path: Path) -> None:
    database = SqliteDatabase(tmp_path / "deliveries.db")
    stores = [SqliteDeliveries(database), SqliteDeliveries(SqliteDatabase(database.path))]
    for index in range(20):
        stores[0].add(
            Delivery(f"dlv_{index}", "webhook", "http://127.0.0.1/x", b"{}", {}, 0.0, (10.0,))
        )
    with ThreadPoolExecutor(4) as pool:
        claims = list(pool.map(lambda store: store.claim_due(1.0), stores * 2))
    claimed = [delivery.id for batch in claims for delivery in batch]
    assert sorted(claimed) == sorted(f"dlv_{index}" for index in range(20))
    assert stores[1].claim_due(1.0) == []
    first = claims[0][0] if claims[0] else next(batch[0] for batch in claims if batch)
    first.state = "delivered"
    stores[0].save(first)
    assert stores[1].claim_due(1.0) == []  # still claimed: the others are in flight


def test_a_claim_left_by_a_dead_process_lapses(tmp_path: Path) -> None:
    database = SqliteDatabase(tmp_path / "deliveries.db")
    wall = [1000.0]
    store = SqliteDeliveries(database, lease=60, wall=lambda: wall[0])
    store.add(Delivery("dlv_a", "webhook", "http://127.0.0.1/x", b"{}", {}, 0.0, (10.0,)))
    assert [d.id for d in store.claim_due(1.0)] == ["dlv_a"]
    assert store.claim_due(1.0) == []
    wall[0] += 61
    assert [d.id for d in store.claim_due(1.0)] == ["dlv_a"]
