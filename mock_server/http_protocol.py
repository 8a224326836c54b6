"""HTTP/1.1 on an asyncio event loop, parsed by llhttp (``httptools``), for a WSGI app.

A request the app answers at once (no body past :data:`INLINE_BODY_BYTES`, and nothing that
may wait: see :class:`Site`) runs on the loop itself, as soon as it has arrived: no thread is
woken and nothing is handed over, so the server's own share of a request is small. A request
that may wait (a slow fault, a media file to render, a control call, a large or chunked
upload) runs on a worker thread and reads its body as it arrives.

The server answers itself, in JSON and closing the connection, what never reaches the app: a
request line or headers past their limits (414, 431), an HTTP version other than 1.0 and 1.1
(505), bytes that are not HTTP (400). A request that stops arriving is timed out: the app
answers a body that stopped with its own 408; a connection silent in the middle of a request
line or headers is closed. An idle keep-alive connection is closed after
:data:`~mock_server.catalog.KEEPALIVE_SECONDS`.
"""

from __future__ import annotations

import asyncio
import contextlib
import io
import logging
import re
import sys
import time
from collections import deque
from collections.abc import Callable
from concurrent.futures import Executor
from dataclasses import dataclass, field
from email.utils import formatdate
from typing import Any
from urllib.parse import unquote_to_bytes

import httptools

from mock_server import catalog, serving
from mock_server.streamed_body import StreamedBody
from mock_server.wsgi_run import WSGIApp, run_app

#: A body up to this size is read whole before the app runs; a longer one is read as the app
#: asks for it (an app may refuse it on its length without reading it).
INLINE_BODY_BYTES = catalog.UNREAD_BODY_DRAIN_BYTES
#: Bytes a request line and its headers may take together (the limits allow this much).
HEAD_BYTES_LIMIT = catalog.REQUEST_LINE_LIMIT + catalog.HEADER_FIELDS_LIMIT * (
    catalog.HEADER_FIELD_SIZE_LIMIT + 2
)
#: Requests a client may send ahead of their answers (pipelining) before reading pauses.
PIPELINE_DEPTH = 16

log = logging.getLogger("sora_mock.server")

_VERSION = re.compile(rb"HTTP/(\d+)\.(\d+)\r?\n")
_NOT_HTTP = "The request is not HTTP/1.1: {reason}. Send METHOD PATH HTTP/1.1, then the headers."
_TLS = "This port speaks plain HTTP, not TLS: use an http:// URL."
_NO_BODY_STATUSES = (204, 304)


@dataclass
class Site:
    """What every connection of one server shares."""

    app: WSGIApp
    #: Whether a request (its environ, before the body) may wait: it then runs on a thread.
    may_wait: Callable[[dict[str, Any]], bool]
    executor: Executor
    read_timeout: float
    keepalive: float = catalog.KEEPALIVE_SECONDS
    multiprocess: bool = False
    connections: set[Connection] = field(default_factory=set)
    stopping: bool = False

    def sweep(self, now: float) -> None:
        """Time out silent requests and idle connections."""
        for connection in list(self.connections):
            connection.check_time(now)


_date_cache: list[Any] = [0, ""]


def http_date(now: float) -> str:
    """The ``Date`` header's value, written once a second."""
    second = int(now)
    if _date_cache[0] != second:
        _date_cache[:] = [second, formatdate(second, usegmt=True)]
    return str(_date_cache[1])


class Exchange:
    """One request and, once the app has run, its answer."""

    __slots__ = (
        "arrived",
        "body",
        "environ",
        "expects_continue",
        "keep_alive",
        "started",
        "stream",
        "threaded",
    )

    def __init__(self) -> None:
        self.environ: dict[str, Any] = {}
        self.body: list[bytes] = []
        self.stream: StreamedBody | None = None
        self.arrived = False
        self.keep_alive = True
        self.threaded = False
        self.started = False
        self.expects_continue = False


class Refusal(Exception):
    """A request the server answers itself: status, reason and message."""

    def __init__(self, status: int, reason: str, message: str) -> None:
        super().__init__(message)
        self.status, self.reason, self.message = status, reason, message


