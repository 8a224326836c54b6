"""Bodies that once answered 500: each now gets a clean 4xx in its dialect's envelope."""

from __future__ import annotations

import gzip
import json
from typing import Any

import httpx
import pytest

from tests.helpers import assert_gt_error, assert_openai_error

LIMITS = "(at most 32 levels of nesting, numbers of at most 64 characters)"
DEEP = "[" * 100_000 + "]" * 100_000
BODIES: dict[str, tuple[str, dict[str, Any]]] = {
    "openai": ("/v1/videos", {"prompt": "x"}),
    "uniall": ("/v1/video/generations", {"model": "sora2-pro-720p", "prompt": "x"}),
    "generatetask": (
        "/api/v1/generateTask/sora-2-pro",
        {"input": {"mode": "text-to-video", "prompt": "x"}},
    ),
}


def post_text(http: httpx.Client, path: str, text: str) -> httpx.Response:
    return http.post(path, content=text.encode(), headers={"Content-Type": "application/json"})


def with_field(body: dict[str, Any], raw: str) -> str:
    """The body's JSON with one more field whose value is ``raw`` JSON text, as written."""
    return json.dumps({**body, "probe": None}).replace("null", raw)


def assert_refused(dialect: str, response: httpx.Response, rule: str, detail: str) -> None:
    if dialect == "generatetask":
        assert_gt_error(response, 400, rule, f"JSON body too complex: {detail} {LIMITS}.")
    else:
        assert_openai_error(
            response, 400, rule, f"The JSON body is too complex to parse: {detail} {LIMITS}."
        )


@pytest.mark.parametrize("dialect", sorted(BODIES))
def test_json_nested_100000_deep_is_a_400(http: httpx.Client, dialect: str) -> None:
    path, _ = BODIES[dialect]
    response = post_text(http, path, DEEP)
    assert_refused(dialect, response, "request.json_limits", "nesting too deep to parse")


@pytest.mark.parametrize("dialect", sorted(BODIES))
def test_json_nested_past_the_limit_is_a_400(http: httpx.Client, dialect: str) -> None:
    path, body = BODIES[dialect]
    response = post_text(http, path, with_field(body, "[" * 40 + "]" * 40))
    assert_refused(dialect, response, "request.json_limits", "nesting more than 32 levels deep")


@pytest.mark.parametrize("dialect", sorted(BODIES))
@pytest.mark.parametrize("digits", [65, 5_000])
def test_a_number_of_thousands_of_digits_is_a_400(
    http: httpx.Client, dialect: str, digits: int
) -> None:
    path, body = BODIES[dialect]
    response = post_text(http, path, with_field(body, "9" * digits))
    assert_refused(dialect, response, "request.json_limits", f"a number of {digits} characters")


def test_nan_is_not_json(http: httpx.Client) -> None:
    path, body = BODIES["uniall"]
    assert_openai_error(
        post_text(http, path, with_field(body, "NaN")),
        400,
        "request.malformed_json",
        "We could not parse the JSON body of your request. (HINT: This likely means you aren't "
        "using your HTTP library correctly. The OpenAI API expects a JSON payload, but what was "
        "sent was not valid JSON. If you have trouble figuring out how to fix this, please "
        "contact us through our help center at help.openai.com.)",
        prefix=True,
    )


@pytest.mark.parametrize("digits", [400, 5000])
def test_a_presigned_url_that_claims_to_never_expire_cannot_be_fetched(
    http: httpx.Client, digits: int
) -> None:
    """A lifetime past any store's seven days, of more digits than ``int`` parses: a 400."""
    url = (
        "https://bucket.s3.example.com/ref.png?X-Amz-Date=20250101T000000Z&X-Amz-Expires="
        + "9" * digits
    )
    response = http.post("/v1/videos", json={"prompt": "x", "input_reference": {"image_url": url}})
    assert_openai_error(
        response,
        400,
        "input_reference.url_unreachable",
        f"Invalid input_reference.image_url: the image could not be fetched from '{url}'.",
        param="input_reference",
        code="invalid_value",
    )


def test_a_multipart_part_without_a_name_is_a_400(http: httpx.Client) -> None:
    body = b"--b\r\nContent-Disposition: form-data\r\n\r\nx\r\n--b--\r\n"
    response = http.post(
        "/v1/videos", content=body, headers={"Content-Type": "multipart/form-data; boundary=b"}
    )
    assert_openai_error(
        response,
        400,
        "request.malformed_multipart",
        "Could not parse the multipart form body of your request: a part has no name.",
    )


def control_error(response: httpx.Response, status: int, message: str) -> None:
    assert response.status_code == status, response.text
    assert response.json() == {
        "error": {"message": message, "type": "control_error", "param": None, "code": None}
    }


def test_control_bodies_have_the_same_json_limits(http: httpx.Client) -> None:
    control_error(
        post_text(http, "/_mock/outcomes", DEEP),
        400,
        "The body is not JSON within the limits: nesting too deep to parse.",
    )
    control_error(
        post_text(http, "/_mock/clock/advance", '{"seconds": ' + "9" * 5000 + "}"),
        400,
        "The body is not JSON within the limits: a number of 5000 characters.",
    )
    control_error(
        post_text(http, "/_mock/faults", json.dumps({"message": "x" * (1024 * 1024)})),
        413,
        "The body is over the 1.0 MB this call accepts.",
    )


def test_asset_uploads_have_the_reference_limit(http: httpx.Client) -> None:
    too_big = b"\x89PNG" + b"\0" * (20 * 1024 * 1024)
    control_error(
        http.post("/_mock/assets", content=too_big, headers={"Content-Type": "image/png"}),
        413,
        "The body is over the 20.0 MB this call accepts.",
    )
    control_error(
        http.post("/_mock/assets", files={"file": ("ref.png", too_big, "image/png")}),
        413,
        "The body is over the 20.0 MB this call accepts.",
    )
    assert http.get("/_mock/").status_code == 200


@pytest.mark.parametrize("dialect", sorted(BODIES))
def test_a_gzip_body_is_refused_clearly(http: httpx.Client, dialect: str) -> None:
    path, body = BODIES[dialect]
    response = http.post(
        path,
        content=gzip.compress(json.dumps(body).encode()),
        headers={"Content-Type": "application/json", "Content-Encoding": "gzip"},
    )
    if dialect == "generatetask":
        assert_gt_error(
            response,
            415,
            "request.content_encoding",
            "Content-Encoding gzip is not supported; send the body uncompressed.",
        )
    else:
        assert_openai_error(
            response,
            415,
            "request.content_encoding",
            "Content-Encoding 'gzip' is not supported: send the body uncompressed.",
        )
    identity = http.post(path, json=body, headers={"Content-Encoding": "identity"})
    assert identity.status_code == 200, identity.text


def test_a_gzip_control_body_is_refused_clearly(http: httpx.Client) -> None:
    control_error(
        http.post(
            "/_mock/outcomes",
            content=gzip.compress(b'{"outcome": "slow"}'),
            headers={"Content-Type": "application/json", "Content-Encoding": "gzip"},
        ),
        415,
        "Send the body uncompressed (no Content-Encoding).",
    )


def test_a_byte_order_mark_is_not_json(http: httpx.Client) -> None:
    path, body = BODIES["uniall"]
    response = post_text(http, path, "\ufeff" + json.dumps(body))
    assert_openai_error(
        response, 400, "request.malformed_json", "We could not parse the JSON body", prefix=True
    )
