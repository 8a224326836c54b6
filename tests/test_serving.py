"""What the HTTP server under the app answers itself: JSON or an empty body, never HTML, and
never a hang.

Raw bytes over a real socket, against ``sora-mock serve`` (granian: one worker by default,
several with ``--workers``) and against Werkzeug's server (``LiveServer``).
"""

from __future__ import annotations

import http.client
import json
import signal
import socket
import threading
import time
from collections.abc import Iterator

import httpx
import pytest

from mock_server import create_app
from mock_server.serving import refusals
from sora_testkit import LiveServer
from tests.served import Served, quiet_server, wait_until_faults_taken

READ_TIMEOUT = 1.0
AUTH = b"Authorization: Bearer sk-raw\r\n"
#: A create whose body stops arriving after 10 of its 100 bytes.
STALLED_CREATE = (
    b"POST /v1/videos HTTP/1.1\r\nHost: x\r\n" + AUTH
    + b"Content-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"prompt\":"
)  # fmt: skip
#: The first bytes of a TLS handshake: a client given ``https://`` for the mock's address.
TLS_HELLO = b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03"


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


#: What ``sora-mock serve`` answers in JSON itself: the limits granian does not hold.
SERVED_JSON_CASES = [
    (
        "an 8 KB URL",
        b"GET /v1/videos?" + b"a" * 8192 + b" HTTP/1.1\r\nHost: x\r\n\r\n",
        414,
        refusals.LIMIT_MESSAGES[414],
    ),
    ("a 64 KB header", CASES[1][1], 431, refusals.LIMIT_MESSAGES[431]),
    ("no Host", b"GET /v1/videos HTTP/1.1\r\n" + AUTH + b"\r\n", 400, refusals.HOST_MESSAGE),
    (
        "two Hosts",
        b"GET /v1/videos HTTP/1.1\r\nHost: a\r\nHost: b\r\n" + AUTH + b"\r\n",
        400,
        refusals.HOST_MESSAGE,
    ),
]
#: What granian (hyper) refuses before the app: a bare status, no body, the connection closed.
SERVED_BARE_CASES = [
    ("a 64 KB URL", CASES[0][1], 414),
    ("200 headers", CASES[2][1], 431),
    ("a space in the path", CASES[3][1], 400),
    ("HTTP/9.9", CASES[4][1], 400),
    ("HTTP/2.0 in a request line", b"GET /v1/videos HTTP/2.0\r\nHost: x\r\n\r\n", 400),
    ("HTTP/0.9", b"GET /v1/videos\r\n", 400),
    ("a TLS handshake", TLS_HELLO, 400),
    (
        "a transfer coding other than chunked",
        b"POST /v1/videos HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip\r\n\r\n",
        400,
    ),
]


def assert_json_error(status: int, headers: dict[str, str], body: bytes) -> str:
    """Check a server's own refusal is the four-key JSON envelope; return its message."""
    assert headers["content-type"].startswith("application/json"), (status, body[:200])
    error = json.loads(body)["error"]
    assert set(error) == {"message", "type", "param", "code"}
    assert error["message"]
    return str(error["message"])


@pytest.fixture(scope="module")
def served() -> Iterator[Served]:
    """``sora-mock serve`` as a user starts it: granian, one worker."""
    yield from quiet_server(READ_TIMEOUT)


@pytest.mark.parametrize(
    ("name", "data", "status", "message"), SERVED_JSON_CASES, ids=[c[0] for c in SERVED_JSON_CASES]
)
def test_serve_answers_its_own_errors_in_json(
    served: Served, name: str, data: bytes, status: int, message: str
) -> None:
    got, headers, body = exchange(served.port, data)
    assert got == status, name
    assert assert_json_error(got, headers, body) == message
    assert headers["connection"].lower() == "close"


@pytest.mark.parametrize(
    ("name", "data", "status"), SERVED_BARE_CASES, ids=[c[0] for c in SERVED_BARE_CASES]
)
def test_serve_refuses_what_is_not_http_at_once_with_no_body(
    served: Served, name: str, data: bytes, status: int
) -> None:
    """What granian refuses itself: a bare status, no body (never an HTML page), closed."""
    started = time.monotonic()
    got, headers, body = exchange(served.port, data)
    assert time.monotonic() - started < READ_TIMEOUT  # at once, not at a timeout
    assert (got, body, headers["connection"].lower()) == (status, b"", "close"), name
    assert headers.get("content-length", "0") == "0"
    assert "content-type" not in headers


