"""The assertions of careful behaviour: each fails on a careless client, naming its requests,
and passes on a careful one. Clients run on the mock clock, so their waits cost no time."""

from __future__ import annotations

import time
from collections.abc import Callable

import httpx
import pytest

from mock_server.backend.history import StateStep
from sora_testkit import CarelessClientError, SoraMock, client_clock, httpx_client, openai_client
from tests.conftest import AUTH, AppFactory

START = 1_700_000_000.0
GT_CREATE = "/api/v1/generateTask/sora-2-pro"
GT_STATUS = "/api/v1/statusTask/sora-2-pro"
TEXT = {"input": {"mode": "text-to-video", "prompt": "a harbour"}}


def mock_of(make_app: AppFactory, **settings: object) -> SoraMock:
    settings.setdefault("clock_start", START)
    return SoraMock(make_app(**settings))


def retry_on_429(http: httpx.Client, wait: Callable[[httpx.Response], float]) -> None:
    """List videos, retrying 429s after ``wait(response)`` seconds."""
    while (response := http.get("/v1/videos")).status_code == 429:
        time.sleep(wait(response))


def test_waiting_out_retry_after(make_app: AppFactory) -> None:
    careful = mock_of(make_app, progression="manual")
    careful.queue_fault(429, retry_after=30, path="/v1/videos")
    with client_clock(careful), httpx_client(careful.app, headers=AUTH) as http:
        retry_on_429(http, lambda r: float(r.headers["retry-after"]))
    careful.assert_waited_for_retry_after()

    sdk_mock = mock_of(make_app, progression="manual")
    sdk_mock.queue_fault(429, retry_after=30, path="/v1/videos")
    with client_clock(sdk_mock):
        openai_client(sdk_mock.app).videos.list()  # the SDK honours retry-after itself
    sdk_mock.assert_waited_for_retry_after()

    careless = mock_of(make_app, progression="manual")
    careless.queue_fault(429, retry_after=30, path="/v1/videos")
    with client_clock(careless), httpx_client(careless.app, headers=AUTH) as http:
        retry_on_429(http, lambda r: 1.0)
    with pytest.raises(CarelessClientError) as raised:
        careless.assert_waited_for_retry_after()
    message = str(raised.value)
    assert "GET /v1/videos (req_" in message
    assert "came 1 s after GET /v1/videos (req_" in message
    assert "answered 429 with retry-after 30 s" in message


def test_retry_after_ms_counts_in_milliseconds(make_app: AppFactory) -> None:
    mock = mock_of(make_app, progression="manual")
    mock.queue_fault(503, retry_after_ms=1500, path="/v1/videos")
    with client_clock(mock), httpx_client(mock.app, headers=AUTH) as http:
        http.get("/v1/videos")
        time.sleep(1.0)
        http.get("/v1/videos")
    with pytest.raises(CarelessClientError, match=r"retry-after 1\.5 s"):
        mock.assert_waited_for_retry_after()


def poll_gt(http: httpx.Client, task: str, every: float) -> None:
    while True:
        data = http.get(GT_STATUS, params={"taskId": task}).json()["data"]
        if data["state"] in ("success", "failed"):
            return
        time.sleep(every)


@pytest.mark.parametrize(("every", "paced"), [(5.0, True), (1.0, False)])
def test_polls_paced_by_the_seeds_advice(make_app: AppFactory, every: float, paced: bool) -> None:
    """generateTask's advice: poll every 5 s (seed 004). (At 1 s a client also meets the
    provider's 60 requests a minute: switched off here.)"""
    mock = mock_of(make_app, progression="manual", generatetask_requests_per_minute=0)
    with client_clock(mock), httpx_client(mock.app, headers=AUTH) as http:
        task = http.post(GT_CREATE, json=TEXT).json()["data"]["taskId"]
        poll_gt(http, task, every)
    if paced:
        mock.assert_polls_paced()
        return
    with pytest.raises(CarelessClientError) as raised:
        mock.assert_polls_paced()
    assert f"GET {GT_STATUS} (req_" in str(raised.value)
    assert f"read {task} 1 s after" in str(raised.value)
    assert "under the 5 s between polls" in str(raised.value)


