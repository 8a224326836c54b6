"""Clients written with ``requests`` the way the seeds' examples are, against a live server.

Each drives a whole job in its dialect over real HTTP on loopback: submit, poll until done
(with the poll interval set to zero, since the mock advances one step per read), download.
"""

from __future__ import annotations

import io
import json
import time
from collections.abc import Iterator
from typing import Any

import av
import pytest
import requests

from mock_server import create_app
from sora_testkit import LiveServer
from tests.helpers import image_bytes
from tests.receiver import Receiver

API_KEY = "sk-seed-style"
HEADERS = {"Authorization": f"Bearer {API_KEY}", "Content-Type": "application/json"}


@pytest.fixture
def server() -> Iterator[LiveServer]:
    app = create_app({"background_worker": True, "validate_responses": "error"})
    with LiveServer(app) as live:
        yield live


def seconds_of(mp4: bytes) -> tuple[int, int, float]:
    with av.open(io.BytesIO(mp4), "r") as container:
        stream = container.streams.video[0]
        assert stream.duration is not None and stream.time_base is not None
        seconds = float(stream.duration * stream.time_base)
        return stream.codec_context.width, stream.codec_context.height, seconds


class UniAllClient:
    """Seed 003's flow: POST /v1/video/generations, then GET /v1/videos/{task_id}."""

    def __init__(self, base_url: str, poll_interval: float = 5.0) -> None:
        self.base_url = base_url
        self.poll_interval = poll_interval

    def generate(self, model: str, prompt: str, image_url: str | None = None) -> dict[str, Any]:
        payload = {"model": model, "prompt": prompt}
        if image_url:
            payload["image_url"] = image_url
        response = requests.post(
            f"{self.base_url}/v1/video/generations", headers=HEADERS, json=payload, timeout=30
        )
        response.raise_for_status()
        task_id = response.json()["id"]
        while True:
            task = requests.get(f"{self.base_url}/v1/videos/{task_id}", headers=HEADERS, timeout=30)
            task.raise_for_status()
            body: dict[str, Any] = task.json()
            if body["status"] in ("completed", "failed"):
                return body
            time.sleep(self.poll_interval)


class GenerateTaskClient:
    """Seed 004's flow: submit, poll statusTask, parse resultJson, download."""

    def __init__(self, base_url: str, poll_interval: float = 5.0) -> None:
        self.base_url = base_url
        self.poll_interval = poll_interval

    def submit(self, task_input: dict[str, Any], **options: Any) -> str:
        response = requests.post(
            f"{self.base_url}/api/v1/generateTask/sora-2-pro",
            headers=HEADERS,
            json={"input": task_input, **options},
            timeout=30,
        )
        body = response.json()
        if body["code"] != 200:
            raise RuntimeError(f"{body['message']}: {body['data']['error']}")
        task_id: str = body["data"]["taskId"]
        return task_id

    def wait(self, task_id: str) -> dict[str, Any]:
        while True:
            response = requests.get(
                f"{self.base_url}/api/v1/statusTask/sora-2-pro",
                headers=HEADERS,
                params={"taskId": task_id},
                timeout=30,
            )
            data: dict[str, Any] = response.json()["data"]
            if data["state"] == "success":
                data["resultUrls"] = json.loads(data["resultJson"])["resultUrls"]
                return data
            if data["state"] == "failed":
                raise RuntimeError(f"{data['failCode']}: {data['failMsg']}")
            time.sleep(self.poll_interval)


def test_uniall_client_runs_a_whole_job(server: LiveServer) -> None:
    client = UniAllClient(server.url, poll_interval=0)
    task = client.generate(
        "sora2-portrait-12s", "A cat running through grass", "https://example.com/image.jpg"
    )
    assert task["status"] == "completed"
    video = requests.get(task["video_url"], timeout=30)
    assert video.status_code == 200
    assert seconds_of(video.content) == (720, 1280, 12.0)


def test_uniall_client_sees_moderation(server: LiveServer) -> None:
    task = UniAllClient(server.url, poll_interval=0).generate(
        "sora2-landscape-4s", "[mock:moderation_blocked]"
    )
    assert (task["status"], task["error"]["code"]) == ("failed", "moderation_blocked")


def test_generatetask_client_runs_a_whole_job(server: LiveServer) -> None:
    client = GenerateTaskClient(server.url, poll_interval=0)
    task_id = client.submit(
        {"mode": "text-to-video", "prompt": "A lighthouse", "size": "1792*1024", "duration": 15}
    )
    result = client.wait(task_id)
    video = requests.get(result["resultUrls"][0], timeout=30)
    assert seconds_of(video.content) == (1792, 1024, 15.0)


def test_generatetask_client_image_to_video_with_an_uploaded_asset(server: LiveServer) -> None:
    asset = requests.post(
        f"{server.url}/_mock/assets",
        files={"file": ("ref.jpg", image_bytes(900, 1600, "JPEG"), "image/jpeg")},
        timeout=30,
    ).json()
    client = GenerateTaskClient(server.url, poll_interval=0)
    task_id = client.submit(
        {
            "mode": "image-to-video",
            "prompt": "Animate",
            "image_urls": [asset["url"]],
            "resolution": "1080p",
        },
        provider="official",
    )
    result = client.wait(task_id)
    assert seconds_of(requests.get(result["resultUrls"][0], timeout=30).content) == (
        1024,
        1792,
        12.0,
    )


def test_generatetask_client_surfaces_the_classic_size_bug(server: LiveServer) -> None:
    client = GenerateTaskClient(server.url, poll_interval=0)
    with pytest.raises(RuntimeError, match=r"Use '\*' between width and height here, not 'x'"):
        client.submit({"mode": "text-to-video", "prompt": "x", "size": "1280x720"})


def test_generatetask_callback_reaches_a_real_receiver(server: LiveServer) -> None:
    receiver = Receiver(statuses=[500, 500])
    try:
        client = GenerateTaskClient(server.url, poll_interval=0)
        task_id = client.submit(
            {"mode": "text-to-video", "prompt": "x"},
            request_type="callback",
            callback_url=receiver.url,
        )
        client.wait(task_id)
        for _ in range(3):
            receiver.arrived.clear()
            requests.post(f"{server.url}/_mock/clock/advance", json={"seconds": 120}, timeout=30)
            requests.post(f"{server.url}/_mock/deliveries/flush", timeout=30)
        deliveries = requests.get(
            f"{server.url}/_mock/deliveries", params={"kind": "callback"}, timeout=30
        ).json()["deliveries"]
        assert [a["status"] for a in deliveries[0]["attempts"]] == [500, 500, 200]
        assert json.loads(receiver.received[-1]["body"])["data"]["taskId"] == task_id
    finally:
        receiver.close()


def test_native_requests_client_uploads_multipart(server: LiveServer) -> None:
    headers = {"Authorization": f"Bearer {API_KEY}"}
    created = requests.post(
        f"{server.url}/v1/videos",
        headers=headers,
        data={"prompt": "a harbour", "model": "sora-2", "size": "1280x720", "seconds": "4"},
        files={"input_reference": ("ref.png", image_bytes(1280, 720), "image/png")},
        timeout=30,
    )
    assert created.status_code == 200, created.text
    video = created.json()
    while video["status"] not in ("completed", "failed"):
        video = requests.get(
            f"{server.url}/v1/videos/{video['id']}", headers=headers, timeout=30
        ).json()
    content = requests.get(
        f"{server.url}/v1/videos/{video['id']}/content", headers=headers, timeout=30
    )
    assert seconds_of(content.content) == (1280, 720, 4.0)
