"""generateTask callbacks (SPEC 3): the status envelope POSTed to callback_url, retried, journaled."""

from __future__ import annotations

import json
from itertools import pairwise
from typing import Any

import httpx
import pytest

from mock_server import contracts, state_of
from sora_testkit import httpx_client
from tests.conftest import AUTH
from tests.helpers import assert_gt_error
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
    """Retries after 30 s and 2 min (APIXO guides/polling-vs-webhooks: 30 s, 2 min, 10 min)."""
    receiver = Receiver(statuses=[500, 202])
    try:
        app = make_app(progression="instant")
        state_of(app).clock.freeze(True)
        with httpx_client(app, headers=AUTH) as http:
            task_id = submit_callback_task(http, receiver.url)
            http.post("/_mock/deliveries/flush")
            http.post("/_mock/clock/advance", json={"seconds": 29})
            assert http.post("/_mock/deliveries/flush").json()["attempted"] == 0
            http.post("/_mock/clock/advance", json={"seconds": 1})
            assert http.post("/_mock/deliveries/flush").json()["attempted"] == 1
            http.post("/_mock/clock/advance", json={"seconds": 120})
            http.post("/_mock/deliveries/flush")
            [delivery] = callback_journal(http)
        assert delivery["subject"] == task_id
        assert delivery["state"] == "delivered"
        # A 202 is not the 200 the provider asks for: it is retried too.
        assert [a["status"] for a in delivery["attempts"]] == [500, 202, 200]
        attempts = delivery["attempts"]
        assert [b["at"] - a["at"] for a, b in pairwise(attempts)] == [30.0, 120.0]
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
                http.post("/_mock/clock/advance", json={"seconds": 600})
            [delivery] = callback_journal(http)
        assert delivery["state"] == "failed"
        assert len(delivery["attempts"]) == 4
        gaps = [b["at"] - a["at"] for a, b in pairwise(delivery["attempts"])]
        assert gaps[0] >= 30 and gaps[1] >= 120 and gaps[2] >= 600
        assert len(receiver.received) == 4
    finally:
        receiver.close()


def test_async_tasks_do_not_call_back(make_app: Any) -> None:
    app = make_app(progression="instant")
    with httpx_client(app, headers=AUTH) as http:
        http.post(CREATE, json={"input": {"mode": "text-to-video", "prompt": "x"}})
        http.post("/_mock/deliveries/flush")
        assert callback_journal(http) == []


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        (
            "https://hooks.example.com/sora",
            "hooks.example.com is neither loopback nor named by --allow-host",
        ),
        ("http://10.0.0.8/hook", "10.0.0.8 is neither loopback nor named by --allow-host"),
        # IPv6 forms that carry 127.0.0.1 but that the kernel routes off the machine.
        (
            "http://[2002:7f00:1::]:9/hook",
            "2002:7f00:1:: is a 6to4 address that carries 127.0.0.1 but leaves this machine: "
            "neither loopback nor named by --allow-host",
        ),
        (
            "http://[64:ff9b::127.0.0.1]:9/hook",
            "64:ff9b::7f00:1 is a NAT64 address that carries 127.0.0.1 but leaves this "
            "machine: neither loopback nor named by --allow-host",
        ),
        (
            "http://[::127.0.0.1]:9/hook",
            "::7f00:1 is an IPv4-compatible address that carries 127.0.0.1 but leaves this "
            "machine: neither loopback nor named by --allow-host",
        ),
        (
            "http://[2001:0:4136:e378:8000:63bf:80ff:fffe]:9/hook",
            "2001:0:4136:e378:8000:63bf:80ff:fffe is a Teredo address that carries 127.0.0.1 "
            "but leaves this machine: neither loopback nor named by --allow-host",
        ),
        ("http://127.0.0.1:8000/_mock/reset", "deliveries never go to the control API (/_mock/)"),
        ("http://localhost:8000/%5Fmock/reset", "deliveries never go to the control API (/_mock/)"),
        ("http://127.1:8000//_mock/reset", "deliveries never go to the control API (/_mock/)"),
        ("http://[::1]:8000/a/../_mock/reset", "deliveries never go to the control API (/_mock/)"),
        ("http://2130706433:8000/_MOCK", "deliveries never go to the control API (/_mock/)"),
    ],
)
def test_a_callback_that_can_never_be_delivered_is_refused_at_submit(
    make_app: Any, url: str, reason: str
) -> None:
    app = make_app(progression="instant")
    with httpx_client(app, headers=AUTH) as http:
        body = {
            "request_type": "callback",
            "callback_url": url,
            "input": {"mode": "text-to-video", "prompt": "x"},
        }
        assert_gt_error(
            http.post(CREATE, json=body),
            400,
            "callback_url.undeliverable",
            f"callback_url can never be delivered: {reason}.",
        )
        assert http.get("/_mock/").json()["unfinished_jobs"] == 0


def test_a_callback_cannot_reset_the_mock_over_real_http() -> None:
    """The attack: a callback aimed at the mock's own control API would have reset it."""
    from mock_server import create_app
    from sora_testkit import LiveServer

    app = create_app({"progression": "instant"})
    with LiveServer(app) as server, httpx.Client(base_url=server.url, headers=AUTH) as http:
        kept = http.post("/v1/videos", json={"prompt": "kept"}).json()["id"]
        body = {
            "request_type": "callback",
            "callback_url": f"{server.url}/_mock/reset",
            "input": {"mode": "text-to-video", "prompt": "x"},
        }
        assert http.post(CREATE, json=body).status_code == 400
        http.post("/_mock/deliveries/flush")
        assert http.get(f"/v1/videos/{kept}").status_code == 200


def test_a_delivery_to_the_control_api_is_refused_even_if_queued(make_app: Any) -> None:
    """The outbox judges again before it sends: nothing reaches /_mock/ by any route."""
    app = make_app(progression="instant")
    state = state_of(app)
    state.outbox.enqueue("callback", "http://127.0.0.1:9/_mock/reset", b"{}", {}, retry_delays=())
    assert state.outbox.flush() == 1
    [delivery] = state.outbox.journal()
    assert delivery["state"] == "refused"
    assert delivery["attempts"][0]["error"] == (
        "refused: deliveries never go to the control API (/_mock/)"
    )


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