def test_serve_keeps_one_connection_for_a_hundred_requests(served: Served) -> None:
    """HTTP/1.1 keep-alive: a client's connection serves request after request, refusals
    included (a short body refused before it was read is read and dropped, not left behind)."""
    connection = http.client.HTTPConnection("127.0.0.1", served.port, timeout=10)
    connection.connect()
    first = connection.sock
    statuses = []
    for n in range(100):
        path = "/v1/videos" if n % 2 else "/v1/videos?limit=1"
        body = None if n % 2 == 0 else json.dumps({"prompt": f"kept alive {n}"})
        headers = {"Authorization": f"Bearer sk-keep-{n}", "Content-Type": "application/json"}
        if n % 10 == 9:
            del headers["Authorization"]  # refused before its body is read
        connection.request("POST" if body else "GET", path, body=body, headers=headers)
        response = connection.getresponse()
        response.read()
        statuses.append(response.status)
        assert response.getheader("Connection", "").lower() != "close"
        # http.client opens a new socket when the server closed the last one.
        assert connection.sock is first, f"a new connection at request {n + 1}"
    connection.close()
    assert statuses == [401 if n % 10 == 9 else 200 for n in range(100)]


def test_serve_times_out_a_body_that_stops_arriving(served: Served) -> None:
    started = time.monotonic()
    status, headers, body = exchange(
        served.port,
        STALLED_CREATE,
    )
    assert READ_TIMEOUT <= time.monotonic() - started < READ_TIMEOUT + 5
    assert (status, headers["x-sora-mock-rule"]) == (408, "request.read_timeout")
    assert json.loads(body)["error"]["message"] == (
        "The request body stopped arriving: the server timed out reading it."
    )
    with socket.create_connection(("127.0.0.1", served.port), timeout=10) as connection:
        connection.sendall(b"GET /v1/vid")  # half a request line, then nothing
        started = time.monotonic()
        assert connection.recv(1024) == b""  # closed by the server
    assert time.monotonic() - started < READ_TIMEOUT + 5


def test_serve_closes_the_connection_after_an_early_refusal(served: Served) -> None:
    """Refused on its Content-Length, before the body: answered and closed at once, the rest
    of the body never read."""
    started = time.monotonic()
    status, headers, body = exchange(
        served.port,
        b"POST /v1/videos HTTP/1.1\r\nHost: x\r\n" + AUTH
        + b"Content-Type: application/json\r\nContent-Length: 31457280\r\n\r\n" + b"{" * 1000,
    )  # fmt: skip
    assert (status, headers["connection"].lower()) == (413, "close")
    assert json.loads(body)["error"]["message"].startswith("The request body is larger than")
    with socket.create_connection(("127.0.0.1", served.port), timeout=10) as connection:
        connection.sendall(
            b"POST /v1/videos HTTP/1.1\r\nHost: x\r\n" + AUTH
            + b"Content-Type: application/json\r\nContent-Length: 31457280\r\n\r\n{"
        )  # fmt: skip
        received = b""
        while chunk := connection.recv(65536):
            received += chunk
    assert received.startswith(b"HTTP/1.1 413 ")
    assert time.monotonic() - started < READ_TIMEOUT + 2  # not held to drain the body


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_serve_finishes_the_request_under_way_when_told_to_stop(signum: int) -> None:
    """A signal while a request is answered: that request is answered, then the server stops."""
    server = Served("--quiet")
    fault = {"status": 0, "delay_ms": 1500, "method": "GET", "path": "/v1/videos"}
    assert httpx.post(f"{server.url}/_mock/faults", json=fault).status_code == 200
    answers: list[int] = []

    def slow_request() -> None:
        answers.append(httpx.get(f"{server.url}/v1/videos", headers={"api-key": "k"}).status_code)

    request = threading.Thread(target=slow_request)
    request.start()
    # The fault is taken as the request starts, then holds it for 1.5 s.
    wait_until_faults_taken(server.url)
    assert server.stop(signum) == 0
    request.join(timeout=10)
    assert answers == [200]
    assert server.lines[-1] == "sora-mock stopped\n"


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
        STALLED_CREATE,
    )
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


