"""The generateTask format (SPEC 3): rules, envelope, states, fail codes, limits, result URLs."""

from __future__ import annotations

import base64
import json
from typing import Any

import httpx
import pytest

from mock_server import state_of
from sora_testkit import httpx_client
from tests.conftest import AUTH
from tests.helpers import assert_gt_error, image_bytes, mp4_shape

CREATE = "/api/v1/generateTask/sora-2-pro"
STATUS = "/api/v1/statusTask/sora-2-pro"
START = 1_760_000_000.0


def t2v(**fields: Any) -> dict[str, Any]:
    return {"mode": "text-to-video", "prompt": "A cat running through grass", **fields}


def i2v(url: str, **fields: Any) -> dict[str, Any]:
    return {"mode": "image-to-video", "prompt": "Bring it to life", "image_urls": [url], **fields}


def create(
    http: httpx.Client, task_input: dict[str, Any] | None = None, **body: Any
) -> httpx.Response:
    return http.post(CREATE, json={"input": task_input or t2v(), **body})


def status(http: httpx.Client, task_id: str) -> dict[str, Any]:
    response = http.get(STATUS, params={"taskId": task_id})
    assert response.status_code == 200, response.text
    data: dict[str, Any] = response.json()["data"]
    return data


def finish(http: httpx.Client, task_id: str) -> dict[str, Any]:
    while True:
        data = status(http, task_id)
        if data["state"] in ("success", "failed"):
            return data


def result_urls(data: dict[str, Any]) -> list[str]:
    assert isinstance(data["resultJson"], str), "resultJson is a JSON string, not an object"
    urls: list[str] = json.loads(data["resultJson"])["resultUrls"]
    return urls


def test_submit_and_walk_pending_to_success(http: httpx.Client) -> None:
    response = create(http, t2v(size="1280*720", duration=10))
    body = response.json()
    assert response.status_code == 200
    assert (body["code"], body["message"]) == (200, "success")
    task_id = body["data"]["taskId"]
    assert task_id.startswith("task_") and len(task_id) == 5 + 24
    assert set(body["data"]) == {"taskId"}

    states: list[str] = []
    while not states or states[-1] not in ("success", "failed"):
        data = status(http, task_id)
        states.append(data["state"])
    assert states == ["processing", "processing", "processing", "success"]
    assert data["taskId"] == task_id
    assert data["completeTime"] >= data["createTime"]
    assert data["costTime"] == data["completeTime"] - data["createTime"]
    [url] = result_urls(data)
    with httpx.Client(transport=http._transport) as anonymous:
        video = anonymous.get(url)
    assert video.headers["content-type"] == "video/mp4"
    assert mp4_shape(video.content) == (1280, 720, 10.0)


def test_pending_is_the_first_state(make_app: Any) -> None:
    app = make_app(progression="manual", clock_start=START)
    with httpx_client(app, headers=AUTH) as http:
        task_id = create(http).json()["data"]["taskId"]
        data = status(http, task_id)
        assert data == {"taskId": task_id, "state": "pending", "createTime": int(START * 1000)}
        state_of(app).clock.advance(60)
        assert status(http, task_id)["state"] == "processing"
        state_of(app).clock.advance(120)  # about three minutes a video (seed 004)
        done = status(http, task_id)
        assert done["state"] == "success"
        assert done["costTime"] == 180_000


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        ({"duration": 15, "size": "1792*1024"}, (1792, 1024, 15.0)),
        ({"duration": "10", "size": "720*1280"}, (720, 1280, 10.0)),
        ({}, (720, 1280, 10.0)),
    ],
)
def test_text_to_video_size_and_duration(
    make_app: Any, fields: dict[str, Any], expected: tuple[int, int, float]
) -> None:
    with httpx_client(make_app(progression="instant"), headers=AUTH) as http:
        data = finish(http, create(http, t2v(**fields)).json()["data"]["taskId"])
        assert mp4_shape(http.get(result_urls(data)[0]).content) == expected


@pytest.mark.parametrize("duration", [10, 15])
def test_official_provider_always_makes_12_seconds(make_app: Any, duration: int) -> None:
    with httpx_client(make_app(progression="instant"), headers=AUTH) as http:
        task_id = create(http, t2v(duration=duration), provider="official").json()["data"]["taskId"]
        assert mp4_shape(http.get(result_urls(finish(http, task_id))[0]).content)[2] == 12.0


