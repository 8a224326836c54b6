"""Image URLs resolve offline (SPEC 5.2): presigned expiry on the mock clock, unreachable hosts."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import httpx
import pytest

from mock_server.backend.image_sources import presigned_expiry
from sora_testkit import httpx_client
from tests.conftest import AUTH
from tests.helpers import assert_openai_error

NOW = datetime(2026, 3, 1, 12, 0, 0, tzinfo=UTC).timestamp()


def aws(signed: str, lifetime: int) -> str:
    return (
        "https://bucket.s3.amazonaws.com/cat.png?X-Amz-Algorithm=AWS4-HMAC-SHA256"
        f"&X-Amz-Date={signed}&X-Amz-Expires={lifetime}&X-Amz-Signature=abc"
    )


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("X-Amz-Date=20260301T110000Z&X-Amz-Expires=3600", NOW),
        ("x-amz-date=20260301T110000Z&x-amz-expires=60", NOW - 3540),
        ("X-Goog-Date=20260301T120000Z&X-Goog-Expires=900", NOW + 900),
        ("Expires=1772366400&Signature=x", 1772366400.0),
        ("X-Amz-Date=yesterday&X-Amz-Expires=60", None),
        ("width=300", None),
    ],
)
def test_presigned_expiry(query: str, expected: float | None) -> None:
    assert presigned_expiry(query) == expected


@pytest.fixture
def http_at_noon(make_app: Any) -> Any:
    with httpx_client(make_app(progression="manual", clock_start=NOW), headers=AUTH) as client:
        yield client


@pytest.mark.parametrize(
    "url",
    [
        aws("20260301T100000Z", 3600),
        "https://cdn.example.com/cat.png?Expires=1772366399&Signature=x",
        "https://storage.googleapis.com/b/cat.png?X-Goog-Date=20260301T000000Z&X-Goog-Expires=60",
    ],
)
def test_expired_presigned_url_is_refused(http_at_noon: httpx.Client, url: str) -> None:
    body = {"prompt": "x", "input_reference": {"image_url": url}}
    assert_openai_error(
        http_at_noon.post("/v1/videos", json=body),
        400,
        "input_reference.url_expired",
        "Invalid input_reference.image_url: the presigned URL has expired.",
        param="input_reference",
        code="invalid_value",
    )


def test_presigned_url_expires_on_the_mock_clock(http_at_noon: httpx.Client) -> None:
    url = aws("20260301T115000Z", 900)
    body = {"model": "sora2-landscape-4s", "prompt": "x", "image_url": url}
    assert http_at_noon.post("/v1/video/generations", json=body).status_code == 200
    http_at_noon.post("/_mock/clock/advance", json={"seconds": 300})
    assert_openai_error(
        http_at_noon.post("/v1/video/generations", json=body),
        400,
        "input_reference.url_expired",
        "Invalid image_url: the presigned URL has expired.",
        param="image_url",
        code="invalid_value",
    )


@pytest.mark.parametrize(
    ("register", "url"),
    [
        (None, "https://images.invalid/cat.png"),
        ({"host": "CDN.Example.com"}, "https://cdn.example.com/cat.png"),
        ({"url": "https://e.com/gone.png"}, "https://e.com/gone.png"),
    ],
)
def test_unreachable_image_is_refused_at_submit_on_native_and_uniall(
    http: httpx.Client, register: dict[str, str] | None, url: str
) -> None:
    if register:
        assert http.post("/_mock/unreachable", json=register).status_code == 200
    assert_openai_error(
        http.post("/v1/videos", json={"prompt": "x", "input_reference": {"image_url": url}}),
        400,
        "input_reference.url_unreachable",
        f"Invalid input_reference.image_url: the image could not be fetched from '{url}'.",
        param="input_reference",
        code="invalid_value",
    )
    uniall = http.post(
        "/v1/video/generations",
        json={"model": "sora2-landscape-4s", "prompt": "x", "image_url": url},
    )
    assert uniall.headers["x-sora-mock-rule"] == "input_reference.url_unreachable"
    assert uniall.json()["error"]["param"] == "image_url"


GOOG = "https://storage.googleapis.com/b/cat.png?X-Goog-Date=20260301T115000Z&X-Goog-Expires="


@pytest.mark.parametrize(
    ("url", "reachable"),
    [
        (aws("20260301T115000Z", 604_800), True),
        (aws("20260301T115000Z", 604_801), False),
        (aws("20260301T115000Z", 31_536_000), False),
        (GOOG + "604800", True),
        (GOOG + "604801", False),
    ],
)
def test_a_presigned_url_that_outlives_seven_days_cannot_be_fetched(
    http_at_noon: httpx.Client, url: str, reachable: bool
) -> None:
    """S3 and Cloud Storage sign for seven days at most: no provider could fetch a longer one."""
    native = http_at_noon.post(
        "/v1/videos", json={"prompt": "x", "input_reference": {"image_url": url}}
    )
    uniall = http_at_noon.post(
        "/v1/video/generations",
        json={"model": "sora2-landscape-4s", "prompt": "x", "image_url": url},
    )
    if reachable:
        assert (native.status_code, uniall.status_code) == (200, 200), native.text
        return
    assert_openai_error(
        native,
        400,
        "input_reference.url_unreachable",
        f"Invalid input_reference.image_url: the image could not be fetched from '{url}'.",
        param="input_reference",
        code="invalid_value",
    )
    assert_openai_error(
        uniall,
        400,
        "input_reference.url_unreachable",
        f"Invalid image_url: the image could not be fetched from '{url}'.",
        param="image_url",
        code="invalid_value",
    )
    task = http_at_noon.post(
        "/api/v1/generateTask/sora-2-pro",
        json={"input": {"mode": "image-to-video", "prompt": "x", "image_urls": [url]}},
    )
    assert task.status_code == 200, task.text
    task_id = task.json()["data"]["taskId"]
    http_at_noon.post("/_mock/clock/advance", json={"seconds": 600})
    data = http_at_noon.get("/api/v1/statusTask/sora-2-pro", params={"taskId": task_id}).json()[
        "data"
    ]
    assert (data["state"], data["failCode"]) == ("failed", "INVALID_IMAGE_URL")


def test_other_urls_on_a_registered_host_stay_reachable(http: httpx.Client) -> None:
    http.post("/_mock/unreachable", json={"url": "https://e.com/gone.png"})
    body = {"prompt": "x", "input_reference": {"image_url": "https://e.com/here.png"}}
    assert http.post("/v1/videos", json=body).status_code == 200


def test_unreachable_registrations_are_listed_and_reset(http: httpx.Client) -> None:
    http.post(
        "/_mock/unreachable", json={"host": "a.example.com", "url": "https://b.example.com/x"}
    )
    assert http.get("/_mock/unreachable").json() == {
        "hosts": ["a.example.com"],
        "urls": ["https://b.example.com/x"],
    }
    http.post("/_mock/reset")
    assert http.get("/_mock/unreachable").json() == {"hosts": [], "urls": []}


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({}, "Give a 'url' or a 'host' (a non-empty string)."),
        ({"url": "x", "host": 3}, "'host' must be a string."),
    ],
)
def test_bad_unreachable_registration(
    http: httpx.Client, body: dict[str, Any], message: str
) -> None:
    response = http.post("/_mock/unreachable", json=body)
    assert response.status_code == 400
    assert response.json()["error"]["message"] == message
