"""generateTask create requests (``POST /api/v1/generateTask/...``): valid ones and mistakes."""

from __future__ import annotations

import dataclasses
from typing import Any

from hypothesis import strategies as st

from mock_server import catalog
from sora_testkit.generation.common import (
    CALLBACK_URL,
    PRIVATE_IMAGE_URLS,
    PUBLIC_IMAGE_URL,
    Mistake,
    edit_input,
    number_or_text,
    prompts,
    request,
)
from sora_testkit.generation.images import data_url, reference_images, render_image
from sora_testkit.generation.wire import ApiRequest

DIALECT = "generatetask"


@st.composite
def valid(draw: st.DrawFn, references: bool | None) -> ApiRequest:
    """A create request the mock accepts: image-to-video when ``references``."""
    image_to_video = draw(st.booleans()) if references is None else references
    task_input: dict[str, Any] = {"prompt": draw(prompts())}
    if draw(st.booleans()):
        task_input["duration"] = draw(st.sampled_from(catalog.GT_DURATIONS).flatmap(number_or_text))
    if image_to_video:
        task_input["mode"] = catalog.GT_IMAGE_TO_VIDEO
        if draw(st.booleans()):
            url = PUBLIC_IMAGE_URL
        else:
            width, height = draw(st.sampled_from(((64, 36), (36, 64))))
            data, image_format = draw(reference_images(width=width, height=height))
            url = data_url(data, image_format)
        task_input["image_urls"] = [url]
        if draw(st.booleans()):
            task_input["resolution"] = draw(st.sampled_from(tuple(catalog.GT_RESOLUTIONS)))
    else:
        task_input["mode"] = catalog.GT_TEXT_TO_VIDEO
        if draw(st.booleans()):
            task_input["size"] = draw(st.sampled_from(tuple(catalog.GT_SIZES)))
    body: dict[str, Any] = {"input": task_input}
    if draw(st.booleans()):
        body["provider"] = draw(st.sampled_from(catalog.GT_PROVIDERS))
    if draw(st.booleans()):
        body["request_type"] = "callback"
        body["callback_url"] = CALLBACK_URL
    if draw(st.booleans()):
        body["source"] = draw(st.sampled_from(("apixo-mcp", "my-app", "")))
    return request(DIALECT, body)


def _text(draw: st.DrawFn) -> ApiRequest:
    return draw(valid(references=False))


def _image(draw: st.DrawFn) -> ApiRequest:
    return draw(valid(references=True))


def _size_with_x(draw: st.DrawFn, _: tuple[str, ...]) -> ApiRequest:
    size = draw(st.sampled_from(tuple(catalog.GT_SIZES))).replace("*", "x")
    return edit_input(_text(draw), size=size)


def _size_in_image_to_video(draw: st.DrawFn, _: tuple[str, ...]) -> ApiRequest:
    return edit_input(_image(draw), size=draw(st.sampled_from(tuple(catalog.GT_SIZES))))


def _resolution_in_text_to_video(draw: st.DrawFn, _: tuple[str, ...]) -> ApiRequest:
    resolution = draw(st.sampled_from(tuple(catalog.GT_RESOLUTIONS)))
    return edit_input(_text(draw), resolution=resolution)


def _image_urls_in_text_to_video(draw: st.DrawFn, _: tuple[str, ...]) -> ApiRequest:
    return edit_input(_text(draw), image_urls=[PUBLIC_IMAGE_URL])


def _unsupported_duration(draw: st.DrawFn, _: tuple[str, ...]) -> ApiRequest:
    return edit_input(_text(draw), duration=draw(st.sampled_from((4, 8, 12, 20, "12"))))


def _callback_without_url(draw: st.DrawFn, _: tuple[str, ...]) -> ApiRequest:
    text = _text(draw)
    body = {k: v for k, v in text.json.items() if k != "callback_url"}
    return dataclasses.replace(text, json={**body, "request_type": "callback"})


def _long_prompt(draw: st.DrawFn, _: tuple[str, ...]) -> ApiRequest:
    return edit_input(_text(draw), prompt="a" * (catalog.GT_PROMPT_MAX_CHARS + 1))


def _two_image_urls(draw: st.DrawFn, _: tuple[str, ...]) -> ApiRequest:
    return edit_input(_image(draw), image_urls=[PUBLIC_IMAGE_URL, PUBLIC_IMAGE_URL])


def _missing_mode(draw: st.DrawFn, _: tuple[str, ...]) -> ApiRequest:
    return edit_input(_text(draw), mode=None)


def _image_to_video_without_urls(draw: st.DrawFn, _: tuple[str, ...]) -> ApiRequest:
    return edit_input(_image(draw), image_urls=None)


def _native_field(draw: st.DrawFn, _: tuple[str, ...]) -> ApiRequest:
    text = _text(draw)
    return dataclasses.replace(text, json={**text.json, "model": catalog.GT_MODEL})


def _private_image(draw: st.DrawFn, _: tuple[str, ...]) -> ApiRequest:
    return edit_input(_image(draw), image_urls=[draw(st.sampled_from(PRIVATE_IMAGE_URLS))])


def _unsupported_resolution(draw: st.DrawFn, _: tuple[str, ...]) -> ApiRequest:
    return edit_input(_image(draw), resolution=draw(st.sampled_from(("4k", "480p", "1080"))))


def _image_too_large(draw: st.DrawFn, _: tuple[str, ...]) -> ApiRequest:
    data = render_image(64, 36, "png", (128, 128, 128))
    data += b"\x00" * (catalog.GT_IMAGE_MAX_BYTES + 1 - len(data))
    return edit_input(_image(draw), image_urls=[data_url(data, "png")])


def _source_not_text(draw: st.DrawFn, _: tuple[str, ...]) -> ApiRequest:
    base = _text(draw)
    source = draw(st.sampled_from((1, True, ["mcp"], {"name": "mcp"})))
    return dataclasses.replace(base, json={**base.json, "source": source})


MISTAKES = (
    Mistake("size written with x", "size.unsupported", _size_with_x),
    Mistake("size in image-to-video", "size.wrong_mode", _size_in_image_to_video),
    Mistake("resolution in text-to-video", "resolution.wrong_mode", _resolution_in_text_to_video),
    Mistake("image_urls in text-to-video", "image_urls.wrong_mode", _image_urls_in_text_to_video),
    Mistake("unsupported duration", "duration.unsupported", _unsupported_duration),
    Mistake("callback without a URL", "callback_url.required", _callback_without_url),
    Mistake("prompt one character too long", "prompt.too_long", _long_prompt),
    Mistake("two image URLs", "image_urls.invalid", _two_image_urls),
    Mistake("missing mode", "mode.required", _missing_mode),
    Mistake(
        "image-to-video without image_urls", "image_urls.required", _image_to_video_without_urls
    ),
    Mistake("native field in the body", "request.unknown_parameter", _native_field),
    Mistake("image URL on a private host", "input_reference.url_private", _private_image),
    Mistake("unsupported resolution", "resolution.unsupported", _unsupported_resolution),
    Mistake("image over 10 MB", "input_reference.too_large", _image_too_large),
    Mistake("source that is not a string", "source.type", _source_not_text),
)
