"""The UniAll task format (SPEC 2): rules, the model table, the lifecycle and result URLs."""

from __future__ import annotations

import io
from typing import Any

import av
import httpx
import pytest

from mock_server import catalog, state_of
from sora_testkit import httpx_client
from tests.conftest import AUTH
from tests.helpers import assert_openai_error, image_bytes, mp4_shape

MODELS = (
    "'sora2-landscape-4s', 'sora2-landscape-8s', 'sora2-landscape-12s', 'sora2-portrait-4s', "
    "'sora2-portrait-8s', 'sora2-portrait-12s', 'sora2-pro-720p', 'sora2-pro-1080p', and "
    "'sora2-pro-true-1080p'"
)


def submit(http: httpx.Client, **body: Any) -> httpx.Response:
    body.setdefault("prompt", "A cat running through grass")
    return http.post("/v1/video/generations", json=body)


def run(http: httpx.Client, **body: Any) -> dict[str, Any]:
    """Submit and poll to a terminal state, as seed 003's clients do."""
    response = submit(http, **body)
    assert response.status_code == 200, response.text
    task_id = response.json()["id"]
    while True:
        task: dict[str, Any] = http.get(f"/v1/videos/{task_id}").json()
        if task["status"] in ("completed", "failed"):
            return task


def test_submit_returns_the_job_object(http: httpx.Client) -> None:
    response = submit(http, model="sora2-portrait-12s", image_url="https://example.com/image.jpg")
    body = response.json()
    assert response.status_code == 200
    assert set(body) == {"id", "object", "model", "status", "progress", "created_at", "seconds"}
    assert body["id"].startswith("gen_") and len(body["id"]) == 4 + 24
    assert (body["object"], body["model"], body["status"]) == (
        "video.generation.job",
        "sora2",
        "queued",
    )
    assert (body["progress"], body["seconds"]) == (0, "12")


def test_query_walks_queued_to_completed_and_serves_a_real_mp4(http: httpx.Client) -> None:
    created = submit(http, model="sora2-portrait-12s").json()
    seen = [created["status"]]
    task = created
    while task["status"] != "completed":
        task = http.get(f"/v1/videos/{created['id']}").json()
        seen.append(task["status"])
        if task["status"] != "completed":
            assert task["video_url"] is None and task["duration"] is None
    assert seen == ["queued", "in_progress", "in_progress", "in_progress", "completed"]
    assert task["model"] == "sora2-portrait-12s"
    assert task["prompt"] == "A cat running through grass"
    assert task["error"] is None
    assert task["duration"] >= 0 and set(task["metadata"]) == {"total_time", "predict_time"}
    with httpx.Client(transport=http._transport) as anonymous:
        video = anonymous.get(task["video_url"])
        thumb = anonymous.get(task["thumbnail_url"])
    assert video.headers["content-type"] == "video/mp4"
    assert mp4_shape(video.content) == (720, 1280, 12.0)
    assert thumb.headers["content-type"] == "image/webp"


@pytest.mark.parametrize(
    ("model", "body", "size", "seconds"),
    [
        ("sora2-landscape-4s", {}, (1280, 720), 4),
        ("sora2-landscape-8s", {"aspect_ratio": "16:9", "duration": "8"}, (1280, 720), 8),
        ("sora2-portrait-8s", {"duration": 8}, (720, 1280), 8),
        ("sora2-pro-720p", {}, (1280, 720), 4),
        ("sora2-pro-720p", {"aspect_ratio": "9:16", "duration": 16}, (720, 1280), 16),
        ("sora2-pro-1080p", {"aspect_ratio": "16:9", "duration": "20"}, (1792, 1024), 20),
        ("sora2-pro-1080p", {"aspect_ratio": "9:16"}, (1024, 1792), 4),
    ],
)
def test_model_table(
    make_app: Any, model: str, body: dict[str, Any], size: tuple[int, int], seconds: int
) -> None:
    app = make_app(progression="instant")
    with httpx_client(app, headers=AUTH) as http:
        task = run(http, model=model, **body)
        assert task["seconds"] == str(seconds)
        job = state_of(app).store.get(task["id"])
        assert job is not None and (job.width, job.height) == size


