"""A receiver for the mock's webhooks and generateTask callbacks, for tests of handlers.

It records every delivery with its headers and body, answers from a script (fail twice, then
200), and checks OpenAI webhooks with the official SDK's own ``client.webhooks.unwrap``. In
process, deliveries reach it without a socket; on loopback (for clients served by a live
server, or another process) it is a real HTTP server.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import urlsplit

from mock_server.state import MockState

#: Where an in-process receiver says it listens: loopback (so deliveries to it are allowed),
#: on the discard port, so that nothing real ever answers if a delivery got past it.
IN_PROCESS_ORIGIN = "http://127.0.0.1:9"
WEBHOOK_PATH = "/sora-receiver/webhooks"
CALLBACK_PATH = "/sora-receiver/callbacks"

Sender = Callable[[str, bytes, dict[str, str], float], int]


@dataclass(frozen=True)
class Delivery:
    """One POST the receiver got."""

    path: str
    headers: dict[str, str]
    body: bytes
    #: The status it answered.
    status: int

    def json(self) -> Any:
        """The body as JSON."""
        return json.loads(self.body)


class Receiver:
    """Records deliveries and answers them from a script; see the module's docstring."""

    def __init__(self) -> None:
        self.received: list[Delivery] = []
        self._script: list[int] = []
        self._lock = threading.Condition()
        self.origin = IN_PROCESS_ORIGIN
        self._server: ThreadingHTTPServer | None = None
        self._attached: list[tuple[MockState, Sender, tuple[str, ...]]] = []
        #: The secret the attached mock signs webhooks with.
        self.secret: str | None = None

    # --- where it listens --------------------------------------------------------------------

    @property
    def webhook_url(self) -> str:
        """The URL the mock's webhooks go to once attached."""
        return self.origin + WEBHOOK_PATH

    @property
    def callback_url(self) -> str:
        """The ``callback_url`` to hand a generateTask client."""
        return self.origin + CALLBACK_PATH

    def serve(self) -> Receiver:
        """Listen on a real loopback port (for deliveries from another process or server)."""
        if self._server is None:
            receiver = self

            class Handler(BaseHTTPRequestHandler):
                def do_POST(self) -> None:
                    length = int(self.headers.get("Content-Length") or 0)
                    body = self.rfile.read(length)
                    status = receiver.take(self.path, dict(self.headers), body)
                    self.send_response(status)
                    self.send_header("Content-Length", "0")
                    self.end_headers()

                def log_message(self, *_args: Any) -> None:
                    pass

            self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
            self.origin = f"http://127.0.0.1:{self._server.server_address[1]}"
            threading.Thread(
                target=self._server.serve_forever, kwargs={"poll_interval": 0.01}, daemon=True
            ).start()
        return self

    def attach(self, state: MockState) -> Receiver:
        """Point the mock's webhooks here and, in process, hand deliveries to this receiver
        without a socket (those to other URLs still go out)."""
        original: Sender = state.outbox.sender
        in_process = self._server is None

        def send(url: str, body: bytes, headers: dict[str, str], timeout: float) -> int:
            if in_process and url.startswith(self.origin + "/"):
                return self.take(urlsplit(url).path, dict(headers), body)
            return original(url, body, headers, timeout)

        self._attached.append((state, original, state.webhooks.urls))
        self.secret = state.webhooks.secret
        state.outbox.sender = send
        state.webhooks.urls = (self.webhook_url,)
        return self

    def close(self) -> None:
        """Detach from every mock and stop listening."""
        for state, original, urls in self._attached:
            state.outbox.sender = original
            state.webhooks.urls = urls
        self._attached.clear()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    # --- what it answers and records ---------------------------------------------------------

    def answer(self, *statuses: int) -> None:
        """Answer the next deliveries with these statuses, in order (then 200)."""
        with self._lock:
            self._script.extend(statuses)

    def take(self, path: str, headers: dict[str, str], body: bytes) -> int:
        """Record one delivery and return the status to answer it with."""
        with self._lock:
            status = self._script.pop(0) if self._script else 200
            lowered = {name.lower(): value for name, value in headers.items()}
            self.received.append(Delivery(path, lowered, body, status))
            self._lock.notify_all()
            return status

    def webhooks(self) -> list[Delivery]:
        """Every webhook delivery, each attempt."""
        return [d for d in self.received if d.path == WEBHOOK_PATH]

    def callbacks(self) -> list[Delivery]:
        """Every callback delivery, each attempt."""
        return [d for d in self.received if d.path == CALLBACK_PATH]

    def wait_for(self, count: int, timeout: float = 5.0) -> bool:
        """Block until ``count`` deliveries have arrived; ``False`` if not by ``timeout``."""
        with self._lock:
            return self._lock.wait_for(lambda: len(self.received) >= count, timeout)

    def verified_webhooks(self, secret: str | None = None) -> list[Any]:
        """Each webhook delivery checked and parsed by the official SDK's
        ``client.webhooks.unwrap`` with ``secret`` (by default the attached mock's): the
        events, in order (raises on a bad signature, as a handler would)."""
        import openai

        secret = secret or self.secret

        client = openai.OpenAI(api_key="sk-receiver", base_url="http://127.0.0.1:9/v1")
        return [
            client.webhooks.unwrap(delivery.body.decode(), delivery.headers, secret=secret)
            for delivery in self.webhooks()
        ]

    def __enter__(self) -> Receiver:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