@pytest.mark.parametrize(
    ("resolution", "image", "expected"),
    [
        ("720p", (1600, 900), (1280, 720)),
        ("720p", (900, 1600), (720, 1280)),
        ("1080p", (1920, 1080), (1792, 1024)),
        (None, (1080, 1920), (720, 1280)),
    ],
)
def test_image_to_video_follows_the_images_orientation(
    make_app: Any, resolution: str | None, image: tuple[int, int], expected: tuple[int, int]
) -> None:
    with httpx_client(make_app(progression="instant"), headers=AUTH) as http:
        asset = http.post(
            "/_mock/assets",
            content=image_bytes(*image, "JPEG"),
            headers={"Content-Type": "image/jpeg"},
        ).json()
        fields = {"resolution": resolution} if resolution else {}
        task_id = create(http, i2v(asset["url"], **fields)).json()["data"]["taskId"]
        assert mp4_shape(http.get(result_urls(finish(http, task_id))[0]).content)[:2] == expected


def test_data_url_image(http: httpx.Client) -> None:
    url = "data:image/png;base64," + base64.b64encode(image_bytes(1280, 720)).decode()
    assert create(http, i2v(url)).status_code == 200


# --- fail codes ------------------------------------------------------------------------------


def test_content_violation(http: httpx.Client) -> None:
    task_id = create(http, t2v(prompt="[mock:moderation_blocked] a scene")).json()["data"]["taskId"]
    data = finish(http, task_id)
    assert data["state"] == "failed"
    assert (data["failCode"], data["failMsg"]) == (
        "CONTENT_VIOLATION",
        "Content violates usage policy",
    )
    assert "resultJson" not in data and "completeTime" in data


def test_internal_error_forced_through_the_control_api(http: httpx.Client) -> None:
    """The provider's generic fail code, not INTERNAL_ERROR (APIXO api-reference/error-codes)."""
    http.post("/_mock/outcomes", json={"outcome": "internal_error"})
    data = finish(http, create(http).json()["data"]["taskId"])
    assert (data["failCode"], data["failMsg"]) == (
        "GENERATION_FAILED",
        "Generic generation failure",
    )


@pytest.mark.parametrize("url", ["https://cdn.invalid/cat.png", "https://gone.example.com/cat.png"])
def test_unreachable_image_fails_the_task_with_invalid_image_url(
    http: httpx.Client, url: str
) -> None:
    registered = http.post("/_mock/unreachable", json={"host": "gone.example.com"}).json()
    assert registered == {"hosts": ["gone.example.com"], "urls": []}
    response = create(http, i2v(url))
    assert response.status_code == 200
    data = finish(http, response.json()["data"]["taskId"])
    assert (data["state"], data["failCode"], data["failMsg"]) == (
        "failed",
        "INVALID_IMAGE_URL",
        "Cannot access the provided image URL",
    )


def test_failed_task_has_no_result_url(http: httpx.Client) -> None:
    task_id = create(http, t2v(prompt="[mock:moderation_blocked]")).json()["data"]["taskId"]
    finish(http, task_id)
    assert_gt_error(
        http.get(f"/media/{task_id}/video.mp4"),
        404,
        "video.failed_no_content",
        f"Task {task_id} failed and has no result.",
    )


