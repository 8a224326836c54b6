"""Edits and extensions (SPEC 1.7): a new video from one given by id or uploaded."""

from __future__ import annotations

import io
from typing import Any

import av
import httpx
import openai
import pytest

from mock_server import create_app
from mock_server.backend.media import MediaSpec, render_mp4
from sora_testkit import LiveServer, SoraMock, httpx_client, openai_client
from tests.conftest import AUTH
from tests.helpers import assert_openai_error, image_bytes, post_multipart

UPLOAD = render_mp4(MediaSpec(1280, 720, 4, "an uploaded clip"))
RED = (220, 20, 20)


@pytest.fixture
def app() -> Any:
    return create_app(
        {"progression": "instant", "background_worker": False, "validate_responses": "error"}
    )


def completed(http: httpx.Client, **fields: Any) -> dict[str, Any]:
    body: dict[str, Any] = http.post("/v1/videos", json={"prompt": "source", **fields}).json()
    assert body["status"] == "completed", body
    return body


def frames(mp4: bytes) -> tuple[float, list[tuple[int, int, int]]]:
    """The video's length, and the centre pixel of its frame at each second."""
    with av.open(io.BytesIO(mp4), "r") as container:
        stream = container.streams.video[0]
        assert stream.duration is not None and stream.time_base is not None
        seconds = float(stream.duration * stream.time_base)
        centres = []
        for index, frame in enumerate(container.decode(video=0)):
            if index % 24 == 0:
                picture = frame.to_image()  # type: ignore[no-untyped-call]
                centres.append(picture.getpixel((picture.width // 2, picture.height // 3)))
    return seconds, centres


def near(pixel: tuple[int, int, int], colour: tuple[int, int, int]) -> bool:
    return all(abs(a - b) < 40 for a, b in zip(pixel, colour, strict=True))


def test_the_sdk_edits_and_extends_an_uploaded_video(app: Any) -> None:
    sdk = openai_client(app)
    edited = sdk.videos.edit(prompt="at dawn", video=("clip.mp4", UPLOAD, "video/mp4"))
    assert (edited.status, edited.size, edited.seconds, edited.model) == (
        "completed",
        "1280x720",
        "4",
        "sora-2",
    )
    extended = sdk.videos.extend(
        prompt="and on", seconds="8", video=("clip.mp4", UPLOAD, "video/mp4")
    )
    assert (extended.status, extended.seconds) == ("completed", "12")
    length, _ = frames(sdk.videos.download_content(extended.id).content)
    assert length == 12.0
    SoraMock(app).assert_requests_met_contracts()


def test_an_extension_opens_with_its_sources_frames(app: Any) -> None:
    with httpx_client(app, headers=AUTH) as http:
        reference = image_bytes(1280, 720, color=RED)
        source = http.post(
            "/v1/videos",
            data={"prompt": "a red card", "size": "1280x720"},
            files={"input_reference": ("red.png", reference, "image/png")},
        ).json()
        body = {"prompt": "and then", "seconds": "8", "video": {"id": source["id"]}}
        extended = http.post("/v1/videos/extensions", json=body).json()
        assert (extended["seconds"], extended["size"]) == ("12", "1280x720")
        length, centres = frames(http.get(f"/v1/videos/{extended['id']}/content").content)
    assert length == 12.0
    assert all(near(pixel, RED) for pixel in centres[:4])  # the source's four seconds
    assert not any(near(pixel, RED) for pixel in centres[4:])  # then its own picture


def test_an_edit_by_id_keeps_the_sources_model_size_and_length(app: Any) -> None:
    with httpx_client(app, headers=AUTH) as http:
        source = completed(http, model="sora-2-pro", size="1792x1024", seconds="8")
        by_json = http.post(
            "/v1/videos/edits", json={"prompt": "edited", "video": {"id": source["id"]}}
        ).json()
        by_form = post_multipart(
            http, "/v1/videos/edits", {"prompt": "edited", "video[id]": source["id"]}
        ).json()
    for edited in (by_json, by_form):
        assert (edited["model"], edited["size"], edited["seconds"]) == (
            "sora-2-pro",
            "1792x1024",
            "8",
        )


def test_the_sdk_refuses_a_video_by_id_and_its_own_post_sends_it(app: Any) -> None:
    """The OpenAI page's by-id request: the SDK's ``edit(video={"id": ...})`` raises before sending;
    ``client.post(..., body=..., cast_to=openai.types.Video)`` edits and extends by id."""
    sdk = openai_client(app)
    source = sdk.videos.create(prompt="A harbour at dusk")
    with pytest.raises(RuntimeError, match="Expected entry at `video`"):
        sdk.videos.edit(prompt="dawn", video={"id": source.id})
    edited = sdk.post(
        "/videos/edits",
        body={"prompt": "The same harbour at dawn", "video": {"id": source.id}},
        cast_to=openai.types.Video,
    )
    longer = sdk.post(
        "/videos/extensions",
        body={"prompt": "The boats sail out", "seconds": "8", "video": {"id": source.id}},
        cast_to=openai.types.Video,
    )
    assert isinstance(edited, openai.types.Video) and edited.id != source.id
    assert (edited.seconds, longer.seconds) == ("4", "12")


def test_extensions_stop_at_six_and_at_120_seconds(app: Any) -> None:
    with httpx_client(app, headers=AUTH) as http:
        video = completed(http, seconds="4")
        for _ in range(6):
            body = {"prompt": "more", "seconds": "4", "video": {"id": video["id"]}}
            video = http.post("/v1/videos/extensions", json=body).json()
        assert video["seconds"] == "28"
        seventh = {"prompt": "more", "seconds": "4", "video": {"id": video["id"]}}
        assert_openai_error(
            http.post("/v1/videos/extensions", json=seventh),
            400,
            "extension.limit",
            "Invalid 'video': a video can be extended at most 6 times and to at most 120 "
            "seconds (this extension would make it 32 seconds, after 6 extensions).",
            param="video",
            code="invalid_value",
        )
        long = completed(http, seconds="12")
        for _ in range(5):
            body = {"prompt": "more", "seconds": "20", "video": {"id": long["id"]}}
            long = http.post("/v1/videos/extensions", json=body).json()
        assert long["seconds"] == "112"
        past = {"prompt": "more", "seconds": "12", "video": {"id": long["id"]}}
        response = http.post("/v1/videos/extensions", json=past)
        assert response.headers["x-sora-mock-rule"] == "extension.limit"


def test_edits_and_extensions_over_a_live_server() -> None:
    app = create_app({"progression": "instant"})
    with LiveServer(app) as server:
        sdk = openai.OpenAI(api_key="sk-live", base_url=server.openai_base_url)
        edited = sdk.videos.edit(prompt="x", video=("clip.mp4", UPLOAD, "video/mp4"))
        extended = sdk.videos.extend(prompt="y", seconds="4", video=("c.mp4", UPLOAD, "video/mp4"))
        assert (edited.status, extended.seconds) == ("completed", "8")


ERRORS = [
    ("no video", "/v1/videos/edits", {"prompt": "x"}, 400, "video.required",
     "Missing required parameter: 'video'.", "video", "missing_required_parameter"),
    ("video as text", "/v1/videos/edits", {"prompt": "x", "video": "video_1"}, 400,
     "video.invalid", "Invalid 'video': expected an uploaded file or an object with an 'id'.",
     "video", "invalid_value"),
    ("video with more keys", "/v1/videos/edits", {"prompt": "x", "video": {"id": "v", "x": 1}},
     400, "video.invalid",
     "Invalid 'video': expected an uploaded file or an object with an 'id'.", "video",
     "invalid_value"),
    ("unknown video", "/v1/videos/edits", {"prompt": "x", "video": {"id": "video_nope"}}, 404,
     "video.not_found", "Video with id 'video_nope' not found.", None, None),
    ("unsupported seconds", "/v1/videos/extensions",
     {"prompt": "x", "seconds": "5", "video": {"id": "video_nope"}}, 400, "extension.seconds",
     "Invalid value: '5'. Supported values are: '4', '8', '12', '16', and '20'.", "seconds",
     "invalid_value"),
    ("integer seconds", "/v1/videos/extensions",
     {"prompt": "x", "seconds": 8, "video": {"id": "video_nope"}}, 400, "extension.seconds",
     "Invalid value: '8'. Supported values are: '4', '8', '12', '16', and '20'.", "seconds",
     "invalid_value"),
    ("no prompt", "/v1/videos/edits", {"video": {"id": "video_nope"}}, 400, "prompt.required",
     "Missing required parameter: 'prompt'.", "prompt", "missing_required_parameter"),
    ("an unknown field", "/v1/videos/edits", {"prompt": "x", "model": "sora-2"}, 400,
     "request.unknown_parameter", "Unrecognized request argument supplied: model", "model",
     "unknown_parameter"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("case", "path", "body", "status", "rule", "message", "param", "code"),
    ERRORS,
    ids=[error[0] for error in ERRORS],
)
def test_each_rule_refuses_with_its_message(
    app: Any,
    case: str,
    path: str,
    body: dict[str, Any],
    status: int,
    rule: str,
    message: str,
    param: str | None,
    code: str | None,
) -> None:
    with httpx_client(app, headers=AUTH) as http:
        assert_openai_error(
            http.post(path, json=body), status, rule, message, param=param, code=code
        )


def test_an_unfinished_source_is_a_400() -> None:
    app = create_app({"progression": "manual", "background_worker": False})
    with httpx_client(app, headers=AUTH) as http:
        source = http.post("/v1/videos", json={"prompt": "x"}).json()
        body = {"prompt": "x", "video": {"id": source["id"]}}
        assert_openai_error(
            http.post("/v1/videos/edits", json=body),
            400,
            "video.source_unfinished",
            f"Video with id '{source['id']}' is not completed yet (status: queued); only a "
            "completed video can be edited or extended.",
            param="video",
        )


def test_an_upload_of_a_size_no_model_renders_is_a_400(app: Any) -> None:
    with httpx_client(app, headers=AUTH) as http:
        odd = render_mp4(MediaSpec(320, 240, 1, "small"))
        response = http.post(
            "/v1/videos/edits",
            data={"prompt": "x"},
            files={"video": ("odd.mp4", odd, "video/mp4")},
        )
        assert_openai_error(
            response,
            400,
            "video.size",
            "Invalid 'video': its size 320x240 is not one of '720x1280', '1280x720', "
            "'1024x1792', or '1792x1024'.",
            param="video",
            code="invalid_value",
        )
        both = http.post(
            "/v1/videos/edits",
            data={"prompt": "x", "video[id]": "video_1"},
            files={"video": ("clip.mp4", UPLOAD, "video/mp4")},
        )
        assert both.headers["x-sora-mock-rule"] == "video.invalid"


def claiming_seconds(mp4: bytes, seconds: int) -> bytes:
    """``mp4`` (version 0 boxes, one track, one edit, one sample duration) with every box
    that gives its length claiming ``seconds``: the movie, track, edit list, media header and
    the samples' durations."""

    def number(data: bytes, at: int) -> int:
        return int.from_bytes(data[at : at + 4], "big")

    def put(data: bytes, at: int, value: int) -> bytes:
        return data[:at] + value.to_bytes(4, "big") + data[at + 4 :]

    movie = mp4.index(b"mvhd")
    movie_scale = number(mp4, movie + 16)
    mp4 = put(mp4, movie + 20, seconds * movie_scale)
    mp4 = put(mp4, mp4.index(b"tkhd") + 24, seconds * movie_scale)
    mp4 = put(mp4, mp4.index(b"elst") + 12, seconds * movie_scale)
    media = mp4.index(b"mdhd")
    media_scale = number(mp4, media + 16)
    mp4 = put(mp4, media + 20, seconds * media_scale)
    samples = mp4.index(b"stts")
    assert number(mp4, samples + 8) == 1  # one run of samples of one duration
    return put(mp4, samples + 16, seconds * media_scale // number(mp4, samples + 12))


@pytest.mark.parametrize("path", ["/v1/videos/edits", "/v1/videos/extensions"])
def test_an_upload_whose_header_claims_a_long_video_is_refused_before_rendering(
    app: Any, path: str
) -> None:
    """A 4 KB file that says it lasts 300,000 s: once accepted, the job broke the Video
    contract and rendering it would have cost hours of CPU."""
    small = render_mp4(MediaSpec(1280, 720, 1, "a short clip"))
    claimed = claiming_seconds(small, 300_000)
    assert len(claimed) < 64 * 1024
    with httpx_client(app, headers=AUTH) as http:
        fields = {"prompt": "x", "seconds": "4"} if path.endswith("extensions") else {"prompt": "x"}
        response = http.post(path, data=fields, files={"video": ("long.mp4", claimed, "video/mp4")})
        assert_openai_error(
            response,
            400,
            "video.length",
            "Invalid 'video': it is 300000 seconds long; a video to edit or extend is at "
            "most 120 seconds long.",
            param="video",
            code="invalid_value",
        )
        assert http.get("/_mock/").json()["unfinished_jobs"] == 0
        longest = claiming_seconds(small, 120)
        accepted = http.post(
            "/v1/videos/edits",
            data={"prompt": "x"},
            files={"video": ("long.mp4", longest, "video/mp4")},
        )
        assert accepted.status_code == 200 and accepted.json()["seconds"] == "120"
