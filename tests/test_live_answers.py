"""The answers the live services gave, each the default, each from its source (SPEC 6).

One test per row of the spec's table of live answers; each docstring names where the body was
seen or published.
"""

from __future__ import annotations

from typing import Any

import httpx
import openai
import pytest
from flask import Flask

from mock_server import catalog, rules, state_of
from mock_server.backend.outbox import Outbox
from mock_server.controls import Controls
from sora_testkit import SoraMock, httpx_client, openai_client
from tests.conftest import AUTH, AppFactory
from tests.helpers import image_bytes, named_file

GT_CREATE = "/api/v1/generateTask/sora-2-pro"
GT_STATUS = "/api/v1/statusTask/sora-2-pro"
TEXT_TO_VIDEO = {"input": {"mode": "text-to-video", "prompt": "a lighthouse"}}


@pytest.fixture
def app(make_app: AppFactory) -> Flask:
    return make_app(progression="manual", concurrent_jobs=2, azure_requests_per_minute=0)


def envelope(response: httpx.Response) -> dict[str, Any]:
    body: dict[str, Any] = response.json()
    return body


def test_the_concurrency_cap_is_too_many_running_tasks(app: Flask) -> None:
    """A public test fixture quoting the 429 a client met live, and an Azure probe tool
    (about 2 running jobs per deployment): 429, ``video_generation_user_error``, code null."""
    expected = {
        "error": {
            "message": "Too many running tasks",
            "type": "video_generation_user_error",
            "param": None,
            "code": None,
        }
    }
    with httpx_client(app, headers=AUTH) as http:
        for _ in range(2):
            http.post("/v1/videos", json={"prompt": "x"})
        native = http.post("/v1/videos", json={"prompt": "x"})
        for _ in range(2):
            http.post("/openai/v1/videos", json={"model": "sora-2", "prompt": "x"})
        azure = http.post("/openai/v1/videos", json={"model": "sora-2", "prompt": "x"})
    for response in (native, azure):
        assert response.status_code == 429
        assert response.headers["x-sora-mock-rule"] == "rate_limit.concurrent_jobs"
        assert envelope(response) == expected


def test_a_face_in_the_reference_is_refused_by_input_moderation(app: Flask) -> None:
    """Public issues quoting the live 400: ``The request is blocked by our moderation system
    when checking inputs. Possible reasons: people-in-user-uploads.``"""
    sdk = openai_client(app)
    Controls(state_of(app)).force_outcome({"outcome": "face_rejected"})
    with pytest.raises(openai.BadRequestError) as raised:
        sdk.videos.create(
            prompt="a portrait", input_reference=named_file(image_bytes(720, 1280), "me.png")
        )
    assert raised.value.status_code == 400
    assert raised.value.body == {
        "message": "The request is blocked by our moderation system when checking inputs. "
        "Possible reasons: people-in-user-uploads.",
        "type": "invalid_request_error",
        "param": None,
        "code": None,
    }


@pytest.mark.parametrize("reason", catalog.INPUT_MODERATION_REASONS)
def test_each_input_moderation_reason_is_refused_in_those_words(app: Flask, reason: str) -> None:
    """Public issues and relays quoting the live 400 with its reasons (sexual, violence,
    graphic-violence, self-harm)."""
    name = "input_blocked_" + reason.replace("-", "_")
    with httpx_client(app, headers=AUTH) as http:
        response = http.post("/v1/videos", json={"prompt": f"x {catalog.magic_marker(name)}"})
    assert response.status_code == 400
    assert response.headers["x-sora-mock-rule"] == "moderation.input"
    assert envelope(response)["error"]["message"] == (
        "The request is blocked by our moderation system when checking inputs. Possible "
        f"reasons: {reason}."
    )


def test_a_job_that_fails_moderation_later(app: Flask) -> None:
    """Public issues: the job ends ``failed`` with ``moderation_blocked`` and OpenAI's words."""
    sdk = openai_client(app)
    state_of(app).service.set_progression("instant")
    video = sdk.videos.create(prompt="a scene [mock:moderation_blocked]")
    assert video.status == "failed" and video.error is not None
    assert (video.error.code, video.error.message) == (
        "moderation_blocked",
        "Your request was blocked by our moderation system.",
    )


