"""``sora-mock serve`` over real sockets: HTTP/1.1 on granian, with the body read on the loop.

What the server does below the app: requests sent ahead of their answers (pipelining), a
chunked body, ``Expect: 100-continue``, a large upload, ``HEAD``, an encoded path, an idle
connection closed, and a slow request that does not hold up the others.
"""

from __future__ import annotations

import contextlib
import io
import json
import signal
import socket
import time
from collections.abc import Iterator

import httpx
import pytest
from PIL import Image
from PIL.PngImagePlugin import PngInfo

from mock_server.serving import refusals, rsgi
from tests.served import Served, quiet_server
from tests.test_serving import AUTH, CASES, assert_json_error, exchange

READ_TIMEOUT = 2.0


@pytest.fixture(scope="module")
def served() -> Iterator[Served]:
    """``sora-mock serve`` as a user starts it: granian, one worker."""
    yield from quiet_server(READ_TIMEOUT)


def read_responses(connection: socket.socket, count: int) -> list[tuple[int, bytes]]:
    """Read ``count`` responses with a Content-Length each: their statuses and bodies."""
    buffer = b""
    answers: list[tuple[int, bytes]] = []
    while len(answers) < count:
        while b"\r\n\r\n" not in buffer:
            chunk = connection.recv(65536)
            assert chunk, f"closed after {len(answers)} answers"
            buffer += chunk
        head, _, rest = buffer.partition(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        headers = {k.lower(): v.strip() for k, _, v in (line.partition(":") for line in lines)}
        length = int(headers.get("content-length", "0"))
        while len(rest) < length:
            chunk = connection.recv(65536)
            assert chunk
            rest += chunk
        answers.append((int(lines[0].split()[1]), rest[:length]))
        buffer = rest[length:]
    return answers


def test_pipelined_requests_are_answered_in_order(served: Served) -> None:
    """Three requests in one write, answered one after another on the same connection."""
    create = json.dumps({"prompt": "pipelined"}).encode()
    requests = (
        b"GET /v1/videos?limit=1 HTTP/1.1\r\nHost: x\r\n" + AUTH + b"\r\n"
        + b"POST /v1/videos HTTP/1.1\r\nHost: x\r\n" + AUTH
        + b"Content-Type: application/json\r\nContent-Length: %d\r\n\r\n" % len(create) + create
        + b"GET /v1/videos/video_nope HTTP/1.1\r\nHost: x\r\n" + AUTH + b"\r\n"
    )  # fmt: skip
    with socket.create_connection(("127.0.0.1", served.port), timeout=10) as connection:
        connection.sendall(requests)
        answers = read_responses(connection, 3)
    assert [status for status, _ in answers] == [200, 200, 404]
    assert json.loads(answers[0][1])["object"] == "list"
    assert json.loads(answers[1][1])["prompt"] == "pipelined"
    assert json.loads(answers[2][1])["error"]["message"] == "Video with id 'video_nope' not found."


def test_a_chunked_body_is_read_to_its_end(served: Served) -> None:
    body = json.dumps({"prompt": "sent in chunks"}).encode()
    chunks = b"".join(b"%x\r\n%s\r\n" % (len(part), part) for part in (body[:7], body[7:]))
    status, _, answer = exchange(
        served.port,
        b"POST /v1/videos HTTP/1.1\r\nHost: x\r\n" + AUTH
        + b"Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
        + chunks + b"0\r\n\r\n",
    )  # fmt: skip
    assert status == 200, answer
    assert json.loads(answer)["prompt"] == "sent in chunks"


def test_expect_continue_is_answered_before_the_body(served: Served) -> None:
    body = json.dumps({"prompt": "after a 100"}).encode()
    head = (
        b"POST /v1/videos HTTP/1.1\r\nHost: x\r\n" + AUTH
        + b"Content-Type: application/json\r\nExpect: 100-continue\r\n"
        + b"Content-Length: %d\r\n\r\n" % len(body)
    )  # fmt: skip
    with socket.create_connection(("127.0.0.1", served.port), timeout=10) as connection:
        connection.sendall(head)
        assert connection.recv(1024) == b"HTTP/1.1 100 Continue\r\n\r\n"
        connection.sendall(body)
        [(status, answer)] = read_responses(connection, 1)
    assert status == 200
    assert json.loads(answer)["prompt"] == "after a 100"


def reference_png(width: int, height: int, total: int) -> bytes:
    """A real PNG of ``width`` x ``height``, padded past ``total`` bytes with a text chunk."""
    image = Image.new("RGB", (width, height), (30, 90, 160))
    out = io.BytesIO()
    info = PngInfo()
    info.add_text("padding", "x" * total)
    image.save(out, "PNG", pnginfo=info)
    return out.getvalue()


def test_a_large_upload_goes_through_whole(served: Served) -> None:
    """A 12 MB reference image (spooled to a file as it arrives) goes through whole."""
    png = reference_png(720, 1280, 12 * 1024 * 1024)
    assert len(png) > 8 * rsgi.SPOOL_BYTES
    response = httpx.post(
        f"{served.url}/v1/videos",
        headers={"Authorization": "Bearer sk-upload"},
        data={"prompt": "from a reference", "size": "720x1280"},
        files={"input_reference": ("ref.png", png, "image/png")},
        timeout=60,
    )
    assert response.status_code == 200, response.text
    assert response.json()["size"] == "720x1280"


def test_head_answers_the_headers_without_the_body(served: Served) -> None:
    status, headers, body = exchange(
        served.port,
        b"HEAD /openapi.json HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
    )
    assert (status, body) == (200, b"")
    assert int(headers["content-length"]) > 1000


def test_an_encoded_path_reaches_the_app_decoded(served: Served) -> None:
    status, _, body = exchange(
        served.port,
        b"GET /v1/videos/video%5Fsp%20ace HTTP/1.1\r\nHost: x\r\n" + AUTH
        + b"Connection: close\r\n\r\n",
    )  # fmt: skip
    assert status == 404
    assert "video_sp ace" in json.loads(body)["error"]["message"]


def test_an_idle_connection_is_closed_after_the_read_timeout(served: Served) -> None:
    """granian's header timeout counts from the last answer: an idle connection ends then."""
    with socket.create_connection(("127.0.0.1", served.port), timeout=20) as connection:
        connection.sendall(b"GET /v1/videos?limit=1 HTTP/1.1\r\nHost: x\r\n" + AUTH + b"\r\n")
        [(status, _)] = read_responses(connection, 1)
        answered = time.monotonic()
        assert status == 200
        assert connection.recv(1024) == b""  # the server ended the idle connection
    assert READ_TIMEOUT - 0.5 <= time.monotonic() - answered < READ_TIMEOUT + 3


def test_a_slow_request_does_not_hold_up_the_others() -> None:
    """A request whose body has not arrived (over 64 KB: read on a thread as it comes) holds
    nothing else: twenty other requests are answered while the test still holds its body back,
    and it is answered once the body comes. No timing: the test decides when the body comes."""
    server = Served("--read-timeout", "120", "--quiet")
    body = json.dumps({"prompt": "a" * 70_000, "model": "sora-2"}).encode()
    head = (
        b"POST /v1/videos HTTP/1.1\r\nHost: x\r\n" + AUTH
        + b"Content-Type: application/json\r\nContent-Length: %d\r\n\r\n" % len(body)
    )  # fmt: skip
    try:
        with socket.create_connection(("127.0.0.1", server.port), timeout=60) as held:
            held.sendall(head + body[:1000])
            answered = [
                httpx.get(
                    f"{server.url}/v1/videos?limit=1", headers={"api-key": "k"}, timeout=60
                ).status_code
                for _ in range(20)
            ]
            assert answered == [200] * 20
            held.sendall(body[1000:])
            [(status, reply)] = read_responses(held, 1)
        assert status == 400
        assert json.loads(reply)["error"]["param"] == "prompt"
    finally:
        assert server.stop() == 0


def create_head(length: int | None = None, extra: bytes = b"") -> bytes:
    """The head of a JSON create, with ``Content-Length: length`` or chunked."""
    framing = (
        b"Transfer-Encoding: chunked\r\n" if length is None else b"Content-Length: %d\r\n" % length
    )
    return (
        b"POST /v1/videos HTTP/1.1\r\nHost: x\r\n" + AUTH
        + b"Content-Type: application/json\r\n" + framing + extra + b"\r\n"
    )  # fmt: skip


def test_a_json_body_of_several_megabytes_is_read_whole(served: Served) -> None:
    """A 3 MB JSON body (past the high-water mark) reaches the app: the app waiting for all
    of it keeps the socket read."""
    body = json.dumps({"prompt": "x" * (3 * 1024 * 1024)}).encode()
    status, _, answer = exchange(served.port, create_head(len(body)) + body)
    assert status == 400  # not held until the read timeout, which answers 408
    assert json.loads(answer)["error"]["message"] == (
        "Invalid 'prompt': string too long. Expected a string with maximum length 32000, "
        f"but got a string with length {3 * 1024 * 1024} instead."
    )


def test_a_malformed_chunk_is_refused_at_once(served: Served) -> None:
    status, headers, body = exchange(
        served.port, create_head() + b'zz\r\n{"prompt":"x"}\r\n0\r\n\r\n'
    )  # the body ends at the bad chunk size: a wait for the read timeout would answer 408
    assert status == 400
    assert assert_json_error(status, headers, body).startswith("We could not parse the JSON")


def test_a_transfer_coding_other_than_chunked_is_not_implemented(served: Served) -> None:
    status, headers, body = exchange(
        served.port,
        create_head(extra=b"").replace(b"chunked", b"gzip, chunked") + b"0\r\n\r\n",
    )
    assert (status, headers["connection"].lower()) == (501, "close")
    assert assert_json_error(status, headers, body) == (
        "Transfer-Encoding 'gzip, chunked' is not supported: send the body as it is, "
        "with a Content-Length, or chunked."
    )


def test_a_refusal_after_pipelined_answers_is_still_sent(served: Served) -> None:
    """A control call (answered on a thread), then a request that is past a limit: the first
    is answered, then the refusal, then the connection ends."""
    with socket.create_connection(("127.0.0.1", served.port), timeout=10) as connection:
        connection.sendall(
            b"GET /_mock/clock HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\nGET /v1/videos HTTP/1.1\r\n\r\n"
        )
        answers = read_responses(connection, 2)
        assert connection.recv(1024) == b""
    assert [status for status, _ in answers] == [200, 400]
    assert json.loads(answers[1][1])["error"]["message"] == refusals.HOST_MESSAGE


def test_a_client_that_hangs_up_mid_body_leaves_no_traceback(served: Served) -> None:
    with socket.create_connection(("127.0.0.1", served.port), timeout=10) as connection:
        connection.sendall(create_head() + b'5\r\n{"pro\r\n')
        time.sleep(0.2)  # the body is under way on a thread
    assert httpx.get(f"{served.url}/v1/videos?limit=1", headers={"api-key": "k"}).status_code == 200
    time.sleep(0.2)
    assert not any("Traceback" in line for line in served.lines)


def test_a_head_that_drips_in_is_cut_off_at_the_read_timeout(served: Served) -> None:
    """One header byte a second keeps no connection open past the read timeout (2 s)."""
    started = time.monotonic()  # the server's clock starts as it accepts: after this
    with socket.create_connection(("127.0.0.1", served.port), timeout=10) as connection:
        connection.sendall(b"GET /v1/videos HTTP/1.1\r\n")
        closed = False
        for byte in b"X-Slow: " + b"a" * 10:
            try:
                connection.sendall(bytes([byte]))
                if connection.recv(1, socket.MSG_DONTWAIT) == b"":
                    closed = True
                    break
            except BlockingIOError:
                pass
            except OSError:
                closed = True
                break
            time.sleep(0.5)
    assert closed  # before the ten bytes' five seconds were over
    assert time.monotonic() - started >= READ_TIMEOUT


def test_a_client_that_reads_nothing_does_not_grow_the_server(served: Served) -> None:
    """Thousands of pipelined requests, answers never read: the server stops reading that
    connection once its answers back up, and answers others meanwhile."""
    request = b"GET /v1/videos?limit=100 HTTP/1.1\r\nHost: x\r\n" + AUTH + b"\r\n"
    with socket.create_connection(("127.0.0.1", served.port), timeout=10) as connection:
        connection.setblocking(False)
        sent = 0
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline:
            try:
                sent += connection.send(request * 64)
            except BlockingIOError:
                break  # the server stopped reading: its side of the socket is full
        assert time.monotonic() < deadline, "the server read everything it was sent"
        assert sent < 50 * 1024 * 1024
        answer = httpx.get(f"{served.url}/v1/videos?limit=1", headers={"api-key": "k"})
        assert answer.status_code == 200  # answered meanwhile (httpx gives up after 5 s)


def test_the_servers_own_refusals_are_logged_as_requests() -> None:
    """A refusal the app never sees still gets its line in the request log."""
    server = Served()
    try:
        status, _, _ = exchange(server.port, CASES[1][1])  # a 64 KB header
        assert status == 431
        assert server.wait_for_line(" GET / 431 0.0ms server: The request headers are too large")
        status, _, _ = exchange(server.port, b"GET /v1/videos HTTP/1.1\r\n\r\n")
        assert status == 400
        assert server.wait_for_line(" GET /v1/videos 400 0.0ms server: An HTTP/1.1 request")
    finally:
        assert server.stop() == 0


def test_the_request_line_limit_counts_method_url_and_version(served: Served) -> None:
    """A request line of exactly 4,094 bytes is read; one byte more is a 414."""

    def line_of(length: int) -> bytes:
        prefix = b"GET /v1/videos?limit=1&pad="
        return prefix + b"a" * (length - len(prefix) - len(b" HTTP/1.1")) + b" HTTP/1.1"

    for length, status in ((4094, 200), (4095, 414)):
        line = line_of(length)
        assert len(line) == length
        got, _, _ = exchange(
            served.port, line + b"\r\nHost: x\r\n" + AUTH + b"Connection: close\r\n\r\n"
        )
        assert got == status, length


def test_dripping_uploads_hold_no_thread() -> None:
    """More dripping uploads than the server has threads (each declares 100 KB, has sent a
    few bytes and goes quiet): a control call, a download and a status read are answered all
    the same, while every dripping connection is still open. A server that read a body on a
    thread would have none left."""
    server = Served("--read-timeout", "120", "--quiet", "--progression", "instant")
    head = (
        b"POST /v1/videos HTTP/1.1\r\nHost: x\r\n" + AUTH
        + b"Content-Type: application/json\r\nContent-Length: 100000\r\n\r\n{\"prompt\": \""
    )  # fmt: skip
    drips: list[socket.socket] = []
    try:
        video = httpx.post(
            f"{server.url}/v1/videos", headers={"api-key": "k"}, json={"prompt": "a"}
        ).json()
        for _ in range(rsgi.THREADS + 8):
            drip = socket.create_connection(("127.0.0.1", server.port), timeout=30)
            drip.sendall(head)
            drips.append(drip)
        with httpx.Client(base_url=server.url, headers={"api-key": "k"}, timeout=30) as client:
            assert client.get("/_mock/clock").status_code == 200
            assert client.get(f"/v1/videos/{video['id']}").json()["status"] == "completed"
            download = client.get(f"/v1/videos/{video['id']}/content")
            assert (download.status_code, download.content[4:8]) == (200, b"ftyp")
        for drip in drips:  # still held open, none answered
            drip.setblocking(False)
            with pytest.raises(BlockingIOError):
                drip.recv(1)
    finally:
        for drip in drips:
            drip.close()
        assert server.stop() == 0


def test_a_body_that_drips_is_cut_off_though_it_never_goes_silent() -> None:
    """A byte every 0.2 s is never a silence as long as the read timeout (1 s), but the body
    falls behind its minimum rate: a 408 while it still drips, long before its 100 bytes."""
    server = Served("--read-timeout", "1", "--quiet")
    try:
        with socket.create_connection(("127.0.0.1", server.port), timeout=10) as drip:
            drip.sendall(
                b"POST /v1/videos HTTP/1.1\r\nHost: x\r\n" + AUTH
                + b"Content-Type: application/json\r\nContent-Length: 100\r\n\r\n"
            )  # fmt: skip
            drip.setblocking(False)
            answer, sent = b"", 0
            while sent < 100 and b"\r\n\r\n" not in answer:
                drip.sendall(b" ")
                sent += 1
                time.sleep(0.2)
                with contextlib.suppress(BlockingIOError):
                    answer += drip.recv(65536)
        assert sent < 50, "the drip was read to its end"
        assert answer.startswith(b"HTTP/1.1 408 ")
        assert b"x-sora-mock-rule: request.read_timeout" in answer.lower()
    finally:
        assert server.stop() == 0


def test_sighup_keeps_an_in_memory_servers_jobs() -> None:
    """granian restarts its workers on SIGHUP; an in-memory server would lose every job."""
    server = Served("--quiet")
    try:
        video = httpx.post(
            f"{server.url}/v1/videos", headers={"api-key": "k"}, json={"prompt": "kept"}
        ).json()
        server.process.send_signal(signal.SIGHUP)
        assert server.wait_for_line("SIGHUP ignored")
        again = httpx.get(f"{server.url}/v1/videos/{video['id']}", headers={"api-key": "k"})
        assert again.status_code == 200
    finally:
        assert server.stop() == 0
