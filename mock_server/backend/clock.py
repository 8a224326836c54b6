"""A clock the user controls, so that no test waits for a job."""

from __future__ import annotations

import threading
from collections.abc import Callable

from mock_server.backend.real_time import real_time_ns

NANOS = 1_000_000_000


def to_nanos(seconds: float) -> int:
    """Seconds as whole nanoseconds, rounded to the nearest (``0.1`` is exactly 100,000,000)."""
    return round(seconds * NANOS)


class MockClock:
    """Unix time as the mock sees it: the wall clock (or a set start) plus every advance.

    A frozen clock moves only when :meth:`advance` is called; a running one also follows
    the wall clock. Every job timestamp, rate-limit window and expiry reads this clock.
    Time is kept in whole nanoseconds, so advances add up exactly (twelve of 5 s are 60 s).

    A hold (:meth:`hold`, what the client clock takes while the code under test runs on this
    clock) stops the clock's own motion whatever the progression asks; the clock then moves
    by advances alone, until the last hold is released.
    """

    def __init__(
        self,
        start: float | None = None,
        *,
        frozen: bool = False,
        wall: Callable[[], float] | None = None,
    ) -> None:
        self._wall_ns: Callable[[], int] = (
            real_time_ns if wall is None else (lambda: to_nanos(wall()))
        )
        self._lock = threading.Lock()
        self._listeners: list[Callable[[], None]] = []
        self._holds = 0
        self._set(start, frozen)

    def _set(self, start: float | None, frozen: bool) -> None:
        self._anchor_wall = self._wall_ns()
        self._anchor_mock = self._anchor_wall if start is None else to_nanos(start)
        self._frozen = frozen

    def _still(self) -> bool:
        return self._frozen or self._holds > 0

    def _now_ns(self) -> int:
        if self._still():
            return self._anchor_mock
        return self._anchor_mock + (self._wall_ns() - self._anchor_wall)

    def now_ns(self) -> int:
        """The current mock time in unix nanoseconds."""
        with self._lock:
            return self._now_ns()

    def now(self) -> float:
        """The current mock time in unix seconds."""
        return self.now_ns() / NANOS

    @property
    def frozen(self) -> bool:
        """Whether the clock moves only when advanced (frozen, or held)."""
        return self._still()

    def advance(self, seconds: float) -> float:
        """Move the clock forward and return the new time."""
        if seconds < 0:
            raise ValueError("the mock clock only moves forward")
        self.advance_ns(to_nanos(seconds))
        return self.now()

    def advance_ns(self, nanoseconds: int) -> int:
        """Move the clock forward by whole nanoseconds and return the new time in them."""
        if nanoseconds < 0:
            raise ValueError("the mock clock only moves forward")
        with self._lock:
            self._anchor_mock += nanoseconds
        self._notify()
        return self.now_ns()

    def freeze(self, frozen: bool) -> None:
        """Stop or restart the clock's own motion, keeping the current time (a hold still
        keeps it still until released)."""
        with self._lock:
            self._rebase()
            self._frozen = frozen
        self._notify()

    def hold(self) -> None:
        """Stop the clock's own motion until :meth:`release`; advances still move it."""
        with self._lock:
            self._rebase()
            self._holds += 1
        self._notify()

    def release(self) -> None:
        """Give up one hold; the last one lets a running clock follow the wall again, from
        where it stands."""
        with self._lock:
            self._rebase()
            self._holds = max(0, self._holds - 1)
        self._notify()

    def _rebase(self) -> None:
        """Anchor the clock at the current instant (its motion may change next)."""
        current = self._now_ns()
        self._anchor_wall = self._wall_ns()
        self._anchor_mock = current

    def snapshot(self) -> dict[str, float | bool]:
        """The clock's state, to be restored after a restart (in seconds, and exactly in
        nanoseconds)."""
        with self._lock:
            now, wall = self._now_ns(), self._wall_ns()
            return {
                "now": now / NANOS,
                "wall": wall / NANOS,
                "now_ns": now,
                "wall_ns": wall,
                "frozen": self._frozen,
            }

    def restore(self, snapshot: dict[str, float | bool]) -> None:
        """Take up a snapshot: a frozen clock where it stood; a running one at the same offset
        from the wall clock, so the time it was down counts as time that passed."""
        frozen = bool(snapshot["frozen"])
        now, wall = (
            (int(snapshot["now_ns"]), int(snapshot["wall_ns"]))
            if "now_ns" in snapshot  # an older file kept seconds only
            else (to_nanos(float(snapshot["now"])), to_nanos(float(snapshot["wall"])))
        )
        with self._lock:
            self._anchor_wall = self._wall_ns()
            if frozen or self._holds:
                self._anchor_mock = now
            else:
                self._anchor_mock = self._anchor_wall + (now - wall)
            self._frozen = frozen

    def reset(self, start: float | None = None, *, frozen: bool | None = None) -> None:
        """Set the clock back to ``start`` (or the wall clock)."""
        with self._lock:
            self._set(start, self._frozen if frozen is None else frozen)
        self._notify()

    def on_change(self, listener: Callable[[], None]) -> None:
        """Call ``listener`` whenever the clock is advanced, reset, frozen or held."""
        self._listeners.append(listener)

    def off_change(self, listener: Callable[[], None]) -> None:
        """Stop calling ``listener``."""
        if listener in self._listeners:
            self._listeners.remove(listener)

    def _notify(self) -> None:
        for listener in list(self._listeners):
            listener()