def test_pro_model_timing_follows_sora_2_pro(make_app: Any) -> None:
    app = make_app(progression="manual", clock_start=1_760_000_000)
    with httpx_client(app, headers=AUTH) as http:
        task = submit(http, model="sora2-pro-720p", duration=8).json()
        job = state_of(app).store.get(task["id"])
        assert job is not None and job.duration == 170.0
        standard = submit(http, model="sora2-portrait-8s").json()
        job = state_of(app).store.get(standard["id"])
        assert job is not None and job.duration == 130.0


def test_true_1080p_is_off_by_default(http: httpx.Client) -> None:
    assert_openai_error(
        submit(http, model="sora2-pro-true-1080p"),
        400,
        "model.disabled",
        "The model 'sora2-pro-true-1080p' is not enabled on this server.",
        param="model",
        code="model_not_enabled",
    )


def test_true_1080p_when_enabled(make_app: Any) -> None:
    app = make_app(uniall_true_1080p=True, progression="instant")
    with httpx_client(app, headers=AUTH) as http:
        task = run(http, model="sora2-pro-true-1080p", aspect_ratio="9:16")
        with httpx.Client(transport=http._transport) as anonymous:
            assert mp4_shape(anonymous.get(task["video_url"]).content) == (1080, 1920, 4.0)


def test_missing_model(http: httpx.Client) -> None:
    assert_openai_error(
        http.post("/v1/video/generations", json={"prompt": "x"}),
        400,
        "model.required",
        "Missing required parameter: 'model'.",
        param="model",
        code="missing_required_parameter",
    )


@pytest.mark.parametrize("model", ["sora-2", "sora2-square-4s", "sora2-pro"])
def test_unsupported_model_lists_the_table(http: httpx.Client, model: str) -> None:
    assert_openai_error(
        submit(http, model=model),
        400,
        "model.unsupported",
        f"Invalid value: '{model}'. Supported values are: {MODELS}.",
        param="model",
        code="invalid_value",
    )


def test_model_of_wrong_type(http: httpx.Client) -> None:
    response = submit(http, model=4)
    assert response.headers["x-sora-mock-rule"] == "model.type"
    assert response.json()["error"]["param"] == "model"


def test_missing_and_empty_prompt(http: httpx.Client) -> None:
    response = http.post("/v1/video/generations", json={"model": "sora2-landscape-4s"})
    assert_openai_error(
        response,
        400,
        "prompt.required",
        "Missing required parameter: 'prompt'.",
        param="prompt",
        code="missing_required_parameter",
    )
    assert submit(http, model="sora2-landscape-4s", prompt="").headers["x-sora-mock-rule"] == (
        "prompt.empty"
    )


@pytest.mark.parametrize("aspect", ["4:3", "16x9", "1:1", [], {"w": 16}, 1.78])
def test_unsupported_aspect_ratio(http: httpx.Client, aspect: str) -> None:
    assert_openai_error(
        submit(http, model="sora2-pro-720p", aspect_ratio=aspect),
        400,
        "aspect_ratio.unsupported",
        f"Invalid value: '{aspect}'. Supported values are: '16:9' and '9:16'.",
        param="aspect_ratio",
        code="invalid_value",
    )


@pytest.mark.parametrize(
    ("model", "aspect", "orientation"),
    [("sora2-landscape-8s", "9:16", "landscape"), ("sora2-portrait-4s", "16:9", "portrait")],
)
def test_aspect_ratio_conflicting_with_the_model_name(
    http: httpx.Client, model: str, aspect: str, orientation: str
) -> None:
    assert_openai_error(
        submit(http, model=model, aspect_ratio=aspect),
        400,
        "aspect_ratio.conflict",
        f"aspect_ratio '{aspect}' conflicts with the model '{model}', which is {orientation}.",
        param="aspect_ratio",
        code="invalid_value",
    )


