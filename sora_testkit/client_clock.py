"""The client's own time on the mock clock: its sleeps advance the mock, its clocks read it.

While the switch is on, in every thread of the process, and through every reference to these
functions however it was bound (``time.sleep``, ``from time import sleep``, a default argument
``sleep=time.sleep``, an attribute ``self.clock = time.monotonic``, ``from asyncio import
sleep``):

- ``time.time()``, ``time.time_ns()``, ``datetime.now()``, ``date.today()`` and the rest of the
  wall clock read the mock clock. time-machine does this part, at the C level.
- ``time.sleep(s)``, ``asyncio.sleep(s)`` (and so anyio's sleep, what the official SDK's async
  client awaits) advance the mock clock by ``s`` and return at once; the async one still
  yields to the event loop.
- ``time.monotonic()`` and ``time.monotonic_ns()`` move with the mock clock, exactly: twelve
  sleeps of 5 s move them by 60,000,000,000 ns.

These two parts are this module's (``sora_testkit.redirects``): time-machine leaves them.
``time.perf_counter()`` stays the machine's, for pytest's durations, Hypothesis's deadlines and
profilers.

The mock clock stands still while the switch is on (a hold): it moves by the client's sleeps and
the test's advances alone, whatever the progression, so the client's view and the mock's agree
exactly however busy the machine is. At switch-on the mock clock is rounded up to a whole second
and the client's monotonic clock starts on one, so whole-second waits add up exactly in floating
point too. The mock itself keeps the machine's time (``mock_server.backend.real_time``).
"""

from __future__ import annotations

import asyncio
import collections
import operator
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, Protocol

from mock_server.backend.clock import NANOS
from mock_server.backend.real_time import real_monotonic_ns

#: How many of the latest sleeps :attr:`ClientClock.slept` lists.
SLEEPS_KEPT = 10_000


