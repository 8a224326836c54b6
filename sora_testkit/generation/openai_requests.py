"""OpenAI-native create requests (``POST /v1/videos``): valid ones and the classic mistakes."""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Mapping
from typing import Any

from hypothesis import strategies as st

from mock_server import catalog
from mock_server.backend.media import MediaSpec, render_mp4
from sora_testkit.generation.common import (
    PRIVATE_IMAGE_URLS,
    PUBLIC_IMAGE_URL,
    Mistake,
    as_json,
    edit,
    prompts,
    request,
)
from sora_testkit.generation.images import (
    CONTENT_TYPES,
    EXTENSIONS,
    REFUSED_FORMATS,
    data_url,
    reference_images,
    render_image,
)
from sora_testkit.generation.wire import ApiRequest

DIALECT = "openai"
EDITS_PATH = "/v1/videos/edits"
EXTENSIONS_PATH = "/v1/videos/extensions"
CHARACTERS_PATH = "/v1/videos/characters"
#: A video id no mock has handed out (the right form, 32 hex digits).
UNKNOWN_VIDEO = catalog.ID_PREFIX_VIDEO + "0" * catalog.ID_HEX_VIDEO


@functools.lru_cache(maxsize=8)
def clip(width: int, height: int, seconds: int) -> bytes:
    """A real MP4 of this size and length (rendered once per shape)."""
    return render_mp4(MediaSpec(width, height, seconds, "a clip for a test"))


def _video_part(data: bytes) -> tuple[str, bytes, str]:
    return ("clip.mp4", data, "video/mp4")


@st.composite
def clips(draw: st.DrawFn) -> bytes:
    """An MP4 of a size a model renders, 1 to 4 seconds long."""
    size = draw(st.sampled_from(catalog.ALL_SIZES))
    width, height = catalog.NATIVE_SIZES[size]
    return clip(width, height, draw(st.integers(1, 4)))


@st.composite
def edit_requests(draw: st.DrawFn, *, extension: bool = False) -> ApiRequest:
    """A valid edit (or extension) of an uploaded clip, as the SDK sends it: multipart."""
    form = {"prompt": draw(prompts())}
    if extension:
        form["seconds"] = draw(st.sampled_from(catalog.EXTENSION_SECONDS))
    path = EXTENSIONS_PATH if extension else EDITS_PATH
    files = {"video": _video_part(draw(clips()))}
    return ApiRequest(DIALECT, "POST", path, form=form, files=files)


@st.composite
def character_requests(draw: st.DrawFn) -> ApiRequest:
    """A valid character: a name of 1 to 80 characters and an uploaded clip."""
    form = {"name": draw(prompts(max_size=catalog.CHARACTER_NAME_MAX_CHARS))}
    files = {"video": _video_part(draw(clips()))}
    return ApiRequest(DIALECT, "POST", CHARACTERS_PATH, form=form, files=files)


def native_size(body: Mapping[str, Any]) -> tuple[int, int]:
    """The width and height a native body asks for."""
    return catalog.parse_size(body.get("size", catalog.DEFAULT_SIZE))


@st.composite
def valid(draw: st.DrawFn, references: bool | None, encodings: tuple[str, ...]) -> ApiRequest:
    """A create request the mock accepts."""
    body: dict[str, Any] = {"prompt": draw(prompts())}
    model = catalog.DEFAULT_MODEL
    if draw(st.booleans()):
        model = body["model"] = draw(st.sampled_from(catalog.ACCEPTED_MODELS))
    if draw(st.booleans()):
        body["size"] = draw(st.sampled_from(catalog.SIZES_BY_MODEL[catalog.base_model(model)]))
    if draw(st.booleans()):
        body["seconds"] = draw(st.sampled_from(catalog.SECONDS_VALUES))
    encoding = draw(st.sampled_from(encodings))
    with_reference = draw(st.booleans()) if references is None else references
    if not with_reference:
        return request(DIALECT, body, encoding)
    width, height = native_size(body)
    data, image_format = draw(reference_images(width=width, height=height))
    if encoding == "json":
        body["input_reference"] = {"image_url": data_url(data, image_format)}
        return request(DIALECT, body)
    part = (f"reference.{EXTENSIONS[image_format]}", data, CONTENT_TYPES[image_format])
    return request(DIALECT, body, "multipart", input_reference=part)


def _base(draw: st.DrawFn, encodings: tuple[str, ...]) -> ApiRequest:
    return draw(valid(references=False, encodings=encodings))


