"""Readings a client must survive: a cancelled Sora 1 job (the one API that shows one), and a
full progress bar that is not yet a finished video."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import find, given, settings

from mock_server.backend.history import StateStep
from mock_server.controls import ControlError
from sora_testkit import CarelessClientError, SoraMock, httpx_client, strategies
from tests.conftest import AUTH, AppFactory
from tests.helpers import assert_openai_error

JOBS = "/openai/v1/video/generations/jobs"
GENERATIONS = "/openai/v1/video/generations"
AZURE_KEY = {"api-key": "azure-key"}
PREVIEW = {"api-version": "preview"}
SORA_1 = {"model": "sora", "prompt": "a cat plays piano", "width": 480, "height": 480}


@pytest.fixture
def mock(make_app: AppFactory) -> SoraMock:
    return SoraMock(make_app(progression="polls", azure_requests_per_minute=0))


def sora_1_job(mock: SoraMock) -> dict[str, Any]:
    with httpx_client(mock.app, headers=AZURE_KEY) as http:
        made = http.post(JOBS, params=PREVIEW, json=SORA_1)
    assert made.status_code == 200, made.text
    return dict(made.json())


def read_job(mock: SoraMock, job_id: str) -> dict[str, Any]:
    with httpx_client(mock.app, headers=AZURE_KEY) as http:
        return dict(http.get(f"{JOBS}/{job_id}", params=PREVIEW).json())


def statuses_until_done(mock: SoraMock, job_id: str) -> tuple[list[str], dict[str, Any]]:
    seen: list[str] = []
    while True:
        job = read_job(mock, job_id)
        seen.append(job["status"])
        if job["status"] in ("succeeded", "failed", "cancelled"):
            return seen, job


# --- cancelled ---------------------------------------------------------------------------------


def assert_cancelled_as_azure_shows_it(job: dict[str, Any]) -> None:
    assert job["status"] == "cancelled"
    assert isinstance(job["finished_at"], int) and job["finished_at"] >= job["created_at"]
    assert (job["expires_at"], job["generations"], job["failure_reason"]) == (None, [], None)


def test_a_forced_cancellation_ends_a_sora_1_job_half_way(mock: SoraMock) -> None:
    mock.force_outcome("cancelled")
    job = sora_1_job(mock)
    seen, final = statuses_until_done(mock, job["id"])
    assert seen == ["preprocessing", "cancelled"]  # a poller sees it start, then stop
    assert_cancelled_as_azure_shows_it(final)
    assert read_job(mock, job["id"]) == final  # and it stays so
    assert mock.requests.reads_of(job["id"])[-1]["terminal"] is True


def test_a_cancellation_waits_for_a_job_that_can_show_it(mock: SoraMock) -> None:
    """The native API has no cancelled state: its job ends as usual and the next Sora 1 job
    takes the cancellation; the prompt marker on a native job does nothing."""
    mock.force_outcome("cancelled")
    with mock.httpx_client() as http:
        video = http.post("/v1/videos", json={"prompt": "x [mock:cancelled]"}).json()
        while video["status"] not in ("completed", "failed"):
            video = http.get(f"/v1/videos/{video['id']}").json()
    assert video["status"] == "completed"
    assert mock.state.service.forced_outcomes() == ["cancelled"]
    _, final = statuses_until_done(mock, sora_1_job(mock)["id"])
    assert final["status"] == "cancelled"
    assert mock.state.service.forced_outcomes() == []


def test_a_prompt_marker_cancels_a_sora_1_job(mock: SoraMock) -> None:
    with httpx_client(mock.app, headers=AZURE_KEY) as http:
        job = http.post(JOBS, params=PREVIEW, json={**SORA_1, "prompt": "x [mock:cancelled]"})
    _, final = statuses_until_done(mock, job.json()["id"])
    assert final["status"] == "cancelled"


def test_a_history_ending_cancelled_plays_on_the_next_sora_1_job(mock: SoraMock) -> None:
    mock.play_history([StateStep("queued", 0), StateStep("in_progress", 40)])
    mock.play_history([StateStep("in_progress", 60), StateStep("cancelled", 60)])
    with mock.httpx_client() as http:
        native = http.post("/v1/videos", json={"prompt": "x"}).json()
        assert http.get(f"/v1/videos/{native['id']}").json()["status"] == "queued"  # the first
    seen, final = statuses_until_done(mock, sora_1_job(mock)["id"])
    assert seen == ["running", "cancelled"]
    assert_cancelled_as_azure_shows_it(final)


def test_the_cancel_control_stops_a_running_job(mock: SoraMock) -> None:
    job = sora_1_job(mock)
    assert read_job(mock, job["id"])["status"] == "preprocessing"
    with mock.httpx_client() as control:
        answer = control.post(f"/_mock/jobs/{job['id']}/cancel")
    assert (answer.status_code, answer.json()) == (
        200,
        {"id": job["id"], "dialect": "azure_jobs", "status": "cancelled"},
    )
    assert_cancelled_as_azure_shows_it(read_job(mock, job["id"]))
    with httpx_client(mock.app, headers=AZURE_KEY) as http:
        listed = http.get(JOBS, params={**PREVIEW, "statuses": "cancelled"}).json()["data"]
        assert [found["id"] for found in listed] == [job["id"]]
        content = http.get(f"{GENERATIONS}/gen_{job['id'][5:]}/content/video", params=PREVIEW)
        assert content.status_code == 404
        assert http.delete(f"{JOBS}/{job['id']}", params=PREVIEW).status_code == 204


def test_the_cancel_control_refuses_what_cannot_be_cancelled(mock: SoraMock) -> None:
    job = sora_1_job(mock)
    mock.cancel(job["id"])
    with mock.httpx_client() as http:
        native = http.post("/v1/videos", json={"prompt": "x"}).json()
        cases = {
            job["id"]: (409, f"'{job['id']}' has already finished (cancelled)."),
            native["id"]: (
                400,
                f"'{native['id']}' is a job of the openai dialect: only azure_jobs jobs can be "
                "cancelled (no other API shows a cancelled job).",
            ),
            "task_nope": (404, "No job with id 'task_nope'."),
        }
        for job_id, (status, message) in cases.items():
            answer = http.post(f"/_mock/jobs/{job_id}/cancel")
            assert answer.status_code == status
            assert answer.json()["error"]["message"] == message
            assert answer.json()["error"]["type"] == "control_error"
    with pytest.raises(ControlError, match="only azure_jobs jobs can be cancelled"):
        mock.cancel(native["id"])


@pytest.mark.parametrize(
    ("steps", "message"),
    [
        ([StateStep("cancelled", 100)], "step 0: progress 100 is wrong for cancelled"),
        (
            [StateStep("failed", 10, "cancelled")],
            "step 0: a cancelled job is StateStep('cancelled', ...)",
        ),
        ([StateStep("cancelled", 10), StateStep("queued", 0)], "step 1: the job already finished"),
        (
            [StateStep("in_progress", 100), StateStep("in_progress", 99)],
            "step 1: a job never goes back",
        ),
    ],
)
def test_histories_hold_cancelled_and_a_full_bar_to_what_a_job_does(
    mock: SoraMock, steps: list[StateStep], message: str
) -> None:
    with pytest.raises(ControlError) as refused:
        mock.play_history(steps)
    assert str(refused.value) == message


# --- in_progress at 100 ------------------------------------------------------------------------


def test_a_full_bar_is_not_a_finished_video(make_app: AppFactory) -> None:
    mock = SoraMock(make_app(progression="polls"))
    mock.play_history(
        [StateStep("in_progress", 50), StateStep("in_progress", 100), StateStep("completed", 100)]
    )
    with httpx_client(mock.app, headers=AUTH) as http:
        video = http.post("/v1/videos", json={"prompt": "x"}).json()
        http.get(f"/v1/videos/{video['id']}")
        full = http.get(f"/v1/videos/{video['id']}").json()
        assert (full["status"], full["progress"], full["completed_at"]) == (
            "in_progress",
            100,
            None,
        )
        early = http.get(f"/v1/videos/{video['id']}/content")
        assert_openai_error(early, 404, "video.not_ready", "Video is not ready yet", prefix=True)
        done = http.get(f"/v1/videos/{video['id']}").json()
        assert (done["status"], done["progress"]) == ("completed", 100)
        assert http.get(f"/v1/videos/{video['id']}/content").status_code == 200
    with pytest.raises(CarelessClientError, match="before any answer showed it finished"):
        mock.assert_results_used_after_done()  # the download at the full bar is named
    assert mock.state.contract_violations == []


def test_a_full_bar_reads_in_uniall_too(make_app: AppFactory) -> None:
    mock = SoraMock(make_app(progression="polls"))
    mock.play_history([StateStep("in_progress", 100), StateStep("completed", 100)])
    with httpx_client(mock.app, headers=AUTH) as http:
        task = http.post(
            "/v1/video/generations", json={"model": "sora2-landscape-4s", "prompt": "x"}
        ).json()
        full = http.get(f"/v1/videos/{task['id']}").json()
    assert (full["status"], full["progress"], full["video_url"]) == ("in_progress", 100, None)
    assert mock.state.contract_violations == []


@settings(max_examples=200, deadline=None)
@given(history=strategies.job_histories(faults=False, failures=False))
def test_job_histories_offer_a_full_bar_before_completed(history: list[Any]) -> None:
    states = [(step.status, step.progress) for step in history]
    assert states[-1] == ("completed", 100)
    assert ("in_progress", 100) not in states[:-2]  # only ever right before the end


@pytest.mark.parametrize(
    ("status", "full_bar"),
    [("completed", True), ("completed", False), ("failed", False), ("cancelled", False)],
)
def test_job_histories_draw_each_ending(status: str, full_bar: bool) -> None:
    """Each ending is found, by a search that replays the same examples every run."""
    strategy = strategies.job_histories(cancellations=True, faults=False)

    def ends(history: list[Any]) -> bool:
        states = [(step.status, step.progress) for step in history]
        return states[-1][0] == status and (("in_progress", 100) in states) == full_bar

    found = find(
        strategy, ends, settings=settings(max_examples=1000, derandomize=True, database=None)
    )
    assert found[-1].status == status


def test_job_histories_complete_about_half_the_time() -> None:
    endings: list[str] = []

    @settings(max_examples=200, derandomize=True, database=None, deadline=None)
    @given(history=strategies.job_histories())
    def collect(history: list[Any]) -> None:
        endings.append(history[-1].status)

    collect()
    assert 0.3 < endings.count("completed") / len(endings) < 0.8


def test_job_histories_end_cancelled_only_when_asked() -> None:
    @settings(max_examples=200, deadline=None)
    @given(history=strategies.job_histories())
    def check(history: list[Any]) -> None:
        assert all(getattr(step, "status", None) != "cancelled" for step in history)

    check()


def test_forced_outcomes_draw_the_cancellation_only_when_named() -> None:
    drawn: set[str] = set()

    @settings(max_examples=100, deadline=None)
    @given(name=strategies.forced_outcomes())
    def every_dialect(name: str) -> None:
        drawn.add(name)

    every_dialect()
    assert "cancelled" not in drawn

    @settings(max_examples=5, deadline=None)
    @given(name=strategies.forced_outcomes(effects=("cancellation",)))
    def cancellation(name: str) -> None:
        assert name == "cancelled"

    cancellation()
