"""Calling a WSGI app and reading its whole response, as a server or a transport does."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


def _no_write(data: bytes) -> None:
    raise RuntimeError("write() is not supported: return the body from the app")


def run_app(app: WSGIApp, environ: dict[str, Any]) -> tuple[str, list[tuple[str, str]], Any, bytes]:
    """The app's status, headers, ``exc_info`` (when it gave one) and whole body."""
    started: list[Any] = []

    def start_response(status: str, headers: Any, exc_info: Any = None) -> Callable[[bytes], None]:
        started[:] = [status, headers, exc_info]
        return _no_write

    result = app(environ, start_response)
    try:
        body = b"".join(result)
    finally:
        close = getattr(result, "close", None)
        if close is not None:
            close()
    status, headers, exc_info = started
    return status, headers, exc_info, body
