"""HTTP/1.1 on an asyncio event loop, parsed by llhttp (``httptools``), for a WSGI app.

A request the app answers at once (no body past :data:`INLINE_BODY_BYTES`, and nothing that
may wait: see :class:`Site`) runs on the loop itself, as soon as it has arrived: no thread is
woken and nothing is handed over, so the server's own share of a request is small. A request
that may wait (a slow fault, a media file to render, a control call, a large or chunked
upload) runs on a worker thread and reads its body as it arrives.

The server answers itself, in JSON and closing the connection, what never reaches the app: a
request line or headers past their limits (414, 431), an HTTP version other than 1.0 and 1.1
(505), a transfer coding other than chunked (501), bytes that are not HTTP (400). A request
that stops arriving is timed out: the app answers a body that stopped with its own 408; a
request line and headers not complete within the read timeout end the connection. An idle
keep-alive connection is closed after :data:`~mock_server.catalog.KEEPALIVE_SECONDS`.

One connection cannot take the server for itself: it is read no further while its answers
wait for the client to read them, or while many of its requests wait for theirs, and the loop
turns to other connections after :data:`BURST` answers in a row.
"""

from __future__ import annotations

import asyncio
import contextlib
import io
import logging
import sys
import time
from collections import deque
from collections.abc import Callable
from concurrent.futures import Executor
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote_to_bytes

import httptools

from mock_server import catalog, serving
from mock_server.http_messages import (
    Exchange,
    Refusal,
    Reply,
    limit_refusal,
    not_http,
    reply,
    target_refusal,
    transfer_refusal,
    version_refusal,
)
from mock_server.streamed_body import StreamedBody
from mock_server.wsgi_run import CONTENT_KEYS, WSGIApp, environ_key, run_app

#: A body up to this size is read whole before the app runs; a longer one is read as the app
#: asks for it (an app may refuse it on its length without reading it).
INLINE_BODY_BYTES = catalog.UNREAD_BODY_DRAIN_BYTES
#: Bytes a request line and its headers may take together (the limits allow this much).
HEAD_BYTES_LIMIT = catalog.REQUEST_LINE_LIMIT + catalog.HEADER_FIELDS_LIMIT * (
    catalog.HEADER_FIELD_SIZE_LIMIT + 2
)
#: Requests a client may send ahead of their answers (pipelining) before reading pauses.
PIPELINE_DEPTH = 16
#: Answers one connection gets in a row before the loop turns to the others.
BURST = 32

