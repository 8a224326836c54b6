"""``sora-mock serve`` under gunicorn: one worker process by default, N with ``--workers N``.

gunicorn's threaded worker speaks HTTP/1.1 with keep-alive, reads with a timeout and stops
gracefully. With one worker and no ``--db`` the worker keeps everything in memory. With a
database, the master prepares it (the clock carries on, the progression comes from the
command line) before any worker starts; each worker then builds its own app with
``join_database``, so they all see one clock, one set of jobs, one control state and exact
limits.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Mapping
from typing import Any

from flask import Flask

from mock_server import catalog, serving
from mock_server.app import create_app, state_of
from mock_server.dialects import registry
from mock_server.settings import Settings
from mock_server.state import MockState

#: Threads per worker process: slow faults and long uploads must not hold up other requests.
THREADS_PER_WORKER = 8

#: Why ``--workers`` cannot run here.
UNAVAILABLE = "--workers needs gunicorn, which runs on Unix only"


def available() -> bool:
    """Whether gunicorn runs here (it does not on Windows)."""
    try:
        import gunicorn.app.base  # noqa: F401
    except ImportError:
        return False
    return True


def prepare_database(settings: Settings) -> None:
    """Publish the starting clock and progression to the database, then let go of it."""
    state = MockState(settings.replace(background_worker=False), registry.JOB_KINDS)
    state.close()


def _gunicorn_base() -> type[Any]:
    try:
        from gunicorn.app.base import BaseApplication
    except ImportError as exc:  # gunicorn does not run on Windows
        raise RuntimeError(UNAVAILABLE) from exc
    return BaseApplication


def _graceful_arbiter() -> type[Any]:
    """gunicorn's master with SIGINT as graceful as SIGTERM (its own SIGINT drops requests)."""
    from gunicorn.arbiter import Arbiter

    class GracefulArbiter(Arbiter):
        def handle_int(self) -> None:
            self.handle_term()

    return GracefulArbiter


def worker_class(read_timeout: float) -> type[Any]:
    """The event-loop worker; gunicorn's threaded one where llhttp's binding is missing."""
    if event_worker_available():
        from mock_server import event_worker

        return event_worker.worker_class(read_timeout)
    return serving.gunicorn_worker_class(read_timeout)


def event_worker_available() -> bool:
    """Whether the event-loop worker can run (llhttp's Python binding is installed)."""
    try:
        import httptools  # noqa: F401
    except ImportError:
        return False
    return True


def _close_state(_server: Any, worker: Any) -> None:
    """A worker leaving stops its app's background work and closes its stores."""
    app = getattr(worker, "wsgi", None)
    if isinstance(app, Flask):
        state_of(app).close()


def run(
    overrides: Mapping[str, Any],
    *,
    bind: str,
    workers: int,
    on_ready: Callable[[int], None],
    read_timeout: float,
    join_database: bool,
) -> None:
    """Serve under gunicorn until told to stop; ``on_ready`` gets the bound port."""
    base = _gunicorn_base()
    arbiter = _graceful_arbiter()

    def when_ready(server: Any) -> None:
        on_ready(int(server.LISTENERS[0].sock.getsockname()[1]))

    serving.gunicorn_json_errors()
    options: dict[str, Any] = {
        "bind": [bind],
        "workers": workers,
        "worker_class": worker_class(read_timeout),
        "threads": THREADS_PER_WORKER,
        "keepalive": catalog.KEEPALIVE_SECONDS,
        "graceful_timeout": catalog.GRACEFUL_STOP_SECONDS,
        "loglevel": "warning",
        "accesslog": None,
        "when_ready": when_ready,
        "worker_exit": _close_state,
        "control_socket_disable": True,
        "proc_name": "sora-mock",
        **serving.gunicorn_limits(),
    }

    class MockApplication(base):  # type: ignore[misc, valid-type]
        """The mock as a gunicorn application; each worker builds its own app."""

        def load_config(self) -> None:
            for key, value in options.items():
                if key in self.cfg.settings:
                    self.cfg.set(key, value)

        def load(self) -> Flask:
            return create_app(dict(overrides), join_database=join_database)

        def run(self) -> None:
            try:
                arbiter(self).run()
            except RuntimeError as exc:
                print(f"sora-mock: {exc}", file=sys.stderr, flush=True)
                sys.exit(1)

    MockApplication().run()
