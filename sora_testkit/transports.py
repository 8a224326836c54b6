"""In-process transports: HTTP clients talk to the WSGI app with no socket.

httpx ships ``WSGITransport`` for sync clients only; :func:`async_wsgi_transport` adds the
async side by calling the app in a worker thread. Both work for ``httpx`` and for ``httpx2``
(the fork the official ``openai`` SDK runs on since 3.x), which share this API.
"""

from __future__ import annotations

import functools
import io
import sys
from types import ModuleType
from typing import Any

import anyio.to_thread
import httpx

from mock_server.backend.journal import HEADER_PAIRS_KEY
from mock_server.serving.wsgi import environ_key, run_app
from sora_testkit.runaway import in_process_call


def pep3333_paths(app: Any) -> Any:
    """Wrap a WSGI app so ``PATH_INFO`` is latin-1-decoded bytes, as PEP 3333 wants.

    httpx's ``WSGITransport`` hands the app the unquoted path as text; a path with characters
    past latin-1 (an emoji in an id) then breaks Werkzeug before the app runs, where a real
    server would have answered. This makes in-process requests see what a socket would.
    """

    def wrapped(environ: dict[str, Any], start_response: Any) -> Any:
        path = environ.get("PATH_INFO", "")
        try:
            path.encode("latin-1")
        except UnicodeEncodeError:
            environ["PATH_INFO"] = path.encode("utf-8").decode("latin-1")
        return app(environ, start_response)

    return wrapped


def wsgi_path(path: str) -> str:
    """A request path as PEP 3333 puts it in ``PATH_INFO``: UTF-8 bytes read as latin-1."""
    try:
        path.encode("latin-1")
    except UnicodeEncodeError:
        return path.encode("utf-8").decode("latin-1")
    return path


def environ_headers(raw: list[tuple[bytes, bytes]]) -> list[tuple[str, str]]:
    """A request's headers as environ ``(key, value)`` pairs, in the order sent."""
    return [(environ_key(name), value.decode("latin-1")) for name, value in raw]


@functools.cache
def _sync_transport_type(http: ModuleType) -> type[Any]:
    class InProcessTransport(http.WSGITransport):  # type: ignore[misc,name-defined]
        """``WSGITransport`` with PEP 3333 paths, reading the app's answer in one piece (the
        mock's bodies are in memory already) rather than pulling it through a generator."""

        def handle_request(self, request: Any) -> Any:
            content = request.read()
            url = request.url
            scheme = url.scheme
            environ: dict[str, Any] = {
                "wsgi.version": (1, 0),
                "wsgi.url_scheme": scheme,
                "wsgi.input": io.BytesIO(content),
                "wsgi.errors": self.wsgi_errors or sys.stderr,
                "wsgi.multithread": True,
                "wsgi.multiprocess": False,
                "wsgi.run_once": False,
                "REQUEST_METHOD": request.method,
                "SCRIPT_NAME": self.script_name,
                "PATH_INFO": wsgi_path(url.path),
                "QUERY_STRING": url.query.decode("ascii"),
                "SERVER_NAME": url.host,
                "SERVER_PORT": str(url.port or (443 if scheme == "https" else 80)),
                "SERVER_PROTOCOL": "HTTP/1.1",
                "REMOTE_ADDR": self.remote_addr,
            }
            pairs = environ_headers(request.headers.raw)
            environ.update(pairs)
            if content and "CONTENT_LENGTH" not in environ:
                environ["CONTENT_LENGTH"] = length = str(len(content))
                pairs.append(("CONTENT_LENGTH", length))
            environ[HEADER_PAIRS_KEY] = pairs
            with in_process_call(self.app):
                status, headers, exc_info, body = run_app(self.app, environ)
            if exc_info and exc_info[0] and self.raise_app_exceptions:
                raise exc_info[1]
            return http.Response(
                int(status.split(" ", 1)[0]),
                headers=[(k.encode("latin-1"), v.encode("latin-1")) for k, v in headers],
                # A stream, so the client times and closes the response as it does a socket's.
                stream=http.ByteStream(body),
            )

    InProcessTransport.__module__ = __name__
    InProcessTransport.__qualname__ = "InProcessTransport"
    return InProcessTransport


def wsgi_transport(app: Any, *, http: ModuleType = httpx, **kwargs: Any) -> Any:
    """A sync transport of the ``http`` module (``httpx`` or ``httpx2``) that calls ``app``."""
    return _sync_transport_type(http)(app=app, **kwargs)


@functools.cache
def _async_transport_type(http: ModuleType) -> type[Any]:
    class AsyncWSGITransport(http.AsyncBaseTransport):  # type: ignore[misc,name-defined]
        """An async transport that calls a WSGI app in a worker thread."""

        def __init__(self, app: Any, **kwargs: Any) -> None:
            self._sync = wsgi_transport(app, http=http, **kwargs)

        async def handle_async_request(self, request: Any) -> Any:
            body = await request.aread()
            sync_request = http.Request(
                request.method, request.url, headers=request.headers, content=body
            )
            response = await anyio.to_thread.run_sync(self._sync.handle_request, sync_request)
            content = await anyio.to_thread.run_sync(response.read)
            return http.Response(
                response.status_code,
                headers=response.headers,
                content=content,
                request=request,
                extensions=response.extensions,
            )

    AsyncWSGITransport.__module__ = __name__
    AsyncWSGITransport.__qualname__ = "AsyncWSGITransport"
    return AsyncWSGITransport


def async_wsgi_transport(app: Any, *, http: ModuleType = httpx, **kwargs: Any) -> Any:
    """An async transport of the ``http`` module (``httpx`` or ``httpx2``) that calls ``app``."""
    return _async_transport_type(http)(app, **kwargs)


#: The async WSGI transport for ``httpx.AsyncClient``.
AsyncWSGITransport: type[httpx.AsyncBaseTransport] = _async_transport_type(httpx)