def test_an_unverified_organisation_gets_the_live_403(app: Flask) -> None:
    """Public issues quoting the live 403 for ``sora-2``."""
    with httpx_client(app, headers=AUTH) as http:
        response = http.post("/v1/videos", json={"prompt": "x [mock:org_unverified]"})
    assert response.status_code == 403
    assert response.headers["x-sora-mock-rule"] == "access.org_unverified"
    assert envelope(response) == {
        "error": {
            "message": "Your organization must be verified to use the model `sora-2`. Please "
            "go to: https://platform.openai.com/settings/organization/general and click on "
            "Verify Organization. If you just verified, it can take up to 15 minutes for "
            "access to propagate.",
            "type": "invalid_request_error",
            "param": None,
            "code": None,
        }
    }


def test_generatetask_puts_the_detail_in_data_error(app: Flask) -> None:
    """The provider's error-codes page (APIXO api-reference/error-codes), its 400 example
    verbatim: ``{"code": 400, "message": "Invalid request", "data": {"error": "Missing
    required field: input.prompt"}}``."""
    with httpx_client(app, headers=AUTH) as http:
        response = http.post(GT_CREATE, json={"input": {"mode": "text-to-video"}})
    assert response.status_code == 400
    assert response.json() == {
        "code": 400,
        "message": "Invalid request",
        "data": {"error": "Missing required field: input.prompt"},
    }


def test_generatetask_401_is_the_documented_bare_body(app: Flask) -> None:
    """APIXO concepts/authentication: ``{"code": 401, "message": "Invalid or missing API
    key"}``, no ``data``."""
    with httpx_client(app) as http:
        response = http.post(GT_CREATE, json=TEXT_TO_VIDEO)
    assert (response.status_code, response.json()) == (
        401,
        {"code": 401, "message": "Invalid or missing API key"},
    )


GT_FAIL_CODES = {
    "moderation_blocked": ("CONTENT_VIOLATION", "Content violates usage policy"),
    "image_unreachable": ("INVALID_IMAGE_URL", "Cannot access the provided image URL"),
    "internal_error": ("GENERATION_FAILED", "Generic generation failure"),
    "nsfw_detected": ("NSFW_DETECTED", "NSFW content detected"),
    "prompt_too_long": ("PROMPT_TOO_LONG", "Prompt exceeds character limit"),
    "invalid_prompt": ("INVALID_PROMPT", "Prompt is empty or malformed"),
    "image_too_large": ("IMAGE_TOO_LARGE", "Input image exceeds size limit"),
    "unsupported_format": ("UNSUPPORTED_FORMAT", "Image format not supported"),
    "image_download_failed": ("IMAGE_DOWNLOAD_FAILED", "Failed to download reference image"),
    "processing_timeout": ("PROCESSING_TIMEOUT", "Generation took too long"),
    "model_unavailable": ("MODEL_UNAVAILABLE", "Model is temporarily offline"),
    "insufficient_credits": ("INSUFFICIENT_CREDITS", "Account has no credits"),
    "generation_failed": ("GENERATION_FAILED", "Generic generation failure"),
}


@pytest.mark.parametrize(("outcome", "expected"), sorted(GT_FAIL_CODES.items()))
def test_generatetask_fail_codes_are_the_providers(
    app: Flask, outcome: str, expected: tuple[str, str]
) -> None:
    """The provider's failCode list with its descriptions (APIXO api-reference/error-codes;
    CONTENT_VIOLATION and INVALID_IMAGE_URL are seed 004's too); GENERATION_FAILED is the
    generic one, not INTERNAL_ERROR."""
    state_of(app).service.set_progression("instant")
    with httpx_client(app, headers=AUTH) as http:
        body = {"input": {"mode": "text-to-video", "prompt": f"x {catalog.magic_marker(outcome)}"}}
        task_id = http.post(GT_CREATE, json=body).json()["data"]["taskId"]
        data = http.get(GT_STATUS, params={"taskId": task_id}).json()["data"]
    assert data["state"] == "failed"
    assert (data["failCode"], data["failMsg"]) == expected
    assert "resultJson" not in data and "costTime" not in data and "completeTime" in data


