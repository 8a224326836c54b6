"""The reference image rules (SPEC 1.2) in every form it can arrive in (SPEC 1.1, 5.2)."""

from __future__ import annotations

import base64
import io
import struct
import zlib
from typing import Any

import httpx
import openai
import pytest
from PIL import Image, ImageFile

from mock_server.state import MockState
from tests.helpers import assert_openai_error, image_bytes, named_file, post_multipart

INPAINT = {
    "message": "Inpaint image must match the requested width and height",
    "type": "invalid_request_error",
    "param": None,
    "code": None,
}


def upload(
    http: httpx.Client,
    data: bytes,
    *,
    filename: str = "ref.png",
    content_type: str = "image/png",
    **fields: str,
) -> httpx.Response:
    fields.setdefault("prompt", "a lighthouse")
    return http.post(
        "/v1/videos",
        data=fields,
        files={"input_reference": (filename, data, content_type)},
    )


def data_url(data: bytes, mime: str = "image/png") -> str:
    return f"data:{mime};base64," + base64.b64encode(data).decode()


def png_header_claiming(width: int, height: int) -> bytes:
    """A PNG whose header claims a size, with one tiny (wrong) data chunk after it."""

    def chunk(kind: bytes, payload: bytes) -> bytes:
        crc = zlib.crc32(kind + payload) & 0xFFFFFFFF
        return struct.pack(">I", len(payload)) + kind + payload + struct.pack(">I", crc)

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\x00" * 16))
        + chunk(b"IEND", b"")
    )


@pytest.mark.parametrize(
    ("fmt", "extra"), [("PNG", {}), ("JPEG", {"quality": 90}), ("WEBP", {"quality": 80})]
)
def test_each_supported_format_is_accepted(
    http: httpx.Client, fmt: str, extra: dict[str, Any]
) -> None:
    response = upload(http, image_bytes(720, 1280, fmt, **extra))
    assert response.status_code == 200, response.text


def test_format_is_recognised_by_bytes_not_by_name_or_type(http: httpx.Client) -> None:
    jpeg = image_bytes(720, 1280, "JPEG")
    response = upload(http, jpeg, filename="picture.gif", content_type="image/gif")
    assert response.status_code == 200, response.text


def test_alpha_channel_is_accepted(http: httpx.Client) -> None:
    rgba = image_bytes(720, 1280, "PNG", color=(10, 20, 30, 128), mode="RGBA")
    assert upload(http, rgba).status_code == 200


@pytest.mark.parametrize(
    ("data", "found"),
    [
        (image_bytes(720, 1280, "GIF"), "a GIF image"),
        (image_bytes(720, 1280, "BMP"), "a BMP image"),
        (image_bytes(720, 1280, "TIFF"), "a TIFF image"),
        (b"\x00\x00\x00\x18ftypheic" + b"\x00" * 64, "a HEIC image"),
        (b"definitely not an image", "not an image this API can read"),
    ],
    ids=["gif", "bmp", "tiff", "heic", "garbage"],
)
def test_other_formats_are_refused(http: httpx.Client, data: bytes, found: str) -> None:
    assert_openai_error(
        upload(http, data, filename="ref.png", content_type="image/png"),
        400,
        "input_reference.format",
        f"Invalid input_reference: the file is {found}. Supported formats are 'JPEG', 'PNG', "
        "and 'WEBP'.",
        param="input_reference",
        code="invalid_value",
    )


@pytest.mark.parametrize(("width", "height"), [(721, 1280), (720, 1279), (1280, 720)])
def test_reference_off_by_one_pixel_gives_the_exact_public_error(
    http: httpx.Client, width: int, height: int
) -> None:
    response = upload(http, image_bytes(width, height), size="720x1280")
    assert_openai_error(
        response,
        400,
        "input_reference.dimensions",
        INPAINT["message"],  # type: ignore[arg-type]
    )
    assert response.json() == {"error": INPAINT}


def test_exact_match_at_every_pro_size(http: httpx.Client) -> None:
    for size in ("720x1280", "1280x720", "1024x1792", "1792x1024"):
        width, height = (int(v) for v in size.split("x"))
        response = upload(http, image_bytes(width, height, "JPEG"), model="sora-2-pro", size=size)
        assert response.status_code == 200, (size, response.text)


