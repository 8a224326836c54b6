"""Webhooks: signed per Standard Webhooks, delivered over loopback, accepted by the SDK."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

import httpx
import openai
import pytest

from mock_server import contracts, state_of
from mock_server.backend.webhooks import sign
from mock_server.settings import DEFAULT_WEBHOOK_SECRET
from sora_testkit import httpx_client
from tests.conftest import AUTH
from tests.receiver import Receiver

SECRET = "whsec_" + "c2VjcmV0LWZvci10ZXN0cw=="  # base64 of "secret-for-tests"


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    server = Receiver()
    yield server
    server.close()


def finish(http: httpx.Client, prompt: str = "x") -> dict[str, Any]:
    video: dict[str, Any] = http.post("/v1/videos", json={"prompt": prompt}).json()
    while video["status"] not in ("completed", "failed"):
        video = http.get(f"/v1/videos/{video['id']}").json()
    return video


def test_completed_event_is_signed_and_unwrapped_by_the_sdk(
    make_app: Any, receiver: Receiver
) -> None:
    app = make_app(webhook_urls=[receiver.url], webhook_secret=SECRET)
    with httpx_client(app, headers=AUTH) as http:
        video = finish(http)
        flushed = http.post("/_mock/deliveries/flush").json()
    assert flushed["attempted"] == 1
    [delivery] = receiver.received
    headers = {k.lower(): v for k, v in delivery["headers"].items()}
    assert headers["content-type"] == "application/json"
    assert headers["webhook-id"].startswith("msg_")
    assert headers["webhook-signature"].startswith("v1,")

    client = openai.OpenAI(api_key="sk-x", base_url="http://127.0.0.1:9/v1")
    event = client.webhooks.unwrap(delivery["body"], headers, secret=SECRET)
    assert event.type == "video.completed"  # type: ignore[comparison-overlap]
    payload = json.loads(delivery["body"])
    assert contracts.violations("openai/webhook_event", payload) == []
    assert payload["object"] == "event"
    assert payload["id"].startswith("evt_")
    assert payload["data"] == {"id": video["id"]}
    assert payload["created_at"] == video["completed_at"]


def test_failed_event(make_app: Any, receiver: Receiver) -> None:
    app = make_app(webhook_urls=[receiver.url])
    with httpx_client(app, headers=AUTH) as http:
        video = finish(http, "x [mock:moderation_blocked]")
        http.post("/_mock/deliveries/flush")
    payload = json.loads(receiver.received[0]["body"])
    assert payload["type"] == "video.failed"
    assert payload["data"]["id"] == video["id"]


def test_default_secret_verifies_too(make_app: Any, receiver: Receiver) -> None:
    app = make_app(webhook_urls=[receiver.url])
    with httpx_client(app, headers=AUTH) as http:
        finish(http)
        http.post("/_mock/deliveries/flush")
    delivery = receiver.received[0]
    client = openai.OpenAI(api_key="sk-x", base_url="http://127.0.0.1:9/v1")
    client.webhooks.verify_signature(
        delivery["body"], delivery["headers"], secret=DEFAULT_WEBHOOK_SECRET
    )


def test_wrong_secret_is_rejected_by_the_sdk(make_app: Any, receiver: Receiver) -> None:
    app = make_app(webhook_urls=[receiver.url], webhook_secret=SECRET)
    with httpx_client(app, headers=AUTH) as http:
        finish(http)
        http.post("/_mock/deliveries/flush")
    delivery = receiver.received[0]
    client = openai.OpenAI(api_key="sk-x", base_url="http://127.0.0.1:9/v1")
    with pytest.raises(openai.InvalidWebhookSignatureError):
        client.webhooks.unwrap(delivery["body"], delivery["headers"], secret="whsec_" + "b3RoZXI=")


def test_signature_matches_the_standard_webhooks_scheme() -> None:
    # HMAC-SHA256 of "msg_1.1700000000.{}" with key b"secret-for-tests", base64.
    assert sign(SECRET, "msg_1", 1_700_000_000, b"{}") == sign(
        "secret-for-tests", "msg_1", 1_700_000_000, b"{}"
    )
    assert sign(SECRET, "msg_1", 1_700_000_000, b"{}") != sign(
        SECRET, "msg_2", 1_700_000_000, b"{}"
    )


def test_failed_delivery_is_retried_on_the_mock_clock(make_app: Any) -> None:
    receiver = Receiver(statuses=[500, 503])
    try:
        app = make_app(webhook_urls=[receiver.url], progression="instant")
        with httpx_client(app, headers=AUTH) as http:
            http.post("/v1/videos", json={"prompt": "x"})
            assert http.post("/_mock/deliveries/flush").json()["attempted"] == 1
            assert http.post("/_mock/deliveries/flush").json()["attempted"] == 0
            http.post("/_mock/clock/advance", json={"seconds": 5})
            assert http.post("/_mock/deliveries/flush").json()["attempted"] == 1
            http.post("/_mock/clock/advance", json={"seconds": 30})
            journal = http.post("/_mock/deliveries/flush").json()["deliveries"]
        [delivery] = journal
        assert [a["status"] for a in delivery["attempts"]] == [500, 503, 200]
        assert delivery["state"] == "delivered"
        assert len(receiver.received) == 3
        signatures = {r["headers"]["webhook-signature"] for r in receiver.received}
        assert len({r["headers"]["webhook-id"] for r in receiver.received}) == 1
        assert len(signatures) >= 1
    finally:
        receiver.close()


def test_delivery_gives_up_after_its_retries(make_app: Any) -> None:
    receiver = Receiver(statuses=[500, 500, 500, 500])
    try:
        app = make_app(webhook_urls=[receiver.url], progression="instant")
        with httpx_client(app, headers=AUTH) as http:
            http.post("/v1/videos", json={"prompt": "x"})
            for _ in range(4):
                http.post("/_mock/deliveries/flush")
                http.post("/_mock/clock/advance", json={"seconds": 60})
            [delivery] = http.get("/_mock/deliveries").json()["deliveries"]
        assert delivery["state"] == "failed"
        assert len(delivery["attempts"]) == 3
    finally:
        receiver.close()


def test_unreachable_receiver_is_journaled_not_fatal(make_app: Any) -> None:
    receiver = Receiver()
    url = receiver.url
    receiver.close()
    app = make_app(webhook_urls=[url], progression="instant")
    with httpx_client(app, headers=AUTH) as http:
        assert http.post("/v1/videos", json={"prompt": "x"}).status_code == 200
        [delivery] = http.post("/_mock/deliveries/flush").json()["deliveries"]
    assert delivery["attempts"][0]["status"] is None
    assert "ConnectError" in delivery["attempts"][0]["error"]
    assert delivery["state"] == "pending"


def test_a_webhook_url_that_can_never_be_delivered_is_refused_at_start(make_app: Any) -> None:
    from mock_server.settings import SettingsError

    for url, reason in (
        (
            "http://hooks.example.com/in",
            "hooks.example.com is neither loopback nor named by --allow-host",
        ),
        ("http://127.0.0.1:8000/_mock/reset", "deliveries never go to the control API (/_mock/)"),
    ):
        with pytest.raises(SettingsError) as refused:
            make_app(webhook_urls=[url])
        assert str(refused.value) == f"webhook URL {url!r} can never be delivered: {reason}"
    allowed = make_app(
        webhook_urls=["http://hooks.example.com/in"], allowed_hosts=["Hooks.Example.COM."]
    )
    assert state_of(allowed).settings.webhook_urls == ("http://hooks.example.com/in",)


def test_background_worker_delivers_without_a_flush(make_app: Any, receiver: Receiver) -> None:
    app = make_app(webhook_urls=[receiver.url], background_worker=True, progression="instant")
    with httpx_client(app, headers=AUTH) as http:
        http.post("/v1/videos", json={"prompt": "x"})
    assert receiver.arrived.wait(timeout=10)
    assert state_of(app).outbox.wait_idle(timeout=10)
    assert state_of(app).outbox.journal()[0]["state"] == "delivered"


def test_redirects_are_not_followed(make_app: Any) -> None:
    target = Receiver()
    redirecting = Receiver(statuses=[302, 302, 302])
    try:
        app = make_app(webhook_urls=[redirecting.url], progression="instant")
        with httpx_client(app, headers=AUTH) as http:
            http.post("/v1/videos", json={"prompt": "x"})
            [delivery] = http.post("/_mock/deliveries/flush").json()["deliveries"]
        assert delivery["attempts"][0]["status"] == 302
        assert delivery["state"] == "pending"
        assert target.received == []
    finally:
        target.close()
        redirecting.close()


@pytest.mark.parametrize(
    "url", ["http://[::1", "http://127.0.0.1:99999/h", "ftp://127.0.0.1/h", "not a url"]
)
def test_malformed_delivery_urls_are_refused_not_crashed(url: str) -> None:
    from mock_server.client_urls import delivery_refusal

    assert delivery_refusal(url, frozenset()) == "it is not an http(s) URL with a valid host"


def test_each_delivery_attempt_is_logged_in_one_line_with_its_outcome(
    make_app: Any, caplog: pytest.LogCaptureFixture
) -> None:
    import logging

    failing = Receiver(statuses=[500])
    app = make_app(webhook_urls=[failing.url, "http://127.0.0.1:9/closed"])
    try:
        with caplog.at_level(logging.INFO), httpx_client(app, headers=AUTH) as http:
            video = finish(http)
            http.post("/_mock/deliveries/flush")
            http.post("/_mock/clock/advance", json={"seconds": 5})
            http.post("/_mock/deliveries/flush")
    finally:
        failing.close()
    lines = [r for r in caplog.records if r.name == "sora_mock.deliveries"]
    # The two receivers are sent to at once: each one's lines are in order.
    to_failing = [r for r in lines if f" {failing.url} " in r.getMessage()]
    to_closed = [r for r in lines if " http://127.0.0.1:9/closed " in r.getMessage()]
    assert len(lines) == len(to_failing) + len(to_closed) == 4
    assert [r.levelname for r in to_failing] == ["WARNING", "INFO"]
    assert [r.levelname for r in to_closed] == ["WARNING", "WARNING"]
    texts = [r.getMessage() for r in to_failing]
    assert texts[0].startswith(f"webhook POST {failing.url} 500 ")
    retry = re.search(r"ms retry at mock time (\d+) \(attempt 1, (video_\w+)\)$", texts[0])
    assert retry is not None and retry.group(2) == video["id"]
    assert int(retry.group(1)) == pytest.approx(video["completed_at"] + 5, abs=1)
    assert texts[1].startswith(f"webhook POST {failing.url} 200 ")
    assert texts[1].endswith(f"ms delivered (attempt 2, {video['id']})")
    for attempt, record in enumerate(to_closed, start=1):
        text = record.getMessage()
        assert text.startswith("webhook POST http://127.0.0.1:9/closed error=ConnectError")
        assert text.endswith(f"(attempt {attempt}, {video['id']})")


def test_a_refused_delivery_is_logged_with_its_reason(
    make_app: Any, caplog: pytest.LogCaptureFixture
) -> None:
    import logging

    outbox = state_of(make_app()).outbox
    delivery = outbox.enqueue(
        "webhook", "http://127.0.0.1:9/_mock/reset", b"{}", {}, retry_delays=()
    )
    with caplog.at_level(logging.INFO):
        outbox.flush()
    [line] = [r for r in caplog.records if r.name == "sora_mock.deliveries"]
    assert line.levelname == "WARNING"
    text = line.getMessage()
    assert text.startswith(
        "webhook POST http://127.0.0.1:9/_mock/reset "
        "error=refused: deliveries never go to the control API (/_mock/) "
    )
    assert text.endswith(f"ms refused (attempt 1, {delivery.id})")
