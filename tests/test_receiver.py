"""The receiver of webhooks and callbacks: scripted answers, records, the SDK's own check."""

from __future__ import annotations

from typing import Any

import pytest
import requests

from mock_server import create_app
from sora_testkit import LiveServer, Receiver, SoraMock, openai_client
from tests.conftest import AUTH, AppFactory

GT_CREATE = "/api/v1/generateTask/sora-2-pro"


def test_in_process_webhooks_are_recorded_and_verified_by_the_sdk(make_app: AppFactory) -> None:
    mock = SoraMock(make_app(progression="instant"))
    with Receiver().attach(mock.state) as receiver:
        video = openai_client(mock.app).videos.create(prompt="x")
        mock.flush_deliveries()
        [event] = receiver.verified_webhooks()
        assert (event.type, event.data.id) == ("video.completed", video.id)
        [delivery] = receiver.webhooks()
        assert delivery.status == 200 and delivery.headers["webhook-signature"].startswith("v1,")
    assert mock.state.webhooks.urls == ()  # detached


def test_a_tampered_webhook_fails_the_sdks_check(make_app: AppFactory) -> None:
    import openai

    mock = SoraMock(make_app(progression="instant"))
    with Receiver().attach(mock.state) as receiver:
        openai_client(mock.app).videos.create(prompt="x")
        mock.flush_deliveries()
        with pytest.raises(openai.InvalidWebhookSignatureError):
            receiver.verified_webhooks(secret="whsec_" + "b3RoZXI=")


def test_scripted_answers_drive_the_retries(make_app: AppFactory) -> None:
    mock = SoraMock(make_app(progression="instant"))
    with Receiver().attach(mock.state) as receiver:
        receiver.answer(500, 503)
        with mock.httpx_client() as http:
            body = {
                "request_type": "callback",
                "callback_url": receiver.callback_url,
                "input": {"mode": "text-to-video", "prompt": "x"},
            }
            task = http.post(GT_CREATE, json=body).json()["data"]["taskId"]
        for wait in (0, 30, 120):
            mock.advance(wait)
            mock.flush_deliveries()
        statuses = [d.status for d in receiver.callbacks()]
        assert statuses == [500, 503, 200]
        assert {d.json()["data"]["taskId"] for d in receiver.callbacks()} == {task}
        assert receiver.webhooks() == []  # generateTask calls back; it sends no webhooks


def test_on_loopback_for_a_live_server() -> None:
    app = create_app({"progression": "instant"})
    mock = SoraMock(app)
    with LiveServer(app) as server, Receiver().serve().attach(mock.state) as receiver:
        assert receiver.webhook_url.startswith("http://127.0.0.1:")
        headers: dict[str, Any] = {**AUTH, "Content-Type": "application/json"}
        requests.post(f"{server.url}/v1/videos", json={"prompt": "x"}, headers=headers, timeout=10)
        mock.flush_deliveries()
        assert receiver.wait_for(1, timeout=10)
        [event] = receiver.verified_webhooks()
        assert event.type == "video.completed"


def test_the_fixture(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        test_hooks="""
import pytest

@pytest.mark.sora_mock(progression="instant")
def test_webhooks(sora_mock, sora_openai, sora_receiver):
    sora_receiver.answer(500)
    video = sora_openai.videos.create(prompt="x")
    sora_mock.flush_deliveries()
    sora_mock.advance(5)
    sora_mock.flush_deliveries()
    assert [d.status for d in sora_receiver.webhooks()] == [500, 200]
    assert [e.data.id for e in sora_receiver.verified_webhooks()] == [video.id, video.id]

def test_live(sora_mock, sora_live_url, sora_receiver):
    assert sora_receiver.callback_url.startswith("http://127.0.0.1:")
    assert not sora_receiver.callback_url.startswith("http://127.0.0.1:9/")
"""
    )
    result = pytester.runpytest_subprocess(
        "-p", "no:cacheprovider", "-W", "ignore::DeprecationWarning"
    )
    result.assert_outcomes(passed=2)


def test_a_receiver_follows_a_reset_mock(make_app: AppFactory) -> None:
    mock = SoraMock(make_app(progression="instant"))
    with Receiver().attach(mock.state) as receiver:
        mock.on_reset(receiver.attach)
        mock.reset()
        openai_client(mock.app).videos.create(prompt="x")
        mock.flush_deliveries()
        assert [event.type for event in receiver.verified_webhooks()] == ["video.completed"]
