"""What the HTTP servers under the app answer themselves, made to speak JSON and not to hang.

Below the app, a server answers what never reaches it: a request line that is not HTTP, a URL
or headers past their limits, an HTTP version it does not speak. gunicorn (``sora-mock serve``)
and Werkzeug's server (``LiveServer`` in tests, and ``serve`` on Windows) both write HTML pages
for these; here they write the OpenAI-style error envelope instead, and close the connection.
Both also read with a timeout, so a client that stops sending in the middle of a request does
not hold a thread.
"""

from __future__ import annotations

import json
import logging
import signal
from typing import Any

from werkzeug.serving import WSGIRequestHandler

from mock_server import catalog

#: Statuses a server answers before the app runs, and the word for each.
_SERVER_ERROR_TYPES = {505: "server_error", 501: "server_error", 500: "server_error"}


def error_body(status: int, message: str) -> bytes:
    """The JSON a server-level refusal carries: OpenAI's four-key envelope."""
    error_type = _SERVER_ERROR_TYPES.get(status, "invalid_request_error")
    envelope = {"error": {"message": message, "type": error_type, "param": None, "code": None}}
    return json.dumps(envelope).encode()


def error_response(status: int, reason: str, message: str) -> bytes:
    """A whole HTTP/1.1 response for a server-level refusal, closing the connection."""
    body = error_body(status, message)
    head = (
        f"HTTP/1.1 {status} {reason}\r\n"
        "Connection: close\r\n"
        "Content-Type: application/json\r\n"
        f"Content-Length: {len(body)}\r\n\r\n"
    )
    return head.encode("latin-1") + body


class _ReadOnceAfterTimeout:
    """The request stream, which after a read timed out reads as ended (a socket file cannot
    be read again after a timeout, and the server still drains what is left of a body)."""

    def __init__(self, stream: Any) -> None:
        self._stream = stream
        self._timed_out = False

    def _guarded(self, name: str, *args: Any) -> Any:
        if self._timed_out:
            return b"" if name != "readinto" else 0
        try:
            return getattr(self._stream, name)(*args)
        except TimeoutError:
            self._timed_out = True
            raise

    def read(self, *args: Any) -> bytes:
        return self._guarded("read", *args)  # type: ignore[no-any-return]

    def readline(self, *args: Any) -> bytes:
        return self._guarded("readline", *args)  # type: ignore[no-any-return]

    def readinto(self, buffer: Any) -> int:
        return self._guarded("readinto", buffer)  # type: ignore[no-any-return]

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stream, name)


class JsonErrorRequestHandler(WSGIRequestHandler):
    """Werkzeug's request handler with JSON for its own errors and a read timeout."""

    #: Seconds a connection may stay silent while a request is read (``read_timeout``).
    timeout = catalog.DEFAULT_READ_TIMEOUT_SECONDS

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        """Answer in JSON (never Werkzeug's HTML page), then close."""
        try:
            short, long = self.responses.get(code, ("Error", ""))
        except AttributeError:
            short, long = "Error", ""
        text = message or short
        if explain or long:
            text = f"{text}: {explain or long}"
        self.close_connection = True
        self.log_error("code %d, message %s", code, message)
        if self.request_version == "HTTP/0.9":  # the request line was not understood
            self.request_version = "HTTP/1.1"
        self.send_response(code, short)
        body = error_body(code, text)
        self.send_header("Connection", "close")
        if code >= 200 and code not in (204, 304):
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD" and code >= 200 and code not in (204, 304):
            self.wfile.write(body)

    def send_response(self, code: int, message: str | None = None) -> None:
        """Start a response; its ``Connection`` header is not yet sent."""
        self._connection_sent = False
        super().send_response(code, message)

    def send_header(self, keyword: str, value: str) -> None:
        """Send a header, ``Connection`` once only (Werkzeug always adds its own ``close``
        after the app's headers, which may say so already)."""
        if keyword.lower() == "connection":
            if getattr(self, "_connection_sent", False):
                return
            self._connection_sent = True
        super().send_header(keyword, value)

    def setup(self) -> None:
        super().setup()
        self.rfile = _ReadOnceAfterTimeout(self.rfile)  # type: ignore[assignment]

    def handle_one_request(self) -> None:
        """A silent client times out: the connection is closed, the thread freed."""
        try:
            super().handle_one_request()
        except TimeoutError:
            self.close_connection = True

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        """The app logs its own line per request."""


def handler_with_timeout(seconds: float) -> type[JsonErrorRequestHandler]:
    """The handler class with a read timeout of ``seconds``."""
    return type("JsonErrorRequestHandler", (JsonErrorRequestHandler,), {"timeout": seconds})


