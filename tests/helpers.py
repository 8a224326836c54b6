"""Helpers shared by the tests: real images made by Pillow, error assertions."""

from __future__ import annotations

import io
from typing import Any

import httpx
from PIL import Image

from sora_testkit.generation.wire import encode_multipart

ENVELOPE_KEYS = {"message", "type", "param", "code"}


def image_bytes(
    width: int,
    height: int,
    fmt: str = "PNG",
    color: tuple[int, ...] = (200, 40, 90),
    mode: str = "RGB",
    **save: Any,
) -> bytes:
    """A real image of the given size and format."""
    out = io.BytesIO()
    Image.new(mode, (width, height), color).save(out, fmt, **save)
    return out.getvalue()


def named_file(data: bytes, name: str) -> io.BytesIO:
    """A file object with a name, as the SDK expects for uploads."""
    handle = io.BytesIO(data)
    handle.name = name
    return handle


def assert_openai_error(
    response: httpx.Response,
    status: int,
    rule: str,
    message: str,
    *,
    param: str | None = None,
    code: str | None = None,
    error_type: str = "invalid_request_error",
    prefix: bool = False,
) -> dict[str, Any]:
    """Assert status, the four-key envelope, the message, the param, the code and the rule id."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/json")
    assert response.headers["x-sora-mock-rule"] == rule
    assert response.headers["x-request-id"].startswith("req_")
    body = response.json()
    assert set(body) == {"error"}
    error: dict[str, Any] = body["error"]
    assert set(error) == ENVELOPE_KEYS
    if prefix:
        assert error["message"].startswith(message), error["message"]
    else:
        assert error["message"] == message
    assert error["type"] == error_type
    assert error["param"] == param
    assert error["code"] == code
    return error


def post_multipart(http: httpx.Client, path: str, fields: dict[str, str]) -> httpx.Response:
    """POST text fields as multipart/form-data."""
    body, content_type = encode_multipart(fields)
    return http.post(path, content=body, headers={"Content-Type": content_type})
