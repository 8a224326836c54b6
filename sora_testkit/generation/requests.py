"""Create requests per dialect: valid ones, near misses paired with their rule, hostile ones.

Everything is drawn from the server's own catalog, so a strategy can never drift from what the
mock accepts; the project proves that by property tests (every valid request is accepted, every
near miss is refused by its rule).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any

from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument

from mock_server import catalog
from sora_testkit.generation.images import (
    CONTENT_TYPES,
    EXTENSIONS,
    REFUSED_FORMATS,
    data_url,
    reference_images,
    render_image,
)
from sora_testkit.generation.wire import ApiRequest, NearMiss

DIALECTS = ("openai", "uniall", "generatetask")
PATHS = {
    "openai": "/v1/videos",
    "uniall": "/v1/video/generations",
    "generatetask": f"/api/v1/generateTask/{catalog.GT_MODEL}",
}
ENCODINGS = ("json", "multipart")
PUBLIC_IMAGE_URL = "https://images.example.com/reference.png"
PRIVATE_IMAGE_URLS = (
    "http://192.168.1.7/ref.png",
    "http://localhost:8080/ref.png",
    "http://10.0.0.3/ref.png",
    "http://nas.local/ref.png",
)
#: Callbacks go to a loopback port nothing listens on: delivery fails harmlessly and is journaled.
CALLBACK_URL = "http://127.0.0.1:9/sora-callback"


def _check_dialect(dialect: str) -> None:
    if dialect not in DIALECTS:
        raise InvalidArgument(f"dialect must be one of {', '.join(DIALECTS)}, not {dialect!r}")


def prompts(*, max_size: int = 200) -> st.SearchStrategy[str]:
    """Prompts any API accepts: printable text without magic markers. Shrinks towards ``"0"``."""
    characters = st.characters(codec="utf-8", exclude_categories=["Cs", "Cc"])
    return st.text(characters, min_size=1, max_size=max_size).filter(lambda t: "[mock:" not in t)


def _request(
    dialect: str, body: dict[str, Any], encoding: str = "json", **files: Any
) -> ApiRequest:
    path = PATHS[dialect]
    if encoding == "multipart":
        return ApiRequest(
            dialect, "POST", path, form={k: str(v) for k, v in body.items()}, files=files
        )
    return ApiRequest(dialect, "POST", path, json=body)


# --- OpenAI-native ---------------------------------------------------------------------------


def _native_size(body: Mapping[str, Any]) -> tuple[int, int]:
    return catalog.parse_size(body.get("size", catalog.DEFAULT_SIZE))


@st.composite
def _openai_valid(
    draw: st.DrawFn, references: bool | None, encodings: tuple[str, ...]
) -> ApiRequest:
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
        return _request("openai", body, encoding)
    data, image_format = draw(
        reference_images(width=_native_size(body)[0], height=_native_size(body)[1])
    )
    if encoding == "json":
        body["input_reference"] = {"image_url": data_url(data, image_format)}
        return _request("openai", body)
    part = (f"reference.{EXTENSIONS[image_format]}", data, CONTENT_TYPES[image_format])
    return _request("openai", body, "multipart", input_reference=part)


def _as_json(request: ApiRequest) -> ApiRequest:
    if not request.multipart:
        return request
    return dataclasses.replace(request, json=dict(request.form or {}), form=None, files={})


def _edit(request: ApiRequest, **changes: Any) -> ApiRequest:
    """The same request with body fields changed (``None`` removes one)."""
    body = dict(request.form if request.form is not None else request.json)
    for key, value in changes.items():
        if value is None:
            body.pop(key, None)
        else:
            body[key] = value
    if request.form is not None:
        return dataclasses.replace(request, form={k: str(v) for k, v in body.items()})
    return dataclasses.replace(request, json=body)


OPENAI_MISTAKES = (
    "size written another way",
    "Pro-only size on sora-2",
    "integer seconds",
    "unsupported seconds",
    "UniAll field on the native endpoint",
    "UniAll model on the native endpoint",
    "empty prompt",
    "missing prompt",
    "prompt one character too long",
    "reference off by a pixel",
    "reference in a refused format",
    "reference on a private host",
    "reference over 20 MB",
)


@st.composite
def _openai_near_miss(draw: st.DrawFn, encodings: tuple[str, ...]) -> NearMiss:
    base = draw(_openai_valid(references=False, encodings=encodings))
    mistake = draw(st.sampled_from(OPENAI_MISTAKES))
    body = base.form if base.form is not None else base.json
    width, height = _native_size(body)
    if mistake == "size written another way":
        typo = draw(
            st.sampled_from(
                (
                    f"{width}*{height}",
                    f"{width} x {height}",
                    f"{width}X{height}",
                    f"{min(width, height)}p",
                    "1920x1080",
                    "4K",
                )
            )
        )
        return NearMiss(_edit(base, size=typo), "size.unsupported", mistake)
    if mistake == "Pro-only size on sora-2":
        model = draw(
            st.sampled_from(
                [m for m in catalog.ACCEPTED_MODELS if catalog.base_model(m) == "sora-2"]
            )
        )
        size = draw(st.sampled_from(catalog.PRO_ONLY_SIZES))
        return NearMiss(_edit(base, model=model, size=size), "size.model_mismatch", mistake)
    if mistake == "integer seconds":
        number = int(draw(st.sampled_from(catalog.SECONDS_VALUES)))
        return NearMiss(_edit(_as_json(base), seconds=number), "seconds.type", mistake)
    if mistake == "unsupported seconds":
        text = draw(st.sampled_from(("5", "10", "16", "20", "4s", "04", "")))
        return NearMiss(_edit(base, seconds=text), "seconds.unsupported", mistake)
    if mistake == "UniAll field on the native endpoint":
        extra = draw(
            st.sampled_from(
                (("aspect_ratio", "16:9"), ("duration", "8"), ("image_url", PUBLIC_IMAGE_URL))
            )
        )
        return NearMiss(_edit(base, **dict([extra])), "request.unknown_parameter", mistake)
    if mistake == "UniAll model on the native endpoint":
        model = draw(st.sampled_from(tuple(catalog.UNIALL_MODELS)))
        return NearMiss(_edit(base, model=model), "model.unsupported", mistake)
    if mistake == "empty prompt":
        return NearMiss(_edit(base, prompt=""), "prompt.empty", mistake)
    if mistake == "missing prompt":
        return NearMiss(_edit(base, prompt=None), "prompt.required", mistake)
    if mistake == "prompt one character too long":
        return NearMiss(
            _edit(base, prompt="a" * (catalog.PROMPT_MAX_CHARS + 1)), "prompt.too_long", mistake
        )
    if mistake == "reference on a private host":
        request = _edit(
            _as_json(base), input_reference={"image_url": draw(st.sampled_from(PRIVATE_IMAGE_URLS))}
        )
        return NearMiss(request, "input_reference.url_private", mistake)
    if mistake == "reference off by a pixel":
        dx, dy = draw(st.sampled_from(((1, 0), (-1, 0), (0, 1), (0, -1), (1, 1))))
        data, image_format = draw(reference_images(width=width + dx, height=height + dy))
        rule = "input_reference.dimensions"
    elif mistake == "reference in a refused format":
        data, image_format = draw(
            reference_images(width=width, height=height, formats=REFUSED_FORMATS)
        )
        rule = "input_reference.format"
    else:
        image_format = "png"
        data = render_image(width, height, image_format, (128, 128, 128))
        data += b"\x00" * (catalog.REFERENCE_MAX_BYTES + 1 - len(data))
        rule = "input_reference.too_large"
    multipart = dataclasses.replace(base, form=dict(base.form or base.json), json=None)
    part = (
        f"reference.{EXTENSIONS.get(image_format, 'bin')}",
        data,
        CONTENT_TYPES.get(image_format, "application/octet-stream"),
    )
    return NearMiss(dataclasses.replace(multipart, files={"input_reference": part}), rule, mistake)


# --- UniAll ----------------------------------------------------------------------------------


def _uniall_models(true_1080p: bool) -> tuple[catalog.UniAllModel, ...]:
    return tuple(m for m in catalog.UNIALL_MODELS.values() if true_1080p or not m.switched)


def _number_or_text(value: int) -> st.SearchStrategy[int | str]:
    return st.sampled_from((value, str(value)))


@st.composite
def _uniall_valid(draw: st.DrawFn, true_1080p: bool, references: bool | None) -> ApiRequest:
    model = draw(st.sampled_from(_uniall_models(true_1080p)))
    body: dict[str, Any] = {"model": model.id, "prompt": draw(prompts())}
    if draw(st.booleans()):
        aspects = [
            a for a, o in catalog.ORIENTATION_BY_ASPECT.items() if model.orientation in (None, o)
        ]
        body["aspect_ratio"] = draw(st.sampled_from(aspects))
    if draw(st.booleans()):
        durations = (model.seconds,) if model.seconds else catalog.UNIALL_DURATIONS
        body["duration"] = draw(st.sampled_from(durations).flatmap(_number_or_text))
    with_reference = draw(st.booleans()) if references is None else references
    if with_reference:
        if draw(st.booleans()):
            body["image_url"] = PUBLIC_IMAGE_URL
        else:
            data, image_format = draw(reference_images(width=64, height=36))
            body["image_url"] = data_url(data, image_format)
    return _request("uniall", body)


UNIALL_MISTAKES = (
    "aspect ratio against the model name",
    "duration against the model name",
    "unsupported duration",
    "native field on the UniAll endpoint",
    "missing model",
    "native model on the UniAll endpoint",
    "true-1080p while it is switched off",
    "unsupported aspect ratio",
    "image URL on a private host",
    "empty prompt",
)


@st.composite
def _uniall_near_miss(draw: st.DrawFn) -> NearMiss:
    mistake = draw(st.sampled_from(UNIALL_MISTAKES))
    base = draw(_uniall_valid(true_1080p=False, references=False))
    if mistake == "aspect ratio against the model name":
        model = draw(st.sampled_from([m for m in _uniall_models(False) if m.orientation]))
        aspect = next(a for a, o in catalog.ORIENTATION_BY_ASPECT.items() if o != model.orientation)
        return NearMiss(
            _edit(base, model=model.id, aspect_ratio=aspect, duration=None),
            "aspect_ratio.conflict",
            mistake,
        )
    if mistake == "duration against the model name":
        model = draw(st.sampled_from([m for m in _uniall_models(False) if m.seconds]))
        other = draw(st.sampled_from([d for d in catalog.UNIALL_DURATIONS if d != model.seconds]))
        return NearMiss(
            _edit(base, model=model.id, duration=other, aspect_ratio=None),
            "duration.conflict",
            mistake,
        )
    if mistake == "unsupported duration":
        model = draw(st.sampled_from([m for m in _uniall_models(False) if not m.seconds]))
        duration = draw(st.sampled_from((5, 6, 10, 24, "7", "30")))
        return NearMiss(
            _edit(base, model=model.id, duration=duration, aspect_ratio=None),
            "duration.unsupported",
            mistake,
        )
    if mistake == "native field on the UniAll endpoint":
        field = draw(
            st.sampled_from(
                (
                    ("size", "720x1280"),
                    ("seconds", "8"),
                    ("input_reference", {"image_url": PUBLIC_IMAGE_URL}),
                )
            )
        )
        return NearMiss(_edit(base, **dict([field])), "request.mixed_format", mistake)
    if mistake == "missing model":
        return NearMiss(_edit(base, model=None), "model.required", mistake)
    if mistake == "native model on the UniAll endpoint":
        return NearMiss(
            _edit(base, model=draw(st.sampled_from(catalog.BASE_MODELS))),
            "model.unsupported",
            mistake,
        )
    if mistake == "true-1080p while it is switched off":
        switched = next(m.id for m in catalog.UNIALL_MODELS.values() if m.switched)
        return NearMiss(
            _edit(base, model=switched, duration=None, aspect_ratio=None), "model.disabled", mistake
        )
    if mistake == "unsupported aspect ratio":
        model = draw(st.sampled_from([m for m in _uniall_models(False) if not m.orientation]))
        aspect = draw(st.sampled_from(("4:3", "1:1", "16x9", "9:16 ")))
        return NearMiss(
            _edit(base, model=model.id, aspect_ratio=aspect), "aspect_ratio.unsupported", mistake
        )
    if mistake == "image URL on a private host":
        return NearMiss(
            _edit(base, image_url=draw(st.sampled_from(PRIVATE_IMAGE_URLS))),
            "input_reference.url_private",
            mistake,
        )
    return NearMiss(_edit(base, prompt=""), "prompt.empty", mistake)


# --- generateTask ----------------------------------------------------------------------------


@st.composite
def _generatetask_valid(draw: st.DrawFn, references: bool | None) -> ApiRequest:
    image_to_video = draw(st.booleans()) if references is None else references
    task_input: dict[str, Any] = {"prompt": draw(prompts())}
    if draw(st.booleans()):
        task_input["duration"] = draw(
            st.sampled_from(catalog.GT_DURATIONS).flatmap(_number_or_text)
        )
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
    return _request("generatetask", body)


def _edit_input(request: ApiRequest, **changes: Any) -> ApiRequest:
    task_input = dict(request.json["input"])
    for key, value in changes.items():
        if value is None:
            task_input.pop(key, None)
        else:
            task_input[key] = value
    return dataclasses.replace(request, json={**request.json, "input": task_input})


GENERATETASK_MISTAKES = (
    "size written with x",
    "size in image-to-video",
    "resolution in text-to-video",
    "image_urls in text-to-video",
    "unsupported duration",
    "callback without a URL",
    "prompt one character too long",
    "two image URLs",
    "missing mode",
    "image-to-video without image_urls",
    "native field in the body",
    "image URL on a private host",
    "unsupported resolution",
    "image over 10 MB",
)


@st.composite
def _generatetask_near_miss(draw: st.DrawFn) -> NearMiss:
    mistake = draw(st.sampled_from(GENERATETASK_MISTAKES))
    text = draw(_generatetask_valid(references=False))
    image = draw(_generatetask_valid(references=True))
    if mistake == "size written with x":
        size = draw(st.sampled_from(tuple(catalog.GT_SIZES))).replace("*", "x")
        return NearMiss(_edit_input(text, size=size), "size.unsupported", mistake)
    if mistake == "size in image-to-video":
        return NearMiss(
            _edit_input(image, size=draw(st.sampled_from(tuple(catalog.GT_SIZES)))),
            "size.wrong_mode",
            mistake,
        )
    if mistake == "resolution in text-to-video":
        return NearMiss(
            _edit_input(text, resolution=draw(st.sampled_from(tuple(catalog.GT_RESOLUTIONS)))),
            "resolution.wrong_mode",
            mistake,
        )
    if mistake == "image_urls in text-to-video":
        return NearMiss(
            _edit_input(text, image_urls=[PUBLIC_IMAGE_URL]), "image_urls.wrong_mode", mistake
        )
    if mistake == "unsupported duration":
        duration = draw(st.sampled_from((4, 8, 12, 20, "12")))
        return NearMiss(_edit_input(text, duration=duration), "duration.unsupported", mistake)
    if mistake == "callback without a URL":
        body = {k: v for k, v in text.json.items() if k != "callback_url"}
        return NearMiss(
            dataclasses.replace(text, json={**body, "request_type": "callback"}),
            "callback_url.required",
            mistake,
        )
    if mistake == "prompt one character too long":
        return NearMiss(
            _edit_input(text, prompt="a" * (catalog.GT_PROMPT_MAX_CHARS + 1)),
            "prompt.too_long",
            mistake,
        )
    if mistake == "two image URLs":
        return NearMiss(
            _edit_input(image, image_urls=[PUBLIC_IMAGE_URL, PUBLIC_IMAGE_URL]),
            "image_urls.invalid",
            mistake,
        )
    if mistake == "missing mode":
        return NearMiss(_edit_input(text, mode=None), "mode.required", mistake)
    if mistake == "image-to-video without image_urls":
        return NearMiss(_edit_input(image, image_urls=None), "image_urls.required", mistake)
    if mistake == "native field in the body":
        return NearMiss(
            dataclasses.replace(text, json={**text.json, "model": catalog.GT_MODEL}),
            "request.unknown_parameter",
            mistake,
        )
    if mistake == "image URL on a private host":
        return NearMiss(
            _edit_input(image, image_urls=[draw(st.sampled_from(PRIVATE_IMAGE_URLS))]),
            "input_reference.url_private",
            mistake,
        )
    if mistake == "unsupported resolution":
        resolution = draw(st.sampled_from(("4k", "480p", "1080")))
        return NearMiss(
            _edit_input(image, resolution=resolution), "resolution.unsupported", mistake
        )
    data = render_image(64, 36, "png", (128, 128, 128))
    data += b"\x00" * (catalog.GT_IMAGE_MAX_BYTES + 1 - len(data))
    oversize = _edit_input(image, image_urls=[data_url(data, "png")])
    return NearMiss(oversize, "input_reference.too_large", mistake)


# --- public constructors ---------------------------------------------------------------------


@st.composite
def _valid(
    draw: st.DrawFn,
    dialect: str,
    references: bool | None,
    encodings: tuple[str, ...],
    true_1080p: bool,
) -> ApiRequest:
    _check_dialect(dialect)
    unknown = sorted(set(encodings) - set(ENCODINGS))
    if unknown or not encodings:
        raise InvalidArgument(
            f"encodings must be some of {', '.join(ENCODINGS)}, not {encodings!r}"
        )
    if dialect == "openai":
        return draw(_openai_valid(references, encodings))
    if dialect == "uniall":
        return draw(_uniall_valid(true_1080p, references))
    return draw(_generatetask_valid(references))


def create_requests(
    *,
    dialect: str = "openai",
    references: bool | None = None,
    encodings: tuple[str, ...] = ENCODINGS,
    true_1080p: bool = False,
) -> st.SearchStrategy[ApiRequest]:
    """Valid create requests for ``dialect`` (``openai``, ``uniall`` or ``generatetask``).

    Every field comes from the catalog: models, sizes that model renders, durations, and (when
    ``references`` is True, or at random when None) a real reference image of exactly the
    requested size and an accepted format, sent as a file part or a ``data:`` URL. ``encodings``
    picks JSON and/or multipart bodies (native only; the provider formats are JSON).
    ``true_1080p`` includes UniAll's switched model. Shrinks towards the default fields, no
    reference and a one-character prompt.
    """
    return _valid(dialect, references, tuple(encodings), true_1080p)


@st.composite
def _near_misses(draw: st.DrawFn, dialect: str, encodings: tuple[str, ...]) -> NearMiss:
    _check_dialect(dialect)
    if dialect == "openai":
        return draw(_openai_near_miss(encodings))
    if dialect == "uniall":
        return draw(_uniall_near_miss())
    return draw(_generatetask_near_miss())


def near_miss_requests(
    *, dialect: str = "openai", encodings: tuple[str, ...] = ENCODINGS
) -> st.SearchStrategy[NearMiss]:
    """Requests one classic mistake away from valid, each with the rule id it must be refused by.

    The mistakes are the ones client code makes: a size written ``1280*720`` or ``1280X720``,
    a Pro-only size on ``sora-2``, integer ``seconds``, a reference one pixel off or in a refused
    format or over the size limit, an ``aspect_ratio`` or ``duration`` that contradicts a UniAll
    model name, native fields on the UniAll endpoint, ``x`` in a generateTask size, a callback
    without its URL, and more (see ``OPENAI_MISTAKES`` and friends). Shrinks towards the first
    mistake of the list on the simplest valid request.
    """
    return _near_misses(dialect, tuple(encodings))


def _hostile_values() -> st.SearchStrategy[Any]:
    """JSON values of the wrong kind for any field."""
    odd_text = st.text(st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=50)
    return st.one_of(
        st.none(),
        st.booleans(),
        st.integers(min_value=-(2**70), max_value=2**70),
        st.floats(allow_nan=False, allow_infinity=False),
        odd_text,
        st.sampled_from(("", " ", "\u202e\u200b", "\U0001f3a5" * 40, "a" * 40000, "null", "{}")),
        st.lists(st.integers(), max_size=3),
        st.dictionaries(st.text(max_size=5), st.integers(), max_size=3),
    )


@st.composite
def _hostile(draw: st.DrawFn, dialect: str) -> ApiRequest:
    _check_dialect(dialect)
    base = draw(create_requests(dialect=dialect, references=False, encodings=("json",)))
    body = dict(base.json)
    how = draw(
        st.sampled_from(("replace a field", "add a field", "replace the body", "replace input"))
    )
    if how == "replace the body":
        return dataclasses.replace(base, json=draw(_hostile_values()))
    if how == "replace input" and dialect == "generatetask":
        key = draw(st.sampled_from(sorted(body["input"])))
        return _edit_input(base, **{key: draw(_hostile_values().filter(lambda v: v is not None))})
    if how == "add a field":
        body[draw(st.text(min_size=1, max_size=20))] = draw(_hostile_values())
    else:
        body[draw(st.sampled_from(sorted(body)))] = draw(_hostile_values())
    return dataclasses.replace(base, json=body)


def hostile_requests(*, dialect: str = "openai") -> st.SearchStrategy[ApiRequest]:
    """Requests with hostile values: wrong JSON types, huge or odd strings, a body that is not
    an object, unknown keys. A mock must answer each with 200 or a clean 4xx in the dialect's
    envelope, never a 5xx. Shrinks towards a valid request with one ``null`` field."""
    return _hostile(dialect)
