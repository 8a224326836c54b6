"""Rate limits on the mock clock, queued HTTP faults, and the SDK's retries through them."""

from __future__ import annotations

from typing import Any

import httpx
import openai
import pytest
from flask import Flask

from mock_server import state_of
from mock_server.backend.limits import RequestRateLimiter
from mock_server.backend.shared_values import MemoryValue
from mock_server.web.journal import reset_duration
from sora_testkit import httpx_client, openai_client
from tests.conftest import AUTH
from tests.helpers import assert_openai_error

START = 1_760_000_000.0


def test_sixth_concurrent_job_is_refused(http: httpx.Client) -> None:
    ids = [http.post("/v1/videos", json={"prompt": f"{n}"}).json()["id"] for n in range(5)]
    response = http.post("/v1/videos", json={"prompt": "one too many"})
    assert_openai_error(
        response,
        429,
        "rate_limit.concurrent_jobs",
        "Too many running tasks",
        error_type="video_generation_user_error",
    )
    assert response.headers["retry-after"] == "1"
    while http.get(f"/v1/videos/{ids[0]}").json()["status"] != "completed":
        pass
    assert http.post("/v1/videos", json={"prompt": "room again"}).status_code == 200


def test_concurrency_is_per_key(http: httpx.Client) -> None:
    for n in range(5):
        http.post("/v1/videos", json={"prompt": f"{n}"})
    other = http.post(
        "/v1/videos", json={"prompt": "x"}, headers={"Authorization": "Bearer sk-other"}
    )
    assert other.status_code == 200


def test_concurrency_limit_is_configurable_and_retry_after_follows_time(make_app: Any) -> None:
    app = make_app(concurrent_jobs=2, progression="manual", clock_start=START)
    with httpx_client(app, headers=AUTH) as http:
        http.post("/v1/videos", json={"prompt": "a"})
        http.post("/v1/videos", json={"prompt": "b", "model": "sora-2-pro"})
        refused = http.post("/v1/videos", json={"prompt": "c"})
        assert refused.status_code == 429
        assert refused.headers["retry-after"] == "65"
        state_of(app).clock.advance(65)
        assert http.post("/v1/videos", json={"prompt": "c"}).status_code == 200


def test_requests_per_minute_on_the_mock_clock(make_app: Any) -> None:
    app = make_app(requests_per_minute=3, progression="manual", clock_start=START)
    with httpx_client(app, headers=AUTH) as http:
        remaining = [
            http.get("/v1/videos").headers["x-ratelimit-remaining-requests"] for _ in range(3)
        ]
        assert remaining == ["2", "1", "0"]
        state_of(app).clock.advance(20)
        refused = http.get("/v1/videos")
        assert_openai_error(
            refused,
            429,
            "rate_limit.requests",
            "Rate limit reached for requests: limit 3 per min. Please try again in 40s.",
            code="rate_limit_exceeded",
            error_type="requests",
        )
        assert refused.headers["retry-after"] == "40"
        assert refused.headers["x-ratelimit-limit-requests"] == "3"
        assert refused.headers["x-ratelimit-remaining-requests"] == "0"
        assert refused.headers["x-ratelimit-reset-requests"] == "40s"
        other = http.get("/v1/videos", headers={"Authorization": "Bearer sk-other"})
        assert other.status_code == 200
        state_of(app).clock.advance(40)
        assert http.get("/v1/videos").status_code == 200


@pytest.mark.parametrize(
    ("seconds", "text"),
    [
        (0.017, "17ms"),
        (0.0, "0ms"),
        (1.0, "1s"),
        (40.0, "40s"),
        (1.5, "1.5s"),
        (360, "6m0s"),
        (61.25, "1m1.25s"),
    ],
)
def test_reset_header_uses_openai_duration_style(seconds: float, text: str) -> None:
    assert reset_duration(seconds) == text


def test_forced_outcome_survives_a_create_refused_for_concurrency(make_app: Any) -> None:
    app = make_app(concurrent_jobs=1, progression="manual")
    with httpx_client(app, headers=AUTH) as http:
        http.post("/v1/videos", json={"prompt": "a"})
        http.post("/_mock/outcomes", json={"outcome": "moderation_blocked"})
        assert http.post("/v1/videos", json={"prompt": "b"}).status_code == 429
        assert http.get("/_mock/outcomes").json()["forced_outcomes"] == ["moderation_blocked"]


def test_preflight_options_needs_no_key(anon: httpx.Client) -> None:
    response = anon.options("/v1/videos")
    assert response.status_code == 204  # no body, so no HTML page either
    assert "content-type" not in response.headers
    assert "POST" in response.headers["Allow"]


def test_control_api_is_never_rate_limited(make_app: Any) -> None:
    app = make_app(requests_per_minute=1)
    with httpx_client(app, headers=AUTH) as http:
        for _ in range(5):
            assert http.get("/_mock/clock").status_code == 200


# --- faults ----------------------------------------------------------------------------------


def queue(http: httpx.Client, **fault: Any) -> None:
    response = http.post("/_mock/faults", json=fault)
    assert response.status_code == 200, response.text


def attempts(app: Flask, path: str) -> list[dict[str, Any]]:
    return [e for e in state_of(app).journal.entries() if e["path"] == path]


def test_fault_answers_in_the_openai_envelope(http: httpx.Client) -> None:
    queue(http, status=503, retry_after=2)
    response = http.get("/v1/videos")
    assert response.status_code == 503
    assert response.headers["retry-after"] == "2"
    assert response.headers["x-sora-mock-fault"] == "503"
    assert response.json() == {
        "error": {
            "message": "The server had an error while processing your request. Sorry about that!",
            "type": "server_error",
            "param": None,
            "code": None,
        }
    }
    assert http.get("/v1/videos").status_code == 200