@pytest.mark.parametrize(
    ("outcome", "status", "message", "detail"),
    [
        (
            "insufficient_balance",
            402,
            "Insufficient balance",
            "Insufficient balance. Top up your account.",
        ),
        (
            "forbidden",
            403,
            "Content violates policy",
            "Content violates policy. Modify the content.",
        ),
        (
            "service_unavailable",
            503,
            "Service temporarily unavailable",
            "Model temporarily unavailable. Try again later.",
        ),
    ],
)
def test_generatetask_http_refusals_by_name(
    app: Flask, outcome: str, status: int, message: str, detail: str
) -> None:
    """The provider's errors page: 402 insufficient balance, 403, 503."""
    Controls(state_of(app)).force_outcome({"outcome": outcome})
    with httpx_client(app, headers=AUTH) as http:
        refused = http.post(GT_CREATE, json=TEXT_TO_VIDEO)
        after = http.post(GT_CREATE, json=TEXT_TO_VIDEO)
    assert refused.status_code == status
    body = refused.json()
    assert (body["code"], body["message"]) == (status, message)
    assert body["data"]["error"] == detail
    assert refused.headers["x-sora-mock-fault"] == str(status)
    assert after.status_code == 200  # used up


def test_generatetask_accepts_and_ignores_source(app: Flask) -> None:
    """The provider's own MCP client sends a top-level ``source``."""
    with httpx_client(app, headers=AUTH) as http:
        accepted = http.post(GT_CREATE, json={**TEXT_TO_VIDEO, "source": "apixo-mcp"})
        refused = http.post(GT_CREATE, json={**TEXT_TO_VIDEO, "source": 7})
    assert accepted.status_code == 200
    assert state_of(app).journal.entries()[-2]["request_violations"] == []
    assert refused.status_code == 400
    assert refused.headers["x-sora-mock-rule"] == "source.type"
    assert refused.json()["data"]["error"] == "source must be a string (got an integer)."


def test_callbacks_give_the_receiver_30_seconds(make_app: AppFactory) -> None:
    """APIXO api-reference/webhooks: respond with HTTP 200 within 30 seconds; retries after
    30 s, 2 min and 10 min (guides/polling-vs-webhooks)."""
    app = make_app(progression="instant")
    seen: list[float] = []

    def sender(url: str, body: bytes, headers: dict[str, str], timeout: float) -> int:
        seen.append(timeout)
        return 500

    outbox: Outbox = state_of(app).outbox
    outbox.sender = sender
    with httpx_client(app, headers=AUTH) as http:
        http.post(
            GT_CREATE,
            json={
                **TEXT_TO_VIDEO,
                "request_type": "callback",
                "callback_url": "http://127.0.0.1:9/h",
            },
        )
        for _ in range(4):
            http.post("/_mock/deliveries/flush")
            http.post("/_mock/clock/advance", json={"seconds": 600})
        [delivery] = http.get("/_mock/deliveries", params={"kind": "callback"}).json()["deliveries"]
    assert seen == [catalog.CALLBACK_ANSWER_SECONDS] * 4 == [30.0] * 4
    assert catalog.CALLBACK_RETRY_DELAYS == (30.0, 120.0, 600.0)
    assert delivery["state"] == "failed"


def test_uniall_duration_is_whole_seconds(make_app: AppFactory) -> None:
    """UniAll's query-task page: ``"duration": 89`` (the processing time), never a float."""
    app = make_app(progression="manual")
    with httpx_client(app, headers=AUTH) as http:
        made = http.post(
            "/v1/video/generations", json={"model": "sora2-landscape-4s", "prompt": "x"}
        ).json()
        state_of(app).clock.advance(89.55)
        task = http.get(f"/v1/videos/{made['id']}").json()
    assert task["status"] == "completed"
    assert isinstance(task["duration"], int) and task["duration"] == int(
        task["metadata"]["total_time"]
    )


