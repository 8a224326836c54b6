"""The guard for clients that never stop: each such loop fails its test, naming the loop, in
the client's own thread, instead of hanging it."""

from __future__ import annotations

import time
from typing import Any

import pytest
import requests

from mock_server.backend.history import StateStep
from sora_testkit import LiveServer, SoraMock, client_clock, openai_client
from sora_testkit.runaway import (
    DEFAULT_MAX_JOB_READS,
    DEFAULT_MAX_SLEEP,
    SWALLOWED,
    ClientNeverStopped,
    LoopLimits,
    RunawayClient,
)
from tests.conftest import AUTH, AppFactory

START = 1_700_000_000.0


def stuck_mock(make_app: AppFactory, **settings: Any) -> SoraMock:
    """A mock whose next job stays queued for ever."""
    mock = SoraMock(make_app(progression="manual", clock_start=START, **settings))
    mock.play_history([StateStep("queued", 0)])
    return mock


def poll_without_sleeping(sdk: Any, video_id: str) -> None:
    """The careless client: polls as fast as it can, and never gives up."""
    while sdk.videos.retrieve(video_id).status != "completed":
        pass


def test_the_guard_is_on_by_default_with_generous_limits(make_app: AppFactory) -> None:
    mock = SoraMock(make_app())
    assert mock.guard.limits == LoopLimits(DEFAULT_MAX_JOB_READS, DEFAULT_MAX_SLEEP)
    assert (DEFAULT_MAX_JOB_READS, DEFAULT_MAX_SLEEP) == (10_000, 86_400)


def test_a_loop_with_no_sleep_is_stopped_at_the_read_limit(make_app: AppFactory) -> None:
    mock = stuck_mock(make_app)
    mock.limit_loops(max_job_reads=50)
    sdk = openai_client(mock.app)
    video = sdk.videos.create(prompt="x")
    with pytest.raises(ClientNeverStopped) as stopped:
        poll_without_sleeping(sdk, video.id)
    message = str(stopped.value)
    assert message.startswith(f"the client read {video.id} 51 times while it had not finished ")
    assert f"(queued; the last read GET /v1/videos/{video.id})" in message
    assert "(the loop: poll_without_sleeping at " in message and "test_runaway_guard.py:" in message
    assert "at most 50 status reads of one job (max_job_reads)" in message
    assert len(mock.requests.reads_of(video.id)) == 51  # the 51st was answered, then stopped


def test_a_poller_that_never_gives_up_is_stopped_at_the_sleep_limit(
    make_app: AppFactory,
) -> None:
    mock = stuck_mock(make_app)
    mock.limit_loops(max_sleep=3600)
    sdk = openai_client(mock.app)

    def wait_for(video_id: str) -> None:
        while sdk.videos.retrieve(video_id).status != "completed":
            time.sleep(60)

    with mock.client_clock():
        video = sdk.videos.create(prompt="x")
        with pytest.raises(ClientNeverStopped) as stopped:
            wait_for(video.id)
    message = str(stopped.value)
    assert message.startswith(
        "the client slept 3,660 s of mock time in this test (the last sleep 60 s)"
    )
    assert "(the loop: wait_for at " in message
    assert message.endswith(
        "at most 3,600 s (max_sleep). A careful client gives up after a timeout."
    )
    assert mock.now() == START + 3600  # the sleep that crossed the limit did not happen


def test_a_loop_over_a_live_server_is_stopped_in_the_tests_thread(make_app: AppFactory) -> None:
    mock = stuck_mock(make_app)
    mock.limit_loops(max_job_reads=20)
    with LiveServer(mock.app) as server:
        created = requests.post(
            f"{server.url}/v1/videos", json={"prompt": "x"}, headers=AUTH, timeout=10
        ).json()
        with pytest.raises(ClientNeverStopped) as stopped:
            for _ in range(10_000):  # bounded: the guard must stop it long before
                requests.get(f"{server.url}/v1/videos/{created['id']}", headers=AUTH, timeout=10)
    assert f"the client read {created['id']} 21 times" in str(stopped.value)


def test_a_client_that_swallows_the_error_is_stopped_past_except_exception(
    make_app: AppFactory,
) -> None:
    mock = stuck_mock(make_app)
    mock.limit_loops(max_job_reads=5)
    sdk = openai_client(mock.app)
    video = sdk.videos.create(prompt="x")
    caught = 0
    with pytest.raises(RunawayClient, match=f"swallowed that {SWALLOWED} times"):
        while True:
            try:
                sdk.videos.retrieve(video.id)
            except Exception:  # the careless client's catch-all
                caught += 1
    assert caught == SWALLOWED
    assert mock.guard.raised == SWALLOWED + 1


