"""The mock's WSGI app on granian's RSGI interface: the one piece of serving the project writes.

granian (hyper underneath) parses HTTP, keeps connections alive and writes answers. Its WSGI
interface would hand the app a body that streams in on a thread, so a client that drips its
body would hold a thread for as long as it likes. Here the body is read on the event loop,
before any thread is involved, and must keep up a minimum rate: it is due in full
:attr:`~Adapter.read_timeout` seconds plus its length at
:data:`~mock_server.catalog.MIN_BODY_BYTES_PER_SECOND`. A body that misses that is handed to
the app short, and the app answers its 408 in the dialect's envelope and closes the
connection. A dripping client costs a coroutine and the bytes it sent.

The app then runs on the loop when it answers at once, or on a thread when it may wait (a
media file, the control API, a slow fault, a body past
:data:`~mock_server.catalog.INLINE_BODY_BYTES`).
"""

from __future__ import annotations

import asyncio
import io
import logging
import sys
import tempfile
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from mock_server import catalog
from mock_server.backend.journal import HEADER_PAIRS_KEY
from mock_server.serving.refusals import error_body, head_refusal
from mock_server.serving.wsgi import CONTENT_KEYS, WSGIApp, environ_key, run_app
from mock_server.web import request_log

#: Threads for the requests that may wait; one is started only when needed.
THREADS = 32
#: A body up to this size stays in memory while it arrives; a longer one goes to a file.
SPOOL_BYTES = 1024 * 1024

log = logging.getLogger("sora_mock.server")


