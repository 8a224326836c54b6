"""Real HTTP over loopback: the live-server helper and the ``sora-mock serve`` command."""

from __future__ import annotations

import json
import logging
import re
import signal
import socket
import subprocess
import sys
from collections.abc import Iterator
from typing import Any

import httpx
import openai
import pytest

from mock_server import create_app
from mock_server.cli import build_parser, with_serve_defaults
from sora_testkit import LiveServer
from tests.helpers import image_bytes, named_file
from tests.served import Served

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


@pytest.fixture
def live() -> Iterator[LiveServer]:
    app = create_app({"background_worker": False})
    with LiveServer(app) as server:
        yield server


def test_sdk_over_real_http(live: LiveServer) -> None:
    client = openai.OpenAI(api_key="sk-live", base_url=live.openai_base_url, max_retries=0)
    video = client.videos.create_and_poll(
        prompt="a harbour",
        model="sora-2-pro",
        size="1792x1024",
        seconds="4",
        input_reference=named_file(image_bytes(1792, 1024, "JPEG"), "ref.jpg"),
    )
    assert video.status == "completed"
    content = client.videos.download_content(video.id).content
    assert content[4:8] == b"ftyp"
    assert [v.id for v in client.videos.list()] == [video.id]


@pytest.mark.anyio
async def test_async_sdk_over_real_http(live: LiveServer) -> None:
    client = openai.AsyncOpenAI(api_key="sk-live", base_url=live.openai_base_url)
    video = await client.videos.create_and_poll(prompt="async over a socket")
    assert video.status == "completed"
    thumb = await client.videos.download_content(video.id, variant="spritesheet")
    assert thumb.content[:3] == b"\xff\xd8\xff"
    await client.close()


def test_oversized_upload_over_a_socket_gets_a_clean_400(live: LiveServer) -> None:
    big = image_bytes(720, 1280) + b"\x00" * (21 * 1024 * 1024)
    response = httpx.post(
        f"{live.url}/v1/videos",
        headers={"Authorization": "Bearer sk-live"},
        data={"prompt": "x"},
        files={"input_reference": ("ref.png", big, "image/png")},
        timeout=30,
    )
    assert response.status_code == 400
    assert response.headers["x-sora-mock-rule"] == "input_reference.too_large"
    assert httpx.get(f"{live.url}/v1/videos", headers={"api-key": "k"}).status_code == 200


def test_unknown_routes_and_methods_are_json_over_a_socket(live: LiveServer) -> None:
    for method, path in (("GET", "/nope"), ("PATCH", "/v1/videos"), ("GET", "/v1/videos/%F0%9F")):
        response = httpx.request(method, live.url + path, headers={"api-key": "k"})
        assert response.status_code in (404, 405)
        assert response.headers["content-type"] == "application/json"
        assert set(response.json()["error"]) == {"message", "type", "param", "code"}


# --- the CLI ---------------------------------------------------------------------------------


def test_serve_prints_the_base_url_and_logs_each_request() -> None:
    served = Served("--progression", "instant")
    try:
        assert any("OpenAI base URL:" in line and "/v1" in line for line in served.lines)
        client = openai.OpenAI(api_key="sk-cli", base_url=f"{served.url}/v1", max_retries=0)
        video = client.videos.create(prompt="from the CLI")
        assert video.status == "completed"
        with pytest.raises(openai.BadRequestError):
            client.videos.create(prompt="x", seconds="5")  # type: ignore[arg-type]
    finally:
        assert served.stop() == 0
    log = "".join(served.lines)
    assert re.search(r"POST /v1/videos 200 [\d.]+ms", log)
    assert re.search(r"POST /v1/videos 400 [\d.]+ms rule=seconds.unsupported", log)


def test_serve_logs_deliveries_in_its_own_format() -> None:
    from tests.receiver import Receiver

    receiver = Receiver()
    served = Served("--progression", "instant", "--webhook-url", receiver.url)
    try:
        client = openai.OpenAI(api_key="sk-cli", base_url=f"{served.url}/v1", max_retries=0)
        video = client.videos.create(prompt="delivered")
        assert receiver.arrived.wait(timeout=30)
        assert served.wait_for_line(f"delivered (attempt 1, {video.id})")
    finally:
        served.stop()
        receiver.close()
    log = "".join(served.lines)
    assert re.search(rf"webhook POST {re.escape(receiver.url)} 200 [\d.]+ms delivered", log)
    assert "HTTP Request:" not in log  # httpx's own format


