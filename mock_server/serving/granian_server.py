"""``sora-mock serve`` on granian: one worker process by default, N with ``--workers N``.

granian's master binds the listening socket and starts the workers, each of which builds its
own app (``build_adapter``) from the settings the command line gave. With one worker and no
``--db`` the worker keeps everything in memory. With a database, the master prepares it (the
clock carries on, the progression comes from the command line) before any worker starts;
each worker then joins it, so they all see one clock, one set of jobs, one control state and
exact limits.

Two things differ from granian's defaults. The master binds one socket that the workers
inherit (granian's own way off Linux; on Linux it lets each worker bind the port again), so
``--port 0`` names one port, known before any worker starts, and a connection made before a
worker accepts waits in the backlog. And SIGHUP does not restart the workers: that would
drop every job of an in-memory server.
"""

from __future__ import annotations

import json
import logging
import os
import socket
import sys
from collections.abc import Callable, Mapping
from typing import Any

from flask import Flask

from mock_server import catalog
from mock_server.app import create_app, state_of
from mock_server.dialects import registry
from mock_server.serving.early_stop import early_stop
from mock_server.serving.rsgi import Adapter
from mock_server.settings import Settings
from mock_server.state import MockState
from mock_server.web import request_log
from mock_server.web.pipeline import core_of
from mock_server.wire.bodies import max_body_bytes

#: The environment variable that carries the command line's settings to each worker.
SETTINGS_VARIABLE = "SORA_MOCK_SERVE_SETTINGS"

log = logging.getLogger("sora_mock.server")


def prepare_database(settings: Settings) -> None:
    """Publish the starting clock and progression to the database, then let go of it."""
    state = MockState(settings.replace(background_worker=False), registry.JOB_KINDS)
    state.close()


def largest_body(app: Flask) -> int:
    """The longest body any route of ``app`` reads: a longer one is refused on its length."""
    settings = state_of(app).settings
    longest = max(settings.max_reference_bytes, catalog.CHARACTER_VIDEO_MAX_BYTES)
    return max_body_bytes(longest)


def build_adapter() -> Adapter:
    """A worker's app, from the settings the master put in :data:`SETTINGS_VARIABLE`."""
    given = json.loads(os.environ[SETTINGS_VARIABLE])
    from mock_server.cli import configure_logging

    configure_logging(quiet=given["quiet"])
    if not given["quiet"]:
        request_log.write_to(sys.stdout)  # the worker's request lines, written straight
    app = create_app(given["overrides"], join_database=given["join_database"])
    state = state_of(app)
    return Adapter(
        app.wsgi_app,
        may_wait=core_of(app).may_wait,
        read_timeout=state.settings.read_timeout,
        largest_body=largest_body(app),
        on_close=state.close,
        on_start=early_stop.hold,
        multiprocess=given["workers"] > 1,
    )


def event_loop() -> Any:
    """The event loop the workers run: uvloop where it is installed (a dependency off
    Windows), else asyncio's own. uvloop takes about a third off each request's cost in
    the stack (``docs/maintainers/issue-24-serving.md``)."""
    from granian.constants import Loops

    try:
        import uvloop  # noqa: F401
    except ImportError:
        return Loops.asyncio
    return Loops.uvloop


def _server_class() -> type[Any]:
    from granian._granian import ListenerSpec
    from granian.server.mp import MPServer

    class MockServer(MPServer):
        """granian's multi-process server with a socket the workers share, and SIGHUP off."""

        on_listening: Callable[[int], None] = staticmethod(lambda port: None)

        def _init_shared_socket(self) -> None:
            holder = ListenerSpec(self.bind_addr, self.bind_port, self.backlog).build()
            self._ssp, self._sfd = None, holder.get_fd()
            self._shd = holder  # type: ignore[assignment]
            listening = socket.socket(fileno=self._sfd)
            listening.set_inheritable(True)
            listening.listen(self.backlog)  # connections wait in the backlog for a worker
            self._sso = listening
            self.on_listening(int(listening.getsockname()[1]))

        def signal_handler_interrupt(self, *args: Any, **kwargs: Any) -> None:
            if os.getpid() != self.pid:  # a worker still building its app
                early_stop.note()
                return
            early_stop.mark()
            super().signal_handler_interrupt(*args, **kwargs)  # type: ignore[no-untyped-call]

        def signal_handler_reload(self, *args: Any, **kwargs: Any) -> None:
            print("sora-mock: SIGHUP ignored (a restart would lose the jobs)", file=sys.stderr)

    return MockServer


def run(
    overrides: Mapping[str, Any],
    *,
    host: str,
    port: int,
    workers: int,
    on_ready: Callable[[int], None],
    read_timeout: float,
    join_database: bool,
    quiet: bool,
) -> None:
    """Serve until told to stop; ``on_ready`` gets the bound port once it listens."""
    from granian.constants import HTTPModes, Interfaces
    from granian.http import HTTP1Settings
    from granian.log import LogLevels

    os.environ[SETTINGS_VARIABLE] = json.dumps(
        {
            "overrides": dict(overrides),
            "join_database": join_database,
            "workers": workers,
            "quiet": quiet,
        }
    )
    early_stop.share()
    server_class = _server_class()
    server_class.on_listening = staticmethod(on_ready)
    server = server_class(
        f"{__name__}:build_adapter",
        address=host.strip("[]"),
        port=port,
        interface=Interfaces.RSGI,
        loop=event_loop(),
        workers=workers,
        factory=True,
        http=HTTPModes.http1,
        websockets=False,
        http1_settings=HTTP1Settings(header_read_timeout=int(read_timeout * 1000)),
        log_level=LogLevels.warning,
        workers_kill_timeout=int(catalog.GRACEFUL_STOP_SECONDS),
    )
    server.serve()
