"""Werkzeug's threaded server for a mock inside a test process (``sora_testkit.live``), made
to speak JSON and not to hang.

Below the app, the server answers what never reaches it: a request line that is not HTTP, an
HTTP version it does not speak. Werkzeug writes HTML pages for these; here they are the
OpenAI-style error envelope, and the connection closes. It reads with a timeout, so a client
that stops sending in the middle of a request does not hold a thread.
"""

from __future__ import annotations

from typing import Any

from werkzeug.serving import WSGIRequestHandler

from mock_server import catalog
from mock_server.serving.refusals import error_body


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