#: What the server says when a request is past one of its limits, by status.
LIMIT_MESSAGES = {
    414: "The request line (method, URL and version) is longer than "
    f"{catalog.REQUEST_LINE_LIMIT} bytes.",
    431: f"The request headers are too large: at most {catalog.HEADER_FIELDS_LIMIT} header fields "
    f"of at most {catalog.HEADER_FIELD_SIZE_LIMIT} bytes each.",
}


def version_refusal(version: object) -> tuple[int, str, str]:
    """The status, reason and message for a request line whose last part is no HTTP version
    this server speaks: a version it does not know (505), or a path with a space in it (400)."""
    if isinstance(version, tuple) and len(version) == 2:
        major, minor = version
        return (
            505,
            "HTTP Version Not Supported",
            f"HTTP/{major}.{minor} is not supported: send HTTP/1.1 or HTTP/1.0.",
        )
    return (
        400,
        "Bad Request",
        "The request line must be METHOD PATH HTTP/1.1, and a path holds no spaces "
        "(write them as %20).",
    )


def gunicorn_limits() -> dict[str, int]:
    """gunicorn's settings for the limits above."""
    return {
        "limit_request_line": catalog.REQUEST_LINE_LIMIT,
        "limit_request_fields": catalog.HEADER_FIELDS_LIMIT,
        "limit_request_field_size": catalog.HEADER_FIELD_SIZE_LIMIT,
    }


def gunicorn_json_errors() -> None:
    """Make gunicorn, in this process, write its own refusals (bad request line, limits) as
    JSON, and close a connection when the app says ``Connection: close``.

    The app says so when it answered before reading the body (an early refusal): gunicorn
    drops that hop-by-hop header and would read the rest of the body to keep the connection.
    """
    from gunicorn import util
    from gunicorn.http import wsgi

    def write_error(sock: Any, status_int: int, reason: str, mesg: str) -> None:
        message = LIMIT_MESSAGES.get(status_int, mesg)
        util.write_nonblock(sock, error_response(status_int, reason, message))

    util.write_error = write_error
    process_headers = wsgi.Response.process_headers
    if getattr(process_headers, "honours_close", False):
        return

    def process_headers_closing(self: Any, headers: list[tuple[str, str]]) -> None:
        process_headers(self, headers)
        if any(name.lower() == "connection" and value.strip().lower() == "close"
               for name, value in headers):  # fmt: skip
            self.force_close()

    process_headers_closing.honours_close = True  # type: ignore[attr-defined]
    setattr(wsgi.Response, "process_headers", process_headers_closing)  # noqa: B010


def gunicorn_worker_class(read_timeout: float) -> type[Any]:
    """gunicorn's threaded worker with a read timeout on each connection (a client that stops
    sending gets a 408 in JSON and its connection closed) and a graceful SIGINT."""
    from gunicorn import util
    from gunicorn.http.errors import InvalidHTTPVersion
    from gunicorn.workers.gthread import ThreadWorker

    class TimedThreadWorker(ThreadWorker):
        def init_signals(self) -> None:
            super().init_signals()
            # Ctrl+C in a terminal reaches every process: a worker finishes what it is doing
            # (gunicorn's own SIGINT drops the requests under way).
            signal.signal(signal.SIGINT, self.handle_exit)

        def handle(self, conn: Any) -> Any:
            # gunicorn makes the socket blocking (no timeout) as it starts each request, in
            # ``init``: the timeout goes on right after.
            if not getattr(conn, "times_out", False):  # once per connection, not per request
                initialise = conn.init

                def init() -> None:
                    initialise()
                    conn.sock.settimeout(read_timeout)

                conn.init = init
                conn.times_out = True
            return super().handle(conn)

        def handle_error(self, req: Any, client: Any, addr: Any, exc: BaseException) -> None:
            if isinstance(exc, TimeoutError):
                message = "The request stopped arriving: the server timed out reading it."
                util.write_error(client, 408, "Request Timeout", message)
                return
            if isinstance(exc, InvalidHTTPVersion):
                status, reason, message = version_refusal(exc.version)
                self.log.warning("Invalid request from ip=%s: %s", (addr or ("",))[0], message)
                util.write_error(client, status, reason, message)
                return
            super().handle_error(req, client, addr, exc)

    logging.getLogger("gunicorn.error").addFilter(_quiet_timeouts)
    return TimedThreadWorker


def _quiet_timeouts(record: logging.LogRecord) -> bool:
    """A connection closed for its silence is expected: one line, not a traceback."""
    error = record.exc_info[1] if record.exc_info else None
    if isinstance(error, TimeoutError):
        record.msg, record.args, record.exc_info = "connection silent too long: closed", (), None
        record.levelno, record.levelname = logging.WARNING, "WARNING"
    return True
