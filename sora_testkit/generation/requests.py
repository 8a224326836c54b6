"""Create requests per dialect: valid ones, near misses paired with their rule, hostile ones.

Everything is drawn from the server's own catalog, so a strategy can never drift from what the
mock accepts; the project proves that by property tests (every valid request is accepted, every
near miss is refused by its rule). Each dialect's generators live in their own module; this one
picks among them.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable, Sequence
from typing import Any

from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument

from sora_testkit.generation import (
    azure_jobs_requests,
    azure_requests,
    generatetask_requests,
    openai_requests,
    uniall_requests,
)
from sora_testkit.generation.common import ENCODINGS, Mistake, edit_input, prompts
from sora_testkit.generation.wire import ApiRequest, NearMiss

__all__ = [
    "DIALECTS",
    "MISTAKES",
    "character_requests",
    "create_requests",
    "edit_requests",
    "extension_requests",
    "hostile_requests",
    "near_miss_requests",
    "prompts",
]

#: The classic mistakes of each dialect, in the order near misses shrink through them.
MISTAKES: dict[str, tuple[Mistake, ...]] = {
    openai_requests.DIALECT: openai_requests.MISTAKES,
    uniall_requests.DIALECT: uniall_requests.MISTAKES,
    generatetask_requests.DIALECT: generatetask_requests.MISTAKES,
    azure_requests.DIALECT: azure_requests.MISTAKES,
    azure_jobs_requests.DIALECT: azure_jobs_requests.MISTAKES,
}
DIALECTS = tuple(MISTAKES)

#: Each dialect's valid requests, from (references, encodings, true_1080p).
_VALID: dict[str, Callable[[bool | None, tuple[str, ...], bool], st.SearchStrategy[ApiRequest]]] = {
    openai_requests.DIALECT: lambda refs, encodings, _: openai_requests.valid(refs, encodings),
    uniall_requests.DIALECT: lambda refs, _, true_1080p: uniall_requests.valid(true_1080p, refs),
    generatetask_requests.DIALECT: lambda refs, _, __: generatetask_requests.valid(refs),
    azure_requests.DIALECT: lambda refs, encodings, _: azure_requests.valid(refs, encodings),
    azure_jobs_requests.DIALECT: lambda refs, encodings, _: azure_jobs_requests.valid(
        refs, encodings
    ),
}


def edit_requests() -> st.SearchStrategy[ApiRequest]:
    """Valid edits of an uploaded clip (multipart, as the SDK sends them): a prompt and a real
    MP4 of a size a model renders."""
    return openai_requests.edit_requests()


def extension_requests() -> st.SearchStrategy[ApiRequest]:
    """Valid extensions of an uploaded clip: a prompt, ``seconds`` of 4 to 20, a real MP4."""
    return openai_requests.edit_requests(extension=True)


def character_requests() -> st.SearchStrategy[ApiRequest]:
    """Valid characters: a name of 1 to 80 characters and a real MP4."""
    return openai_requests.character_requests()


def _check_dialect(dialect: str) -> None:
    if dialect not in DIALECTS:
        raise InvalidArgument(f"dialect must be one of {', '.join(DIALECTS)}, not {dialect!r}")


def _check_encodings(encodings: tuple[str, ...]) -> None:
    unknown = sorted(set(encodings) - set(ENCODINGS))
    if unknown or not encodings:
        raise InvalidArgument(
            f"encodings must be some of {', '.join(ENCODINGS)}, not {encodings!r}"
        )


def create_requests(
    *,
    dialect: str = "openai",
    references: bool | None = None,
    encodings: tuple[str, ...] = ENCODINGS,
    true_1080p: bool = False,
) -> st.SearchStrategy[ApiRequest]:
    """Valid create requests for ``dialect`` (``openai``, ``uniall``, ``generatetask``,
    ``azure`` for Sora 2 on Azure, or ``azure_jobs`` for Azure's Sora 1 jobs API).

    Every field comes from the catalog: models, sizes that model renders, durations, and (when
    ``references`` is True, or at random when None) a real reference image of exactly the
    requested size and an accepted format, sent as a file part or a ``data:`` URL. ``encodings``
    picks JSON and/or multipart bodies (native and Azure; the provider formats are JSON).
    On Azure, ``model`` names a default deployment; a Sora 1 job's reference is an inpaint
    image of the output's size (multipart).
    ``true_1080p`` includes UniAll's switched model. Shrinks towards the default fields, no
    reference and a one-character prompt.
    """
    return _valid(dialect, references, tuple(encodings), true_1080p)


@st.composite
def _valid(
    draw: st.DrawFn,
    dialect: str,
    references: bool | None,
    encodings: tuple[str, ...],
    true_1080p: bool,
) -> ApiRequest:
    _check_dialect(dialect)
    _check_encodings(encodings)
    return draw(_VALID[dialect](references, encodings, true_1080p))


def _chosen(dialect: str, names: Sequence[str] | None) -> tuple[Mistake, ...]:
    table = MISTAKES[dialect]
    if names is None:
        return table
    known = {mistake.name: mistake for mistake in table}
    unknown = [name for name in names if name not in known]
    if unknown or not names:
        raise InvalidArgument(
            f"mistakes must be some of the {dialect} mistakes ({', '.join(known)}), "
            f"not {list(names)!r}"
        )
    return tuple(known[name] for name in names)


@st.composite
def _near_miss(
    draw: st.DrawFn, dialect: str, names: Sequence[str] | None, encodings: tuple[str, ...]
) -> NearMiss:
    _check_dialect(dialect)
    _check_encodings(encodings)
    mistake = draw(st.sampled_from(_chosen(dialect, names)))
    return NearMiss(mistake.build(draw, encodings), mistake.rule, mistake.name)


def near_miss_requests(
    *,
    dialect: str = "openai",
    encodings: tuple[str, ...] = ENCODINGS,
    mistakes: Sequence[str] | None = None,
) -> st.SearchStrategy[NearMiss]:
    """Requests one classic mistake away from valid, each with the rule id it must be refused by.

    The mistakes are the ones client code makes: a size written ``1280*720`` or ``1280X720``,
    a Pro-only size on ``sora-2``, integer ``seconds``, a reference one pixel off or in a refused
    format or over the size limit, an ``aspect_ratio`` or ``duration`` that contradicts a UniAll
    model name, native fields on the UniAll endpoint, ``x`` in a generateTask size, a callback
    without its URL, an Azure deployment that does not exist, a Sora 1 inpaint image of another
    size than the output, more variants than the size allows, and more: ``MISTAKES[dialect]``
    lists each with its rule. ``mistakes`` keeps only the ones named. Shrinks towards the first
    mistake of the list on the simplest valid request.
    """
    return _near_miss(dialect, mistakes, tuple(encodings))


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


def _deep(depth: int, opener: str) -> str:
    closer = {"[": "]", "{": "}"}[opener]
    if opener == "[":
        return "[" * depth + "]" * depth
    return '{"a":' * (depth - 1) + "{}" + closer * (depth - 1)


@st.composite
def _hostile_text(draw: st.DrawFn, base: ApiRequest) -> ApiRequest:
    """Raw bodies past what a parser should take: deep nesting, huge numbers, non-JSON
    constants, a presigned URL living past the end of time, a multipart part with no name."""
    kind = draw(
        st.sampled_from(
            ("deep", "huge number", "constant", "endless presigned URL", "nameless part")
        )
    )
    body = dict(base.json)
    field = draw(st.sampled_from(sorted(body)))
    text: str
    if kind == "deep":
        depth = draw(st.sampled_from((33, 100, 1_000, 100_000)))
        text = _deep(depth, draw(st.sampled_from("[{")))
        if draw(st.booleans()):
            text = json.dumps({**body, field: None}).replace("null", text, 1)
    elif kind == "huge number":
        digits = draw(st.sampled_from((65, 400, 4_300, 5_000, 20_000)))
        number = "9" * digits + draw(st.sampled_from(("", ".5", "e999")))
        text = json.dumps({**body, field: None}).replace("null", number, 1)
    elif kind == "constant":
        constant = draw(st.sampled_from(("NaN", "Infinity", "-Infinity")))
        text = json.dumps({**body, field: None}).replace("null", constant, 1)
    elif kind == "endless presigned URL":
        url = (
            "https://bucket.s3.example.com/ref.png?X-Amz-Date=20250101T000000Z&X-Amz-Expires="
            + "9" * draw(st.sampled_from((20, 400, 5_000)))
        )
        task_input: dict[str, Any] = dict(body.get("input") or {})
        references: dict[str, dict[str, Any]] = {
            "openai": {"input_reference": {"image_url": url}},
            "uniall": {"image_url": url},
            "generatetask": {"input": {**task_input, "image_urls": [url]}},
            "azure": {"input_reference": {"image_url": url}},
            "azure_jobs": {"inpaint_items": json.dumps([{"type": "image", "file_name": url}])},
        }
        reference = references[base.dialect]
        text = json.dumps({**body, **reference})
    else:
        boundary = "hostile"
        part = f"--{boundary}\r\nContent-Disposition: form-data\r\n\r\nx\r\n--{boundary}--\r\n"
        return dataclasses.replace(
            base,
            json=None,
            content=part.encode(),
            content_type=f"multipart/form-data; boundary={boundary}",
        )
    return dataclasses.replace(
        base, json=None, content=text.encode(), content_type="application/json"
    )


@st.composite
def _hostile(draw: st.DrawFn, dialect: str) -> ApiRequest:
    _check_dialect(dialect)
    base = draw(create_requests(dialect=dialect, references=False, encodings=("json",)))
    body = dict(base.json)
    how = draw(
        st.sampled_from(
            (
                "replace a field",
                "add a field",
                "replace the body",
                "replace input",
                "raw text",
                "another endpoint",
            )
        )
    )
    if how == "raw text":
        return draw(_hostile_text(base))
    if how == "another endpoint" and dialect == openai_requests.DIALECT:
        extension = draw(st.booleans())
        body = {"prompt": draw(prompts()), "video": {"id": openai_requests.UNKNOWN_VIDEO}}
        if extension:
            body["seconds"] = "4"
        body[draw(st.sampled_from(sorted(body)))] = draw(_hostile_values())
        path = openai_requests.EXTENSIONS_PATH if extension else openai_requests.EDITS_PATH
        return ApiRequest(dialect, "POST", path, json=body)
    if how == "replace the body":
        return dataclasses.replace(base, json=draw(_hostile_values()))
    if how == "replace input" and dialect == "generatetask":
        key = draw(st.sampled_from(sorted(body["input"])))
        return edit_input(base, **{key: draw(_hostile_values().filter(lambda v: v is not None))})
    if how == "add a field":
        body[draw(st.text(min_size=1, max_size=20))] = draw(_hostile_values())
    else:
        body[draw(st.sampled_from(sorted(body)))] = draw(_hostile_values())
    return dataclasses.replace(base, json=body)


def hostile_requests(*, dialect: str = "openai") -> st.SearchStrategy[ApiRequest]:
    """Requests with hostile values: wrong JSON types, huge or odd strings, a body that is not
    an object, unknown keys, and raw bodies past what a parser should take (nesting 100,000
    deep, numbers of 5,000 digits, ``NaN``, a presigned URL that never expires, a multipart
    part with no name). A mock must answer each with 200 or a clean 4xx in the dialect's
    envelope, never a 5xx. Shrinks towards a valid request with one ``null`` field."""
    return _hostile(dialect)
