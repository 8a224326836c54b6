"""In-process transports: HTTP clients talk to the WSGI app with no socket.

httpx ships ``WSGITransport`` for sync clients only; :func:`async_wsgi_transport` adds the
async side by calling the app in a worker thread. Both work for ``httpx`` and for ``httpx2``
(the fork the official ``openai`` SDK runs on since 3.x), which share this API.
"""

from __future__ import annotations

import functools
from types import ModuleType
from typing import Any

import anyio.to_thread
import httpx


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


def wsgi_transport(app: Any, *, http: ModuleType = httpx, **kwargs: Any) -> Any:
    """A sync transport of the ``http`` module (``httpx`` or ``httpx2``) that calls ``app``."""
    return http.WSGITransport(app=pep3333_paths(app), **kwargs)


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
