"""The client's own time on the mock clock: its sleeps advance the mock, its clocks read it.

While the switch is on, in every thread of the process:

- ``time.time()``, ``time.time_ns()``, ``datetime.now()``, ``date.today()`` and the rest of the
  wall clock read the mock clock. time-machine does this part, at the C level, so that even a
  ``from time import time`` made before the switch sees it.
- ``time.sleep(s)``, ``asyncio.sleep(s)`` and anyio's sleep (what the official SDK's async
  client awaits) advance the mock clock by ``s`` and return at once (the async ones still yield
  to the event loop). This part, and the next, are this module's: time-machine leaves them.
- ``time.monotonic()`` and ``time.monotonic_ns()`` move with the mock clock, so a client's
  timeout measured on them expires after that much mock time; they never go backwards.

The mock clock moves on its own as well when it is not frozen (``polls`` and ``time`` modes
follow the wall clock); every advance, the client's or the test's, moves the client's clocks too.
The mock itself keeps the machine's time (``mock_server.backend.real_time``).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, Protocol

from mock_server.backend.real_time import real_monotonic


class Clock(Protocol):
    """What the switch needs of the mock clock."""

    def now(self) -> float: ...

    def advance(self, seconds: float) -> float: ...

    def on_change(self, listener: Any) -> None: ...

    @property
    def frozen(self) -> bool: ...


class ClientClock:
    """The switch: ``start()`` puts the process's time on ``clock``, ``stop()`` gives it back."""

    def __init__(self, clock: Clock) -> None:
        self.clock = clock
        self.slept: list[float] = []
        self._traveller: Any = None
        self._travel: Any = None
        self._saved: list[tuple[Any, str, Any]] = []
        self._base_monotonic = 0.0
        self._base_mock = 0.0
        self._active = False

    # --- what the client's code calls ------------------------------------------------------

    def sleep(self, seconds: float) -> None:
        """``time.sleep``: advance the mock clock instead of waiting."""
        if seconds < 0:
            raise ValueError("sleep length must be non-negative")
        self.slept.append(float(seconds))
        if seconds:
            self.clock.advance(seconds)

    async def async_sleep(self, delay: float, result: Any = None) -> Any:
        """``asyncio.sleep``: advance the mock clock, then let other tasks run."""
        self.sleep(max(0.0, float(delay)))
        await self._real_async_sleep(0)
        return result

    def monotonic(self) -> float:
        """``time.monotonic``: the machine's at the switch, plus the mock time since."""
        return self._base_monotonic + (self.clock.now() - self._base_mock)

    def monotonic_ns(self) -> int:
        """``time.monotonic_ns``."""
        return int(self.monotonic() * 1_000_000_000)

    # --- the switch ------------------------------------------------------------------------

    def start(self) -> ClientClock:
        """Put the process's time on the mock clock."""
        if self._active:
            return self
        self._base_monotonic, self._base_mock = real_monotonic(), self.clock.now()
        import time_machine  # loaded when a clock starts: the package's import stays light

        self._real_async_sleep = asyncio.sleep
        self._travel = time_machine.travel(self.clock.now(), tick=not self.clock.frozen)
        self._traveller = self._travel.start()
        self._active = True
        self.clock.on_change(self._follow)
        self._patch(time, "sleep", self.sleep)
        self._patch(time, "monotonic", self.monotonic)
        self._patch(time, "monotonic_ns", self.monotonic_ns)
        self._patch(asyncio, "sleep", self.async_sleep)
        self._patch(asyncio.tasks, "sleep", self.async_sleep)
        try:
            from anyio._backends import _asyncio as anyio_asyncio
        except ImportError:  # anyio is not installed: nothing of it to patch
            pass
        else:
            self._patch(anyio_asyncio, "sleep", self.async_sleep)
        return self

    def stop(self) -> None:
        """Give the process its own time back."""
        if not self._active:
            return
        self._active = False
        for owner, name, original in reversed(self._saved):
            setattr(owner, name, original)
        self._saved.clear()
        self._travel.stop()

    def retarget(self, clock: Clock) -> None:
        """Follow another mock clock from now on (a fresh mock's); the monotonic clock goes on
        from where it was."""
        if self._active:
            self._base_monotonic, self._base_mock = self.monotonic(), clock.now()
            clock.on_change(self._follow)
        self.clock = clock
        self._follow()

    def _patch(self, owner: Any, name: str, replacement: Any) -> None:
        self._saved.append((owner, name, getattr(owner, name)))
        setattr(owner, name, replacement)

    def _follow(self) -> None:
        """The mock clock moved (an advance, a reset): the client's wall clock follows."""
        if self._active:
            self._traveller.move_to(self.clock.now(), tick=not self.clock.frozen)

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
    switch = ClientClock(_clock_of(target))
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
