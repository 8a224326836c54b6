"""The pieces of HTTP/1.1 the event-loop server reads and writes: a request in flight, the
refusals the server answers itself, and a response's bytes."""

from __future__ import annotations

import re
from dataclasses import dataclass
from email.utils import formatdate
from typing import Any

from mock_server import serving
from mock_server.streamed_body import StreamedBody

_VERSION = re.compile(rb"HTTP/(\d+)\.(\d+)\r?\n")
_NOT_HTTP = "The request is not HTTP/1.1: {reason}. Send METHOD PATH HTTP/1.1, then the headers."
_TLS = "This port speaks plain HTTP, not TLS: use an http:// URL."
_BARE_LF = "The request is not HTTP/1.1: its lines must end in CRLF (\\r\\n), not LF alone."
_NO_BODY_STATUSES = (204, 304)
_KEEP = b"Connection: keep-alive\r\n\r\n"
_CLOSE = b"Connection: close\r\n\r\n"


class Exchange:
    """One request, from its first byte to its answer."""

    __slots__ = (
        "arrived",
        "began",
        "body",
        "environ",
        "expects_continue",
        "keep_alive",
        "stream",
        "threaded",
    )

    def __init__(self, began: float) -> None:
        self.began = began
        self.environ: dict[str, Any] = {}
        self.body: list[bytes] = []
        self.stream: StreamedBody | None = None
        self.arrived = False
        self.keep_alive = True
        self.threaded = False
        self.expects_continue = False

    def streamed(self) -> StreamedBody:
        """The body as a stream for the app (what arrived so far, and the rest to come)."""
        if self.stream is None:
            self.stream = StreamedBody()
            for chunk in self.body:
                self.stream.feed(chunk)
            self.environ["wsgi.input"] = self.stream
        return self.stream


class Refusal(Exception):
    """A request the server answers itself: status, reason and message."""

    def __init__(self, status: int, reason: str, message: str) -> None:
        super().__init__(message)
        self.status, self.reason, self.message = status, reason, message

    def response(self) -> bytes:
        """The whole response, closing the connection."""
        return serving.error_response(self.status, self.reason, self.message)


def limit_refusal(status: int) -> Refusal:
    """A request line (414) or headers (431) past their limits."""
    reason = "Request-URI Too Long" if status == 414 else "Request Header Fields Too Large"
    return Refusal(status, reason, serving.LIMIT_MESSAGES[status])


def version_refusal(version: tuple[int, int] | None) -> Refusal:
    """An HTTP version the server does not speak (505), or a request line that is not one."""
    return Refusal(*serving.version_refusal(version))


def not_http(data: bytes, reason: str, first: bool) -> Refusal:
    """The refusal for bytes llhttp could not parse; ``first``: nothing was read before."""
    if first and data.startswith(b"\x16\x03"):
        return Refusal(400, "Bad Request", _TLS)
    if "version" in reason.lower():
        found = _VERSION.findall(data)
        version = (int(found[-1][0]), int(found[-1][1])) if found else None
        if version not in ((1, 0), (1, 1)):
            return version_refusal(version)
    if b"\n" in data and b"\r\n" not in data:
        return Refusal(400, "Bad Request", _BARE_LF)
    if "Expected HTTP/" in reason:
        return version_refusal(None)
    return Refusal(400, "Bad Request", _NOT_HTTP.format(reason=reason.rstrip(".")))


def transfer_refusal(coding: str) -> Refusal:
    """A transfer coding other than ``chunked``: not implemented (RFC 9112, 6.1)."""
    return Refusal(
        501,
        "Not Implemented",
        f"Transfer-Encoding {coding!r} is not supported: send the body as it is, with a "
        "Content-Length, or chunked.",
    )


def target_refusal(target: bytes) -> Refusal:
    """A request target that is not a path (``CONNECT host:port``, ``http://``)."""
    shown = target[:200].decode("latin-1")
    return Refusal(
        400, "Bad Request", f"The request target {shown!r} is not a path: send METHOD /PATH."
    )


_date_cache: list[Any] = [0, ""]


def http_date(now: float) -> str:
    """The ``Date`` header's value, written once a second."""
    second = int(now)
    if _date_cache[0] != second:
        _date_cache[:] = [second, formatdate(second, usegmt=True)]
    return str(_date_cache[1])


@dataclass
class Reply:
    """A response ready to write: its head without the ``Connection`` line, and its body."""

    head: bytes
    body: bytes
    close: bool

    def bytes(self, keep_alive: bool) -> bytes:
        """The whole response, saying whether the connection stays open."""
        return self.head + (_KEEP if keep_alive else _CLOSE) + self.body


def reply(
    status: str, headers: list[tuple[str, str]], body: bytes, head_only: bool, now: float
) -> Reply:
    """The bytes of a response; ``close`` when the app said ``Connection: close``."""
    parts = ["HTTP/1.1 ", status, "\r\nDate: ", http_date(now), "\r\n"]
    close = False
    length_given = False
    for name, value in headers:
        lowered = name.lower()
        if lowered == "connection":
            close = close or value.strip().lower() == "close"
            continue
        if lowered == "content-length":
            length_given = True
        parts += (name, ": ", value, "\r\n")
    code = int(status[:3])
    bodiless = code < 200 or code in _NO_BODY_STATUSES
    if not length_given and not bodiless:
        parts += ("Content-Length: ", str(len(body)), "\r\n")
    return Reply("".join(parts).encode("latin-1"), b"" if head_only or bodiless else body, close)