def _body(base: ApiRequest) -> dict[str, Any]:
    return dict(base.form if base.form is not None else base.json)


def _size_typo(draw: st.DrawFn, encodings: tuple[str, ...]) -> ApiRequest:
    base = _base(draw, encodings)
    width, height = native_size(_body(base))
    typos = (
        f"{width}*{height}",
        f"{width} x {height}",
        f"{width}X{height}",
        f"{min(width, height)}p",
        "1920x1080",
        "4K",
    )
    return edit(base, size=draw(st.sampled_from(typos)))


def _pro_size_on_sora_2(draw: st.DrawFn, encodings: tuple[str, ...]) -> ApiRequest:
    standard = [m for m in catalog.ACCEPTED_MODELS if catalog.base_model(m) == "sora-2"]
    return edit(
        _base(draw, encodings),
        model=draw(st.sampled_from(standard)),
        size=draw(st.sampled_from(catalog.PRO_ONLY_SIZES)),
    )


def _integer_seconds(draw: st.DrawFn, encodings: tuple[str, ...]) -> ApiRequest:
    number = int(draw(st.sampled_from(catalog.SECONDS_VALUES)))
    return edit(as_json(_base(draw, encodings)), seconds=number)


def _unsupported_seconds(draw: st.DrawFn, encodings: tuple[str, ...]) -> ApiRequest:
    text = draw(st.sampled_from(("5", "10", "16", "20", "4s", "04", "")))
    return edit(_base(draw, encodings), seconds=text)


def _uniall_field(draw: st.DrawFn, encodings: tuple[str, ...]) -> ApiRequest:
    fields = (("aspect_ratio", "16:9"), ("duration", "8"), ("image_url", PUBLIC_IMAGE_URL))
    name, value = draw(st.sampled_from(fields))
    return edit(_base(draw, encodings), **{name: value})


def _uniall_model(draw: st.DrawFn, encodings: tuple[str, ...]) -> ApiRequest:
    return edit(_base(draw, encodings), model=draw(st.sampled_from(tuple(catalog.UNIALL_MODELS))))


def _empty_prompt(draw: st.DrawFn, encodings: tuple[str, ...]) -> ApiRequest:
    return edit(_base(draw, encodings), prompt="")


def _missing_prompt(draw: st.DrawFn, encodings: tuple[str, ...]) -> ApiRequest:
    return edit(_base(draw, encodings), prompt=None)


def _long_prompt(draw: st.DrawFn, encodings: tuple[str, ...]) -> ApiRequest:
    return edit(_base(draw, encodings), prompt="a" * (catalog.PROMPT_MAX_CHARS + 1))


def _private_reference(draw: st.DrawFn, encodings: tuple[str, ...]) -> ApiRequest:
    url = draw(st.sampled_from(PRIVATE_IMAGE_URLS))
    return edit(as_json(_base(draw, encodings)), input_reference={"image_url": url})


def _with_file(base: ApiRequest, data: bytes, image_format: str) -> ApiRequest:
    """The base's fields as multipart, with this image as the reference part."""
    multipart = dataclasses.replace(base, form=dict(base.form or base.json), json=None)
    part = (
        f"reference.{EXTENSIONS.get(image_format, 'bin')}",
        data,
        CONTENT_TYPES.get(image_format, "application/octet-stream"),
    )
    return dataclasses.replace(multipart, files={"input_reference": part})


def _reference_off_by_a_pixel(draw: st.DrawFn, encodings: tuple[str, ...]) -> ApiRequest:
    base = _base(draw, encodings)
    width, height = native_size(_body(base))
    dx, dy = draw(st.sampled_from(((1, 0), (-1, 0), (0, 1), (0, -1), (1, 1))))
    data, image_format = draw(reference_images(width=width + dx, height=height + dy))
    return _with_file(base, data, image_format)


def _reference_refused_format(draw: st.DrawFn, encodings: tuple[str, ...]) -> ApiRequest:
    base = _base(draw, encodings)
    width, height = native_size(_body(base))
    data, image_format = draw(reference_images(width=width, height=height, formats=REFUSED_FORMATS))
    return _with_file(base, data, image_format)


def _reference_too_large(draw: st.DrawFn, encodings: tuple[str, ...]) -> ApiRequest:
    base = _base(draw, encodings)
    width, height = native_size(_body(base))
    data = render_image(width, height, "png", (128, 128, 128))
    data += b"\x00" * (catalog.REFERENCE_MAX_BYTES + 1 - len(data))
    return _with_file(base, data, "png")