def test_polls_paced_by_the_servers_hint(make_app: AppFactory) -> None:
    good = mock_of(make_app, progression="polls")
    with client_clock(good):
        sdk = openai_client(good.app)
        sdk.videos.poll(sdk.videos.create(prompt="x").id)  # sleeps openai-poll-after-ms
    good.assert_polls_paced()

    hasty = mock_of(make_app, progression="polls")
    with client_clock(hasty):
        sdk = openai_client(hasty.app)
        video = sdk.videos.create(prompt="x")
        while video.status not in ("completed", "failed"):
            video = sdk.videos.retrieve(video.id)  # no wait at all
    with pytest.raises(CarelessClientError, match=r"under the 0\.01 s between polls"):
        hasty.assert_polls_paced()
    hasty.assert_polls_paced(min_interval=0)  # an explicit interval wins


def test_results_used_only_after_an_answer_showed_them_done(make_app: AppFactory) -> None:
    """In ``time`` mode a download after a long enough sleep succeeds: the server cannot
    refuse it, but no answer had told the client the job was done."""
    careless = mock_of(make_app, progression="time")
    with client_clock(careless), httpx_client(careless.app, headers=AUTH) as http:
        made = http.post(
            "/v1/video/generations", json={"model": "sora2-landscape-4s", "prompt": "x"}
        )
        time.sleep(120)
        fetched = http.get(f"/media/{made.json()['id']}/video.mp4")
    assert fetched.status_code == 200
    careless.assert_no_premature_reads()  # nothing was refused...
    with pytest.raises(CarelessClientError) as raised:  # ...but the client guessed
        careless.assert_results_used_after_done()
    assert f"GET /media/{made.json()['id']}/video.mp4 (req_" in str(raised.value)
    assert "before any answer showed it finished (answered 200)" in str(raised.value)

    careful = mock_of(make_app, progression="time")
    with client_clock(careful), httpx_client(careful.app, headers=AUTH) as http:
        made = http.post(
            "/v1/video/generations", json={"model": "sora2-landscape-4s", "prompt": "x"}
        )
        task = made.json()
        while task["status"] not in ("completed", "failed"):
            time.sleep(10)
            task = http.get(f"/v1/videos/{task['id']}").json()
        assert http.get(task["video_url"]).status_code == 200
    careful.assert_results_used_after_done()


def test_a_remix_of_an_unread_job_is_caught(make_app: AppFactory) -> None:
    mock = mock_of(make_app, progression="time")
    with client_clock(mock):
        sdk = openai_client(mock.app)
        video = sdk.videos.create(prompt="x")
        time.sleep(200)
        sdk.videos.remix(video.id, prompt="again")
    with pytest.raises(CarelessClientError, match=rf"POST /v1/videos/{video.id}/remix"):
        mock.assert_results_used_after_done()


@pytest.mark.parametrize(("limit", "gave_up"), [(60.0, True), (600.0, False)])
def test_gave_up_within(make_app: AppFactory, limit: float, gave_up: bool) -> None:
    """A job that never finishes: the client must stop polling in time."""
    mock = mock_of(make_app, progression="manual")
    mock.play_history([StateStep("queued", 0)])  # and queued it stays
    with client_clock(mock):
        sdk = openai_client(mock.app)
        video = sdk.videos.create(prompt="x")
        started = time.monotonic()
        while time.monotonic() - started < limit and video.status == "queued":
            time.sleep(5)
            video = sdk.videos.retrieve(video.id)
    if gave_up:
        mock.assert_gave_up_within(60)
        return
    with pytest.raises(CarelessClientError) as raised:
        mock.assert_gave_up_within(60)
    assert f"still polled {video.id} 65 s after its create" in str(raised.value)


