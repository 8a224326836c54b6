"""Characters: made from an uploaded video, named on create (SPEC 1.7)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from mock_server import catalog, videos
from mock_server.rules.registry import RuleViolation, define

PARAM_VIDEO = "video"

NAME = define(
    "character.name",
    400,
    f"name is a string of 1 to {catalog.CHARACTER_NAME_MAX_CHARS} characters.",
    "SPEC 1.7 [public]",
)
VIDEO_REQUIRED = define(
    "video.required", 400, "A video is given, as a file part named video.", "SPEC 1.7 [public]"
)
VIDEO_FORMAT = define(
    "video.format",
    400,
    "The video is an MP4 or QuickTime file, recognised by its bytes (an ftyp box).",
    "SPEC 1.7 [choice]",
)
VIDEO_UNREADABLE = define(
    "video.unreadable",
    400,
    "The video's container header can be read, and it holds a video stream.",
    "SPEC 1.7 [choice]",
)
VIDEO_TOO_LARGE = define(
    "video.too_large",
    400,
    f"The video has at most {catalog.CHARACTER_VIDEO_MAX_BYTES // (1024 * 1024)} MB, counted "
    "while the body streams in.",
    "SPEC 1.7 [choice]",
)
NOT_FOUND = define(
    "character.not_found",
    404,
    "A character id names a character made on the mock.",
    "SPEC 1.7 [choice: OpenAI wording]",
)
CHARACTERS_INVALID = define(
    "characters.invalid",
    400,
    f"characters is a list of at most {catalog.CHARACTERS_PER_VIDEO} objects "
    '{"id": "char_..."} naming characters made on the mock.',
    "SPEC 1.7 [public docs; choice: 400]",
)


def check_name(value: Any) -> str:
    """The character's name: a string of 1..80 characters."""
    if not isinstance(value, str) or not 1 <= len(value) <= catalog.CHARACTER_NAME_MAX_CHARS:
        raise RuleViolation(NAME, param="name", got=value)
    return value


def check_video(data: bytes | None) -> videos.VideoHeader:
    """The uploaded video: there, an MP4 or QuickTime file, with a readable header."""
    if data is None:
        raise RuleViolation(VIDEO_REQUIRED, param=PARAM_VIDEO)
    found = videos.sniff_format(data)
    if found not in catalog.VIDEO_UPLOAD_FORMATS:
        raise RuleViolation(VIDEO_FORMAT, param=PARAM_VIDEO)
    try:
        return videos.read_header(data, found)
    except videos.VideoHeaderError as exc:
        raise RuleViolation(VIDEO_UNREADABLE, param=PARAM_VIDEO, detail=str(exc)) from exc


def check_characters(value: Any, known: Callable[[str], bool]) -> tuple[str, ...]:
    """``[{"id": "char_..."}]``: at most two, each a character the mock made."""
    if value is None:
        return ()
    if not isinstance(value, list) or len(value) > catalog.CHARACTERS_PER_VIDEO:
        raise RuleViolation(CHARACTERS_INVALID, param="characters", reason="shape")
    ids: list[str] = []
    for item in value:
        if not isinstance(item, dict) or set(item) != {"id"} or not isinstance(item["id"], str):
            raise RuleViolation(CHARACTERS_INVALID, param="characters", reason="shape")
        if not known(item["id"]):
            raise RuleViolation(
                CHARACTERS_INVALID, param="characters", reason="unknown", id=item["id"]
            )
        ids.append(item["id"])
    return tuple(ids)
