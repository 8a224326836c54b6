"""The client clock reaches sleeps and clocks however the client bound them before the switch.

Each form here is bound when this module is imported, long before any switch: a 120 s wait
through it must land on the mock clock, exactly, and take no real time (were it missed, the test
would really sleep 120 s and fail on the real-time check).
"""

from __future__ import annotations

import asyncio
import functools
import threading
import time
from asyncio import sleep as bound_async_sleep
from collections.abc import Callable
from time import monotonic as bound_monotonic
from time import monotonic_ns as bound_monotonic_ns
from time import sleep as bound_sleep

import pytest
from flask import Flask

from mock_server import state_of
from mock_server.backend.real_time import real_monotonic
from sora_testkit import client_clock
from tests.conftest import AppFactory

START = 1_700_000_000.0
WAIT = 120
#: Far under the 120 s a missed sleep would really take, far over what a loaded machine needs.
REAL_SECONDS_AT_MOST = 60


def wait_with_default(seconds: float, sleep: Callable[[float], None] = time.sleep) -> None:
    sleep(seconds)


def wait_until_with_defaults(
    seconds: float,
    every: float,
    sleep: Callable[[float], None] = time.sleep,
    clock: Callable[[], float] = time.monotonic,
) -> int:
    deadline = clock() + seconds
    reads = 0
    while clock() < deadline:
        sleep(every)
        reads += 1
    return reads


class Poller:
    """A client made testable the common way: its sleep and clock held as attributes."""

    def __init__(self) -> None:
        self.sleep = time.sleep
        self.clock = time.monotonic
        self.clock_ns = time.monotonic_ns


POLLER = Poller()
PARTIAL_WAIT = functools.partial(time.sleep, WAIT)
HELD_IN_A_TUPLE = (time.sleep,)


def _closure() -> Callable[[], None]:
    sleep = time.sleep
    return lambda: sleep(WAIT)


CLOSURE_WAIT = _closure()


async def async_wait_by_name() -> None:
    await bound_async_sleep(WAIT)


async def async_wait_with_default(sleep: Callable[[float], object] = asyncio.sleep) -> None:
    await sleep(WAIT)  # type: ignore[misc]


def run_in_a_thread() -> None:
    worker = threading.Thread(target=bound_sleep, args=(WAIT,))
    worker.start()
    worker.join()


FORMS: dict[str, Callable[[], object]] = {
    "from time import sleep": lambda: bound_sleep(WAIT),
    "a default argument sleep=time.sleep": lambda: wait_with_default(WAIT),
    "an attribute self.sleep = time.sleep": lambda: POLLER.sleep(WAIT),
    "functools.partial(time.sleep, 120)": PARTIAL_WAIT,
    "a tuple holding time.sleep": lambda: HELD_IN_A_TUPLE[0](WAIT),
    "a closure over time.sleep": CLOSURE_WAIT,
    "from asyncio import sleep": lambda: asyncio.run(async_wait_by_name()),
    "a default argument sleep=asyncio.sleep": lambda: asyncio.run(async_wait_with_default()),
    "a thread's target=sleep": run_in_a_thread,
}


@pytest.fixture
def app(make_app: AppFactory) -> Flask:
    return make_app(progression="manual", clock_start=START)


@pytest.mark.parametrize("form", list(FORMS))
def test_a_sleep_bound_before_the_switch_lands_on_the_mock_clock(app: Flask, form: str) -> None:
    started = real_monotonic()
    with client_clock(app) as switch:
        FORMS[form]()
    assert real_monotonic() - started < REAL_SECONDS_AT_MOST
    assert state_of(app).clock.now() == START + WAIT
    assert switch.slept == [WAIT]


@pytest.mark.parametrize(
    "clock",
    [bound_monotonic, POLLER.clock, time.monotonic],
    ids=["from time import monotonic", "self.clock = time.monotonic", "time.monotonic"],
)
def test_a_clock_bound_before_the_switch_reads_the_mock_clock(
    app: Flask, clock: Callable[[], float]
) -> None:
    with client_clock(app):
        before = clock()
        bound_sleep(WAIT)
        assert clock() - before == WAIT
        state_of(app).clock.advance(30)  # the test's advance moves it too
        assert clock() - before == WAIT + 30


@pytest.mark.parametrize(
    "clock_ns",
    [bound_monotonic_ns, POLLER.clock_ns],
    ids=["from time import monotonic_ns", "self.clock_ns = time.monotonic_ns"],
)
def test_nanoseconds_are_whole_and_exact(app: Flask, clock_ns: Callable[[], int]) -> None:
    with client_clock(app):
        before = clock_ns()
        for _ in range(4):
            bound_sleep(0.5)
        assert clock_ns() - before == 2_000_000_000
        bound_sleep(0.1)
        assert clock_ns() - before == 2_100_000_000


def test_a_deadline_loop_on_bound_functions_sleeps_exactly_as_often_as_due(app: Flask) -> None:
    with client_clock(app):
        assert wait_until_with_defaults(60, 5) == 12
    assert state_of(app).clock.now() == START + 60


def test_the_builtins_keep_their_own_argument_checks(app: Flask) -> None:
    with client_clock(app):
        with pytest.raises(TypeError, match="takes exactly one argument"):
            bound_sleep()  # type: ignore[call-arg]
        with pytest.raises(TypeError, match="takes no keyword arguments"):
            bound_sleep(secs=1)  # type: ignore[call-arg]
        with pytest.raises(TypeError, match="takes no arguments"):
            bound_monotonic(1)  # type: ignore[call-arg]
        with pytest.raises(TypeError, match="cannot be interpreted as an integer"):
            bound_sleep("1")  # type: ignore[arg-type]
        with pytest.raises(ValueError, match="sleep length must be non-negative"):
            bound_sleep(-1)
        with pytest.raises(ValueError, match="NaN"):
            bound_sleep(float("nan"))
    assert state_of(app).clock.now() == START


def test_after_the_switch_every_binding_is_real_again(app: Flask) -> None:
    with client_clock(app):
        bound_sleep(10)
    before = bound_monotonic()
    bound_sleep(0.001)
    wait_with_default(0.001)
    assert state_of(app).clock.now() == START + 10
    assert 0 < bound_monotonic() - before < REAL_SECONDS_AT_MOST


def test_asyncios_timers_fire_when_the_clients_sleeps_pass_them(app: Flask) -> None:
    """``asyncio.wait_for(..., timeout=600)`` around a loop that sleeps 5 s at a time: due on
    the mock clock, it fires after 600 mock seconds, in no real time."""

    async def poll_forever() -> None:
        while True:
            await bound_async_sleep(5)

    async def main() -> str:
        try:
            await asyncio.wait_for(poll_forever(), timeout=600)
        except TimeoutError:
            return "gave up"
        return "finished"

    started = real_monotonic()
    with client_clock(app):
        assert asyncio.run(main()) == "gave up"
    assert real_monotonic() - started < REAL_SECONDS_AT_MOST
    assert 600 <= state_of(app).clock.now() - START <= 610  # a step or two of the loop past it
