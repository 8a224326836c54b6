"""What the request generators of every dialect share: paths, prompts, body edits, mistakes."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

from hypothesis import strategies as st

from mock_server import catalog
from sora_testkit.generation.wire import ApiRequest

PATHS = {
    "openai": "/v1/videos",
    "uniall": "/v1/video/generations",
    "generatetask": f"/api/v1/generateTask/{catalog.GT_MODEL}",
    "azure": f"{catalog.AZURE_V1_PREFIX}/videos",
    "azure_jobs": f"{catalog.AZURE_JOBS_PREFIX}/jobs",
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

#: Draws one request that makes a mistake; given the encodings the caller allows.
Builder = Callable[[st.DrawFn, tuple[str, ...]], ApiRequest]


@dataclasses.dataclass(frozen=True)
class Mistake:
    """A classic client mistake: its name, the rule that refuses it, and how to make it."""

    name: str
    rule: str
    build: Builder


def prompts(*, max_size: int = 200) -> st.SearchStrategy[str]:
    """Prompts any API accepts: printable text without magic markers. Shrinks towards ``"0"``."""
    characters = st.characters(codec="utf-8", exclude_categories=["Cs", "Cc"])
    return st.text(characters, min_size=1, max_size=max_size).filter(lambda t: "[mock:" not in t)


def number_or_text(value: int) -> st.SearchStrategy[int | str]:
    """A number as a client may send it: as a number or as its text."""
    return st.sampled_from((value, str(value)))


def request(dialect: str, body: dict[str, Any], encoding: str = "json", **files: Any) -> ApiRequest:
    """A create request of ``dialect`` with this body, as JSON or multipart."""
    path = PATHS[dialect]
    if encoding == "multipart":
        return ApiRequest(
            dialect, "POST", path, form={k: str(v) for k, v in body.items()}, files=files
        )
    return ApiRequest(dialect, "POST", path, json=body)


def as_json(original: ApiRequest) -> ApiRequest:
    """The same fields sent as a JSON body."""
    if not original.multipart:
        return original
    return dataclasses.replace(original, json=dict(original.form or {}), form=None, files={})


def edit(original: ApiRequest, **changes: Any) -> ApiRequest:
    """The same request with body fields changed (``None`` removes one)."""
    body = dict(original.form if original.form is not None else original.json)
    for key, value in changes.items():
        if value is None:
            body.pop(key, None)
        else:
            body[key] = value
    if original.form is not None:
        return dataclasses.replace(original, form={k: str(v) for k, v in body.items()})
    return dataclasses.replace(original, json=body)


def edit_input(original: ApiRequest, **changes: Any) -> ApiRequest:
    """The same generateTask request with fields of ``input`` changed (``None`` removes one)."""
    task_input = dict(original.json["input"])
    for key, value in changes.items():
        if value is None:
            task_input.pop(key, None)
        else:
            task_input[key] = value
    return dataclasses.replace(original, json={**original.json, "input": task_input})
