"""Edits and extensions: a new video from one given by id or uploaded (SPEC 1.7)."""

from __future__ import annotations

from typing import Any

from mock_server import catalog, videos
from mock_server.rules.registry import RuleViolation, define
from mock_server.wording import plain_list

VIDEO_INVALID = define(
    "video.invalid",
    400,
    'video is exactly one of an uploaded file or {"id": "video_..."}.',
    "SPEC 1.7 [public]",
)
VIDEO_SIZE = define(
    "video.size",
    400,
    f"An uploaded video's size is one the models render ({plain_list(catalog.ALL_SIZES)}).",
    "SPEC 1.7 [choice]",
)
VIDEO_LENGTH = define(
    "video.length",
    400,
    f"An uploaded video to edit or extend is at most {catalog.EXTENDED_MAX_SECONDS} seconds "
    "long (the longest the models make: an extended video), read from its header before "
    "anything is rendered.",
    "SPEC 1.7 [choice; the 120 s total is public docs]",
)
EXTENSION_SECONDS = define(
    "extension.seconds",
    400,
    f"An extension's seconds is {plain_list(catalog.EXTENSION_SECONDS)}, as a string.",
    "SPEC 1.7 [public; choice: all five of the description]",
)
EXTENSION_LIMIT = define(
    "extension.limit",
    400,
    f"A video is extended at most {catalog.EXTENSIONS_MAX} times, to at most "
    f"{catalog.EXTENDED_MAX_SECONDS} seconds in all.",
    "SPEC 1.7 [public docs]",
)


def check_extension_seconds(value: Any) -> int:
    """The seconds one extension adds."""
    if value is None or value not in catalog.EXTENSION_SECONDS:
        raise RuleViolation(
            EXTENSION_SECONDS, param="seconds", value=value, supported=catalog.EXTENSION_SECONDS
        )
    return int(value)


def check_extension_limits(extensions: int, seconds: int, added: int) -> None:
    """One more extension of a video extended ``extensions`` times, ``seconds`` long."""
    if extensions >= catalog.EXTENSIONS_MAX or seconds + added > catalog.EXTENDED_MAX_SECONDS:
        raise RuleViolation(
            EXTENSION_LIMIT, param="video", extensions=extensions, total=seconds + added
        )


def upload_shape(header: videos.VideoHeader) -> tuple[str, int, int, int]:
    """The model, width, height and seconds an uploaded video gives the new one: the smallest
    model that renders its size [choice], its length rounded to whole seconds, at most the
    longest video the models make."""
    size = f"{header.width}x{header.height}"
    if size not in catalog.ALL_SIZES:
        raise RuleViolation(VIDEO_SIZE, param="video", size=size, supported=catalog.ALL_SIZES)
    if header.seconds > catalog.EXTENDED_MAX_SECONDS:
        said = round(header.seconds, 1)
        raise RuleViolation(
            VIDEO_LENGTH,
            param="video",
            seconds=int(said) if said.is_integer() else said,
            limit=catalog.EXTENDED_MAX_SECONDS,
        )
    model = next(m for m in catalog.BASE_MODELS if size in catalog.SIZES_BY_MODEL[m])
    return model, header.width, header.height, max(1, round(header.seconds))