def test_fault_matches_method_and_path_glob(http: httpx.Client) -> None:
    queue(http, status=500, method="POST", path="/v1/videos", count=2)
    assert http.get("/v1/videos").status_code == 200
    assert http.post("/v1/videos", json={"prompt": "x"}).status_code == 500
    assert http.post("/v1/videos", json={"prompt": "x"}).status_code == 500
    assert http.post("/v1/videos", json={"prompt": "x"}).status_code == 200
    queue(http, status=429, path="/v1/videos/*", message="Slow down.")
    assert http.get("/v1/videos").status_code == 200
    limited = http.get("/v1/videos/video_x")
    assert limited.json()["error"]["message"] == "Slow down."
    assert limited.json()["error"]["type"] == "requests"


@pytest.mark.parametrize("status", [429, 500, 503, 408, 409])
def test_sdk_retries_through_two_faults(app: Flask, sdk: openai.OpenAI, status: int) -> None:
    with httpx_client(app) as control:
        queue(control, status=status, retry_after_ms=1, count=2, path="/v1/videos")
    video = sdk.videos.create(prompt="x")
    assert video.status == "queued"
    tries = attempts(app, "/v1/videos")
    assert [e["status"] for e in tries] == [status, status, 200]
    assert [e["headers"]["x-stainless-retry-count"] for e in tries] == ["0", "1", "2"]


def test_sdk_gives_up_after_three_faults(app: Flask, sdk: openai.OpenAI) -> None:
    with httpx_client(app) as control:
        queue(control, status=429, retry_after=0.001, count=3)
    with pytest.raises(openai.RateLimitError) as raised:
        sdk.videos.list()
    assert raised.value.status_code == 429
    assert raised.value.code == "rate_limit_exceeded"
    assert len(attempts(app, "/v1/videos")) == 3


def test_sdk_honours_x_should_retry_false(app: Flask, sdk: openai.OpenAI) -> None:
    with httpx_client(app) as control:
        queue(control, status=500, should_retry=False, count=3)
    with pytest.raises(openai.InternalServerError):
        sdk.videos.list()
    assert len(attempts(app, "/v1/videos")) == 1


def test_sdk_does_not_retry_a_rule_violation(app: Flask, sdk: openai.OpenAI) -> None:
    with pytest.raises(openai.BadRequestError):
        sdk.videos.create(prompt="x", size="1280*720")  # type: ignore[arg-type]
    assert len(attempts(app, "/v1/videos")) == 1


def test_sdk_retries_the_concurrency_limit_until_it_gives_up(make_app: Any) -> None:
    app = make_app(concurrent_jobs=1)
    sdk = openai_client(app, max_retries=0)
    sdk.videos.create(prompt="a")
    with pytest.raises(openai.RateLimitError) as raised:
        sdk.videos.create(prompt="b")
    assert raised.value.response.headers["x-sora-mock-rule"] == "rate_limit.concurrent_jobs"


def test_poll_survives_a_fault_in_the_middle(app: Flask, sdk: openai.OpenAI) -> None:
    video = sdk.videos.create(prompt="x")
    with httpx_client(app) as control:
        queue(control, status=502, retry_after_ms=1, path=f"/v1/videos/{video.id}")
    assert sdk.videos.poll(video.id).status == "completed"


def test_delay_fault_slows_a_response_down(http: httpx.Client) -> None:
    queue(http, delay_ms=30)
    response = http.get("/v1/videos")
    assert response.status_code == 200
    assert response.elapsed.total_seconds() >= 0.03


@pytest.mark.parametrize(
    ("fault", "message"),
    [
        (
            {"status": 200},
            "'status' must be an HTTP error status (400-599), or 0 for a delay only.",
        ),
        ({"status": 0}, "A fault needs a 'status', a 'delay_ms', or both."),
        ({"status": 500, "count": 0}, "'count' must be a positive integer."),
        ({"status": 500, "colour": "red"}, "Unknown fault fields: colour."),
        ({"status": 500, "delay_ms": -1}, "'delay_ms' must be an integer between 0 and 60000."),
        ({"status": 500, "retry_after": "soon"}, "'retry_after' must be a number."),
    ],
)
def test_bad_fault_is_a_control_error(
    http: httpx.Client, fault: dict[str, Any], message: str
) -> None:
    response = http.post("/_mock/faults", json=fault)
    assert response.status_code == 400
    assert response.json() == {
        "error": {"message": message, "type": "control_error", "param": None, "code": None}
    }


def test_faults_can_be_listed_and_cleared(http: httpx.Client) -> None:
    queue(http, status=500, count=3)
    assert http.get("/_mock/faults").json()["faults"][0]["count"] == 3
    http.delete("/_mock/faults")
    assert http.get("/_mock/faults").json() == {"faults": []}
    assert http.get("/v1/videos").status_code == 200


def test_rate_windows_of_idle_keys_are_dropped() -> None:
    cell = MemoryValue(dict)
    limiter = RequestRateLimiter(cell)
    for index in range(50):
        assert limiter.hit(f"sk-{index}", START, 2).allowed
    assert limiter.hit("sk-0", START + 30, 2).remaining == 0
    assert not limiter.hit("sk-0", START + 31, 2).allowed
    assert limiter.hit("sk-late", START + 61, 2).allowed
    assert sorted(cell.read()) == ["sk-0", "sk-late"]  # sk-0 still has a request at START + 30
