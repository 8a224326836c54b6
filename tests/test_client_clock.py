"""The client's own time on the mock clock: its sleeps advance the mock, its clocks read it."""

from __future__ import annotations

import asyncio
import datetime as dt
import itertools
import threading
import time
from typing import Any

import pytest
import requests
from flask import Flask

from mock_server import state_of
from mock_server.controls import Controls
from sora_testkit import LiveServer, SoraMock, async_openai_client, client_clock, openai_client
from tests.conftest import AppFactory

START = 1_700_000_000.0
HEADERS = {"Authorization": "Bearer sk-clock"}


@pytest.fixture
def app(make_app: AppFactory) -> Flask:
    return make_app(progression="manual", clock_start=START)


def test_wall_clock_reads_and_sleeps_advance_the_mock_clock(app: Flask) -> None:
    clock = state_of(app).clock
    with client_clock(app) as switch:
        assert time.time() == START
        assert dt.datetime.now(dt.UTC).timestamp() == START
        before = time.monotonic()
        time.sleep(90)
        assert clock.now() == START + 90 == time.time()
        assert time.monotonic() - before == pytest.approx(90)
        clock.advance(10)  # the test moves the mock: the client's clocks follow
        assert time.time() == START + 100
        assert time.monotonic() - before == pytest.approx(100)
    assert switch.slept == [90]
    assert abs(time.time() - START) > 1_000_000  # the real clock is back
    assert clock.now() == START + 100


def test_the_monotonic_clock_never_goes_back(app: Flask) -> None:
    with client_clock(app):
        seen = []
        for _ in range(5):
            seen.append(time.monotonic_ns())
            time.sleep(0.5)
    assert seen == sorted(seen) and seen[-1] - seen[0] == 2_000_000_000


def test_threads_of_the_client_sleep_on_the_mock_clock(app: Flask) -> None:
    with client_clock(app):
        workers = [threading.Thread(target=time.sleep, args=(30,)) for _ in range(3)]
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join()
    assert state_of(app).clock.now() == START + 90


def test_asyncio_sleep_advances_the_mock_clock_and_yields(app: Flask) -> None:
    order: list[str] = []

    async def task(name: str, seconds: float) -> str:
        await asyncio.sleep(seconds)
        order.append(name)
        return name

    async def main() -> list[str]:
        return list(await asyncio.gather(task("a", 60), task("b", 30)))

    with client_clock(app):
        assert asyncio.run(main()) == ["a", "b"]
    assert state_of(app).clock.now() == START + 90
    assert sorted(order) == ["a", "b"]


def test_a_requests_client_waits_120_s_then_polls_every_5_s(make_app: AppFactory) -> None:
    """generateTask's advice (seed 004): wait 120 s, then poll every 5 s; a task takes 180 s."""
    app = make_app(progression="time", clock_start=START, background_worker=True)
    with LiveServer(app) as server, client_clock(app):
        url = f"{server.url}/api/v1/generateTask/sora-2-pro"
        body = {"input": {"mode": "text-to-video", "prompt": "a harbour at dawn"}}
        task = requests.post(url, json=body, headers=HEADERS, timeout=10).json()["data"]["taskId"]
        time.sleep(120)
        while True:
            status = f"{server.url}/api/v1/statusTask/sora-2-pro"
            params = {"taskId": task}
            data = requests.get(status, params=params, headers=HEADERS, timeout=10).json()["data"]
            if data["state"] in ("success", "failed"):
                break
            time.sleep(5)
    assert data["state"] == "success"
    reads = [e["at"] - START for e in state_of(app).journal.entries() if "statusTask" in e["path"]]
    assert reads[0] == pytest.approx(120, abs=1)
    gaps = [b - a for a, b in itertools.pairwise(reads)]
    assert all(gap == pytest.approx(5, abs=1) for gap in gaps)
    assert reads[-1] >= 180  # the task took its 180 s of mock time


