"""The gunicorn worker ``sora-mock serve`` runs: an asyncio event loop speaking HTTP/1.1
through llhttp (:mod:`mock_server.http_protocol`), with a few threads for requests that may
wait.

gunicorn's master still does what it does well (the listening socket, ``--workers``, the
signals, restarting a worker that died); the worker's own share of a request is what the
threaded worker spent on its pure-Python parser and on handing each request to a thread and
back.
"""

from __future__ import annotations

import asyncio
import os
import signal
import socket
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from flask import Flask
from gunicorn.workers.base import Worker

from mock_server import catalog
from mock_server.http_protocol import Connection, Site
from mock_server.web.pipeline import core_of

#: Threads for the requests that may wait (slow faults, media, uploads, the control API); a
#: thread waiting for a slow client's body costs little, and one is started only when needed.
THREADS = 32
#: Seconds between the worker's rounds: the heartbeat, the timeouts, a signal to stop.
ROUND_SECONDS = 0.2


def waits_of(app: Any) -> Callable[[dict[str, Any]], bool]:
    """Which requests of ``app`` may wait; an app that is not the mock never does."""
    if isinstance(app, Flask):
        return core_of(app).may_wait
    return lambda environ: False


class EventLoopWorker(Worker):
    """One event loop a process; the app runs on it, or on a thread when it may wait."""

    #: Seconds a request may stay silent while it arrives (``--read-timeout``).
    read_timeout: float = catalog.DEFAULT_READ_TIMEOUT_SECONDS

    def init_signals(self) -> None:
        super().init_signals()
        # Ctrl+C reaches every process: a worker finishes what it is doing, as on SIGTERM.
        signal.signal(signal.SIGINT, self.handle_exit)

    def listening_sockets(self) -> list[socket.socket]:
        """The sockets gunicorn's master listens on (its wrappers hold them as ``sock``)."""
        return [getattr(wrapper, "sock", wrapper) for wrapper in self.sockets]

    def run(self) -> None:
        asyncio.run(self.serve())

    async def serve(self) -> None:
        """Serve on gunicorn's sockets until told to stop, then finish what is under way."""
        loop = asyncio.get_running_loop()
        site = Site(
            app=self.wsgi,
            may_wait=waits_of(self.wsgi),
            executor=ThreadPoolExecutor(THREADS, thread_name_prefix="sora-mock"),
            read_timeout=self.read_timeout,
            keepalive=float(self.cfg.keepalive),
            multiprocess=int(self.cfg.workers) > 1,
        )
        servers = [
            await loop.create_server(
                lambda: Connection(site, loop), sock=listening, backlog=self.cfg.backlog
            )
            for listening in self.listening_sockets()
        ]
        parent = self.ppid
        while self.alive and os.getppid() == parent:
            self.notify()
            site.sweep(loop.time())
            await asyncio.sleep(ROUND_SECONDS)
        site.stopping = True
        for server in servers:
            server.close()
        deadline = loop.time() + float(self.cfg.graceful_timeout)
        while site.connections and loop.time() < deadline:
            self.notify()
            site.sweep(loop.time())
            await asyncio.sleep(ROUND_SECONDS / 4)
        for connection in list(site.connections):
            connection.abort()
        site.executor.shutdown(wait=False, cancel_futures=True)


def worker_class(read_timeout: float) -> type[EventLoopWorker]:
    """The worker with a read timeout of ``read_timeout`` seconds."""
    return type("EventLoopWorker", (EventLoopWorker,), {"read_timeout": read_timeout})