@pytest.mark.parametrize("duration", [5, "7", 24, 0])
def test_unsupported_duration(http: httpx.Client, duration: Any) -> None:
    assert_openai_error(
        submit(http, model="sora2-pro-720p", duration=duration),
        400,
        "duration.unsupported",
        f"Invalid value: '{duration}'. Supported values are: '4', '8', '12', '16', and '20'.",
        param="duration",
        code="invalid_value",
    )


@pytest.mark.parametrize(
    ("duration", "got"), [(8.5, "a decimal"), ("eight", "a string"), (True, "a boolean")]
)
def test_duration_of_wrong_type(http: httpx.Client, duration: Any, got: str) -> None:
    assert_openai_error(
        submit(http, model="sora2-pro-720p", duration=duration),
        400,
        "duration.type",
        f"Invalid type for 'duration': expected an integer or a string of digits, but got {got} "
        "instead.",
        param="duration",
        code="invalid_type",
    )


def test_duration_conflicting_with_the_model_name(http: httpx.Client) -> None:
    assert_openai_error(
        submit(http, model="sora2-portrait-12s", duration=8),
        400,
        "duration.conflict",
        "duration '8' conflicts with the model 'sora2-portrait-12s', which makes 12-second videos.",
        param="duration",
        code="invalid_value",
    )


@pytest.mark.parametrize(
    ("native", "names", "verb"),
    [
        ({"size": "720x1280"}, "'size'", "belongs"),
        ({"seconds": "12", "input_reference": {"image_url": "https://e.com/a.png"}}, "'seconds' and 'input_reference'", "belong"),
    ],
)  # fmt: skip
def test_native_fields_on_the_uniall_endpoint(
    http: httpx.Client, native: dict[str, Any], names: str, verb: str
) -> None:
    assert_openai_error(
        submit(http, model="sora2-portrait-12s", **native),
        400,
        "request.mixed_format",
        "Mixing the UniAll task format and the native OpenAI format in one request: "
        f"{names} {verb} to POST /v1/videos. POST /v1/video/generations takes 'model', "
        "'prompt', 'image_url', 'aspect_ratio', and 'duration'.",
        param=next(iter(native)),
        code="invalid_request_format",
    )


def test_uniall_request_on_the_native_endpoint(http: httpx.Client) -> None:
    body = {"model": "sora2-portrait-12s", "prompt": "x", "aspect_ratio": "9:16"}
    response = http.post("/v1/videos", json=body)
    assert_openai_error(
        response,
        400,
        "request.unknown_parameter",
        "Unrecognized request argument supplied: aspect_ratio",
        param="aspect_ratio",
        code="unknown_parameter",
    )
    del body["aspect_ratio"]
    assert http.post("/v1/videos", json=body).headers["x-sora-mock-rule"] == "model.unsupported"


def test_other_unknown_fields(http: httpx.Client) -> None:
    assert_openai_error(
        submit(http, model="sora2-landscape-4s", resolution="720p"),
        400,
        "request.unknown_parameter",
        "Unrecognized request argument supplied: resolution",
        param="resolution",
        code="unknown_parameter",
    )


def test_json_only(http: httpx.Client) -> None:
    response = http.post(
        "/v1/video/generations", data={"model": "sora2-landscape-4s", "prompt": "x"}
    )
    assert_openai_error(
        response,
        400,
        "request.unsupported_content_type",
        "Invalid Content-Type header (application/x-www-form-urlencoded), expected "
        "'application/json'.",
    )


def test_image_url_rules_name_the_image_url_field(http: httpx.Client) -> None:
    assert_openai_error(
        submit(http, model="sora2-landscape-4s", image_url="http://192.168.1.20/cat.png"),
        400,
        "input_reference.url_private",
        "Invalid image_url: the host '192.168.1.20' is private; use a public URL.",
        param="image_url",
        code="invalid_value",
    )
    assert_openai_error(
        submit(http, model="sora2-landscape-4s", image_url=["https://e.com/a.png"]),
        400,
        "input_reference.invalid",
        "Invalid image_url: expected a URL string.",
        param="image_url",
        code="invalid_value",
    )


