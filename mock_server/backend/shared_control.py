"""The clock and the progression, shared through the database by every process that opens it.

Each process keeps its own :class:`~mock_server.backend.clock.MockClock` (read on every
request, so it must be cheap) and takes up the shared record whenever its version moves on:
:meth:`SharedControl.sync` runs at the start of each request and each background round.
Every change to the clock or the progression publishes a new version.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from mock_server.backend.clock import MockClock
from mock_server.backend.database import SqliteDatabase
from mock_server.backend.service import VideoService

CONTROL_KEY = "control"
#: Where an earlier version kept only the clock.
LEGACY_CLOCK_KEY = "clock"


class SharedControl:
    """Publishes this process's clock and progression, and takes up other processes' changes."""

    def __init__(
        self,
        database: SqliteDatabase,
        clock: MockClock,
        service: VideoService,
        *,
        on_change: Callable[[], None],
        on_reset: Callable[[], None],
    ) -> None:
        self.database = database
        self.clock = clock
        self.service = service
        self._on_change = on_change
        self._on_reset = on_reset
        self._lock = threading.Lock()
        self._version = -1
        self._epoch = 0

    def start(self, *, join: bool) -> None:
        """Take up what the file holds.

        Joining (a worker beside others) takes the shared clock and progression as they are.
        Otherwise the clock carries on from where the file left it, the progression comes from
        this server's settings, and the result is published.
        """
        record = self.database.get_meta(CONTROL_KEY)
        if join and record is not None:
            self._apply(record)
            return
        snapshot = record["clock"] if record else self.database.get_meta(LEGACY_CLOCK_KEY)
        if snapshot is not None:
            self.clock.restore(snapshot)
        if record is not None:
            self._epoch = int(record["epoch"])
        self.publish()

    def record(self) -> dict[str, Any]:
        """What this process would publish."""
        return {
            "clock": self.clock.snapshot(),
            "progression": self.service.progression.name,
            "speed": self.service.settings.speed,
        }

    def publish(self, *, reset: bool = False) -> None:
        """Make this process's clock and progression the shared ones."""
        with self.database.transaction():
            current = self.database.get_meta(CONTROL_KEY) or {"version": 0, "epoch": 0}
            version = int(current["version"]) + 1
            epoch = int(current["epoch"]) + (1 if reset else 0)
            self.database.set_meta(
                CONTROL_KEY, {"version": version, "epoch": epoch, **self.record()}
            )
        with self._lock:
            self._version, self._epoch = version, epoch

    def sync(self) -> None:
        """Take up another process's change, if there was one since the last look."""
        record = self.database.get_meta(CONTROL_KEY)
        if record is not None and record["version"] > self._version:
            self._apply(record)

    def _apply(self, record: dict[str, Any]) -> None:
        with self._lock:
            if record["version"] <= self._version:
                return  # another thread of this process already took up something newer
            self.clock.restore(record["clock"])
            self.service.adopt_progression(record["progression"], record["speed"])
            self._version = int(record["version"])
            was_reset = int(record["epoch"]) != self._epoch
            self._epoch = int(record["epoch"])
        if was_reset:
            self._on_reset()
        self._on_change()

    @contextmanager
    def changing(self) -> Iterator[None]:
        """Hold the file while this process changes the shared state, starting from the latest."""
        with self.database.transaction():
            self.sync()
            yield
