"""Every field rule of ``POST /v1/videos`` (SPEC 1.2), over JSON and multipart."""

from __future__ import annotations

from dataclasses import dataclass
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


@pytest.mark.parametrize(
    "model",
    ["sora-2", "sora-2-pro", "sora-2-2025-10-06", "sora-2-pro-2025-10-06", "sora-2-2025-12-08"],
)
def test_every_documented_model_and_snapshot_is_accepted(http: httpx.Client, model: str) -> None:
    response = post_json(http, {"prompt": "x", "model": model})
    assert response.status_code == 200, response.text
    assert response.json()["model"] == model


def test_prompt_at_the_limit_is_accepted(http: httpx.Client) -> None:
    assert post_json(http, {"prompt": "a" * 32000}).status_code == 200


@dataclass(frozen=True)
class Refusal:
    """A create body one rule refuses, and exactly how: a 400 in OpenAI's envelope."""

    case: str
    body: dict[str, Any]
    rule: str
    message: str
    param: str
    code: str | None
    multipart: bool = False


def _unsupported(
    rule: str, field: str, value: str, supported: str, multipart: bool = False
) -> Refusal:
    return Refusal(
        f"{field} {value!r}" + (" (multipart)" if multipart else ""),
        {"prompt": "x", field: value},
        rule,
        f"Invalid value: '{value}'. Supported values are: {supported}.",
        field,
        "invalid_value",
        multipart,
    )


def _wrong_type(rule: str, field: str, value: Any, expected: str, got: str) -> Refusal:
    body = {"prompt": "x", field: value} if field != "prompt" else {"prompt": value}
    return Refusal(
        f"{field} as {got}",
        body,
        rule,
        f"Invalid type for '{field}': expected {expected}, but got {got} instead.",
        field,
        "invalid_type",
    )


SECONDS = "'4', '8', and '12'"
REFUSALS = [
    *(
        Refusal(
            "missing prompt" + (" (multipart)" if multipart else ""),
            {"model": "sora-2"},
            "prompt.required",
            "Missing required parameter: 'prompt'.",
            "prompt",
            "missing_required_parameter",
            multipart,
        )
        for multipart in (False, True)
    ),
    _wrong_type("prompt.type", "prompt", 42, "a string", "an integer"),
    Refusal(
        "empty prompt",
        {"prompt": ""},
        "prompt.empty",
        "Invalid 'prompt': empty string. Expected a string with minimum length 1, "
        "but got an empty string instead.",
        "prompt",
        "empty_string",
    ),
    Refusal(
        "prompt one character too long",
        {"prompt": "a" * 32001},
        "prompt.too_long",
        "Invalid 'prompt': string too long. Expected a string with maximum length 32000, "
        "but got a string with length 32001 instead.",
        "prompt",
        "string_above_max_length",
    ),
    *(
        _unsupported("model.unsupported", "model", model, "'sora-2' and 'sora-2-pro'")
        for model in ("sora-3", "Sora-2", "sora2-portrait-12s", "gpt-4o")
    ),
    _wrong_type("model.type", "model", ["sora-2"], "a string", "an array"),
    _wrong_type("seconds.type", "seconds", 8, "one of '4', '8', or '12'", "an integer"),
    *(
        _unsupported("seconds.unsupported", "seconds", seconds, SECONDS)
        for seconds in ("5", "16", "20", "0", "4.0", " 4")
    ),
    _unsupported("seconds.unsupported", "seconds", "10", SECONDS, multipart=True),
    *(
        _unsupported("size.unsupported", "size", size, SIZES)
        for size in (
            "1280*720",
            "1280 x 720",
            "720p",
            "1280X720",
            "1920x1080",
            "4K",
            "1280x720 ",
            "",
        )
    ),
    _wrong_type("size.type", "size", {"width": 1280, "height": 720}, "a string", "an object"),
    *(
        Refusal(
            f"Pro-only size {size} on sora-2",
            {"prompt": "x", "model": "sora-2", "size": size},
            "size.model_mismatch",
            f"Invalid value: '{size}'. The model 'sora-2' supports only the sizes '720x1280' "
            f"and '1280x720'; '{size}' needs 'sora-2-pro'.",
            "size",
            "invalid_value",
        )
        for size in ("1024x1792", "1792x1024")
    ),
    Refusal(
        "a UniAll field",
        {"prompt": "x", "model": "sora-2", "aspect_ratio": "16:9"},
        "request.unknown_parameter",
        "Unrecognized request argument supplied: aspect_ratio",
        "aspect_ratio",
        "unknown_parameter",
    ),
    Refusal(
        "several unknown fields",
        {"prompt": "x", "duration": 8, "image_url": "https://example.com/a.png"},
        "request.unknown_parameter",
        "Unrecognized request arguments supplied: duration, image_url",
        "duration",
        "unknown_parameter",
    ),
    Refusal(
        "an unknown field (multipart)",
        {"prompt": "x", "quality": "high"},
        "request.unknown_parameter",
        "Unrecognized request argument supplied: quality",
        "quality",
        "unknown_parameter",
        multipart=True,
    ),
]


@pytest.mark.parametrize("refusal", REFUSALS, ids=lambda refusal: refusal.case)
def test_each_field_rule_refuses_with_its_message(http: httpx.Client, refusal: Refusal) -> None:
    response = (
        multipart(http, {k: str(v) for k, v in refusal.body.items()})
        if refusal.multipart
        else post_json(http, refusal.body)
    )
    assert_openai_error(
        response, 400, refusal.rule, refusal.message, param=refusal.param, code=refusal.code
    )


def test_pro_only_size_with_a_sora_2_snapshot_is_refused_too(http: httpx.Client) -> None:
    response = post_json(http, {"prompt": "x", "model": "sora-2-2025-12-08", "size": "1792x1024"})
    assert response.headers["x-sora-mock-rule"] == "size.model_mismatch"


@pytest.mark.parametrize("size", ["720x1280", "1280x720", "1024x1792", "1792x1024"])
def test_every_size_works_with_sora_2_pro(http: httpx.Client, size: str) -> None:
    response = post_json(http, {"prompt": "x", "model": "sora-2-pro-2025-10-06", "size": size})
    assert response.status_code == 200
    assert response.json()["size"] == size


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