def test_image_url_of_a_gif_is_refused(http: httpx.Client) -> None:
    asset = http.post(
        "/_mock/assets", content=image_bytes(64, 64, "GIF"), headers={"Content-Type": "image/gif"}
    ).json()
    assert_openai_error(
        submit(http, model="sora2-landscape-4s", image_url=asset["url"]),
        400,
        "input_reference.format",
        "Invalid image_url: the file is a GIF image. Supported formats are 'JPEG', 'PNG', and "
        "'WEBP'.",
        param="image_url",
        code="invalid_value",
    )


def test_reference_of_any_size_is_used_as_first_frame(http: httpx.Client) -> None:
    asset = http.post(
        "/_mock/assets",
        content=image_bytes(640, 480, "JPEG", color=(250, 10, 10)),
        headers={"Content-Type": "image/jpeg"},
    ).json()
    task = run(http, model="sora2-landscape-4s", image_url=asset["url"])
    with av.open(io.BytesIO(http.get(task["video_url"]).content), "r") as container:
        first = next(container.decode(video=0)).to_image()  # type: ignore[no-untyped-call]
    red, green, blue = first.getpixel((640, 360))
    assert red > 200 and green < 60 and blue < 60


def test_magic_prompt_fails_the_task_with_an_error_object(http: httpx.Client) -> None:
    task = run(http, model="sora2-landscape-4s", prompt="a fight [mock:moderation_blocked]")
    assert task["status"] == "failed"
    assert task["error"] == {
        "code": "moderation_blocked",
        "message": "Your request was blocked by our moderation system.",
    }
    assert task["video_url"] is None


def test_forced_outcome_applies_to_uniall(http: httpx.Client) -> None:
    http.post("/_mock/outcomes", json={"outcome": "internal_error"})
    assert run(http, model="sora2-landscape-4s")["error"]["code"] == "internal_error"


def test_result_url_expires_after_a_day(http: httpx.Client) -> None:
    task = run(http, model="sora2-landscape-4s")
    assert http.get(task["video_url"]).status_code == 200
    http.post("/_mock/clock/advance", json={"seconds": catalog.ASSET_LIFETIME_SECONDS})
    assert_openai_error(
        http.get(task["video_url"]),
        410,
        "media.expired",
        f"The results of '{task['id']}' have expired.",
    )


def test_result_url_before_completion_and_for_unknown_files(http: httpx.Client) -> None:
    task = submit(http, model="sora2-landscape-4s").json()
    response = http.get(f"/media/{task['id']}/video.mp4")
    assert response.status_code == 404
    assert response.headers["x-sora-mock-rule"] == "video.not_ready"
    assert_openai_error(
        http.get(f"/media/{task['id']}/movie.avi"),
        404,
        "media.not_found",
        f"No file 'movie.avi' for '{task['id']}'.",
    )


def test_dialects_keep_to_themselves(http: httpx.Client) -> None:
    task = run(http, model="sora2-landscape-4s")
    assert http.get("/v1/videos").json()["data"] == []
    for method, suffix in (("DELETE", ""), ("GET", "/content")):
        response = http.request(method, f"/v1/videos/{task['id']}{suffix}")
        assert response.status_code == 404
        assert response.headers["x-sora-mock-rule"] == "video.not_found"
    unknown = http.get("/v1/videos/gen_" + "0" * 24)
    assert_openai_error(
        unknown, 404, "video.not_found", f"Video with id 'gen_{'0' * 24}' not found."
    )


def test_uniall_shares_the_native_concurrency_limit(http: httpx.Client) -> None:
    for _ in range(3):
        submit(http, model="sora2-landscape-4s")
    for _ in range(2):
        http.post("/v1/videos", json={"prompt": "x"})
    refused = submit(http, model="sora2-landscape-4s")
    assert refused.status_code == 429
    assert refused.json()["error"] == {
        "message": "Too many running tasks",
        "type": "video_generation_user_error",
        "param": None,
        "code": None,
    }