def test_a_re_read_of_a_finished_job_is_not_a_poll(make_app: AppFactory) -> None:
    """A client that polls every 5 s, then reads the finished video once more at once (as
    ``poll()`` followed by ``retrieve()`` does): paced. Two unfinished reads at once: not."""
    mock = mock_of(make_app, progression="polls")
    with client_clock(mock):
        sdk = openai_client(mock.app)
        video = sdk.videos.create(prompt="x")
        while video.status != "completed":
            time.sleep(5)
            video = sdk.videos.retrieve(video.id)
        sdk.videos.retrieve(video.id)
        sdk.videos.retrieve(video.id)
    mock.assert_polls_paced(min_interval=5)

    hasty = mock_of(make_app, progression="polls")
    with client_clock(hasty):
        sdk = openai_client(hasty.app)
        video = sdk.videos.create(prompt="x")
        sdk.videos.retrieve(video.id)
        sdk.videos.retrieve(video.id)  # unfinished, 0 s after the last
    with pytest.raises(CarelessClientError) as raised:
        hasty.assert_polls_paced(min_interval=5)
    assert f"read {video.id} 0 s after GET /v1/videos/{video.id} (req_" in str(raised.value)


def test_downloads_are_a_jobs_own_and_derivations_are_named_apart(
    make_app: AppFactory,
) -> None:
    mock = mock_of(make_app, progression="instant")
    with mock.httpx_client() as http:
        video = http.post("/v1/videos", json={"prompt": "x"}).json()
        http.get(f"/v1/videos/{video['id']}/content")
        http.get(f"/v1/videos/{video['id']}/content", params={"variant": "thumbnail"})
        remix = http.post(f"/v1/videos/{video['id']}/remix", json={"prompt": "y"}).json()
        edit = http.post(
            "/v1/videos/edits", json={"video": {"id": video["id"]}, "prompt": "z"}
        ).json()
        http.get(f"/v1/videos/{remix['id']}/content")
    journal = mock.requests
    assert [e["path"] for e in journal.downloads(video["id"])] == [
        f"/v1/videos/{video['id']}/content"
    ] * 2
    assert [e["path"] for e in journal.derived_from(video["id"])] == [
        f"/v1/videos/{video['id']}/remix",
        "/v1/videos/edits",
    ]
    assert journal.used(video["id"]) == [
        *journal.downloads(video["id"])[:2],
        *journal.derived_from(video["id"]),
    ]
    assert [e["uses"] for e in journal.downloads()] == [video["id"]] * 2 + [remix["id"]]
    assert edit["status"] == "completed"


@pytest.mark.parametrize(
    ("progression", "settings"),
    [("polls", {"poll_steps": 100}), ("time", {}), ("manual", {})],
)
def test_twelve_sleeps_of_5_s_read_at_exactly_60_s(
    make_app: AppFactory, progression: str, settings: dict[str, object]
) -> None:
    """However busy the machine, the client's clock and the mock's agree to the nanosecond: a
    client that gives up after 60 s makes its last read at 60 s, not 60.007 s or 65 s."""
    mock = SoraMock(make_app(progression=progression, **settings))  # the clock starts at the wall
    with client_clock(mock):
        sdk = openai_client(mock.app)
        video = sdk.videos.create(prompt="x", model="sora-2-pro", seconds="12")
        started, wall_started = time.monotonic(), time.time()
        while time.monotonic() - started < 60:
            time.sleep(5)
            video = sdk.videos.retrieve(video.id)
            assert video.status != "completed"
        assert (time.monotonic() - started, time.time() - wall_started) == (60, 60)
    reads = mock.requests.reads_of(video.id)
    [create] = mock.requests.creates()
    assert [entry["at"] - create["at"] for entry in reads] == [5 * n for n in range(1, 13)]
    mock.assert_gave_up_within(60)


def test_the_journal_names_the_job_and_what_each_answer_showed(make_app: AppFactory) -> None:
    mock = mock_of(make_app, progression="instant")
    sdk = openai_client(mock.app)
    video = sdk.videos.create(prompt="x")
    sdk.videos.retrieve(video.id)
    sdk.videos.download_content(video.id)
    create, read, download = mock.requests[-3:]
    assert (create["job"], create["terminal"], create["uses"]) == (video.id, True, None)
    assert (read["job"], read["terminal"]) == (video.id, True)
    assert (download["job"], download["uses"]) == (None, video.id)