# --- rules -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "status_code", "rule", "message"),
    [
        ({}, 400, "input.required", "input is required and must be an object."),
        ({"input": "text-to-video"}, 400, "input.required", "input is required and must be an object."),
        ({"input": {"prompt": "x"}}, 400, "mode.required", "input.mode is required: text-to-video or image-to-video."),
        ({"input": t2v(mode="video-to-video")}, 400, "mode.unsupported", "input.mode must be one of text-to-video, image-to-video (got 'video-to-video')."),
        ({"input": t2v(), "request_type": "sync"}, 400, "request_type.unsupported", "request_type must be one of async, callback (got 'sync')."),
        ({"input": t2v(), "request_type": "callback"}, 400, "callback_url.required", "callback_url is required when request_type is callback."),
        ({"input": t2v(), "request_type": "callback", "callback_url": "ftp://x/y"}, 400, "callback_url.invalid", "callback_url must be an http(s) URL."),
        ({"input": t2v(), "provider": "cheapest"}, 400, "provider.unsupported", "provider must be one of auto, value, official (got 'cheapest')."),
        ({"input": t2v(prompt=None)}, 400, "prompt.required", "Missing required field: input.prompt"),
        ({"input": t2v(prompt=7)}, 400, "prompt.type", "input.prompt must be a string."),
        ({"input": t2v(prompt="")}, 400, "prompt.empty", "input.prompt must not be empty."),
        ({"input": t2v(prompt="a" * 5001)}, 400, "prompt.too_long", "input.prompt must be at most 5000 characters (got 5001)."),
        ({"input": t2v(duration=12)}, 400, "duration.unsupported", "input.duration must be one of 10, 15 (got 12)."),
        ({"input": t2v(duration=10.5)}, 400, "duration.type", "input.duration must be an integer: 10 or 15."),
        ({"input": t2v(size="1280x720")}, 400, "size.unsupported", "input.size must be one of 720*1280, 1280*720, 1024*1792, 1792*1024 (got '1280x720'). Use '*' between width and height here, not 'x'."),
        ({"input": t2v(size="1920*1080")}, 400, "size.unsupported", "input.size must be one of 720*1280, 1280*720, 1024*1792, 1792*1024 (got '1920*1080')."),
        ({"input": t2v(size=1280)}, 400, "size.type", "input.size must be a string such as '1280*720'."),
        ({"input": t2v(resolution="720p")}, 400, "resolution.wrong_mode", "input.resolution is only for image-to-video; text-to-video takes input.size."),
        ({"input": t2v(image_urls=["https://e.com/a.png"])}, 400, "image_urls.wrong_mode", "input.image_urls is only for image-to-video."),
        ({"input": i2v("https://e.com/a.png", size="1280*720")}, 400, "size.wrong_mode", "input.size is only for text-to-video; image-to-video takes input.resolution (720p or 1080p)."),
        ({"input": i2v("https://e.com/a.png", resolution="4k")}, 400, "resolution.unsupported", "input.resolution must be one of 720p, 1080p (got '4k')."),
        ({"input": {"mode": "image-to-video", "prompt": "x"}}, 400, "image_urls.required", "input.image_urls is required for image-to-video."),
        ({"input": {"mode": "image-to-video", "prompt": "x", "image_urls": "https://e.com/a.png"}}, 400, "image_urls.invalid", "input.image_urls must be a list of exactly 1 URL."),
        ({"input": {"mode": "image-to-video", "prompt": "x", "image_urls": ["https://e.com/a.png", "https://e.com/b.png"]}}, 400, "image_urls.invalid", "input.image_urls must be a list of exactly 1 URL."),
        ({"input": i2v("http://10.0.0.5/a.png")}, 400, "input_reference.url_private", "input.image_urls: the host '10.0.0.5' is private; use a public URL."),
        ({"input": i2v("s3://bucket/a.png")}, 400, "input_reference.url_invalid", "input.image_urls: not an http(s) or data: URL."),
        ({"input": i2v("https://e.com/a.png?Expires=1000")}, 400, "input_reference.url_expired", "input.image_urls: the presigned URL has expired."),
        ({"input": t2v(), "model": "sora-2-pro"}, 400, "request.unknown_parameter", "Unknown parameter: 'model'."),
        ({"input": t2v(aspect_ratio="16:9", seconds="10")}, 400, "request.unknown_parameter", "Unknown parameters: 'aspect_ratio' and 'seconds'."),
    ],
)  # fmt: skip
def test_body_rules(
    http: httpx.Client, body: dict[str, Any], status_code: int, rule: str, message: str
) -> None:
    if isinstance(body.get("input"), dict):
        body["input"] = {k: v for k, v in body["input"].items() if v is not None}
    assert_gt_error(http.post(CREATE, json=body), status_code, rule, message)


def test_image_over_10_mb(http: httpx.Client) -> None:
    big = image_bytes(1280, 720) + b"\x00" * (10 * 1024 * 1024)
    asset = http.post("/_mock/assets", content=big, headers={"Content-Type": "image/png"}).json()
    assert_gt_error(
        create(http, i2v(asset["url"])),
        400,
        "input_reference.too_large",
        "input.image_urls: the image is larger than 10.0 MB.",
    )


def test_image_of_another_format(http: httpx.Client) -> None:
    asset = http.post(
        "/_mock/assets", content=image_bytes(64, 64, "BMP"), headers={"Content-Type": "image/bmp"}
    ).json()
    assert_gt_error(
        create(http, i2v(asset["url"])),
        400,
        "input_reference.format",
        "input.image_urls: the image must be JPEG, PNG or WEBP.",
    )


def test_protocol_errors_use_the_envelope(http: httpx.Client, anon: httpx.Client) -> None:
    assert_gt_error(
        http.post(CREATE, content=b"{", headers={"Content-Type": "application/json"}),
        400,
        "request.malformed_json",
        "Invalid JSON body.",
    )
    assert_gt_error(
        http.post(CREATE, data={"input": "x"}),
        400,
        "request.unsupported_content_type",
        "Content-Type must be application/json.",
    )
    assert_gt_error(
        http.post(CREATE, json=["input"]),
        400,
        "request.body_not_object",
        "The request body must be a JSON object.",
    )
    assert_gt_error(
        anon.post(CREATE, json={"input": t2v()}),
        401,
        "auth.missing",
        "Missing API key: send Authorization: Bearer KEY.",
    )
    assert_gt_error(
        http.get("/api/v1/generateTask/sora-3"),
        404,
        "route.not_found",
        "Not found: GET /api/v1/generateTask/sora-3",
    )
    assert_gt_error(
        http.get(CREATE),
        405,
        "route.method_not_allowed",
        f"Method GET is not allowed for {CREATE}; use POST.",
    )


