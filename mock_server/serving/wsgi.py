"""What a server and the in-process transport share: a header name's environ key, and calling
a WSGI app and reading its whole response."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]

#: The two header keys the environ holds without the ``HTTP_`` prefix.
CONTENT_KEYS = frozenset({"CONTENT_TYPE", "CONTENT_LENGTH"})
#: Header names seen and their environ keys: clients send the same few names again and again
#: (a plain dict: ``lru_cache`` builds a key tuple for each argument).
_ENVIRON_KEYS: dict[str | bytes, str] = {}
_ENVIRON_KEYS_KEPT = 1024


def environ_key(name: str | bytes) -> str:
    """The environ's key for a header name (``x-stainless-os`` is ``HTTP_X_STAINLESS_OS``),
    given as the server has it: ``bytes`` (httpx) or ``str`` (granian)."""
    key = _ENVIRON_KEYS.get(name)
    if key is None:
        if len(_ENVIRON_KEYS) >= _ENVIRON_KEYS_KEPT:
            _ENVIRON_KEYS.clear()
        text = name.decode("latin-1") if isinstance(name, bytes) else name
        upper = text.upper().replace("-", "_")
        key = _ENVIRON_KEYS[name] = upper if upper in CONTENT_KEYS else "HTTP_" + upper
    return key


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
