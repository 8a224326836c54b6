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


@functools.cache
def _async_transport_type(http: ModuleType) -> type[Any]:
    class AsyncWSGITransport(http.AsyncBaseTransport):  # type: ignore[misc,name-defined]
        """An async transport that calls a WSGI app in a worker thread."""

        def __init__(self, app: Any, **kwargs: Any) -> None:
            self._sync = http.WSGITransport(app=app, **kwargs)

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
