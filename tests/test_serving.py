"""What the HTTP server under the app answers itself: JSON, never HTML, and never a hang.

Raw bytes over a real socket, against the one-process server (Werkzeug's, as ``LiveServer`` and
``sora-mock serve`` run it) and against gunicorn's workers (``--workers``).
"""

from __future__ import annotations

import json
import socket
import time
from collections.abc import Iterator

import httpx
import pytest

from mock_server import create_app
from sora_testkit import LiveServer
from tests.served import Served

READ_TIMEOUT = 1.0
AUTH = b"Authorization: Bearer sk-raw\r\n"


def exchange(port: int, data: bytes, wait: float = 10.0) -> tuple[int, dict[str, str], bytes]:
    """Send raw bytes, read the answer to the end of the connection (or its length)."""
    with socket.create_connection(("127.0.0.1", port), timeout=wait) as connection:
        connection.sendall(data)
        received = b""
        while b"\r\n\r\n" not in received or not _complete(received):
            chunk = connection.recv(65536)
            if not chunk:
                break
            received += chunk
    head, _, body = received.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    headers = {k.lower(): v.strip() for k, _, v in (line.partition(":") for line in lines[1:])}
    return int(lines[0].split()[1]), headers, body


def _complete(received: bytes) -> bool:
    head, _, body = received.partition(b"\r\n\r\n")
    for line in head.split(b"\r\n"):
        if line.lower().startswith(b"content-length:"):
            return len(body) >= int(line.split(b":")[1])
    return False


CASES = [
    ("a 64 KB URL", b"GET /v1/videos?" + b"a" * 65536 + b" HTTP/1.1\r\nHost: x\r\n\r\n", 414),
    ("a 64 KB header", b"GET / HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * 65536 + b"\r\n\r\n", 431),
    (
        "200 headers",
        b"GET / HTTP/1.1\r\nHost: x\r\n"
        + b"".join(b"X-%d: y\r\n" % n for n in range(200))
        + b"\r\n",
        431,
    ),
    ("a space in the path", b"GET /v1/vid eos HTTP/1.1\r\nHost: x\r\n\r\n", 400),
    ("HTTP/9.9", b"GET /v1/videos HTTP/9.9\r\nHost: x\r\n\r\n", 505),
]


def assert_json_error(status: int, headers: dict[str, str], body: bytes) -> None:
    assert headers["content-type"].startswith("application/json"), (status, body[:200])
    error = json.loads(body)["error"]
    assert set(error) == {"message", "type", "param", "code"}
    assert error["message"]


@pytest.fixture(scope="module")
def live() -> Iterator[LiveServer]:
    app = create_app({"background_worker": False, "read_timeout": READ_TIMEOUT})
    with LiveServer(app) as server:
        yield server


@pytest.mark.parametrize(("name", "data", "status"), CASES, ids=[case[0] for case in CASES])
def test_the_server_answers_its_own_errors_in_json(
    live: LiveServer, name: str, data: bytes, status: int
) -> None:
    got, headers, body = exchange(live.port, data)
    assert got == status, name
    assert_json_error(got, headers, body)
    assert headers["connection"].lower() == "close"


def test_options_answers_the_allowed_methods_without_a_body(live: LiveServer) -> None:
    status, headers, body = exchange(
        live.port, b"OPTIONS /v1/videos HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
    )
    assert (status, body) == (204, b"")
    assert set(headers["allow"].split(", ")) >= {"GET", "POST", "OPTIONS"}
    assert "content-type" not in headers


def test_a_client_that_stops_sending_gets_a_408_after_the_read_timeout(live: LiveServer) -> None:
    started = time.monotonic()
    status, headers, body = exchange(
        live.port,
        b"POST /v1/videos HTTP/1.1\r\nHost: x\r\n" + AUTH
        + b"Content-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"prompt\":",
    )  # fmt: skip
    assert READ_TIMEOUT <= time.monotonic() - started < READ_TIMEOUT + 5
    assert status == 408
    assert headers["x-sora-mock-rule"] == "request.read_timeout"
    assert json.loads(body)["error"]["message"] == (
        "The request body stopped arriving: the server timed out reading it."
    )


def test_a_silent_connection_is_closed_after_the_read_timeout(live: LiveServer) -> None:
    with socket.create_connection(("127.0.0.1", live.port), timeout=10) as connection:
        connection.sendall(b"GET /v1/vid")  # half a request line, then nothing
        started = time.monotonic()
        assert connection.recv(1024) == b""  # closed by the server
    assert time.monotonic() - started < READ_TIMEOUT + 5


def test_an_early_refusal_closes_the_connection(live: LiveServer) -> None:
    """Refused on its Content-Length, before the body: the rest is not read as a request."""
    status, headers, body = exchange(
        live.port,
        b"POST /v1/videos HTTP/1.1\r\nHost: x\r\n" + AUTH
        + b"Content-Type: application/json\r\nContent-Length: 31457280\r\n\r\n" + b"{" * 1000,
    )  # fmt: skip
    assert status == 413
    assert headers["connection"].lower() == "close"
    assert json.loads(body)["error"]["message"].startswith("The request body is larger than")


def test_a_response_says_connection_once(live: LiveServer) -> None:
    """The app's ``Connection: close`` (an early refusal) and the server's are one header."""
    request = (
        b"POST /v1/videos HTTP/1.1\r\nHost: x\r\n" + AUTH
        + b"Content-Type: application/json\r\nContent-Length: 31457280\r\n\r\n{"
    )  # fmt: skip
    with socket.create_connection(("127.0.0.1", live.port), timeout=10) as connection:
        connection.sendall(request)
        received = b""
        while b"\r\n\r\n" not in received:
            chunk = connection.recv(65536)
            if not chunk:
                break
            received += chunk
    head = received.partition(b"\r\n\r\n")[0].decode("latin-1").lower()
    assert head.count("\r\nconnection:") == 1, head


def test_gunicorn_workers_answer_their_own_errors_in_json_and_time_out() -> None:
    served = Served("--workers", "2", "--read-timeout", str(READ_TIMEOUT), "--quiet")
    try:
        port = int(served.url.rsplit(":", 1)[1])
        for name, data, _ in CASES:
            status, headers, body = exchange(port, data)
            assert 400 <= status < 600, name
            assert_json_error(status, headers, body)
        with socket.create_connection(("127.0.0.1", port), timeout=10) as connection:
            connection.sendall(b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03")  # a TLS hello
            started = time.monotonic()
            assert connection.recv(1024) == b""  # never a request line: closed, not held
        assert time.monotonic() - started < READ_TIMEOUT + 5
        status, headers, body = exchange(
            port,
            b"POST /v1/videos HTTP/1.1\r\nHost: x\r\n" + AUTH
            + b"Content-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"prompt\":",
        )  # fmt: skip
        assert (status, headers["x-sora-mock-rule"]) == (408, "request.read_timeout")
        with httpx.Client(base_url=served.url, headers={"api-key": "k"}) as keep_alive:
            answers = {keep_alive.get("/v1/videos?limit=1").status_code for _ in range(1200)}
        assert answers == {200}  # one connection, many requests: no state grows per request
    finally:
        assert served.stop() == 0
    assert not any("Traceback" in line for line in served.lines)