def _whole_second_after(nanoseconds: int) -> int:
    """``nanoseconds`` rounded up to a whole second."""
    return -(-nanoseconds // NANOS) * NANOS


class Clock(Protocol):
    """What the switch needs of the mock clock."""

    def now(self) -> float: ...

    def now_ns(self) -> int: ...

    def advance(self, seconds: float) -> float: ...

    def advance_ns(self, nanoseconds: int) -> int: ...

    def hold(self) -> None: ...

    def release(self) -> None: ...

    def on_change(self, listener: Callable[[], None]) -> None: ...

    def off_change(self, listener: Callable[[], None]) -> None: ...


def _seconds_of(value: Any) -> float:
    """``value`` as ``time.sleep`` takes it: a float, or an integer (``__index__``)."""
    if isinstance(value, float):
        if value != value:
            raise ValueError("Invalid value NaN (not a number)")
        return value
    return float(operator.index(value))


class ClientClock:
    """The switch: ``start()`` puts the process's time on ``clock``, ``stop()`` gives it back.

    ``on_sleep(seconds, total)`` is called before each sleep advances the clock (the runaway
    guard raises there).
    """

    def __init__(
        self, clock: Clock, *, on_sleep: Callable[[float, float], None] | None = None
    ) -> None:
        self.clock = clock
        self.on_sleep = on_sleep
        self._recent: collections.deque[float] = collections.deque(maxlen=SLEEPS_KEPT)
        #: Mock seconds the code under test slept in all, and how many sleeps that took.
        self.total_slept = 0.0
        self.sleeps = 0
        self._lock = threading.Lock()
        self._redirects: list[Any] = []
        self._travel: Any = None
        self._traveller: Any = None
        self._base_monotonic_ns = 0
        self._base_mock_ns = 0
        self._yield: Callable[[float], Any] = asyncio.sleep
        self._active = False

    @property
    def slept(self) -> list[float]:
        """The code under test's sleeps, in seconds, oldest first (the latest 10,000)."""
        return list(self._recent)

    # --- what the client's code calls ------------------------------------------------------

    def sleep(self, seconds: Any) -> None:
        """``time.sleep``: advance the mock clock instead of waiting."""
        length = _seconds_of(seconds)
        if length < 0:
            raise ValueError("sleep length must be non-negative")
        with self._lock:
            total = self.total_slept + length
            if self.on_sleep is not None:
                self.on_sleep(length, total)
            self.total_slept = total
            self.sleeps += 1
            self._recent.append(seconds)
        if length:
            self.clock.advance(length)

    async def async_sleep(self, delay: float, result: Any = None) -> Any:
        """``asyncio.sleep``: advance the mock clock, then let other tasks run."""
        self.sleep(max(0.0, _seconds_of(delay)))
        await self._yield(0)
        return result

    def monotonic_ns(self) -> int:
        """``time.monotonic_ns``: the machine's at the switch, plus the mock time since."""
        return self._base_monotonic_ns + (self.clock.now_ns() - self._base_mock_ns)

    def monotonic(self) -> float:
        """``time.monotonic``."""
        return self.monotonic_ns() / NANOS

    # --- the switch ------------------------------------------------------------------------

    def start(self) -> ClientClock:
        """Put the process's time on the mock clock."""
        if self._active:
            return self
        import time_machine  # loaded when a clock starts: the package's import stays light

        from sora_testkit import redirects

        self._hold(self.clock)
        self._base_monotonic_ns = _whole_second_after(real_monotonic_ns())
        self._base_mock_ns = self.clock.now_ns()
        self._travel = time_machine.travel(self.clock.now(), tick=False)
        self._traveller = self._travel.start()
        self._redirects = [
            redirects.redirect(time, "sleep", self.sleep),
            redirects.redirect(time, "monotonic", self.monotonic),
            redirects.redirect(time, "monotonic_ns", self.monotonic_ns),
            redirects.redirect(asyncio.tasks, "sleep", self.async_sleep),
        ]
        asleep = self._redirects[-1]
        self._yield = (
            asleep.original() if isinstance(asleep, redirects.CodeRedirect) else asyncio.sleep
        )
        for each in self._redirects:
            each.start()
        self._active = True
        self.clock.on_change(self._follow)
        return self

    def stop(self) -> None:
        """Give the process its own time back."""
        if not self._active:
            return
        self._active = False
        self.clock.off_change(self._follow)
        for each in reversed(self._redirects):
            each.stop()
        self._redirects = []
        self._travel.stop()
        self.clock.release()

    @property
    def reach(self) -> dict[str, str]:
        """How each function is redirected while on: ``builtin`` and ``code`` reach every
        reference; ``attribute`` only lookups on the module (an interpreter whose layout the
        kit does not know)."""
        names = ("time.sleep", "time.monotonic", "time.monotonic_ns", "asyncio.sleep")
        return {name: each.kind for name, each in zip(names, self._redirects, strict=True)}

    def retarget(self, clock: Clock) -> None:
        """Follow another mock clock from now on (a fresh mock's); the monotonic clock goes on
        from where it was."""
        if self._active:
            monotonic_ns = self.monotonic_ns()
            self.clock.off_change(self._follow)
            self.clock.release()
            self._hold(clock)
            self._base_monotonic_ns = _whole_second_after(monotonic_ns)
            self._base_mock_ns = clock.now_ns()
            clock.on_change(self._follow)
        self.clock = clock
        self._follow()

    @staticmethod
    def _hold(clock: Clock) -> None:
        """Stop the clock's own motion and round it up to a whole second, so that whole-second
        waits add up exactly in floating point too (``time.time() - started == 60``)."""
        clock.hold()
        clock.advance_ns(_whole_second_after(clock.now_ns()) - clock.now_ns())

    def _follow(self) -> None:
        """The mock clock moved (an advance, a reset): the client's wall clock follows."""
        if self._active:
            self._traveller.move_to(self.clock.now(), tick=False)

    def __enter__(self) -> ClientClock:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


@contextmanager
def client_clock(target: Any) -> Iterator[ClientClock]:
    """Run the code under test on the mock clock for the ``with`` block.

    ``target`` is a ``SoraMock``, a Flask app made by ``create_app``, or a mock clock. Usable
    without pytest; with the plugin, ``@pytest.mark.sora_mock(client_clock=True)`` or
    ``--sora-client-clock`` switches it on for a test.
    """
    if hasattr(target, "client_clock") and hasattr(target, "guard"):  # a SoraMock
        switch = target.client_clock()
    else:
        from sora_testkit import runaway

        guard = runaway.guard_of(target)
        switch = ClientClock(_clock_of(target), on_sleep=None if guard is None else guard.saw_sleep)
    with switch:
        yield switch


def _clock_of(target: Any) -> Clock:
    state = getattr(target, "state", None)
    if state is not None:  # a SoraMock
        return state.clock  # type: ignore[no-any-return]
    if hasattr(target, "now") and hasattr(target, "advance"):
        return target  # type: ignore[no-any-return]
    from mock_server import state_of

    return state_of(target).clock
