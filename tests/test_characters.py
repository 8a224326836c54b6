"""Characters (SPEC 1.7): made from an uploaded video, read back, named on create."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import httpx
import openai
import pytest

from mock_server import create_app, state_of
from mock_server.backend.media import MediaSpec, render_mp4
from sora_testkit import LiveServer, httpx_client, openai_client
from tests.conftest import AUTH
from tests.helpers import assert_openai_error, post_multipart

MP4 = render_mp4(MediaSpec(320, 240, 2, "a character walks in"))
CHARACTER_ID = re.compile(r"^char_[0-9a-f]{32}$")
START = 1_760_000_000.0


@pytest.fixture
def app() -> Any:
    return create_app({"progression": "instant", "background_worker": False, "clock_start": START})


def make(http: httpx.Client, name: str = "Ada", video: bytes | None = MP4) -> httpx.Response:
    if video is None:
        return post_multipart(http, "/v1/videos/characters", {"name": name})
    files = {"video": ("ada.mp4", video, "video/mp4")}
    return http.post("/v1/videos/characters", data={"name": name}, files=files)


def test_the_sdk_makes_and_reads_a_character(app: Any) -> None:
    sdk = openai_client(app)
    made = sdk.videos.create_character(name="Ada", video=("ada.mp4", MP4, "video/mp4"))
    assert CHARACTER_ID.match(made.id or "")
    assert (made.name, made.created_at) == ("Ada", int(START))
    read = sdk.videos.get_character(made.id or "")
    assert read.model_dump() == made.model_dump()


def test_a_character_is_exactly_three_keys(app: Any) -> None:
    with httpx_client(app, headers=AUTH) as http:
        made = make(http).json()
        assert set(made) == {"id", "name", "created_at"}  # no "object"
        assert http.get(f"/v1/videos/characters/{made['id']}").json() == made


def test_characters_over_a_live_server() -> None:
    app = create_app({"progression": "instant"})
    with LiveServer(app) as server:
        sdk = openai.OpenAI(api_key="sk-live", base_url=server.openai_base_url)
        made = [
            sdk.videos.create_character(name=name, video=(f"{name}.mp4", MP4, "video/mp4"))
            for name in ("Bo", "Cy")
        ]
        named = [{"id": character.id} for character in made]
        # The SDK sends multipart, writing characters[][id] once per character.
        video = sdk.videos.create(prompt="Bo and Cy wave", extra_body={"characters": named})
        assert video.status == "completed"
        with pytest.raises(openai.BadRequestError, match="no character with id 'char_x'"):
            sdk.videos.create(prompt="x", extra_body={"characters": [{"id": "char_x"}]})


def test_a_create_may_name_up_to_two_characters(app: Any) -> None:
    with httpx_client(app, headers=AUTH) as http:
        ids = [make(http, name).json()["id"] for name in ("Ada", "Bo")]
        body = {"prompt": "two friends", "characters": [{"id": i} for i in ids]}
        assert http.post("/v1/videos", json=body).status_code == 200
        fields = {"prompt": "one friend", "characters[0][id]": ids[1]}
        response = post_multipart(http, "/v1/videos", fields)
        assert response.status_code == 200, response.text


SHAPE = "Invalid 'characters': expected a list of at most 2 objects with an 'id'."


@pytest.mark.parametrize(
    ("characters", "message"),
    [
        (
            [{"id": "char_" + "0" * 32}],
            f"Invalid 'characters': no character with id 'char_{'0' * 32}'.",
        ),
        ([{"id": "x"}] * 3, SHAPE),
        ({"id": "x"}, SHAPE),
        (["char_1"], SHAPE),
        ([{"id": 7}], SHAPE),
        ([{"id": "x", "name": "y"}], SHAPE),
    ],
)
def test_a_create_naming_characters_wrongly_is_a_400(
    app: Any, characters: Any, message: str
) -> None:
    with httpx_client(app, headers=AUTH) as http:
        response = http.post("/v1/videos", json={"prompt": "x", "characters": characters})
        assert_openai_error(
            response,
            400,
            "characters.invalid",
            message,
            param="characters",
            code="invalid_value",
        )


def test_an_unknown_character_named_in_multipart_is_a_400(app: Any) -> None:
    with httpx_client(app, headers=AUTH) as http:
        fields = {"prompt": "x", "characters[0][id]": "char_nope"}
        response = post_multipart(http, "/v1/videos", fields)
        assert_openai_error(
            response,
            400,
            "characters.invalid",
            "Invalid 'characters': no character with id 'char_nope'.",
            param="characters",
            code="invalid_value",
        )


@pytest.mark.parametrize(
    ("name", "video", "rule", "message", "param", "code"),
    [
        (
            "",
            MP4,
            "character.name",
            "Invalid 'name': expected a string of 1 to 80 characters.",
            "name",
            "invalid_value",
        ),
        (
            "a" * 81,
            MP4,
            "character.name",
            "Invalid 'name': expected a string of 1 to 80 characters.",
            "name",
            "invalid_value",
        ),
        (
            "Ada",
            None,
            "video.required",
            "Missing required parameter: 'video'.",
            "video",
            "missing_required_parameter",
        ),
        (
            "Ada",
            b"\x89PNG\r\n\x1a\n" + b"\0" * 64,
            "video.format",
            "Invalid 'video': expected an MP4 or QuickTime video file.",
            "video",
            "invalid_value",
        ),
        (
            "Ada",
            MP4[:300],
            "video.unreadable",
            "Invalid 'video': the video could not be read (",
            "video",
            "invalid_value",
        ),
    ],
)
def test_each_character_rule_refuses_with_its_message(
    app: Any, name: str, video: bytes | None, rule: str, message: str, param: str, code: str
) -> None:
    with httpx_client(app, headers=AUTH) as http:
        assert_openai_error(
            make(http, name, video),
            400,
            rule,
            message,
            param=param,
            code=code,
            prefix=rule == "video.unreadable",
        )


def test_a_character_video_over_50_mb_is_refused_while_it_streams(app: Any) -> None:
    with httpx_client(app, headers=AUTH) as http:
        huge = MP4 + b"\0" * (50 * 1024 * 1024)
        assert_openai_error(
            make(http, "Ada", huge),
            400,
            "video.too_large",
            "Invalid 'video': the file is larger than 50.0 MB.",
            param="video",
            code="invalid_value",
        )


def test_an_unknown_character_is_a_404(app: Any) -> None:
    with httpx_client(app, headers=AUTH) as http:
        assert_openai_error(
            http.get("/v1/videos/characters/char_nope"),
            404,
            "character.not_found",
            "Character with id 'char_nope' not found.",
        )


def test_characters_are_multipart_only(app: Any) -> None:
    with httpx_client(app, headers=AUTH) as http:
        response = http.post("/v1/videos/characters", json={"name": "Ada", "video": "x"})
        assert response.status_code == 400
        assert response.headers["x-sora-mock-rule"] == "request.unsupported_content_type"


def test_characters_are_kept_in_the_database_and_forgotten_on_reset(tmp_path: Path) -> None:
    db = str(tmp_path / "mock.sqlite3")
    first = create_app({"db": db, "background_worker": False})
    with httpx_client(first, headers=AUTH) as http:
        made = make(http).json()
    state_of(first).close()
    again = create_app({"db": db, "background_worker": False})
    with httpx_client(again, headers=AUTH) as http:
        assert http.get(f"/v1/videos/characters/{made['id']}").json() == made
        http.post("/_mock/reset")
        assert http.get(f"/v1/videos/characters/{made['id']}").status_code == 404
    state_of(again).close()