def _edit_without_video(draw: st.DrawFn, _: tuple[str, ...]) -> ApiRequest:
    return ApiRequest(DIALECT, "POST", EDITS_PATH, json={"prompt": draw(prompts())})


def _video_as_plain_id(draw: st.DrawFn, _: tuple[str, ...]) -> ApiRequest:
    body = {"prompt": draw(prompts()), "video": UNKNOWN_VIDEO}
    return ApiRequest(
        DIALECT, "POST", draw(st.sampled_from((EDITS_PATH, EXTENSIONS_PATH))), json=body
    )


def _edit_of_an_unknown_video(draw: st.DrawFn, _: tuple[str, ...]) -> ApiRequest:
    body = {"prompt": draw(prompts()), "video": {"id": UNKNOWN_VIDEO}}
    return ApiRequest(DIALECT, "POST", EDITS_PATH, json=body)


def _extension_seconds(draw: st.DrawFn, _: tuple[str, ...]) -> ApiRequest:
    seconds = draw(st.sampled_from((5, 8, "5", "24", "8s", "")))
    body = {"prompt": draw(prompts()), "seconds": seconds, "video": {"id": UNKNOWN_VIDEO}}
    return ApiRequest(DIALECT, "POST", EXTENSIONS_PATH, json=body)


def _upload_of_an_odd_size(draw: st.DrawFn, _: tuple[str, ...]) -> ApiRequest:
    form = {"prompt": draw(prompts())}
    files = {"video": _video_part(clip(320, 240, 1))}
    return ApiRequest(DIALECT, "POST", EDITS_PATH, form=form, files=files)


def _character_name_too_long(draw: st.DrawFn, _: tuple[str, ...]) -> ApiRequest:
    form = {"name": "a" * (catalog.CHARACTER_NAME_MAX_CHARS + 1)}
    return ApiRequest(
        DIALECT, "POST", CHARACTERS_PATH, form=form, files={"video": _video_part(draw(clips()))}
    )


def _character_without_video(draw: st.DrawFn, _: tuple[str, ...]) -> ApiRequest:
    form = {"name": draw(prompts(max_size=catalog.CHARACTER_NAME_MAX_CHARS))}
    return ApiRequest(DIALECT, "POST", CHARACTERS_PATH, form=form, files={})


def _unknown_character(draw: st.DrawFn, encodings: tuple[str, ...]) -> ApiRequest:
    characters = [{"id": catalog.ID_PREFIX_CHARACTER + "0" * catalog.ID_HEX_CHARACTER}]
    return edit(as_json(_base(draw, encodings)), characters=characters)


MISTAKES = (
    Mistake("size written another way", "size.unsupported", _size_typo),
    Mistake("Pro-only size on sora-2", "size.model_mismatch", _pro_size_on_sora_2),
    Mistake("integer seconds", "seconds.type", _integer_seconds),
    Mistake("unsupported seconds", "seconds.unsupported", _unsupported_seconds),
    Mistake("UniAll field on the native endpoint", "request.unknown_parameter", _uniall_field),
    Mistake("UniAll model on the native endpoint", "model.unsupported", _uniall_model),
    Mistake("empty prompt", "prompt.empty", _empty_prompt),
    Mistake("missing prompt", "prompt.required", _missing_prompt),
    Mistake("prompt one character too long", "prompt.too_long", _long_prompt),
    Mistake("reference off by a pixel", "input_reference.dimensions", _reference_off_by_a_pixel),
    Mistake("reference in a refused format", "input_reference.format", _reference_refused_format),
    Mistake("reference on a private host", "input_reference.url_private", _private_reference),
    Mistake("reference over 20 MB", "input_reference.too_large", _reference_too_large),
    Mistake("edit without a video", "video.required", _edit_without_video),
    Mistake("video as a plain id", "video.invalid", _video_as_plain_id),
    Mistake("edit of an unknown video", "video.not_found", _edit_of_an_unknown_video),
    Mistake("unsupported extension seconds", "extension.seconds", _extension_seconds),
    Mistake("upload of a size no model renders", "video.size", _upload_of_an_odd_size),
    Mistake("character name over 80 characters", "character.name", _character_name_too_long),
    Mistake("character without a video", "video.required", _character_without_video),
    Mistake("create naming an unknown character", "characters.invalid", _unknown_character),
)