def test_serve_finishes_jobs_nobody_polls_so_webhooks_fire_and_slots_free() -> None:
    """The development server's default: jobs run in time, the documented durations / 20."""
    from tests.receiver import Receiver

    receiver = Receiver()
    served = Served("--webhook-url", receiver.url, "--quiet")
    try:
        client = openai.OpenAI(api_key="sk-dev", base_url=f"{served.url}/v1", max_retries=0)
        made = [client.videos.create(prompt=f"nobody polls {n}") for n in range(5)]
        # Five unfinished jobs fill the key's slots; nobody reads them, and yet they finish.
        assert receiver.wait_for(5, timeout=120), receiver.received
        sixth = client.videos.create(prompt="a free slot")
        finished = client.videos.retrieve(made[0].id)
    finally:
        served.stop()
        receiver.close()
    assert {video.status for video in made} == {"queued"}
    assert finished.status == "completed" and sixth.status == "queued"
    events = [json.loads(hit["body"]) for hit in receiver.received]
    assert sorted(event["data"]["id"] for event in events) == sorted(v.id for v in made)
    assert {event["type"] for event in events} == {"video.completed"}
    banner = "".join(served.lines)
    assert (
        "progression:      time, the documented durations / 20 (a 4 s sora-2 video in 3.25 s): "
        "jobs finish on their own"
    ) in banner


@pytest.mark.parametrize(
    ("flags", "environ", "expected"),
    [
        ({}, {}, {"progression": "time", "speed": 20.0}),
        ({"progression": "polls"}, {}, {"progression": "polls", "speed": 20.0}),
        ({"speed": 2.0}, {}, {"progression": "time", "speed": 2.0}),
        ({}, {"SORA_MOCK_PROGRESSION": "manual"}, {"speed": 20.0}),
        ({}, {"SORA_MOCK_SPEED": "5"}, {"progression": "time"}),
    ],
)
def test_serves_defaults_give_way_to_flags_and_the_environment(
    flags: dict[str, Any], environ: dict[str, str], expected: dict[str, Any]
) -> None:
    assert with_serve_defaults(flags, environ) == expected


def test_the_banner_says_how_each_progression_moves_jobs() -> None:
    served = Served("--progression", "polls", "--quiet")
    served.stop()
    assert (
        "progression:      polls: one step per status read; a job nobody polls never finishes"
        in "".join(served.lines)
    )


def test_serve_with_api_keys_refuses_others() -> None:
    served = Served("--api-key", "sk-one", "--api-key", "sk-two", "--quiet")
    try:
        ok = httpx.get(f"{served.url}/v1/videos", headers={"Authorization": "Bearer sk-two"})
        refused = httpx.get(f"{served.url}/v1/videos", headers={"Authorization": "Bearer sk-three"})
    finally:
        served.stop()
    assert ok.status_code == 200
    assert refused.status_code == 401
    assert refused.json()["error"]["code"] == "invalid_api_key"
    assert not any("GET /v1/videos" in line for line in served.lines)