def test_every_outcome_the_readme_lists_is_accepted_by_name(app: Flask) -> None:
    """Each name works in all three ways: Python, the control API and a magic prompt."""
    sdk_names = list(catalog.OUTCOMES)
    with httpx_client(app, headers=AUTH) as http:
        for name in sdk_names:
            assert http.post("/_mock/outcomes", json={"outcome": name}).status_code == 200
        queued = http.get("/_mock/outcomes").json()["forced_outcomes"]
    assert queued == sdk_names


#: Where each dialect creates, and how its failure code reads.
WALK_DIALECTS = ("openai", "generatetask")


@pytest.mark.parametrize("name", list(catalog.OUTCOMES))
@pytest.mark.parametrize("way", ["python", "control api", "magic prompt"])
def test_every_readme_outcome_answers_as_documented(
    make_app: AppFactory, name: str, way: str
) -> None:
    """Each name of the outcomes page's list, forced each of the three ways, on the native and the
    generateTask dialects: the documented refusal, failure or slowness."""
    outcome = catalog.OUTCOMES[name]
    for dialect in WALK_DIALECTS:
        mock = SoraMock(make_app(progression="polls"))
        marker = f" {catalog.magic_marker(name)}" if way == "magic prompt" else ""
        if way == "python":
            mock.force_outcome(name)
        elif way == "control api":
            with mock.httpx_client() as control:
                assert control.post("/_mock/outcomes", json={"outcome": name}).status_code == 200
        with mock.httpx_client() as http:
            if dialect == "openai":
                fields = {"prompt": "a lighthouse" + marker, "size": "720x1280"}
                files = {"input_reference": ("r.png", image_bytes(720, 1280), "image/png")}
                created = http.post("/v1/videos", data=fields, files=files)
            else:
                task: dict[str, Any] = {"mode": "image-to-video", "prompt": "a lighthouse" + marker}
                task["image_urls"] = ["https://images.example.com/r.png"]
                created = http.post(GT_CREATE, json={"input": task})
            _check(dialect, outcome, created, http, forced=way != "magic prompt")


def _check(
    dialect: str, outcome: catalog.Outcome, created: httpx.Response, http: Any, *, forced: bool
) -> None:
    if outcome.reject_rule is not None:
        assert created.status_code == rules.get(outcome.reject_rule).status, created.text
        assert created.headers["x-sora-mock-rule"] == outcome.reject_rule
        return
    if outcome.refuse_status is not None:
        assert created.status_code == outcome.refuse_status, created.text
        assert created.headers["x-sora-mock-fault"] == str(outcome.refuse_status)
        return
    assert created.status_code == 200, created.text
    body = created.json()
    job_id = body["data"]["taskId"] if dialect == "generatetask" else body["id"]
    reads = 0
    while True:
        reads += 1
        if dialect == "generatetask":
            data = http.get(GT_STATUS, params={"taskId": job_id}).json()["data"]
            state, code = data["state"], data.get("failCode")
            if state in ("success", "failed"):
                break
        else:
            video = http.get(f"/v1/videos/{job_id}").json()
            state, code = video["status"], (video["error"] or {}).get("code")
            if state in ("completed", "failed"):
                break
    if outcome.slow:
        assert state in ("success", "completed")
        assert reads == catalog.POLL_STEPS * catalog.SLOW_FACTOR
        return
    if outcome.cancellable_only:  # no cancelled state here: the job ends as usual
        assert state in ("success", "completed")
        queued = http.get("/_mock/outcomes").json()["forced_outcomes"]
        assert queued == ([outcome.name] if forced else [])  # kept for the next Sora 1 job
        return
    assert state == "failed"
    failure = outcome.failure or ""
    expected = GT_FAIL_CODES[failure][0] if dialect == "generatetask" else failure
    assert code == expected