def test_two_workers_answer_their_own_errors_and_time_out() -> None:
    served = Served("--workers", "2", "--read-timeout", str(READ_TIMEOUT), "--quiet")
    try:
        port = int(served.url.rsplit(":", 1)[1])
        for name, data, status, message in SERVED_JSON_CASES:
            got, headers, body = exchange(port, data)
            assert got == status, name
            assert assert_json_error(got, headers, body) == message
        for name, data, status in SERVED_BARE_CASES:
            assert exchange(port, data)[::2] == (status, b""), name
        status, headers, body = exchange(
            port,
            STALLED_CREATE,
        )
        assert (status, headers["x-sora-mock-rule"]) == (408, "request.read_timeout")
        with httpx.Client(base_url=served.url, headers={"api-key": "k"}) as keep_alive:
            answers = {keep_alive.get("/v1/videos?limit=1").status_code for _ in range(1200)}
        assert answers == {200}  # one connection, many requests: no state grows per request
    finally:
        assert served.stop() == 0
    assert not any("Traceback" in line for line in served.lines)


@pytest.mark.parametrize(
    ("request_line", "rule", "envelope"),
    [
        (b"POST /v1//videos", "route.not_found", "error"),
        (b"GET /v1/videos//content", "route.not_found", "error"),
        (b"GET /openai/v1//videos", "route.not_found", "detail"),
        (b"GET /api/v1//statusTask/sora-2-pro?taskId=task_x", "route.not_found", "code"),
        (b"GET /_mock//clock", "route.not_found", "error"),
    ],
)
def test_a_doubled_slash_is_the_dialects_404_never_a_redirect(
    served: Served, request_line: bytes, rule: str, envelope: str
) -> None:
    status, headers, body = exchange(
        served.port,
        request_line + b" HTTP/1.1\r\nHost: x\r\n" + AUTH + b"Content-Type: application/json\r\n"
        b"Content-Length: 2\r\nConnection: close\r\n\r\n{}",
    )
    assert (status, headers.get("x-sora-mock-rule")) == (404, rule)
    assert "location" not in headers
    assert headers["content-type"].startswith("application/json")
    assert envelope in json.loads(body)


def test_a_complete_post_asking_to_upgrade_is_answered(served: Served) -> None:
    """What ``curl --http2`` sends to a plain port: the upgrade is declined, the POST answered
    (not a false 408 for a body that had arrived)."""
    body = b'{"prompt": "upgrade me"}'
    status, _, answer = exchange(
        served.port,
        b"POST /v1/videos HTTP/1.1\r\nHost: x\r\nConnection: Upgrade, HTTP2-Settings\r\n"
        b"Upgrade: h2c\r\nHTTP2-Settings: AAMAAABkAARAAAAAAAIAAAAA\r\n" + AUTH
        + b"Content-Type: application/json\r\nContent-Length: %d\r\n\r\n" % len(body) + body,
    )  # fmt: skip
    assert status == 200
    assert json.loads(answer)["prompt"] == "upgrade me"


def test_a_browsers_tricks_do_not_reach_the_control_api_of_a_running_server(
    served: Served,
) -> None:
    """Over the wire: a foreign Host (DNS rebinding), a cross-site form post and a cross-origin
    ``fetch`` with JSON change nothing; the same call from a program does."""
    outcome = b'{"outcome": "moderation_blocked"}'
    tricks = [
        b"Host: rebound.attacker.example\r\nContent-Type: application/json\r\n",
        b"Host: 127.0.0.1\r\nOrigin: https://evil.example\r\nSec-Fetch-Site: cross-site\r\n"
        b"Content-Type: application/x-www-form-urlencoded\r\n",
        b"Host: 127.0.0.1\r\nOrigin: http://localhost:3000\r\nContent-Type: application/json\r\n",
    ]
    for headers in tricks:
        status, answer, _ = exchange(
            served.port,
            b"POST /_mock/outcomes HTTP/1.1\r\n" + headers
            + b"Content-Length: %d\r\nConnection: close\r\n\r\n" % len(outcome) + outcome,
        )  # fmt: skip
        assert status == 403, headers
        assert answer["x-sora-mock-rule"] in ("control.foreign_host", "control.cross_site")
    assert httpx.get(f"{served.url}/_mock/").json()["forced_outcomes"] == []
    program = httpx.post(f"{served.url}/_mock/outcomes", json={"outcome": "moderation_blocked"})
    assert program.status_code == 200
    assert httpx.delete(f"{served.url}/_mock/outcomes").status_code == 200