log = logging.getLogger("sora_mock.server")
#: The app's one line a request; the server writes its own refusals there too.
requests_log = logging.getLogger("sora_mock.requests")


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
        self.ended_input = False  # the client half-closed, or what follows is not HTTP
        self.refusal_after: Refusal | None = None
        self.write_paused = False
        self.reading_paused = False
        self.burst = 0
        self.yielding = False
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
        self.end_bodies()

    def eof_received(self) -> bool:
        """The client will send no more (a half-close): what it sent is still answered."""
        self.ended_input = True
        exchange = self.receiving
        if exchange is not None:
            self.receiving = None
            if exchange.environ:  # a body cut short: the app answers what came
                exchange.streamed().finish()
                exchange.arrived = True
                exchange.keep_alive = False
                if exchange not in self.queue:
                    self.queue.append(exchange)
        if not self.queue:
            self.close()
            return False
        self.next()
        return True  # keep the connection open to write the answers

    def pause_writing(self) -> None:
        """The client is not reading its answers: stop answering (and reading) until it does."""
        self.write_paused = True
        self.update_reading()

    def resume_writing(self) -> None:
        self.write_paused = False
        self.update_reading()
        self.next()

    def data_received(self, data: bytes) -> None:
        self.last_heard = self.loop.time()
        if self.closing or self.ended_input:
            return
        if self.receiving is None or not self.receiving.environ:
            self.head_bytes += len(data)
        try:
            if self.head_bytes > HEAD_BYTES_LIMIT:
                raise limit_refusal(431)
            self.parser.feed_data(data)
        except Refusal as refusal:
            self.refuse(refusal)
        except httptools.HttpParserCallbackError as error:
            cause = error.__context__
            if isinstance(cause, Refusal):
                self.refuse(cause)
            else:
                log.error("the server failed reading a request", exc_info=cause)
                self.close()
        except httptools.HttpParserUpgrade:
            # An upgrade (h2c, websocket) is not taken: the request is answered over HTTP/1.1,
            # then the connection ends.
            self.end_input()
        except httptools.HttpParserError as error:
            first = not self.queue and self.running is None
            self.refuse(not_http(data, str(error) or type(error).__name__, first))

    # llhttp's side.

    def on_message_begin(self) -> None:
        self.receiving = Exchange(self.loop.time())
        self.url = b""
        self.header_count = 0
        self.headers = []

    def on_url(self, url: bytes) -> None:
        self.url += url
        line = len(self.parser.get_method()) + 1 + len(self.url) + len(" HTTP/1.1")
        if line > catalog.REQUEST_LINE_LIMIT:  # the request line, as gunicorn counts it
            raise limit_refusal(414)

    def on_header(self, name: bytes, value: bytes) -> None:
        self.header_count += 1
        if (
            self.header_count > catalog.HEADER_FIELDS_LIMIT
            or len(name) + len(value) + 2 > catalog.HEADER_FIELD_SIZE_LIMIT
        ):
            raise limit_refusal(431)
        self.headers.append((name, value))

    def on_headers_complete(self) -> None:
        exchange = self.receiving
        assert exchange is not None
        version = self.parser.get_http_version()
        if version not in ("1.1", "1.0"):
            major, _, minor = version.partition(".")
            raise version_refusal((int(major or 0), int(minor or 0)))
        self.head_bytes = 0
        environ = exchange.environ = self.environ(version)
        exchange.keep_alive = self.parser.should_keep_alive()
        coding = environ.get("HTTP_TRANSFER_ENCODING")
        if coding is not None and coding.strip().lower() != "chunked":
            raise transfer_refusal(coding)
        length = environ.get("CONTENT_LENGTH")
        long_body = coding is not None or (
            length is not None and length.isdigit() and int(length) > INLINE_BODY_BYTES
        )
        exchange.expects_continue = environ.get("HTTP_EXPECT", "").lower() == "100-continue"
        if long_body or self.site.may_wait(environ):
            exchange.threaded = True
            exchange.stream = StreamedBody(self.body_changed, self.continuer(exchange))
            environ["wsgi.input"] = exchange.stream
            if coding is not None:
                environ["wsgi.input_terminated"] = True
        elif exchange.expects_continue and length not in (None, "0"):
            self.write(b"HTTP/1.1 100 Continue\r\n\r\n")
        self.queue.append(exchange)
        if len(self.queue) > PIPELINE_DEPTH:
            self.update_reading()
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
        try:
            url = httptools.parse_url(self.url)
        except httptools.HttpParserInvalidURLError:
            raise target_refusal(self.url) from None
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
            key = environ_key(raw_name)
            value = raw_value.decode("latin-1")
            if key in CONTENT_KEYS:
                environ[key] = value
                continue
            environ[key] = f"{environ[key]},{value}" if key in environ else value
        return environ

    # Answering, in order.

    def next(self) -> None:
        """Run the first request in line, if it is ready and nothing else runs."""
        while self.running is None and self.queue and not self.closing:
            if self.write_paused or self.yielding:
                return
            exchange = self.queue[0]
            if exchange.threaded:
                self.running = exchange
                self.site.executor.submit(self.run_threaded, exchange)
                return
            if not exchange.arrived:
                return
            self.burst += 1
            if self.burst > BURST:  # the other connections' turn
                self.burst = 0
                self.yielding = True
                self.loop.call_soon(self.resume_turn)
                return
            self.running = exchange
            if exchange.stream is None:
                exchange.environ["wsgi.input"] = io.BytesIO(b"".join(exchange.body))
            self.answered(exchange, self.call_app(exchange.environ))

    def resume_turn(self) -> None:
        self.yielding = False
        self.next()

    def call_app(self, environ: dict[str, Any]) -> Reply:
        """Run the app: its whole response."""
        try:
            status, headers, _, body = run_app(self.site.app, environ)
        except Exception:
            method, path = environ.get("REQUEST_METHOD"), environ.get("PATH_INFO")
            log.exception("the app failed on %s %s", method, path)
            body = serving.error_body(500, "The server failed to answer this request.")
            status, headers = "500 Internal Server Error", [("Content-Type", "application/json")]
        return reply(status, headers, body, environ.get("REQUEST_METHOD") == "HEAD", time.time())

    def run_threaded(self, exchange: Exchange) -> None:
        """Run the app on a worker thread, then answer on the loop."""
        answer = self.call_app(exchange.environ)
        with contextlib.suppress(RuntimeError):  # a closed loop: the worker is gone
            self.loop.call_soon_threadsafe(self.answered, exchange, answer)

    def answered(self, exchange: Exchange, answer: Reply) -> None:
        """Write an answer and move on to the next request."""
        if self.queue and self.queue[0] is exchange:
            self.queue.popleft()
        self.running = None
        keep = exchange.keep_alive and not answer.close and not self.site.stopping
        if exchange.threaded and not exchange.arrived:
            keep = False  # the app left part of a long body unread
        last = not keep or (self.ended_input and not self.queue)
        self.write(answer.bytes(keep_alive=not last))
        self.last_heard = self.loop.time()  # the keep-alive time counts from the answer
        if last:
            if self.refusal_after is not None:
                self.write(self.refusal_after.response())
            self.close()
            return
        self.update_reading()
        self.next()

    # The connection.

    def write(self, data: bytes) -> None:
        if self.transport is not None and not self.transport.is_closing():
            self.transport.write(data)

    def close(self) -> None:
        """End the connection once what was written has gone out."""
        self.closing = True
        self.end_bodies()
        if self.transport is not None:
            self.transport.close()

    def abort(self) -> None:
        """End the connection now (the worker is leaving)."""
        self.closing = True
        self.end_bodies()
        if self.transport is not None:
            self.transport.abort()

    def end_bodies(self) -> None:
        """A thread still waiting for a body that will not come gets what arrived."""
        for exchange in self.queue:
            if exchange.stream is not None:
                exchange.stream.finish()

    def refuse(self, refusal: Refusal) -> None:
        """Answer a request the app never sees (logged as the app logs its own), and close."""
        requests_log.info(
            "%s - - %d 0.0ms server: %s",
            self.base_environ.get("REMOTE_ADDR") or "-",
            refusal.status,
            refusal.reason,
        )
        running = self.running
        if running is None or not running.arrived:
            # Nothing answered yet, or the request running is the one that broke (a malformed
            # chunk): the refusal goes out now, the app's answer will not.
            self.write(refusal.response())
            self.close()
            return
        self.refusal_after = refusal  # sent after the answers to what came before
        self.end_input()

    def end_input(self) -> None:
        """Answer the requests already read, take no more."""
        self.ended_input = True
        self.receiving = None
        self.update_reading()
        if not self.queue and self.running is None:
            if self.refusal_after is not None:
                self.write(self.refusal_after.response())
            self.close()

    def update_reading(self) -> None:
        """Read the socket unless something says wait: answers the client has not read,
        requests waiting for theirs, a body its reader is behind on, or an end of input."""
        if self.transport is None or self.transport.is_closing():
            return
        receiving = self.receiving
        pause = (
            self.write_paused
            or self.ended_input
            or len(self.queue) > PIPELINE_DEPTH
            or (receiving is not None and receiving.stream is not None
                and receiving.stream.wants_pause)
        )  # fmt: skip
        if pause != self.reading_paused:
            self.reading_paused = pause
            if pause:
                self.transport.pause_reading()
            else:
                self.transport.resume_reading()

    def body_changed(self) -> None:
        """A streamed body's reader caught up or fell behind (from either thread)."""
        self.loop.call_soon_threadsafe(self.update_reading)

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
        exchange = self.receiving
        if exchange is None:
            idle = not self.queue and self.running is None
            if idle and (self.site.stopping or now - self.last_heard > self.site.keepalive):
                self.close()
            return
        if not exchange.environ:
            # The request line and headers come in one go: past the read timeout (however
            # slowly they drip), the connection ends.
            if now - exchange.began > self.site.read_timeout:
                self.close()
            return
        if now - self.last_heard <= self.site.read_timeout:
            return
        # A body stopped arriving: the app answers it (its own 408), then the connection ends.
        self.receiving = None
        exchange.keep_alive = False
        self.ended_input = True
        self.update_reading()
        exchange.streamed().fail(TimeoutError("the request body stopped arriving"))
        exchange.arrived = True
        self.next()