def test_the_limits_can_be_turned_off(make_app: AppFactory) -> None:
    mock = stuck_mock(make_app)
    mock.limit_loops(max_job_reads=None, max_sleep=None)
    with client_clock(mock):
        http_sdk = openai_client(mock.app)
        video = http_sdk.videos.create(prompt="x")
        for _ in range(30):
            http_sdk.videos.retrieve(video.id)
        time.sleep(10 * 86_400)
    assert mock.guard.tripped is None


@pytest.mark.parametrize(
    ("limits", "message"),
    [
        ({"max_job_reads": 0}, "max_job_reads must be a positive number or None, not 0"),
        ({"max_sleep": -1}, "max_sleep must be a positive number or None, not -1"),
        ({"max_job_reads": True}, "max_job_reads must be a positive number or None, not True"),
    ],
)
def test_limits_are_checked(make_app: AppFactory, limits: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError) as refused:
        SoraMock(make_app()).limit_loops(**limits)
    assert str(refused.value) == message


def test_each_job_counts_apart_and_a_finished_job_counts_too(make_app: AppFactory) -> None:
    """A client that polls on past a state it does not know (a cancelled Sora 1 job) is a loop
    as much as one that never sleeps."""
    mock = SoraMock(make_app(progression="instant"))
    mock.limit_loops(max_job_reads=10)
    sdk = openai_client(mock.app)
    for _ in range(3):
        video = sdk.videos.create(prompt="x")
        for _ in range(10):
            sdk.videos.retrieve(video.id)
    assert mock.guard.tripped is None
    with pytest.raises(ClientNeverStopped) as stopped:
        sdk.videos.retrieve(video.id)
    assert str(stopped.value).startswith(
        f"the client read {video.id} 11 times after it had finished (completed; "
    )


def run(pytester: pytest.Pytester, source: str) -> Any:
    pytester.makepyfile(test_loops=source)
    return pytester.runpytest_subprocess(
        "-p", "no:cacheprovider", "-W", "ignore::DeprecationWarning"
    )


def test_the_marker_sets_the_limits_and_a_swallowed_trip_fails_the_test(
    pytester: pytest.Pytester,
) -> None:
    source = """
import time
import pytest
from mock_server.backend.history import StateStep
from sora_testkit import ClientNeverStopped

@pytest.mark.sora_mock(client_clock=True, max_sleep=600, progression="manual")
def test_stopped(sora_mock, sora_openai):
    sora_mock.play_history([StateStep("queued", 0)])
    video = sora_openai.videos.create(prompt="x")
    with pytest.raises(ClientNeverStopped, match="at most 600 s"):
        while sora_openai.videos.retrieve(video.id).status == "queued":
            time.sleep(30)

@pytest.mark.sora_mock(max_job_reads=3, progression="manual")
def test_swallowed(sora_mock, sora_openai):
    sora_mock.play_history([StateStep("queued", 0)])
    video = sora_openai.videos.create(prompt="x")
    for _ in range(10):
        try:
            sora_openai.videos.retrieve(video.id)
        except Exception:
            pass

@pytest.mark.sora_mock(max_job_reads=0)
def test_refused(sora_mock):
    pass
"""
    result = run(pytester, source)
    result.assert_outcomes(passed=2, errors=2)
    # One pattern a call: the tests may run in any order (a plugin may shuffle them).
    result.stdout.fnmatch_lines(
        [
            "*the client read video_* 4 times while it had not finished*The client caught "
            "ClientNeverStopped 7 times and carried on.*"
        ]
    )
    result.stdout.fnmatch_lines(
        ["*@pytest.mark.sora_mock: max_job_reads must be a positive number or None, not 0*"]
    )


def test_a_disarmed_guard_neither_counts_nor_raises(make_app: AppFactory) -> None:
    """What the plugin does when a test ends: a thread it left behind cannot trip it."""
    mock = stuck_mock(make_app)
    mock.limit_loops(max_job_reads=2)
    sdk = openai_client(mock.app)
    video = sdk.videos.create(prompt="x")
    mock.guard.disarm()
    for _ in range(5):
        sdk.videos.retrieve(video.id)
    assert (mock.guard.tripped, mock.guard.raised) == (None, 0)
