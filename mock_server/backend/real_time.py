"""The machine's own time, whatever a test does to ``time`` while it runs.

A test may put the code under test on the mock clock (``sora_testkit.client_clock``): the wall
clock then reads mock time and ``time.sleep`` advances the mock clock. The mock itself must not
follow: its clock's motion, a fault's delay and a wait for deliveries use these, taken from the
monotonic clock (which time-patching libraries leave alone) and the builtins as they were when
this module was imported.
"""

from __future__ import annotations

import time

_monotonic = time.monotonic
_sleep = time.sleep
_BASE_WALL = time.time()
_BASE_MONOTONIC = _monotonic()


def real_time() -> float:
    """Unix time as the machine's clock reads it."""
    return _BASE_WALL + (_monotonic() - _BASE_MONOTONIC)


def real_monotonic() -> float:
    """The machine's monotonic clock."""
    return _monotonic()


def real_sleep(seconds: float) -> None:
    """Sleep for real."""
    _sleep(seconds)
