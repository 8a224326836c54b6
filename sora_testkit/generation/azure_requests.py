"""Azure's Sora 2 requests (``/openai/v1/videos``): the native ones with ``model`` naming a
deployment, the native mistakes that hold on Azure, and Azure's own."""

from __future__ import annotations

import dataclasses
from typing import Any

from hypothesis import strategies as st

from mock_server import catalog
from sora_testkit.generation import openai_requests
from sora_testkit.generation.common import PATHS, Builder, Mistake, edit
from sora_testkit.generation.wire import ApiRequest

DIALECT = "azure"
NATIVE = PATHS[openai_requests.DIALECT]
#: The deployments every mock resource has for the videos API (named after their models).
DEPLOYMENTS = catalog.AZURE_VIDEOS_MODELS


def to_azure(original: ApiRequest) -> ApiRequest:
    """A native request as an Azure client sends it: the v1 path; a create names the
    deployment of its model (``sora-2`` when it named none)."""
    moved = dataclasses.replace(
        original, dialect=DIALECT, path=PATHS[DIALECT] + original.path[len(NATIVE) :]
    )
    if original.path != NATIVE or original.content is not None:
        return moved
    body = dict(moved.form if moved.form is not None else moved.json)
    model = body.get("model")
    if model is None or model in catalog.ACCEPTED_MODELS:
        body["model"] = catalog.base_model(model or catalog.DEFAULT_MODEL)
    return edit(moved, **body)


@st.composite
def valid(draw: st.DrawFn, references: bool | None, encodings: tuple[str, ...]) -> ApiRequest:
    """A create request the mock accepts on Azure."""
    return to_azure(draw(openai_requests.valid(references, encodings)))


def _on_azure(build: Builder) -> Builder:
    def moved(draw: st.DrawFn, encodings: tuple[str, ...]) -> ApiRequest:
        return to_azure(build(draw, encodings))

    return moved


def _base(draw: st.DrawFn, encodings: tuple[str, ...]) -> ApiRequest:
    return draw(valid(references=False, encodings=encodings))


def _unknown_deployment(draw: st.DrawFn, encodings: tuple[str, ...]) -> ApiRequest:
    name = draw(st.sampled_from(("my-sora", "sora-2-prod", "gpt-4o", "sora-2-2025-10-06")))
    return edit(_base(draw, encodings), model=name)


def _no_deployment(draw: st.DrawFn, encodings: tuple[str, ...]) -> ApiRequest:
    return edit(_base(draw, encodings), model=None)


def _sora_1_deployment(draw: st.DrawFn, encodings: tuple[str, ...]) -> ApiRequest:
    return edit(_base(draw, encodings), model=catalog.AZURE_JOBS_MODEL)


#: Native mistakes Azure refuses the same way (the others differ: a Pro size on sora-2 is
#: accepted there and fails the job; a model id names a deployment that does not exist).
SHARED = (
    "size written another way",
    "integer seconds",
    "unsupported seconds",
    "empty prompt",
    "missing prompt",
    "reference off by a pixel",
    "reference in a refused format",
    "reference on a private host",
    "edit without a video",
    "video as a plain id",
    "edit of an unknown video",
    "unsupported extension seconds",
    "upload of a size no model renders",
    "character name over 80 characters",
    "create naming an unknown character",
)


def _shared() -> tuple[Mistake, ...]:
    table: dict[str, Any] = {mistake.name: mistake for mistake in openai_requests.MISTAKES}
    return tuple(Mistake(name, table[name].rule, _on_azure(table[name].build)) for name in SHARED)


MISTAKES = (
    Mistake("unknown deployment", "azure.deployment_not_found", _unknown_deployment),
    Mistake("create without a deployment", "model.required", _no_deployment),
    Mistake("Sora 1 deployment on /videos", "azure.deployment_model", _sora_1_deployment),
    *_shared(),
)