def test_reference_over_20_mb_is_refused_while_streaming(http: httpx.Client) -> None:
    big = image_bytes(720, 1280) + b"\x00" * (20 * 1024 * 1024)
    assert_openai_error(
        upload(http, big),
        400,
        "input_reference.too_large",
        "Invalid input_reference: the image is larger than the 20.0 MB limit.",
        param="input_reference",
        code="invalid_value",
    )


def test_reference_just_under_20_mb_is_checked_by_its_header(http: httpx.Client) -> None:
    near_limit = image_bytes(720, 1280) + b"\x00" * (20 * 1024 * 1024 - 70_000)
    assert len(near_limit) < 20 * 1024 * 1024
    assert upload(http, near_limit).status_code == 200


def test_the_check_reads_the_header_and_never_decodes_pixels(
    http: httpx.Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse(*_args: Any, **_kwargs: Any) -> None:
        raise AssertionError("pixels were decoded")

    data = image_bytes(720, 1280)
    monkeypatch.setattr(Image.Image, "load", refuse)
    monkeypatch.setattr(ImageFile.ImageFile, "load", refuse)
    assert upload(http, data).status_code == 200


def test_decompression_bomb_is_a_400(http: httpx.Client) -> None:
    assert_openai_error(
        upload(http, png_header_claiming(100_000, 100_000)),
        400,
        "input_reference.decompression_bomb",
        "Invalid input_reference: the image claims more pixels than the 89478485 allowed.",
        param="input_reference",
        code="invalid_value",
    )


def test_image_between_pillows_warning_and_error_thresholds_is_a_400(
    http: httpx.Client,
) -> None:
    response = upload(http, png_header_claiming(10_000, 10_000))
    assert response.headers["x-sora-mock-rule"] == "input_reference.decompression_bomb"
    assert response.status_code == 400


def test_unreadable_header_is_a_400(http: httpx.Client) -> None:
    broken = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\x0dIHDR" + b"\x01\x02"
    assert_openai_error(
        upload(http, broken),
        400,
        "input_reference.unreadable",
        "Invalid input_reference: the PNG image could not be read.",
        param="input_reference",
        code="invalid_value",
    )


def test_json_image_url_as_data_url(http: httpx.Client) -> None:
    body = {
        "prompt": "x",
        "size": "1280x720",
        "input_reference": {"image_url": data_url(image_bytes(1280, 720))},
    }
    assert http.post("/v1/videos", json=body).status_code == 200


def test_json_data_url_of_the_wrong_size_gives_the_inpaint_error(http: httpx.Client) -> None:
    body = {"prompt": "x", "input_reference": {"image_url": data_url(image_bytes(1280, 720))}}
    response = http.post("/v1/videos", json=body)
    assert response.status_code == 400
    assert response.json() == {"error": INPAINT}


def test_json_data_url_that_is_not_base64(http: httpx.Client) -> None:
    body = {"prompt": "x", "input_reference": {"image_url": "data:image/png;base64,@@@"}}
    assert_openai_error(
        http.post("/v1/videos", json=body),
        400,
        "input_reference.url_invalid",
        "Invalid input_reference.image_url: not a valid base64 data URL.",
        param="input_reference",
        code="invalid_value",
    )


@pytest.mark.parametrize(
    "url",
    [
        "ftp://example.com/a.png",
        "http://[::1",
        "https://host:99999/a.png",
        "http://,\u00e4<a/x.png",
    ],
    ids=["other-scheme", "open-bracket", "bad-port", "bad-host"],
)
def test_json_image_url_that_is_not_an_http_url(http: httpx.Client, url: str) -> None:
    body = {"prompt": "x", "input_reference": {"image_url": url}}
    assert_openai_error(
        http.post("/v1/videos", json=body),
        400,
        "input_reference.url_invalid",
        "Invalid input_reference.image_url: expected an http(s) URL or a base64 data URL.",
        param="input_reference",
        code="invalid_value",
    )


@pytest.mark.parametrize(
    "host",
    [
        "localhost",
        "127.0.0.1",
        "10.1.2.3",
        "192.168.0.9",
        "172.16.5.5",
        "169.254.1.1",
        "nas.local",
        "db.internal",
        "[::1]",
    ],
)
def test_json_image_url_on_a_private_host(http: httpx.Client, host: str) -> None:
    body = {"prompt": "x", "input_reference": {"image_url": f"http://{host}/ref.png"}}
    bare = host.strip("[]")
    assert_openai_error(
        http.post("/v1/videos", json=body),
        400,
        "input_reference.url_private",
        f"Invalid input_reference.image_url: the host '{bare}' is private; use a public URL.",
        param="input_reference",
        code="invalid_value",
    )


def test_public_image_url_stands_for_an_image_of_the_requested_size(http: httpx.Client) -> None:
    body = {
        "prompt": "x",
        "size": "1280x720",
        "input_reference": {"image_url": "https://images.example.com/ref.png"},
    }
    assert http.post("/v1/videos", json=body).status_code == 200


def test_file_id_names_an_uploaded_asset(http: httpx.Client) -> None:
    asset = http.post(
        "/_mock/assets", files={"file": ("ref.webp", image_bytes(720, 1280, "WEBP"), "image/webp")}
    ).json()
    body = {"prompt": "x", "input_reference": {"file_id": asset["id"]}}
    assert http.post("/v1/videos", json=body).status_code == 200


def test_asset_url_served_by_the_mock_is_the_real_image(http: httpx.Client) -> None:
    asset = http.post(
        "/_mock/assets", content=image_bytes(1280, 720), headers={"Content-Type": "image/png"}
    ).json()
    assert asset["url"].endswith(f"/_mock/assets/{asset['id']}")
    assert http.get(asset["url"]).content[:8] == b"\x89PNG\r\n\x1a\n"
    wrong_size = {"prompt": "x", "input_reference": {"image_url": asset["url"]}}
    assert http.post("/v1/videos", json=wrong_size).json() == {"error": INPAINT}
    right_size = {**wrong_size, "size": "1280x720"}
    assert http.post("/v1/videos", json=right_size).status_code == 200


def test_unknown_file_id(http: httpx.Client) -> None:
    body = {"prompt": "x", "input_reference": {"file_id": "file-nope"}}
    assert_openai_error(
        http.post("/v1/videos", json=body),
        400,
        "input_reference.file_not_found",
        "No such File object: file-nope",
        param="input_reference",
    )


@pytest.mark.parametrize(
    "reference",
    [
        {"image_url": "https://example.com/a.png", "file_id": "file-1"},
        {},
        {"url": "https://example.com/a.png"},
        {"image_url": 42},
        "https://example.com/a.png",
        ["https://example.com/a.png"],
    ],
    ids=["both", "neither", "other-key", "number", "bare-string", "array"],
)
def test_object_reference_needs_exactly_one_of_image_url_and_file_id(
    http: httpx.Client, reference: Any
) -> None:
    assert_openai_error(
        http.post("/v1/videos", json={"prompt": "x", "input_reference": reference}),
        400,
        "input_reference.invalid",
        "Invalid input_reference: provide a file upload, or an object with exactly one of "
        "'image_url' or 'file_id'.",
        param="input_reference",
        code="invalid_value",
    )


def test_multipart_text_reference_is_refused(http: httpx.Client) -> None:
    response = post_multipart(
        http, "/v1/videos", {"prompt": "x", "input_reference": "https://example.com/a.png"}
    )
    assert response.headers["x-sora-mock-rule"] == "input_reference.invalid"


def test_multipart_bracket_keys_are_understood(http: httpx.Client) -> None:
    response = post_multipart(
        http,
        "/v1/videos",
        {
            "prompt": "x",
            "size": "1280x720",
            "input_reference[image_url]": data_url(image_bytes(1280, 720)),
        },
    )
    assert response.status_code == 200, response.text


def test_lenient_profile_accepts_a_mismatch_and_fails_the_job(make_app: Any) -> None:
    from sora_testkit import httpx_client

    app = make_app(lenient_reference=True, progression="instant")
    with httpx_client(app, headers={"Authorization": "Bearer sk-x"}) as http:
        video = upload(http, image_bytes(1280, 720), size="720x1280").json()
        assert video["status"] == "failed"
        assert video["error"] == {
            "code": "invalid_reference_image",
            "message": "Inpaint image must match the requested width and height",
        }


def test_sdk_upload_of_a_mismatched_reference_raises_bad_request(sdk: openai.OpenAI) -> None:
    with pytest.raises(openai.BadRequestError) as raised:
        sdk.videos.create(
            prompt="x", size="720x1280", input_reference=named_file(image_bytes(1280, 720), "r.png")
        )
    assert raised.value.status_code == 400
    assert raised.value.body == INPAINT
    assert raised.value.response.headers["x-sora-mock-rule"] == "input_reference.dimensions"


def test_journal_records_the_upload_by_size_and_digest(
    http: httpx.Client, state: MockState
) -> None:
    data = image_bytes(720, 1280)
    upload(http, data)
    entry = state.journal.entries()[-1]
    assert entry["body"]["input_reference"]["bytes"] == len(data)
    assert entry["body"]["input_reference"]["filename"] == "ref.png"
    assert entry["body"]["prompt"] == "a lighthouse"


def test_a_reference_too_large_for_pillow_still_leaves_the_server_healthy(
    http: httpx.Client,
) -> None:
    upload(http, png_header_claiming(100_000, 100_000))
    with Image.open(io.BytesIO(image_bytes(4, 4))) as img:
        assert img.size == (4, 4)
    assert upload(http, image_bytes(720, 1280)).status_code == 200


def test_empty_file_part_is_refused_as_no_image(http: httpx.Client) -> None:
    assert_openai_error(
        upload(http, b""),
        400,
        "input_reference.format",
        "Invalid input_reference: the file is not an image this API can read. Supported formats "
        "are 'JPEG', 'PNG', and 'WEBP'.",
        param="input_reference",
        code="invalid_value",
    )


def test_empty_body_with_a_json_content_type(http: httpx.Client) -> None:
    response = http.post("/v1/videos", content=b"", headers={"Content-Type": "application/json"})
    assert response.status_code == 400
    assert response.headers["x-sora-mock-rule"] == "request.malformed_json"


@pytest.mark.parametrize(("fmt", "kind"), [("PNG", "PNG"), ("JPEG", "JPEG"), ("WEBP", "WEBP")])
@pytest.mark.parametrize("keep", [200, 0.5, -1])
def test_an_image_cut_short_is_refused(
    http: httpx.Client, fmt: str, kind: str, keep: float
) -> None:
    """Judged by its structure, not only its header: a PNG cut to 200 bytes is no image."""
    whole = image_bytes(720, 1280, fmt, color=(10, 120, 200))
    cut = int(keep) if keep >= 1 else int(len(whole) * keep) if keep > 0 else len(whole) - 1
    assert_openai_error(
        upload(http, whole[:cut]),
        400,
        "input_reference.unreadable",
        f"Invalid input_reference: the {kind} image could not be read.",
        param="input_reference",
        code="invalid_value",
    )
    assert upload(http, whole).status_code == 200


def exif_rotated(width: int, height: int, orientation: int, fmt: str = "JPEG") -> bytes:
    """Pixels ``width`` x ``height``, with an EXIF orientation telling viewers to turn them."""
    exif = Image.Exif()
    exif[0x0112] = orientation
    return image_bytes(width, height, fmt, exif=exif.tobytes())


@pytest.mark.parametrize("fmt", ["JPEG", "WEBP", "PNG"])
def test_the_displayed_size_counts_after_exif_orientation(http: httpx.Client, fmt: str) -> None:
    """720x1280 pixels with orientation 6 display as 1280x720: that is the size judged."""
    turned = exif_rotated(720, 1280, 6, fmt)
    accepted = upload(http, turned, size="1280x720")
    assert accepted.status_code == 200, accepted.text
    refused = upload(http, turned, size="720x1280")
    assert refused.status_code == 400
    assert refused.headers["x-sora-mock-rule"] == "input_reference.dimensions"
    assert refused.json() == {"error": INPAINT}
    upright = exif_rotated(720, 1280, 1, fmt)
    assert upload(http, upright, size="720x1280").status_code == 200
