"""Azure's Sora 1 job requests (``/openai/v1/video/generations/jobs``): valid ones, JSON or
multipart with inpaint images, and the classic mistakes."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import strategies as st

from mock_server import catalog
from sora_testkit.generation.common import Mistake, edit, prompts, request
from sora_testkit.generation.images import CONTENT_TYPES, EXTENSIONS, reference_images
from sora_testkit.generation.wire import ApiRequest

DIALECT = "azure_jobs"
#: Sizes whose inpaint images stay small enough to draw quickly.
INPAINT_SIZES = tuple(size for size in catalog.AZURE_JOBS_SIZES if max(size) <= 854)


@st.composite
def valid(draw: st.DrawFn, references: bool | None, encodings: tuple[str, ...]) -> ApiRequest:
    """A job the mock accepts: one of the nine sizes, a length of 1 to 20 seconds, as many
    variants as the size allows, and (multipart) an inpaint image of the output's size."""
    encoding = draw(st.sampled_from(encodings))
    with_image = encoding == "multipart" and (
        draw(st.booleans()) if references is None else references
    )
    width, height = draw(st.sampled_from(INPAINT_SIZES if with_image else catalog.AZURE_JOBS_SIZES))
    body: dict[str, Any] = {
        "model": catalog.AZURE_JOBS_MODEL,
        "prompt": draw(prompts()),
        "width": width,
        "height": height,
    }
    if draw(st.booleans()):
        body["n_seconds"] = draw(st.integers(*catalog.AZURE_JOBS_SECONDS_RANGE))
    if draw(st.booleans()):
        most = catalog.azure_jobs_max_variants(width, height)
        body["n_variants"] = draw(st.integers(1, most))
    if not with_image:
        return request(DIALECT, body, encoding)
    data, image_format = draw(reference_images(width=width, height=height))
    name = f"frame.{EXTENSIONS[image_format]}"
    body["inpaint_items"] = json.dumps([{"frame_index": 0, "type": "image", "file_name": name}])
    return request(DIALECT, body, "multipart", files=(name, data, CONTENT_TYPES[image_format]))


def _base(draw: st.DrawFn, encodings: tuple[str, ...]) -> ApiRequest:
    return draw(valid(references=False, encodings=encodings))


def _odd_size(draw: st.DrawFn, encodings: tuple[str, ...]) -> ApiRequest:
    width, height = draw(st.sampled_from(((1024, 1792), (500, 480), (640, 480), (1920, 1920))))
    return edit(_base(draw, encodings), width=width, height=height)


def _size_as_text(draw: st.DrawFn, encodings: tuple[str, ...]) -> ApiRequest:
    base = _base(draw, encodings)
    body = dict(base.form if base.form is not None else base.json)
    return edit(base, width=None, height=None, size=f"{body['width']}x{body['height']}")


def _seconds_out_of_range(draw: st.DrawFn, encodings: tuple[str, ...]) -> ApiRequest:
    return edit(_base(draw, encodings), n_seconds=draw(st.sampled_from((0, 21, 30, -5))))


def _too_many_variants(draw: st.DrawFn, encodings: tuple[str, ...]) -> ApiRequest:
    base = _base(draw, encodings)
    body = dict(base.form if base.form is not None else base.json)
    most = catalog.azure_jobs_max_variants(int(body["width"]), int(body["height"]))
    return edit(base, n_variants=draw(st.integers(most + 1, 6)))


def _inpaint(draw: st.DrawFn, size: tuple[int, int], items: Any) -> ApiRequest:
    base = draw(valid(references=False, encodings=("multipart",)))
    data, image_format = draw(reference_images(width=size[0], height=size[1]))
    name = f"frame.{EXTENSIONS[image_format]}"
    files = {"files": (name, data, CONTENT_TYPES[image_format])}
    text = json.dumps(items(name))
    changed = edit(base, width=480, height=480, inpaint_items=text)
    return ApiRequest(changed.dialect, "POST", changed.path, form=changed.form, files=files)


def _inpaint_of_another_size(draw: st.DrawFn, _: tuple[str, ...]) -> ApiRequest:
    size = draw(st.sampled_from(((481, 480), (480, 479), (640, 480), (854, 480))))
    return _inpaint(
        draw, size, lambda name: [{"frame_index": 0, "type": "image", "file_name": name}]
    )


def _inpaint_naming_no_file(draw: st.DrawFn, _: tuple[str, ...]) -> ApiRequest:
    return _inpaint(
        draw,
        (480, 480),
        lambda name: [{"frame_index": 0, "type": "image", "file_name": "other-" + name}],
    )


def _sora_2_deployment(draw: st.DrawFn, encodings: tuple[str, ...]) -> ApiRequest:
    model = draw(st.sampled_from(catalog.AZURE_VIDEOS_MODELS))
    return edit(_base(draw, encodings), model=model)


def _no_deployment(draw: st.DrawFn, encodings: tuple[str, ...]) -> ApiRequest:
    return edit(_base(draw, encodings), model=None)


def _empty_prompt(draw: st.DrawFn, encodings: tuple[str, ...]) -> ApiRequest:
    return edit(_base(draw, encodings), prompt="")


MISTAKES = (
    Mistake("size outside the nine", "azure_jobs.size", _odd_size),
    Mistake("size as one WIDTHxHEIGHT field", "request.unknown_parameter", _size_as_text),
    Mistake("n_seconds outside 1..20", "azure_jobs.n_seconds", _seconds_out_of_range),
    Mistake("more variants than the size allows", "azure_jobs.n_variants", _too_many_variants),
    Mistake("inpaint image of another size", "azure_jobs.input_size", _inpaint_of_another_size),
    Mistake("inpaint item naming no file", "azure_jobs.inpaint_items", _inpaint_naming_no_file),
    Mistake("Sora 2 deployment on the jobs API", "azure.deployment_model", _sora_2_deployment),
    Mistake("job without a deployment", "model.required", _no_deployment),
    Mistake("empty prompt", "prompt.empty", _empty_prompt),
)
