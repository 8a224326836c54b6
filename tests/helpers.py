"""Helpers shared by the tests: real images made by Pillow, error assertions."""

from __future__ import annotations

import io
from typing import Any

import av
import httpx
from PIL import Image

from mock_server import catalog
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


def gt_error_body(status: int, detail: str) -> dict[str, Any]:
    """generateTask's error body: the status's message and the detail in ``data.error`` (the
    provider's 400 example); a 401 is the documented bare ``{code, message}``."""
    message = catalog.gt_status_message(status)
    if status == 401:
        return {"code": 401, "message": message}
    return {"code": status, "message": message, "data": {"error": detail}}


def assert_gt_error(response: httpx.Response, status: int, rule: str, message: str) -> None:
    """Status, the ``{code, message, data: {error}}`` envelope with code = status, the detail,
    the rule id."""
    assert response.status_code == status, response.text
    assert response.headers["x-sora-mock-rule"] == rule
    assert response.headers["x-request-id"].startswith("req_")
    assert response.json() == gt_error_body(status, message)


def post_multipart(http: httpx.Client, path: str, fields: dict[str, str]) -> httpx.Response:
    """POST text fields as multipart/form-data."""
    body, content_type = encode_multipart(fields)
    return http.post(path, content=body, headers={"Content-Type": content_type})


def probe_mp4(mp4: bytes) -> dict[str, Any]:
    """Width, height, duration, codec and first frame of an MP4, read back with PyAV."""
    with av.open(io.BytesIO(mp4), "r") as container:
        stream = container.streams.video[0]
        first = next(container.decode(video=0)).to_image()  # type: ignore[no-untyped-call]
        assert stream.duration is not None and stream.time_base is not None
        return {
            "width": stream.codec_context.width,
            "height": stream.codec_context.height,
            "seconds": float(stream.duration * stream.time_base),
            "codec": stream.codec_context.name,
            "first": first,
            "format": container.format.name,
        }


def mp4_shape(mp4: bytes) -> tuple[int, int, float]:
    """An MP4's width, height and seconds."""
    facts = probe_mp4(mp4)
    return facts["width"], facts["height"], facts["seconds"]
