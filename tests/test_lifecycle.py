"""Job states, progress and timing in every progression mode (SPEC 1.3, 1.6, 5.1)."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from mock_server import state_of
from mock_server.backend.clock import MockClock
from sora_testkit import httpx_client
from tests.conftest import AUTH

START = 1_760_000_000.0


def client(make_app: Any, **config: Any) -> httpx.Client:
    return httpx_client(make_app(**config), headers=AUTH)


def create(http: httpx.Client, **fields: Any) -> dict[str, Any]:
    response = http.post("/v1/videos", json={"prompt": "x", **fields})
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def read(http: httpx.Client, video_id: str) -> httpx.Response:
    return http.get(f"/v1/videos/{video_id}")


def test_video_object_has_every_key_with_nulls(http: httpx.Client) -> None:
    video = create(http)
    assert list(video) == [
        "id", "object", "model", "status", "progress", "created_at", "completed_at",
        "expires_at", "prompt", "size", "seconds", "remixed_from_video_id", "error",
    ]  # fmt: skip
    assert video["id"].startswith("video_") and len(video["id"]) == 6 + 32
    int(video["id"][6:], 16)
    assert (video["object"], video["status"], video["progress"]) == ("video", "queued", 0)
    assert video["completed_at"] is None and video["expires_at"] is None
    assert video["error"] is None and video["remixed_from_video_id"] is None
    assert isinstance(video["created_at"], int) and isinstance(video["seconds"], str)


def test_instant_mode_is_terminal_on_creation(make_app: Any) -> None:
    with client(make_app, progression="instant", clock_start=START) as http:
        video = create(http)
    assert (video["status"], video["progress"]) == ("completed", 100)
    assert video["completed_at"] == int(START)
    assert video["expires_at"] == int(START) + 86400


@pytest.mark.parametrize("steps", [1, 2, 4, 7])
def test_polls_mode_takes_one_step_per_status_read(make_app: Any, steps: int) -> None:
    with client(make_app, poll_steps=steps) as http:
        video = create(http)
        statuses = []
        for _ in range(steps):
            statuses.append(read(http, video["id"]).json()["status"])
    assert statuses[-1] == "completed"
    assert statuses[:-1] == ["in_progress"] * (steps - 1)


def test_list_and_content_reads_do_not_advance_a_polled_job(http: httpx.Client) -> None:
    video = create(http)
    http.get("/v1/videos")
    http.get(f"/v1/videos/{video['id']}/content")
    assert read(http, video["id"]).json()["progress"] == 25


def test_time_mode_follows_the_documented_durations(make_app: Any) -> None:
    app = make_app(progression="time", clock_start=START)
    clock = state_of(app).clock
    clock.reset(START, frozen=True)  # exactly START: however long the set-up took
    with httpx_client(app, headers=AUTH) as http:
        standard = create(http, model="sora-2", seconds="4")
        pro = create(http, model="sora-2-pro", seconds="8")
        clock.advance(6)
        assert read(http, standard["id"]).json()["status"] == "queued"
        clock.advance(1)
        moving = read(http, standard["id"]).json()
        assert moving["status"] == "in_progress"
        assert moving["progress"] == round(7 / 65 * 100)
        clock.advance(58)  # 65 s: sora-2, 4 s of video
        done = read(http, standard["id"]).json()
        assert done["status"] == "completed"
        assert done["completed_at"] == int(START + 65)
        assert read(http, pro["id"]).json()["status"] == "in_progress"
        clock.advance(170 - 65)  # 85 s per 4 s of video for sora-2-pro
        assert read(http, pro["id"]).json()["completed_at"] == int(START + 170)


def test_speed_divides_the_durations(make_app: Any) -> None:
    app = make_app(progression="time", speed=65, clock_start=START)
    state_of(app).clock.reset(START, frozen=True)
    with httpx_client(app, headers=AUTH) as http:
        video = create(http)
        state_of(app).clock.advance(0.99)
        assert read(http, video["id"]).json()["status"] == "in_progress"
        state_of(app).clock.advance(0.01)
        assert read(http, video["id"]).json()["status"] == "completed"


def test_time_mode_completed_at_is_when_it_finished_not_when_it_was_read(make_app: Any) -> None:
    app = make_app(progression="time", clock_start=START)
    state_of(app).clock.reset(START, frozen=True)
    with httpx_client(app, headers=AUTH) as http:
        video = create(http)
        state_of(app).clock.advance(1000)
        assert read(http, video["id"]).json()["completed_at"] == int(START + 65)


def test_manual_mode_moves_only_when_the_clock_is_advanced(make_app: Any) -> None:
    with client(make_app, progression="manual", clock_start=START) as http:
        video = create(http)
        for _ in range(5):
            assert read(http, video["id"]).json()["status"] == "queued"
        assert http.get("/_mock/clock").json() == {"now": START, "frozen": True}
        http.post("/_mock/clock/advance", json={"seconds": 30})
        assert read(http, video["id"]).json()["status"] == "in_progress"
        http.post("/_mock/clock/advance", json={"seconds": 35})
        assert read(http, video["id"]).json()["status"] == "completed"


def test_slow_marker_stretches_the_run(make_app: Any) -> None:
    with client(make_app, progression="manual", clock_start=START) as http:
        slow = create(http, prompt="x [mock:slow]")
        http.post("/_mock/clock/advance", json={"seconds": 65})
        assert read(http, slow["id"]).json()["status"] == "in_progress"
        http.post("/_mock/clock/advance", json={"seconds": 650 - 65})
        assert read(http, slow["id"]).json()["status"] == "completed"
    with client(make_app) as http:
        slow = create(http, prompt="x [mock:slow]")
        reads = 0
        while read(http, slow["id"]).json()["status"] != "completed":
            reads += 1
        assert reads + 1 == 40


def test_poll_after_header_is_small_in_fast_modes_and_absent_when_done(
    http: httpx.Client,
) -> None:
    video = create(http)
    first = read(http, video["id"])
    assert first.headers["openai-poll-after-ms"] == "10"
    for _ in range(3):
        last = read(http, video["id"])
    assert last.json()["status"] == "completed"
    assert "openai-poll-after-ms" not in last.headers


def test_poll_after_header_follows_the_remaining_time_in_time_mode(make_app: Any) -> None:
    app = make_app(progression="time", clock_start=START)
    state_of(app).clock.reset(START, frozen=True)
    with httpx_client(app, headers=AUTH) as http:
        video = create(http)
        assert read(http, video["id"]).headers["openai-poll-after-ms"] == "2000"
        state_of(app).clock.advance(64.98)
        assert read(http, video["id"]).headers["openai-poll-after-ms"] == "10"


@pytest.mark.parametrize(
    ("code", "message", "progress"),
    [
        ("moderation_blocked", "Your request was blocked by our moderation system.", 0),
        ("internal_error", "The video could not be generated because of an internal error.", 50),
    ],
)
def test_failures_end_the_job_with_their_code(
    http: httpx.Client, code: str, message: str, progress: int
) -> None:
    video = create(http, prompt=f"a scene [mock:{code}]")
    while video["status"] not in ("completed", "failed"):
        video = read(http, video["id"]).json()
    assert video["status"] == "failed"
    assert video["error"] == {"code": code, "message": message}
    assert video["progress"] == progress
    assert video["completed_at"] is not None
    assert video["expires_at"] is None


def test_moderation_fails_as_soon_as_the_job_leaves_the_queue(http: httpx.Client) -> None:
    video = create(http, prompt="[mock:moderation_blocked]")
    assert read(http, video["id"]).json()["status"] == "failed"


def test_switching_progression_never_moves_a_job_back(http: httpx.Client) -> None:
    video = create(http)
    read(http, video["id"])
    read(http, video["id"])
    assert http.post("/_mock/progression", json={"mode": "manual"}).status_code == 200
    assert read(http, video["id"]).json()["progress"] == 50
    http.post("/_mock/progression", json={"mode": "instant"})
    assert read(http, video["id"]).json()["status"] == "completed"


def test_clock_starts_at_the_wall_and_advances(monkeypatch: pytest.MonkeyPatch) -> None:
    now = [1000.0]
    clock = MockClock(wall=lambda: now[0])
    assert clock.now() == 1000.0
    now[0] += 5
    assert clock.now() == 1005.0
    clock.advance(10)
    assert clock.now() == 1015.0
    clock.freeze(True)
    now[0] += 100
    assert clock.now() == 1015.0
    with pytest.raises(ValueError, match="only moves forward"):
        clock.advance(-1)
    clock.reset(50.0)
    assert clock.now() == 50.0


def test_a_head_request_is_not_a_status_read(http: httpx.Client) -> None:
    video = create(http)
    for _ in range(3):
        assert http.head(f"/v1/videos/{video['id']}").status_code == 200
    assert read(http, video["id"]).json()["progress"] == 25
    task = http.post(
        "/api/v1/generateTask/sora-2-pro", json={"input": {"mode": "text-to-video", "prompt": "x"}}
    ).json()["data"]["taskId"]
    http.head("/api/v1/statusTask/sora-2-pro", params={"taskId": task})
    state = http.get("/_mock/jobs/" + task).json()
    assert state["reads"] == 0


@pytest.mark.parametrize("db", [False, True], ids=["memory", "sqlite"])
def test_a_remix_of_a_scripted_job_plays_no_script(make_app: Any, tmp_path: Any, db: bool) -> None:
    """The script belongs to the job that took it: a remix advances like any other job."""
    from mock_server.backend.history import StateStep
    from sora_testkit import SoraMock

    app = make_app(db=str(tmp_path / "mock.db") if db else None)
    SoraMock(app).play_history([StateStep("queued", 0), StateStep("completed", 100)])
    with httpx_client(app, headers=AUTH) as http:
        scripted = create(http)
        assert read(http, scripted["id"]).json()["status"] == "queued"
        assert read(http, scripted["id"]).json()["status"] == "completed"
        remix = http.post(f"/v1/videos/{scripted['id']}/remix", json={"prompt": "again"}).json()
        statuses = [read(http, remix["id"]).json()["status"] for _ in range(4)]
    assert statuses[-1] == "completed", statuses
    assert state_of(app).store.get(remix["id"]).script is None  # type: ignore[union-attr]
