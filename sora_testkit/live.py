"""A real HTTP server on loopback in a background thread, for black-box clients."""

from __future__ import annotations

import threading
from types import TracebackType
from typing import Any

from werkzeug.serving import BaseWSGIServer, make_server

from mock_server.app import state_of
from mock_server.serving.werkzeug_handler import JsonErrorRequestHandler, handler_with_timeout


def _handler_for(app: Any) -> type[JsonErrorRequestHandler]:
    """The mock's own request handler (JSON errors), with the app's read timeout if it has one."""
    try:
        return handler_with_timeout(state_of(app).settings.read_timeout)
    except (KeyError, AttributeError, AssertionError):
        return JsonErrorRequestHandler


class LiveServer:
    """Serve a WSGI app on ``127.0.0.1`` on an ephemeral port until stopped.

    Use as a context manager, or call :meth:`start` and :meth:`stop`.
    """

    def __init__(self, app: Any, host: str = "127.0.0.1", port: int = 0) -> None:
        self.app = app
        self._server: BaseWSGIServer = make_server(
            host, port, app, threaded=True, request_handler=_handler_for(app)
        )
        self.host = host
        self.port = self._server.port
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.05},
            name="sora-mock-live",
            daemon=True,
        )

    @property
    def url(self) -> str:
        """The server's origin, such as ``http://127.0.0.1:54321``."""
        return f"http://{self.host}:{self.port}"

    @property
    def openai_base_url(self) -> str:
        """The ``base_url`` for ``openai.OpenAI``."""
        return f"{self.url}/v1"

    @property
    def azure_base_url(self) -> str:
        """The ``base_url`` for ``openai.OpenAI`` on Azure's v1 API (``AzureOpenAI`` takes
        ``azure_endpoint=server.url``)."""
        return f"{self.url}/openai/v1"

    def start(self) -> LiveServer:
        """Start serving in a daemon thread."""
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and release the port."""
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    def __enter__(self) -> LiveServer:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()
