"""``sora-mock serve --workers N``: the mock in N processes under gunicorn, sharing one database.

The master prepares the database (the clock carries on, the progression comes from the command
line) before any worker starts; each worker then builds its own app with ``join_database``,
so they all see one clock, one set of jobs, one control state and exact limits.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from flask import Flask

from mock_server import serving
from mock_server.app import create_app
from mock_server.dialects import registry
from mock_server.settings import Settings
from mock_server.state import MockState

#: Threads per worker process: slow faults and long uploads must not hold up other requests.
THREADS_PER_WORKER = 8


def prepare_database(settings: Settings) -> None:
    """Publish the starting clock and progression to the database, then let go of it."""
    state = MockState(settings.replace(background_worker=False), registry.JOB_KINDS)
    state.close()


def _gunicorn_base() -> type[Any]:
    try:
        from gunicorn.app.base import BaseApplication
    except ImportError as exc:  # gunicorn does not run on Windows
        raise RuntimeError("--workers needs gunicorn, which runs on Unix only") from exc
    return BaseApplication


def run(
    overrides: Mapping[str, Any],
    *,
    bind: str,
    workers: int,
    on_ready: Callable[[int], None],
    read_timeout: float,
) -> None:
    """Serve under gunicorn until it is told to stop; ``on_ready`` gets the bound port."""
    base = _gunicorn_base()

    def when_ready(server: Any) -> None:
        on_ready(int(server.LISTENERS[0].sock.getsockname()[1]))

    serving.gunicorn_json_errors()
    options: dict[str, Any] = {
        "bind": [bind],
        "workers": workers,
        "worker_class": serving.gunicorn_worker_class(read_timeout),
        "threads": THREADS_PER_WORKER,
        "loglevel": "warning",
        "accesslog": None,
        "when_ready": when_ready,
        "control_socket_disable": True,
        "proc_name": "sora-mock",
    }

    class MockApplication(base):  # type: ignore[misc, valid-type]
        """The mock as a gunicorn application; each worker builds its own app."""

        def load_config(self) -> None:
            for key, value in options.items():
                if key in self.cfg.settings:
                    self.cfg.set(key, value)

        def load(self) -> Flask:
            return create_app(dict(overrides), join_database=True)

    MockApplication().run()
