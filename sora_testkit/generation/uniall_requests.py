"""UniAll create requests (``POST /v1/video/generations``): valid ones and the classic mistakes."""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

from mock_server import catalog
from sora_testkit.generation.common import (
    PRIVATE_IMAGE_URLS,
    PUBLIC_IMAGE_URL,
    Mistake,
    edit,
    number_or_text,
    prompts,
    request,
)
from sora_testkit.generation.images import data_url, reference_images
from sora_testkit.generation.wire import ApiRequest

DIALECT = "uniall"


def models(true_1080p: bool) -> tuple[catalog.UniAllModel, ...]:
    """The models the mock serves, the switched one only when it is on."""
    return tuple(m for m in catalog.UNIALL_MODELS.values() if true_1080p or not m.switched)


@st.composite
def valid(draw: st.DrawFn, true_1080p: bool, references: bool | None) -> ApiRequest:
    """A create request the mock accepts."""
    model = draw(st.sampled_from(models(true_1080p)))
    body: dict[str, Any] = {"model": model.id, "prompt": draw(prompts())}
    if draw(st.booleans()):
        aspects = [
            a for a, o in catalog.ORIENTATION_BY_ASPECT.items() if model.orientation in (None, o)
        ]
        body["aspect_ratio"] = draw(st.sampled_from(aspects))
    if draw(st.booleans()):
        durations = (model.seconds,) if model.seconds else catalog.UNIALL_DURATIONS
        body["duration"] = draw(st.sampled_from(durations).flatmap(number_or_text))
    with_reference = draw(st.booleans()) if references is None else references
    if with_reference:
        if draw(st.booleans()):
            body["image_url"] = PUBLIC_IMAGE_URL
        else:
            data, image_format = draw(reference_images(width=64, height=36))
            body["image_url"] = data_url(data, image_format)
    return request(DIALECT, body)


def _base(draw: st.DrawFn) -> ApiRequest:
    return draw(valid(true_1080p=False, references=False))


def _model_where(draw: st.DrawFn, keep: Any) -> catalog.UniAllModel:
    return draw(st.sampled_from([m for m in models(False) if keep(m)]))


def _aspect_against_name(draw: st.DrawFn, _: tuple[str, ...]) -> ApiRequest:
    model = _model_where(draw, lambda m: m.orientation)
    aspect = next(a for a, o in catalog.ORIENTATION_BY_ASPECT.items() if o != model.orientation)
    return edit(_base(draw), model=model.id, aspect_ratio=aspect, duration=None)


def _duration_against_name(draw: st.DrawFn, _: tuple[str, ...]) -> ApiRequest:
    model = _model_where(draw, lambda m: m.seconds)
    other = draw(st.sampled_from([d for d in catalog.UNIALL_DURATIONS if d != model.seconds]))
    return edit(_base(draw), model=model.id, duration=other, aspect_ratio=None)


def _unsupported_duration(draw: st.DrawFn, _: tuple[str, ...]) -> ApiRequest:
    model = _model_where(draw, lambda m: not m.seconds)
    duration = draw(st.sampled_from((5, 6, 10, 24, "7", "30")))
    return edit(_base(draw), model=model.id, duration=duration, aspect_ratio=None)


def _native_field(draw: st.DrawFn, _: tuple[str, ...]) -> ApiRequest:
    fields = (
        ("size", "720x1280"),
        ("seconds", "8"),
        ("input_reference", {"image_url": PUBLIC_IMAGE_URL}),
    )
    name, value = draw(st.sampled_from(fields))
    return edit(_base(draw), **{name: value})


def _missing_model(draw: st.DrawFn, _: tuple[str, ...]) -> ApiRequest:
    return edit(_base(draw), model=None)


def _native_model(draw: st.DrawFn, _: tuple[str, ...]) -> ApiRequest:
    return edit(_base(draw), model=draw(st.sampled_from(catalog.BASE_MODELS)))


def _switched_off_model(draw: st.DrawFn, _: tuple[str, ...]) -> ApiRequest:
    switched = next(m.id for m in catalog.UNIALL_MODELS.values() if m.switched)
    return edit(_base(draw), model=switched, duration=None, aspect_ratio=None)


def _unsupported_aspect(draw: st.DrawFn, _: tuple[str, ...]) -> ApiRequest:
    model = _model_where(draw, lambda m: not m.orientation)
    aspect = draw(st.sampled_from(("4:3", "1:1", "16x9", "9:16 ")))
    return edit(_base(draw), model=model.id, aspect_ratio=aspect)


def _private_image(draw: st.DrawFn, _: tuple[str, ...]) -> ApiRequest:
    return edit(_base(draw), image_url=draw(st.sampled_from(PRIVATE_IMAGE_URLS)))


def _empty_prompt(draw: st.DrawFn, _: tuple[str, ...]) -> ApiRequest:
    return edit(_base(draw), prompt="")


MISTAKES = (
    Mistake("aspect ratio against the model name", "aspect_ratio.conflict", _aspect_against_name),
    Mistake("duration against the model name", "duration.conflict", _duration_against_name),
    Mistake("unsupported duration", "duration.unsupported", _unsupported_duration),
    Mistake("native field on the UniAll endpoint", "request.mixed_format", _native_field),
    Mistake("missing model", "model.required", _missing_model),
    Mistake("native model on the UniAll endpoint", "model.unsupported", _native_model),
    Mistake("true-1080p while it is switched off", "model.disabled", _switched_off_model),
    Mistake("unsupported aspect ratio", "aspect_ratio.unsupported", _unsupported_aspect),
    Mistake("image URL on a private host", "input_reference.url_private", _private_image),
    Mistake("empty prompt", "prompt.empty", _empty_prompt),
)
