"""The machine's own time, whatever a test does to ``time`` while it runs.

A test may put the code under test on the mock clock (``sora_testkit.client_clock``): the wall
clock then reads mock time, and ``time.sleep`` and ``time.monotonic`` (every reference to them,
however it was bound) follow the mock clock too. The mock itself must not follow: its clock's
motion, a fault's delay and a wait for deliveries use these. They rest on what no time-patching
library touches: the performance counter (on Linux the same kernel clock as ``monotonic``) and a
lock's timed wait.
"""

from __future__ import annotations

import _thread
import time

_counter_ns = time.perf_counter_ns
_BASE_WALL_NS = time.time_ns()
_BASE_COUNTER_NS = _counter_ns()


def real_time_ns() -> int:
    """Unix time in nanoseconds as the machine's clock reads it."""
    return _BASE_WALL_NS + (_counter_ns() - _BASE_COUNTER_NS)


def real_time() -> float:
    """Unix time as the machine's clock reads it."""
    return real_time_ns() / 1_000_000_000


def real_monotonic_ns() -> int:
    """The machine's monotonic clock, in nanoseconds."""
    return _counter_ns()


def real_monotonic() -> float:
    """The machine's monotonic clock."""
    return _counter_ns() / 1_000_000_000


def real_sleep(seconds: float) -> None:
    """Sleep for real: wait on a lock nobody releases."""
    if seconds <= 0:
        return
    lock = _thread.allocate_lock()
    lock.acquire()
    lock.acquire(True, min(seconds, _thread.TIMEOUT_MAX))
