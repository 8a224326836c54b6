"""Attack a running sora-mock over loopback and count what must never happen.

    sora-mock serve --port 8000 --read-timeout 2 &
    python scripts/hostile_run.py http://127.0.0.1:8000 --examples 300

Sends the kit's hostile requests (every dialect), near misses, raw bytes below HTTP (oversized
URLs and headers, bad request lines, TLS hellos, bodies cut short), special-purpose image and
callback URLs in many spellings, and reports how many answers were 5xx, HTML, or never came.
"""

from __future__ import annotations

import argparse
import socket
import sys
import time
from typing import Any
from urllib.parse import urlsplit

import httpx
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sora_testkit import strategies
from sora_testkit.generation.requests import DIALECTS

RAW = [
    b"GET /v1/videos?" + b"a" * 65536 + b" HTTP/1.1\r\nHost: x\r\n\r\n",
    b"GET / HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * 65536 + b"\r\n\r\n",
    b"GET / HTTP/1.1\r\nHost: x\r\n" + b"".join(b"X-%d: y\r\n" % n for n in range(200)) + b"\r\n",
    b"GET /v1/vid eos HTTP/1.1\r\nHost: x\r\n\r\n",
    b"GET /v1/videos HTTP/9.9\r\nHost: x\r\n\r\n",
    b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03",
    b"OPTIONS /v1/videos HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
    b"POST /v1/videos HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer k\r\n"
    b"Content-Type: application/json\r\nContent-Length: 31457280\r\n\r\n" + b"{" * 1000,
    b"POST /v1/videos HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer k\r\n"
    b"Content-Type: application/json\r\nContent-Length: 100\r\n\r\n" + b'{"prompt":',
    b"GET /v1/videos HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
]
SPECIAL_HOSTS = [
    "2130706433", "0x7f000001", "0177.0.0.1", "0x7f.0.0.1", "127.1", "0", "localhost.",
    "LocalHost.", "127.0.0.1.", "printer.local.", "x.internal.", "0251.0376.0251.0376",
    "2852039166", "127\u30020\u30020\u30021", "\u2460\u2461\u2466.0.0.1", "metadata",
    "100.64.0.1", "[::ffff:127.0.0.1]", "[::1]", "[fe80::1]", "[::ffff:169.254.169.254]",
]  # fmt: skip


class Tally:
    """What came back."""

    def __init__(self) -> None:
        self.sent = 0
        self.server_errors: list[str] = []
        self.html: list[str] = []
        self.hangs: list[str] = []
        self.public_special: list[str] = []

    def answer(self, what: str, response: httpx.Response) -> None:
        """Count an HTTP answer."""
        content_type = response.headers.get("content-type", "")
        self.check(what, response.status_code, content_type, response.content)

    def check(self, what: str, status: int, content_type: str, body: bytes) -> None:
        self.sent += 1
        if status >= 500 and status not in (505, 507):
            self.server_errors.append(f"{status} {what}")
        if "html" in content_type or body.lstrip()[:5].lower() in (b"<html", b"<!doc"):
            self.html.append(f"{status} {what}")


def raw_exchange(host: str, port: int, data: bytes, wait: float) -> tuple[int, str, bytes] | None:
    """Send bytes; the status, content type and body, or ``None`` when nothing came in time."""
    with socket.create_connection((host, port), timeout=wait) as connection:
        connection.sendall(data)
        received = b""
        try:
            while True:
                chunk = connection.recv(65536)
                if not chunk:
                    break
                received += chunk
        except TimeoutError:
            return None
    if not received:
        return 0, "", b""
    head, _, body = received.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    types = [line.split(":", 1)[1] for line in lines if line.lower().startswith("content-type")]
    content_type = types[0].strip() if types else ""
    return int(lines[0].split()[1]), content_type, body


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("origin", help="the server's origin, such as http://127.0.0.1:8000")
    parser.add_argument("--examples", type=int, default=200, help="hostile requests per dialect")
    parser.add_argument("--wait", type=float, default=20.0, help="seconds before an answer hangs")
    args = parser.parse_args(argv)
    tally = Tally()
    parts = urlsplit(args.origin)
    host, port = parts.hostname or "127.0.0.1", parts.port or 80
    http = httpx.Client(
        base_url=args.origin, headers={"Authorization": "Bearer sk-hostile"}, timeout=args.wait
    )

    for data in RAW:
        answer = raw_exchange(host, port, data, args.wait)
        if answer is None:
            tally.hangs.append(repr(data[:40]))
            tally.sent += 1
        else:
            tally.check(repr(data[:40]), *answer)

    def send(request: Any) -> None:
        try:
            response = request.send(http)
        except httpx.TimeoutException:
            tally.hangs.append(repr(request))
            tally.sent += 1
            return
        tally.answer(repr(request), response)

    run = settings(
        max_examples=args.examples,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    for dialect in DIALECTS:
        for requests in (
            strategies.hostile_requests(dialect=dialect),
            strategies.near_miss_requests(dialect=dialect).map(lambda miss: miss.request),
        ):

            def each(request: Any) -> None:
                send(request)

            run(given(requests)(each))()

    @run
    @given(st.sampled_from(SPECIAL_HOSTS), st.sampled_from(["image", "callback"]))
    def special(host_text: str, where: str) -> None:
        url = f"http://{host_text}:8080/x"
        if where == "image":
            body: dict[str, Any] = {"prompt": "x", "input_reference": {"image_url": url}}
            response = http.post("/v1/videos", json=body)
        else:
            body = {"request_type": "callback", "callback_url": url + "/_mock/reset",
                    "input": {"mode": "text-to-video", "prompt": "x"}}  # fmt: skip
            response = http.post("/api/v1/generateTask/sora-2-pro", json=body)
        tally.answer(url, response)
        if response.status_code < 400 and where == "image":
            tally.public_special.append(url)

    special()
    print(f"inputs sent: {tally.sent}")
    for name in ("server_errors", "html", "hangs", "public_special"):
        found = getattr(tally, name)
        print(f"{name}: {len(found)}")
        for line in found[:10]:
            print(f"  {line[:200]}")
    failed = tally.server_errors or tally.html or tally.hangs or tally.public_special
    return 1 if failed else 0


if __name__ == "__main__":
    started = time.monotonic()
    code = main()
    print(f"took {time.monotonic() - started:.0f} s")
    sys.exit(code)
