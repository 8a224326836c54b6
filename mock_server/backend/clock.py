"""A clock the user controls, so that no test waits for a job."""

from __future__ import annotations

import threading
from collections.abc import Callable

from mock_server.backend.real_time import real_time


class MockClock:
    """Unix time as the mock sees it: the wall clock (or a set start) plus every advance.

    A frozen clock moves only when :meth:`advance` is called; a running one also follows
    the wall clock. Every job timestamp, rate-limit window and expiry reads this clock.
    """

    def __init__(
        self,
        start: float | None = None,
        *,
        frozen: bool = False,
        wall: Callable[[], float] = real_time,
    ) -> None:
        self._wall = wall
        self._lock = threading.Lock()
        self._listeners: list[Callable[[], None]] = []
        self._set(start, frozen)

    def _set(self, start: float | None, frozen: bool) -> None:
        self._anchor_wall = self._wall()
        self._anchor_mock = self._anchor_wall if start is None else float(start)
        self._frozen = frozen

    def now(self) -> float:
        """The current mock time in unix seconds."""
        with self._lock:
            if self._frozen:
                return self._anchor_mock
            return self._anchor_mock + (self._wall() - self._anchor_wall)

    @property
    def frozen(self) -> bool:
        """Whether the clock moves only when advanced."""
        return self._frozen

    def advance(self, seconds: float) -> float:
        """Move the clock forward and return the new time."""
        if seconds < 0:
            raise ValueError("the mock clock only moves forward")
        with self._lock:
            self._anchor_mock += seconds
        self._notify()
        return self.now()

    def freeze(self, frozen: bool) -> None:
        """Stop or restart the clock's own motion, keeping the current time."""
        current = self.now()
        with self._lock:
            self._anchor_wall = self._wall()
            self._anchor_mock = current
            self._frozen = frozen
        self._notify()

    def snapshot(self) -> dict[str, float | bool]:
        """The clock's state, to be restored after a restart."""
        with self._lock:
            return {
                "now": self._anchor_mock
                if self._frozen
                else self._anchor_mock + (self._wall() - self._anchor_wall),
                "wall": self._wall(),
                "frozen": self._frozen,
            }

    def restore(self, snapshot: dict[str, float | bool]) -> None:
        """Take up a snapshot: a frozen clock where it stood; a running one at the same offset
        from the wall clock, so the time it was down counts as time that passed."""
        frozen = bool(snapshot["frozen"])
        with self._lock:
            self._anchor_wall = self._wall()
            if frozen:
                self._anchor_mock = float(snapshot["now"])
            else:
                offset = float(snapshot["now"]) - float(snapshot["wall"])
                self._anchor_mock = self._anchor_wall + offset
            self._frozen = frozen

    def reset(self, start: float | None = None, *, frozen: bool | None = None) -> None:
        """Set the clock back to ``start`` (or the wall clock)."""
        with self._lock:
            self._set(start, self._frozen if frozen is None else frozen)
        self._notify()

    def on_change(self, listener: Callable[[], None]) -> None:
        """Call ``listener`` whenever the clock is advanced or reset."""
        self._listeners.append(listener)

    def _notify(self) -> None:
        for listener in list(self._listeners):
            listener()