@pytest.mark.parametrize("workers", ["1", "2"])
@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_serve_stops_cleanly_on_a_signal_right_after_the_banner(signum: int, workers: str) -> None:
    """Workers still starting when the stop comes stop of their own accord, not killed when
    the graceful stop's time runs out."""
    served = Served("--quiet", "--workers", workers, sigint_ignored=True)
    assert served.stop(signum) == 0
    assert served.lines[-1] == "sora-mock stopped\n"
    assert not any("refused to gracefully stop" in line for line in served.lines), served.lines


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--port", "99999"], "argument --port: 99999 is not a port: use 0 to 65535"),
        (["--port", "-1"], "argument --port: -1 is not a port: use 0 to 65535"),
        (["--port", "http"], "argument --port: 'http' is not a port number"),
    ],
)
def test_serve_refuses_a_port_out_of_range(
    args: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    from mock_server import cli

    with pytest.raises(SystemExit) as stopped:
        cli.main(["serve", *args])
    assert stopped.value.code == 2
    assert capsys.readouterr().err.splitlines()[-1] == f"sora-mock serve: error: {message}"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["--webhook-secret", "plain-secret"],
            "sora-mock: webhook_secret must be whsec_ followed by base64 (the Standard "
            "Webhooks form the SDK's webhooks.unwrap expects), such as "
            "whsec_c29yYS1tb2NrLWRldmVsb3BtZW50LXNlY3JldA==",
        ),
        (
            ["--webhook-secret", "whsec_not base64!"],
            "sora-mock: webhook_secret must be whsec_ followed by base64 (the Standard "
            "Webhooks form the SDK's webhooks.unwrap expects), such as "
            "whsec_c29yYS1tb2NrLWRldmVsb3BtZW50LXNlY3JldA==",
        ),
        (
            ["--webhook-url", "ftp://127.0.0.1/hooks"],
            "sora-mock: webhook URL must be an http:// or https:// URL with a host, "
            "not 'ftp://127.0.0.1/hooks'",
        ),
        (
            ["--webhook-url", "http://"],
            "sora-mock: webhook URL must be an http:// or https:// URL with a host, not 'http://'",
        ),
    ],
)
def test_serve_refuses_webhook_settings_it_cannot_use(
    args: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    from mock_server import cli

    assert cli.main(["serve", "--port", "0", *args]) == 2
    assert capsys.readouterr().err == message + "\n"


def test_serve_refuses_bad_settings_cleanly() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "mock_server.cli", "serve", "--port", "0", "--speed", "-1"],
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert result.returncode == 2
    assert "speed must be positive" in result.stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--speed", "-1"], "sora-mock: speed must be positive"),
        (["--webhook-url", "ftp://x/hooks"], "sora-mock: webhook URL must be an http://"),
    ],
)
def test_settings_are_judged_before_the_port(
    args: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """A bad setting is named even when the port is taken (a server already on it)."""
    from mock_server import cli

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = str(taken.getsockname()[1])
        assert cli.main(["serve", "--port", port, *args]) == 2
    assert capsys.readouterr().err.startswith(message)


def test_cli_flags_cover_the_documented_settings() -> None:
    args = build_parser().parse_args(
        [
            "serve", "--host", "0.0.0.0", "--port", "9000", "--progression", "time",
            "--speed", "60", "--api-key", "a", "--api-key", "b", "--rpm", "10",
            "--concurrent-jobs", "2", "--webhook-url", "http://127.0.0.1:1/h",
            "--webhook-secret", "whsec_eA==", "--allow-host", "hooks.example.com",
            "--lenient-reference", "--control-token", "t",
        ]
    )  # fmt: skip
    from mock_server.cli import _overrides

    overrides: dict[str, Any] = _overrides(args)
    assert overrides == {
        "progression": "time",
        "speed": 60.0,
        "api_keys": ["a", "b"],
        "concurrent_jobs": 2,
        "requests_per_minute": 10,
        "webhook_urls": ["http://127.0.0.1:1/h"],
        "webhook_secret": "whsec_eA==",
        "allowed_hosts": ["hooks.example.com"],
        "lenient_reference": True,
        "control_token": "t",
    }
    assert (args.host, args.port) == ("0.0.0.0", 9000)


def test_control_api_is_off_on_a_public_bind_without_a_token() -> None:
    served = Served("--host", "0.0.0.0", "--quiet")
    try:
        local = served.url.replace("0.0.0.0", "127.0.0.1")
        control = httpx.get(f"{local}/_mock/")
        api = httpx.get(f"{local}/v1/videos", headers={"api-key": "k"})
    finally:
        served.stop()
    assert any("the control API is off" in line for line in served.lines)
    assert control.status_code == 404
    assert control.headers["x-sora-mock-rule"] == "control.disabled"
    assert api.status_code == 200


def test_control_api_on_a_public_bind_needs_its_token() -> None:
    served = Served("--host", "0.0.0.0", "--control-token", "s3cret", "--quiet")
    try:
        local = served.url.replace("0.0.0.0", "127.0.0.1")
        without = httpx.get(f"{local}/_mock/")
        wrong = httpx.get(f"{local}/_mock/", headers={"x-sora-mock-token": "guess"})
        right = httpx.get(f"{local}/_mock/", headers={"x-sora-mock-token": "s3cret"})
    finally:
        served.stop()
    assert (without.status_code, wrong.status_code, right.status_code) == (401, 401, 200)
    assert without.headers["x-sora-mock-rule"] == "control.token"


@pytest.mark.parametrize(
    ("host", "loopback"),
    [
        ("127.0.0.1", True),
        ("localhost", True),
        ("::1", True),
        ("127.8.9.10", True),
        ("0.0.0.0", False),
        ("192.168.1.4", False),
        ("example.com", False),
    ],
)
def test_loopback_detection(host: str, loopback: bool) -> None:
    from mock_server.cli import is_loopback

    assert is_loopback(host) is loopback


def test_request_log_never_shows_a_key(caplog: pytest.LogCaptureFixture) -> None:
    from sora_testkit import httpx_client

    app = create_app({"background_worker": False})
    with caplog.at_level(logging.INFO, logger="sora_mock.requests"), httpx_client(app) as http:
        http.get("/v1/videos?limit=2", headers={"Authorization": "Bearer sk-very-secret-key-1"})
        http.get("/v1/videos", headers={"api-key": "azure-very-secret-key-2"})
    assert len(caplog.records) == 2
    assert "very-secret" not in caplog.text
    assert "GET /v1/videos?limit=2 200" in caplog.text


def test_a_path_cannot_forge_a_line_of_the_request_log(caplog: pytest.LogCaptureFixture) -> None:
    """A decoded ``%0D%0A`` in a path is written escaped: the log keeps one line a request."""
    from sora_testkit import httpx_client

    app = create_app({"background_worker": False})
    forged = "/v1/videos/x%0D%0A127.0.0.1%20GET%20/fake%20200%200.1ms%1B[31m"
    with caplog.at_level(logging.INFO, logger="sora_mock.requests"), httpx_client(app) as http:
        assert http.get(forged, headers={"api-key": "k"}).status_code == 404
    [record] = caplog.records
    line = record.getMessage()
    assert "\n" not in line and "\r" not in line and "\x1b" not in line
    assert "/v1/videos/x\\x0d\\x0a127.0.0.1 GET /fake 200 0.1ms\\x1b[31m 404" in line