def test_the_sdks_retry_after_sleep_is_mock_time(app: Flask) -> None:
    Controls(state_of(app)).queue_fault({"status": 429, "retry_after": 30, "path": "/v1/videos"})
    sdk = openai_client(app)
    with client_clock(app) as switch:
        sdk.videos.list()
    tries = [e for e in state_of(app).journal.entries() if e["path"] == "/v1/videos"]
    assert [e["status"] for e in tries] == [429, 200]
    assert tries[1]["at"] - tries[0]["at"] == pytest.approx(30, abs=0.5)
    assert 30 in switch.slept


def test_the_async_sdk_polls_on_the_mock_clock(make_app: AppFactory) -> None:
    app = make_app(progression="time", clock_start=START)
    sdk = async_openai_client(app)
    with client_clock(app) as switch:
        video = asyncio.run(sdk.videos.create_and_poll(prompt="a fox", poll_interval_ms=5000))
    assert video.status == "completed"
    assert sum(switch.slept) >= 65  # a 4 s sora-2 video takes 65 s of mock time
    assert state_of(app).clock.now() >= START + 65


def test_without_the_switch_the_client_keeps_real_time(app: Flask) -> None:
    sleep, monotonic = time.sleep, time.monotonic
    with client_clock(app) as switch:
        assert (time.sleep, time.monotonic) == (sleep, monotonic)  # the same objects, redirected
        assert set(switch.reach.values()) == {"builtin", "code"}
    time.sleep(0.001)
    assert time.sleep is sleep and getattr(time.sleep, "__self__", None) is time  # its own code
    assert state_of(app).clock.now() == START
    assert abs(time.time() - START) > 1_000_000


def test_a_fault_delay_stays_real_while_the_client_is_on_the_mock_clock(app: Flask) -> None:
    """The mock's own waiting does not move its clock."""
    Controls(state_of(app)).queue_fault({"status": 0, "delay_ms": 1})
    with client_clock(app):
        openai_client(app).videos.list()
    assert state_of(app).clock.now() == START


def test_sora_mock_hands_out_the_switch(app: Flask) -> None:
    mock = SoraMock(app)
    with mock.client_clock() as switch:
        time.sleep(7)
    assert (switch.slept, mock.now()) == ([7], START + 7)


def test_a_negative_sleep_is_refused_as_time_sleep_does(app: Flask) -> None:
    with client_clock(app), pytest.raises(ValueError):
        time.sleep(-1)


def run(pytester: pytest.Pytester, source: str, *args: str) -> Any:
    pytester.makepyfile(test_clock=source)
    return pytester.runpytest_subprocess(
        "-p", "no:cacheprovider", "-W", "ignore::DeprecationWarning", *args
    )


def test_the_marker_and_the_option_switch_it_on(pytester: pytest.Pytester) -> None:
    source = """
import time
import pytest

@pytest.mark.sora_mock(client_clock=True, progression="manual")
def test_marked(sora_mock):
    before = sora_mock.now()
    time.sleep(300)
    assert sora_mock.now() == before + 300

@pytest.mark.sora_mock(progression="manual")
def test_unmarked(sora_mock):
    before = sora_mock.now()
    time.sleep(0.01)
    assert sora_mock.now() == before
"""
    run(pytester, source).assert_outcomes(passed=2)
    option = """
import time

def test_option(sora_mock):
    sora_mock.set_progression("manual")
    before = sora_mock.now()
    time.sleep(3600)
    assert sora_mock.now() == before + 3600
"""
    run(pytester, option, "--sora-client-clock").assert_outcomes(passed=1)


def test_after_a_reset_the_client_follows_the_fresh_mocks_clock(app: Flask) -> None:
    mock = SoraMock(app)
    with mock.client_clock():
        time.sleep(10)
        before = time.monotonic()
        mock.reset()  # a fresh state, with a clock of its own
        time.sleep(5)
        assert mock.now() == START + 5 == time.time()
        assert time.monotonic() >= before + 5