def test_unknown_key_when_keys_are_configured(make_app: Any) -> None:
    with httpx_client(make_app(api_keys=["sk-good"])) as http:
        assert_gt_error(
            http.post(
                CREATE, json={"input": t2v()}, headers={"Authorization": "Bearer sk-badkey99"}
            ),
            401,
            "auth.invalid_key",
            "Invalid API key: sk-ba***99.",
        )


def test_status_query_errors(http: httpx.Client) -> None:
    assert_gt_error(http.get(STATUS), 400, "task_id.required", "taskId is required.")
    assert_gt_error(
        http.get(STATUS, params={"taskId": "task_nope"}),
        404,
        "video.not_found",
        "Task not found: task_nope",
    )
    video = http.post("/v1/videos", json={"prompt": "x"}).json()
    assert http.get(STATUS, params={"taskId": video["id"]}).status_code == 404


# --- limits and expiry -----------------------------------------------------------------------


def test_ten_concurrent_tasks_then_429(http: httpx.Client) -> None:
    for _ in range(10):
        assert create(http).status_code == 200
    refused = create(http)
    assert_gt_error(
        refused,
        429,
        "rate_limit.concurrent_jobs",
        "Too many concurrent tasks: at most 10. Wait and retry.",
    )
    assert refused.headers["retry-after"] == "1"
    assert http.post("/v1/videos", json={"prompt": "native has its own limit"}).status_code == 200


def test_sixty_requests_per_minute_then_429(make_app: Any) -> None:
    app = make_app(progression="manual", clock_start=START)
    with httpx_client(app, headers=AUTH) as http:
        for _ in range(60):
            assert http.get(STATUS, params={"taskId": "task_x"}).status_code == 404
        refused = http.get(STATUS, params={"taskId": "task_x"})
        assert_gt_error(
            refused,
            429,
            "rate_limit.requests",
            "Rate limit exceeded: 60 requests per minute. Wait and retry.",
        )
        assert refused.headers["retry-after"] == "60"
        assert refused.headers["x-ratelimit-limit-requests"] == "60"
        assert http.get("/v1/videos").status_code == 200
        state_of(app).clock.advance(60)
        assert http.get(STATUS, params={"taskId": "task_x"}).status_code == 404


def test_result_urls_stay_valid_for_15_days(http: httpx.Client) -> None:
    data = finish(http, create(http).json()["data"]["taskId"])
    [url] = result_urls(data)
    http.post("/_mock/clock/advance", json={"seconds": 15 * 86400 - 1})
    assert http.get(url).status_code == 200
    http.post("/_mock/clock/advance", json={"seconds": 1})
    assert_gt_error(
        http.get(url),
        410,
        "media.expired",
        f"The result of task {data['taskId']} has expired: result URLs are valid for 15 days.",
    )


def test_faults_answer_in_the_generatetask_envelope(http: httpx.Client) -> None:
    http.post("/_mock/faults", json={"status": 503, "path": "/api/*"})
    response = create(http)
    assert response.status_code == 503
    assert response.json() == {
        "code": 503,
        "message": "Service temporarily unavailable",
        "data": {"error": "Model temporarily unavailable. Try again later."},
    }
    assert create(http).status_code == 200


#: What Schemathesis sent when it found this 500: JSON escapes Python strings cannot hold.
SCHEMATHESIS_CALLBACK = (
    '{"input": {"prompt": "x", "mode": "text-to-video"}, "request_type": "async", '
    '"callback_url": "http://,\\u009c\\uda64\\udc2e\\u00f9!\\u00f4\\ud993\\uddcb]\\u0014\\u00e4<a"}'
)


def test_the_callback_url_schemathesis_found_is_a_400(http: httpx.Client) -> None:
    response = http.post(
        CREATE, content=SCHEMATHESIS_CALLBACK, headers={"Content-Type": "application/json"}
    )
    assert_gt_error(response, 400, "callback_url.invalid", "callback_url must be an http(s) URL.")


@pytest.mark.parametrize(
    "url",
    [
        "http://[::1",
        "http://host:99999/cb",
        "http:///cb",
        "http://bad_host!/cb",
        "http://-x.com/cb",
    ],
)
def test_malformed_callback_urls_are_a_400_not_a_500(http: httpx.Client, url: str) -> None:
    body = {"request_type": "callback", "callback_url": url, "input": t2v()}
    assert_gt_error(
        http.post(CREATE, json=body),
        400,
        "callback_url.invalid",
        "callback_url must be an http(s) URL.",
    )
