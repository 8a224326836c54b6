"""Every field rule of ``POST /v1/videos`` (SPEC 1.2), over JSON and multipart."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.helpers import assert_openai_error, post_multipart

SIZES = "'720x1280', '1280x720', '1024x1792', and '1792x1024'"


def post_json(http: httpx.Client, body: Any) -> httpx.Response:
    return http.post("/v1/videos", json=body)


def multipart(http: httpx.Client, fields: dict[str, str]) -> httpx.Response:
    return post_multipart(http, "/v1/videos", fields)


def test_defaults_apply_when_fields_are_absent(http: httpx.Client) -> None:
    video = post_json(http, {"prompt": "a calico cat"}).json()
    assert (video["model"], video["size"], video["seconds"]) == ("sora-2", "720x1280", "4")


def test_multipart_values_arrive_as_strings_and_are_accepted(http: httpx.Client) -> None:
    response = multipart(
        http, {"prompt": "a cat", "model": "sora-2-pro", "seconds": "8", "size": "1280x720"}
    )
    assert response.status_code == 200, response.text
    video = response.json()
    assert (video["model"], video["size"], video["seconds"]) == ("sora-2-pro", "1280x720", "8")


def test_missing_prompt(http: httpx.Client) -> None:
    assert_openai_error(
        post_json(http, {"model": "sora-2"}),
        400,
        "prompt.required",
        "Missing required parameter: 'prompt'.",
        param="prompt",
        code="missing_required_parameter",
    )


def test_missing_prompt_in_multipart(http: httpx.Client) -> None:
    assert_openai_error(
        multipart(http, {"model": "sora-2"}),
        400,
        "prompt.required",
        "Missing required parameter: 'prompt'.",
        param="prompt",
        code="missing_required_parameter",
    )


def test_prompt_of_wrong_type(http: httpx.Client) -> None:
    assert_openai_error(
        post_json(http, {"prompt": 42}),
        400,
        "prompt.type",
        "Invalid type for 'prompt': expected a string, but got an integer instead.",
        param="prompt",
        code="invalid_type",
    )


def test_empty_prompt(http: httpx.Client) -> None:
    assert_openai_error(
        post_json(http, {"prompt": ""}),
        400,
        "prompt.empty",
        "Invalid 'prompt': empty string. Expected a string with minimum length 1, "
        "but got an empty string instead.",
        param="prompt",
        code="empty_string",
    )


def test_prompt_at_the_limit_is_accepted_and_one_more_is_not(http: httpx.Client) -> None:
    assert post_json(http, {"prompt": "a" * 32000}).status_code == 200
    assert_openai_error(
        post_json(http, {"prompt": "a" * 32001}),
        400,
        "prompt.too_long",
        "Invalid 'prompt': string too long. Expected a string with maximum length 32000, "
        "but got a string with length 32001 instead.",
        param="prompt",
        code="string_above_max_length",
    )


@pytest.mark.parametrize(
    "model",
    ["sora-2", "sora-2-pro", "sora-2-2025-10-06", "sora-2-pro-2025-10-06", "sora-2-2025-12-08"],
)
def test_every_documented_model_and_snapshot_is_accepted(http: httpx.Client, model: str) -> None:
    response = post_json(http, {"prompt": "x", "model": model})
    assert response.status_code == 200, response.text
    assert response.json()["model"] == model


@pytest.mark.parametrize("model", ["sora-3", "Sora-2", "sora2-portrait-12s", "gpt-4o"])
def test_unsupported_model(http: httpx.Client, model: str) -> None:
    assert_openai_error(
        post_json(http, {"prompt": "x", "model": model}),
        400,
        "model.unsupported",
        f"Invalid value: '{model}'. Supported values are: 'sora-2' and 'sora-2-pro'.",
        param="model",
        code="invalid_value",
    )


def test_model_of_wrong_type(http: httpx.Client) -> None:
    assert_openai_error(
        post_json(http, {"prompt": "x", "model": ["sora-2"]}),
        400,
        "model.type",
        "Invalid type for 'model': expected a string, but got an array instead.",
        param="model",
        code="invalid_type",
    )


def test_seconds_as_json_integer_gives_the_public_message(http: httpx.Client) -> None:
    assert_openai_error(
        post_json(http, {"prompt": "x", "seconds": 8}),
        400,
        "seconds.type",
        "Invalid type for 'seconds': expected one of '4', '8', or '12', but got an integer "
        "instead.",
        param="seconds",
        code="invalid_type",
    )


@pytest.mark.parametrize("seconds", ["5", "16", "20", "0", "4.0", " 4"])
def test_unsupported_seconds(http: httpx.Client, seconds: str) -> None:
    assert_openai_error(
        post_json(http, {"prompt": "x", "seconds": seconds}),
        400,
        "seconds.unsupported",
        f"Invalid value: '{seconds}'. Supported values are: '4', '8', and '12'.",
        param="seconds",
        code="invalid_value",
    )


def test_unsupported_seconds_in_multipart(http: httpx.Client) -> None:
    assert_openai_error(
        multipart(http, {"prompt": "x", "seconds": "10"}),
        400,
        "seconds.unsupported",
        "Invalid value: '10'. Supported values are: '4', '8', and '12'.",
        param="seconds",
        code="invalid_value",
    )


@pytest.mark.parametrize(
    "size", ["1280*720", "1280 x 720", "720p", "1280X720", "1920x1080", "4K", "1280x720 ", ""]
)
def test_unsupported_size(http: httpx.Client, size: str) -> None:
    assert_openai_error(
        post_json(http, {"prompt": "x", "size": size}),
        400,
        "size.unsupported",
        f"Invalid value: '{size}'. Supported values are: {SIZES}.",
        param="size",
        code="invalid_value",
    )


def test_size_of_wrong_type(http: httpx.Client) -> None:
    assert_openai_error(
        post_json(http, {"prompt": "x", "size": {"width": 1280, "height": 720}}),
        400,
        "size.type",
        "Invalid type for 'size': expected a string, but got an object instead.",
        param="size",
        code="invalid_type",
    )


@pytest.mark.parametrize("size", ["1024x1792", "1792x1024"])
def test_pro_only_size_with_sora_2_names_the_model_and_its_sizes(
    http: httpx.Client, size: str
) -> None:
    assert_openai_error(
        post_json(http, {"prompt": "x", "model": "sora-2", "size": size}),
        400,
        "size.model_mismatch",
        f"Invalid value: '{size}'. The model 'sora-2' supports only the sizes '720x1280' and "
        f"'1280x720'; '{size}' needs 'sora-2-pro'.",
        param="size",
        code="invalid_value",
    )


def test_pro_only_size_with_a_sora_2_snapshot_is_refused_too(http: httpx.Client) -> None:
    response = post_json(http, {"prompt": "x", "model": "sora-2-2025-12-08", "size": "1792x1024"})
    assert response.headers["x-sora-mock-rule"] == "size.model_mismatch"


@pytest.mark.parametrize("size", ["720x1280", "1280x720", "1024x1792", "1792x1024"])
def test_every_size_works_with_sora_2_pro(http: httpx.Client, size: str) -> None:
    response = post_json(http, {"prompt": "x", "model": "sora-2-pro-2025-10-06", "size": size})
    assert response.status_code == 200
    assert response.json()["size"] == size


def test_unknown_field_is_refused_like_a_uniall_request(http: httpx.Client) -> None:
    assert_openai_error(
        post_json(http, {"prompt": "x", "model": "sora-2", "aspect_ratio": "16:9"}),
        400,
        "request.unknown_parameter",
        "Unrecognized request argument supplied: aspect_ratio",
        param="aspect_ratio",
        code="unknown_parameter",
    )


def test_several_unknown_fields_are_all_named(http: httpx.Client) -> None:
    assert_openai_error(
        post_json(http, {"prompt": "x", "duration": 8, "image_url": "https://example.com/a.png"}),
        400,
        "request.unknown_parameter",
        "Unrecognized request arguments supplied: duration, image_url",
        param="duration",
        code="unknown_parameter",
    )


def test_unknown_field_in_multipart(http: httpx.Client) -> None:
    assert_openai_error(
        multipart(http, {"prompt": "x", "quality": "high"}),
        400,
        "request.unknown_parameter",
        "Unrecognized request argument supplied: quality",
        param="quality",
        code="unknown_parameter",
    )


def test_field_repeated_in_multipart(http: httpx.Client) -> None:
    boundary = "b"
    body = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="prompt"\r\n\r\none\r\n'
        f'--{boundary}\r\nContent-Disposition: form-data; name="prompt"\r\n\r\ntwo\r\n'
        f"--{boundary}--\r\n"
    ).encode()
    response = http.post(
        "/v1/videos",
        content=body,
        headers={"Content-Type": f"multipart/form-data; boundary={boundary}"},
    )
    assert_openai_error(
        response,
        400,
        "request.duplicate_parameter",
        "Duplicate parameter: 'prompt' was sent 2 times.",
        param="prompt",
    )


def test_null_optional_fields_take_their_defaults(http: httpx.Client) -> None:
    video = post_json(http, {"prompt": "x", "model": None, "seconds": None, "size": None}).json()
    assert (video["model"], video["size"], video["seconds"]) == ("sora-2", "720x1280", "4")


def test_rules_report_in_order_unknown_fields_first(http: httpx.Client) -> None:
    response = post_json(http, {"size": "4K", "seconds": 5, "ratio": "16:9"})
    assert response.headers["x-sora-mock-rule"] == "request.unknown_parameter"
    response = post_json(http, {"size": "4K", "seconds": 5})
    assert response.headers["x-sora-mock-rule"] == "prompt.required"
    response = post_json(http, {"prompt": "x", "size": "4K", "seconds": 5})
    assert response.headers["x-sora-mock-rule"] == "seconds.type"