class Adapter:
    """An RSGI application serving a WSGI app (granian calls ``__rsgi__`` a request)."""

    def __init__(
        self,
        app: WSGIApp,
        *,
        may_wait: Callable[[dict[str, Any]], bool],
        read_timeout: float,
        largest_body: int,
        on_close: Callable[[], None] = lambda: None,
        on_start: Callable[[Any], None] = lambda loop: None,
        multiprocess: bool = False,
    ) -> None:
        self.app = app
        self.may_wait = may_wait
        self.read_timeout = read_timeout
        self.largest_body = largest_body
        self.on_close = on_close
        self.on_start = on_start
        self.executor = ThreadPoolExecutor(THREADS, thread_name_prefix="sora-mock")
        self.base_environ: dict[str, Any] = {
            "wsgi.version": (1, 0),
            "wsgi.errors": sys.stderr,
            "wsgi.multithread": True,
            "wsgi.multiprocess": multiprocess,
            "wsgi.run_once": False,
            "SCRIPT_NAME": "",
        }

    def __rsgi_init__(self, loop: asyncio.AbstractEventLoop) -> None:
        """granian's start of a worker, just before its loop runs."""
        self.on_start(loop)

    def __rsgi_del__(self, loop: asyncio.AbstractEventLoop) -> None:
        """granian's end of a worker: the threads and the app's stores are let go."""
        self.executor.shutdown(wait=True, cancel_futures=True)
        self.on_close()

    def environ(self, scope: Any) -> tuple[dict[str, Any], tuple[int, str] | None]:
        """The WSGI environ of a request's head, and the refusal of a head past a limit (one
        pass over the headers for both)."""
        environ = dict(self.base_environ)
        environ["wsgi.url_scheme"] = scope.scheme
        environ["REQUEST_METHOD"] = scope.method
        environ["PATH_INFO"] = scope.path.encode("utf-8", "surrogateescape").decode("latin-1")
        environ["QUERY_STRING"] = scope.query_string
        environ["SERVER_PROTOCOL"] = "HTTP/" + scope.http_version
        environ["SERVER_NAME"], _, environ["SERVER_PORT"] = scope.server.rpartition(":")
        environ["REMOTE_ADDR"], _, environ["REMOTE_PORT"] = scope.client.rpartition(":")
        pairs: list[tuple[str, str]] = []
        longest, hosts, codings = 0, 0, []
        for name, value in scope.headers.items():  # names come lower-cased
            size = len(name) + len(value)
            if size > longest:
                longest = size
            if name == "host":
                hosts += 1
            elif name == "transfer-encoding":
                codings.append(value)
            if "_" in name:
                continue  # ``X_Key`` would pass for ``X-Key``: dropped, as gunicorn drops it
            key = environ_key(name)
            pairs.append((key, value))
            if key in CONTENT_KEYS or key not in environ:
                environ[key] = value
            else:
                environ[key] = f"{environ[key]},{value}"
        environ[HEADER_PAIRS_KEY] = pairs  # the journal's headers, as sent
        refusal = head_refusal(
            scope, longest_field=longest + 2, hosts=hosts, coding=",".join(codings)
        )
        return environ, refusal

    async def read_body(self, protocol: Any, environ: dict[str, Any]) -> bool:
        """Read the body onto ``wsgi.input``, at the minimum rate; whether it all arrived."""
        declared = environ.get("CONTENT_LENGTH", "")
        chunked = "chunked" in environ.get("HTTP_TRANSFER_ENCODING", "").lower()
        if not chunked and declared in ("", "0"):
            environ["wsgi.input"] = io.BytesIO()
            return True
        length = int(declared) if declared.isascii() and declared.isdigit() else None
        if length is not None and length > self.largest_body:
            environ["wsgi.input"] = io.BytesIO()  # the app refuses it on its length, unread
            return False
        loop = asyncio.get_running_loop()
        started = loop.time()
        if not chunked and length is not None and length <= catalog.INLINE_BODY_BYTES:
            # A short body in one read, due by its length at the minimum rate.
            due = started + self.read_timeout + length / catalog.MIN_BODY_BYTES_PER_SECOND
            try:
                async with asyncio.timeout_at(due):
                    body = await protocol()
            except (TimeoutError, OSError, RuntimeError):  # too slow, or the client left
                environ["wsgi.input"] = _CutOff(io.BytesIO())
                return False
            environ["wsgi.input"] = io.BytesIO(body)
            return True
        spool = tempfile.SpooledTemporaryFile(SPOOL_BYTES)  # noqa: SIM115 (closed after the app)
        received, arrived = 0, True
        chunks = protocol.__aiter__()
        while received <= self.largest_body:
            due = started + self.read_timeout + received / catalog.MIN_BODY_BYTES_PER_SECOND
            try:
                async with asyncio.timeout_at(due):
                    chunk = await chunks.__anext__()
            except StopAsyncIteration:
                break
            except (TimeoutError, OSError, RuntimeError):  # too slow, or the client left
                arrived = False
                break
            spool.write(chunk)
            received += len(chunk)
        spool.seek(0)
        environ["wsgi.input"] = spool if arrived else _CutOff(spool)
        environ["wsgi.input_terminated"] = chunked
        return arrived

    async def __rsgi__(self, scope: Any, protocol: Any) -> None:
        if scope.proto != "http":
            return
        environ, refusal = self.environ(scope)
        if refusal is not None:
            status_code, message = refusal
            address, method, path = environ["REMOTE_ADDR"], scope.method, scope.path[:200]
            request_log.write(f"{address} {method} {path} {status_code} 0.0ms server: {message}")
            headers = [("Content-Type", "application/json"), ("Connection", "close")]
            protocol.response_bytes(status_code, headers, error_body(status_code, message))
            return
        complete = await self.read_body(protocol, environ)
        try:
            if self.may_wait(environ) or _long(environ):
                loop = asyncio.get_running_loop()
                answer = await loop.run_in_executor(self.executor, run_app, self.app, environ)
            else:
                answer = run_app(self.app, environ)
            status, headers, body = answer[0], answer[1], answer[3]
        except Exception:
            log.exception("the app failed on %s %s", scope.method, scope.path)
            status, body = "500 Internal Server Error", error_body(500, "The server failed.")
            headers = [("Content-Type", "application/json")]
        finally:
            environ["wsgi.input"].close()
        if not complete and not any(name.lower() == "connection" for name, _ in headers):
            headers = [*headers, ("Connection", "close")]  # the rest of the body is not read
        protocol.response_bytes(int(status[:3]), headers, body)


class _CutOff:
    """What arrived of a body that was cut off: a read past it raises ``TimeoutError``, as a
    socket read that timed out would (the app answers its 408)."""

    def __init__(self, spool: Any) -> None:
        self._spool = spool

    def read(self, size: int | None = -1) -> bytes:
        data: bytes = self._spool.read(-1 if size is None else size)
        if size is None or size < 0 or len(data) < size:
            raise TimeoutError("the body stopped arriving")
        return data

    def readline(self, size: int | None = -1) -> bytes:
        data: bytes = self._spool.readline(-1 if size is None else size)
        if not data.endswith(b"\n") and len(data) != size:
            raise TimeoutError("the body stopped arriving")
        return data

    def readinto(self, buffer: Any) -> int:
        count: int = self._spool.readinto(buffer) or 0
        if count < len(buffer):
            raise TimeoutError("the body stopped arriving")
        return count

    def close(self) -> None:
        self._spool.close()


def _long(environ: dict[str, Any]) -> bool:
    """Whether the request's body is long enough to be parsed on a thread."""
    length = environ.get("CONTENT_LENGTH", "")
    return length.isascii() and length.isdigit() and int(length) > catalog.INLINE_BODY_BYTES