class Connection(asyncio.Protocol):
    """One client connection: requests parsed in order, answered in order."""

    def __init__(self, site: Site, loop: asyncio.AbstractEventLoop) -> None:
        self.site = site
        self.loop = loop
        self.transport: asyncio.Transport | None = None
        self.parser = httptools.HttpRequestParser(self)
        self.queue: deque[Exchange] = deque()
        self.receiving: Exchange | None = None
        self.running: Exchange | None = None
        self.head_bytes = 0
        self.url = b""
        self.header_count = 0
        self.headers: list[tuple[bytes, bytes]] = []
        self.last_heard = loop.time()
        self.closing = False
        self.paused = False
        self.base_environ: dict[str, Any] = {}

    # asyncio's side.

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport
        self.site.connections.add(self)
        server = transport.get_extra_info("sockname") or ("", 0)
        peer = transport.get_extra_info("peername") or ("", 0)
        self.base_environ = {
            "SCRIPT_NAME": "",
            "SERVER_NAME": str(server[0]),
            "SERVER_PORT": str(server[1]),
            "REMOTE_ADDR": str(peer[0]),
            "REMOTE_PORT": str(peer[1]),
            "wsgi.version": (1, 0),
            "wsgi.url_scheme": "http",
            "wsgi.errors": sys.stderr,
            "wsgi.multithread": True,
            "wsgi.multiprocess": self.site.multiprocess,
            "wsgi.run_once": False,
        }

    def connection_lost(self, exc: Exception | None) -> None:
        self.site.connections.discard(self)
        self.closing = True
        self.release_readers()

    def release_readers(self) -> None:
        """A thread still waiting for a body that will not come stops waiting."""
        for exchange in self.queue:
            if exchange.stream is not None:
                exchange.stream.fail(ConnectionResetError("the connection ended"))

    def abort(self) -> None:
        """End the connection now (the worker is leaving)."""
        self.closing = True
        self.release_readers()
        if self.transport is not None:
            self.transport.abort()

    def data_received(self, data: bytes) -> None:
        self.last_heard = self.loop.time()
        if self.closing:
            return
        if self.receiving is None or not self.receiving.environ:
            self.head_bytes += len(data)
        try:
            if self.head_bytes > HEAD_BYTES_LIMIT:
                raise Refusal(431, "Request Header Fields Too Large", serving.LIMIT_MESSAGES[431])
            self.parser.feed_data(data)
        except Refusal as refusal:
            self.refuse(refusal)
        except httptools.HttpParserCallbackError as error:
            cause = error.__context__
            if not isinstance(cause, Refusal):
                raise
            self.refuse(cause)
        except httptools.HttpParserUpgrade:
            # An upgrade (h2c, websocket) is not taken: the request is answered over HTTP/1.1,
            # then the connection ends.
            self.closing_after_answers()
        except httptools.HttpParserError as error:
            self.refuse(self.not_http(data, error))
        except Exception:  # a fault of the server's own: logged, and the connection ends
            log.exception("the server failed reading a request")
            self.close()

    def not_http(self, data: bytes, error: Exception) -> Refusal:
        """The refusal for bytes llhttp could not parse."""
        reason = str(error) or type(error).__name__
        if data.startswith(b"\x16\x03") and not self.queue:
            return Refusal(400, "Bad Request", _TLS)
        if "version" in reason.lower():
            found = _VERSION.search(data)
            version = (int(found[1]), int(found[2])) if found else None
            return Refusal(*serving.version_refusal(version))
        if "Expected HTTP/" in reason:
            return Refusal(*serving.version_refusal(None))
        return Refusal(400, "Bad Request", _NOT_HTTP.format(reason=reason.rstrip(".")))

    # llhttp's side.

    def on_message_begin(self) -> None:
        self.receiving = Exchange()
        self.url = b""
        self.header_count = 0
        self.headers = []

    def on_url(self, url: bytes) -> None:
        self.url += url
        if len(self.url) + 14 > catalog.REQUEST_LINE_LIMIT:
            raise Refusal(414, "Request-URI Too Long", serving.LIMIT_MESSAGES[414])

    def on_header(self, name: bytes, value: bytes) -> None:
        self.header_count += 1
        if (
            self.header_count > catalog.HEADER_FIELDS_LIMIT
            or len(name) + len(value) + 2 > catalog.HEADER_FIELD_SIZE_LIMIT
        ):
            raise Refusal(431, "Request Header Fields Too Large", serving.LIMIT_MESSAGES[431])
        self.headers.append((name, value))

    def on_headers_complete(self) -> None:
        exchange = self.receiving
        assert exchange is not None
        version = self.parser.get_http_version()
        if version not in ("1.1", "1.0"):
            major, _, minor = version.partition(".")
            raise Refusal(*serving.version_refusal((int(major or 0), int(minor or 0))))
        self.head_bytes = 0
        environ = exchange.environ = self.environ(version)
        exchange.keep_alive = self.parser.should_keep_alive()
        length = environ.get("CONTENT_LENGTH")
        chunked = "chunked" in environ.get("HTTP_TRANSFER_ENCODING", "").lower()
        long_body = chunked or (
            length is not None and length.isdigit() and int(length) > INLINE_BODY_BYTES
        )
        exchange.expects_continue = environ.get("HTTP_EXPECT", "").lower() == "100-continue"
        if long_body or self.site.may_wait(environ):
            exchange.threaded = True
            exchange.stream = StreamedBody(self.pressure, self.continuer(exchange))
            environ["wsgi.input"] = exchange.stream
            if chunked:
                environ["wsgi.input_terminated"] = True
        elif exchange.expects_continue and length not in (None, "0"):
            self.write(b"HTTP/1.1 100 Continue\r\n\r\n")
        self.queue.append(exchange)
        if len(self.queue) > PIPELINE_DEPTH and self.transport is not None:
            self.transport.pause_reading()
            self.paused = True
        self.next()

    def on_body(self, chunk: bytes) -> None:
        exchange = self.receiving
        if exchange is None:
            return
        if exchange.stream is not None:
            exchange.stream.feed(chunk)
        else:
            exchange.body.append(chunk)

    def on_message_complete(self) -> None:
        exchange = self.receiving
        self.receiving = None
        self.head_bytes = 0
        if exchange is None:
            return
        exchange.arrived = True
        if exchange.stream is not None:
            exchange.stream.finish()
        self.next()

    # Building the request.

    def environ(self, version: str) -> dict[str, Any]:
        """The WSGI environ of the request whose head just arrived."""
        url = httptools.parse_url(self.url)
        environ = dict(self.base_environ)
        environ["REQUEST_METHOD"] = self.parser.get_method().decode("latin-1")
        path = url.path or b"/"
        environ["PATH_INFO"] = (unquote_to_bytes(path) if b"%" in path else path).decode("latin-1")
        environ["QUERY_STRING"] = (url.query or b"").decode("latin-1")
        environ["RAW_URI"] = self.url.decode("latin-1")
        environ["SERVER_PROTOCOL"] = "HTTP/" + version
        for raw_name, raw_value in self.headers:
            if b"_" in raw_name:
                continue  # ``X_Key`` would pass for ``X-Key``: dropped, as gunicorn drops it
            name = raw_name.decode("latin-1").upper().replace("-", "_")
            value = raw_value.decode("latin-1")
            if name == "CONTENT_TYPE" or name == "CONTENT_LENGTH":
                environ[name] = value
                continue
            key = "HTTP_" + name
            environ[key] = f"{environ[key]},{value}" if key in environ else value
        return environ

    # Answering, in order.

    def next(self) -> None:
        """Run the first request in line, if it is ready and nothing else runs."""
        while self.running is None and self.queue and not self.closing:
            exchange = self.queue[0]
            if exchange.threaded:
                self.running = exchange
                exchange.started = True
                self.site.executor.submit(self.run_threaded, exchange)
                return
            if not exchange.arrived:
                return
            self.running = exchange
            exchange.started = True
            if exchange.stream is None:
                exchange.environ["wsgi.input"] = io.BytesIO(b"".join(exchange.body))
            self.answered(exchange, self.call_app(exchange.environ))

    def call_app(self, environ: dict[str, Any]) -> Reply:
        """Run the app: its whole response."""
        try:
            status, headers, _, body = run_app(self.site.app, environ)
        except Exception:
            method, path = environ.get("REQUEST_METHOD"), environ.get("PATH_INFO")
            log.exception("the app failed on %s %s", method, path)
            body = serving.error_body(500, "The server failed to answer this request.")
            status, headers = "500 Internal Server Error", [("Content-Type", "application/json")]
        return reply(status, headers, body, environ.get("REQUEST_METHOD") == "HEAD")

    def run_threaded(self, exchange: Exchange) -> None:
        """Run the app on a worker thread, then answer on the loop."""
        answer = self.call_app(exchange.environ)
        with contextlib.suppress(RuntimeError):  # a closed loop: the worker is gone
            self.loop.call_soon_threadsafe(self.answered, exchange, answer)

    def answered(self, exchange: Exchange, answer: Reply) -> None:
        """Write an answer and move on to the next request."""
        keep = exchange.keep_alive and not answer.close and not self.site.stopping
        if keep and exchange.threaded and not exchange.arrived:
            keep = False  # the app left part of a long body unread
        self.write(answer.head + (_KEEP if keep else _CLOSE) + answer.body)
        self.last_heard = self.loop.time()  # the keep-alive time counts from the answer
        if self.queue and self.queue[0] is exchange:
            self.queue.popleft()
        self.running = None
        if not keep:
            self.close()
            return
        if self.paused and len(self.queue) <= PIPELINE_DEPTH // 2 and self.transport is not None:
            self.paused = False
            self.transport.resume_reading()
        self.next()

    # The connection.

    def write(self, data: bytes) -> None:
        if self.transport is not None and not self.transport.is_closing():
            self.transport.write(data)

    def close(self) -> None:
        """End the connection once what was written has gone out."""
        self.closing = True
        if self.transport is not None:
            self.transport.close()

    def refuse(self, refusal: Refusal) -> None:
        """Answer a request the app never sees, and close."""
        if self.running is None:
            self.write(serving.error_response(refusal.status, refusal.reason, refusal.message))
            self.close()
        else:  # answer what runs, then end: the bytes after it are not HTTP
            self.closing_after_answers()

    def closing_after_answers(self) -> None:
        """Answer the requests already read, take no more."""
        if self.transport is not None:
            self.transport.pause_reading()
        for exchange in self.queue:
            exchange.keep_alive = False
        if not self.queue:
            self.close()

    def pressure(self, pressed: bool) -> None:
        """Stop or restart reading the socket (from a reader's thread)."""

        def apply() -> None:
            if self.transport is None or self.transport.is_closing():
                return
            if pressed:
                self.transport.pause_reading()
            else:
                self.transport.resume_reading()

        self.loop.call_soon_threadsafe(apply)

    def continuer(self, exchange: Exchange) -> Callable[[], None] | None:
        """Send ``100 Continue`` when the app starts reading a body the client holds back."""
        if not exchange.expects_continue:
            return None

        def go_on() -> None:
            self.loop.call_soon_threadsafe(self.write, b"HTTP/1.1 100 Continue\r\n\r\n")

        return go_on

    def check_time(self, now: float) -> None:
        """Close a connection idle past keep-alive; time out a request that stopped arriving."""
        if self.closing:
            return
        silent = now - self.last_heard
        exchange = self.receiving
        if exchange is None:
            if not self.queue and (self.site.stopping or silent > self.site.keepalive):
                self.close()
            return
        if silent <= self.site.read_timeout:
            return
        if not exchange.environ:  # in the request line or the headers: nothing to answer
            self.close()
            return
        # A body stopped arriving: the app answers it (its own 408), then the connection ends.
        self.receiving = None
        exchange.keep_alive = False
        if self.transport is not None:
            self.transport.pause_reading()
        if exchange.stream is None:
            exchange.stream = StreamedBody()
            for chunk in exchange.body:
                exchange.stream.feed(chunk)
            exchange.environ["wsgi.input"] = exchange.stream
            exchange.arrived = True
        exchange.stream.fail(TimeoutError("the request body stopped arriving"))
        self.next()


@dataclass
class Reply:
    """A response ready to write: its head without the ``Connection`` line, and its body."""

    head: bytes
    body: bytes
    close: bool


_KEEP = b"Connection: keep-alive\r\n\r\n"
_CLOSE = b"Connection: close\r\n\r\n"


def reply(status: str, headers: list[tuple[str, str]], body: bytes, head_only: bool) -> Reply:
    """The bytes of a response; ``close`` when the app said ``Connection: close``."""
    parts = ["HTTP/1.1 ", status, "\r\nDate: ", http_date(time.time()), "\r\n"]
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
