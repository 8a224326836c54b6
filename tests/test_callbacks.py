"""generateTask callbacks (SPEC 3): the status envelope POSTed to callback_url, retried, journaled."""

from __future__ import annotations

import json
from itertools import pairwise
from typing import Any

import httpx

from mock_server import contracts, state_of
from sora_testkit import httpx_client
from tests.conftest import AUTH
from tests.receiver import Receiver

CREATE = "/api/v1/generateTask/sora-2-pro"


def submit_callback_task(http: httpx.Client, url: str, prompt: str = "a cat") -> str:
    body = {
        "request_type": "callback",
        "callback_url": url,
        "input": {"mode": "text-to-video", "prompt": prompt},
    }
    response = http.post(CREATE, json=body)
    assert response.status_code == 200, response.text
    task_id: str = response.json()["data"]["taskId"]
    return task_id


def callback_journal(http: httpx.Client) -> list[dict[str, Any]]:
    deliveries: list[dict[str, Any]] = http.get(
        "/_mock/deliveries", params={"kind": "callback"}
    ).json()["deliveries"]
    return deliveries


def test_final_status_is_posted_to_the_callback_url(make_app: Any) -> None:
    receiver = Receiver()
    try:
        app = make_app(progression="instant")
        with httpx_client(app, headers=AUTH) as http:
            task_id = submit_callback_task(http, receiver.url)
            assert http.post("/_mock/deliveries/flush").json()["attempted"] == 1
            polled = http.get("/api/v1/statusTask/sora-2-pro", params={"taskId": task_id}).json()
        [delivery] = receiver.received
        body = json.loads(delivery["body"])
        assert body == polled
        assert contracts.violations("generatetask/status_response", body) == []
        assert body["data"]["state"] == "success"
        assert json.loads(body["data"]["resultJson"])["resultUrls"][0].endswith(
            f"/media/{task_id}/video.mp4"
        )
        headers = {name.lower(): value for name, value in delivery["headers"].items()}
        assert headers["content-type"] == "application/json"
    finally:
        receiver.close()


def test_failed_task_calls_back_with_its_fail_code(make_app: Any) -> None:
    receiver = Receiver()
    try:
        app = make_app(progression="instant")
        with httpx_client(app, headers=AUTH) as http:
            submit_callback_task(http, receiver.url, "[mock:moderation_blocked]")
            http.post("/_mock/deliveries/flush")
        data = json.loads(receiver.received[0]["body"])["data"]
        assert (data["state"], data["failCode"]) == ("failed", "CONTENT_VIOLATION")
    finally:
        receiver.close()


def test_receiver_failing_twice_then_accepting(make_app: Any) -> None:
    receiver = Receiver(statuses=[500, 202])
    try:
        app = make_app(progression="instant")
        state_of(app).clock.freeze(True)
        with httpx_client(app, headers=AUTH) as http:
            task_id = submit_callback_task(http, receiver.url)
            http.post("/_mock/deliveries/flush")
            http.post("/_mock/clock/advance", json={"seconds": 9})
            assert http.post("/_mock/deliveries/flush").json()["attempted"] == 0
            http.post("/_mock/clock/advance", json={"seconds": 1})
            assert http.post("/_mock/deliveries/flush").json()["attempted"] == 1
            http.post("/_mock/clock/advance", json={"seconds": 30})
            http.post("/_mock/deliveries/flush")
            [delivery] = callback_journal(http)
        assert delivery["subject"] == task_id
        assert delivery["state"] == "delivered"
        # A 202 is not the 200 the provider asks for: it is retried too.
        assert [a["status"] for a in delivery["attempts"]] == [500, 202, 200]
        attempts = delivery["attempts"]
        assert [b["at"] - a["at"] for a, b in pairwise(attempts)] == [10.0, 30.0]
        assert len(receiver.received) == 3
        assert len({r["body"] for r in receiver.received}) == 1
    finally:
        receiver.close()


def test_gives_up_after_three_retries(make_app: Any) -> None:
    receiver = Receiver(statuses=[503] * 10)
    try:
        app = make_app(progression="instant")
        with httpx_client(app, headers=AUTH) as http:
            submit_callback_task(http, receiver.url)
            for _ in range(6):
                http.post("/_mock/deliveries/flush")
                http.post("/_mock/clock/advance", json={"seconds": 90})
            [delivery] = callback_journal(http)
        assert delivery["state"] == "failed"
        assert len(delivery["attempts"]) == 4
        assert len(receiver.received) == 4
    finally:
        receiver.close()


def test_async_tasks_do_not_call_back(make_app: Any) -> None:
    app = make_app(progression="instant")
    with httpx_client(app, headers=AUTH) as http:
        http.post(CREATE, json={"input": {"mode": "text-to-video", "prompt": "x"}})
        http.post("/_mock/deliveries/flush")
        assert callback_journal(http) == []


def test_callbacks_go_only_to_allowed_hosts(make_app: Any) -> None:
    app = make_app(progression="instant")
    with httpx_client(app, headers=AUTH) as http:
        submit_callback_task(http, "https://hooks.example.com/sora")
        http.post("/_mock/deliveries/flush")
        [delivery] = callback_journal(http)
    assert delivery["state"] == "refused"
    assert delivery["attempts"][0]["status"] is None


def test_allowed_host_is_delivered_to(make_app: Any) -> None:
    receiver = Receiver()
    try:
        url = receiver.url.replace("127.0.0.1", "localhost")
        app = make_app(progression="instant", allowed_hosts=["localhost"])
        with httpx_client(app, headers=AUTH) as http:
            submit_callback_task(http, url)
            http.post("/_mock/deliveries/flush")
        assert len(receiver.received) == 1
    finally:
        receiver.close()


def test_background_worker_delivers_a_timed_task_without_reads(make_app: Any) -> None:
    receiver = Receiver()
    try:
        app = make_app(progression="manual", background_worker=True)
        with httpx_client(app, headers=AUTH) as http:
            submit_callback_task(http, receiver.url)
            http.post("/_mock/clock/advance", json={"seconds": 180})
        assert receiver.arrived.wait(timeout=10)
        assert json.loads(receiver.received[0]["body"])["data"]["state"] == "success"
    finally:
        receiver.close()
