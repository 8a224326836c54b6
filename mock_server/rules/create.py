"""Rules for the fields of a create or remix body (SPEC 1.2)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from mock_server import catalog
from mock_server.domain import RawCreate, ReferenceSource, VideoRequest
from mock_server.rules import characters as character_rules
from mock_server.rules import reference as reference_rules
from mock_server.rules.protocol import json_type_name
from mock_server.rules.registry import RuleViolation, define
from mock_server.wording import plain_list

PROMPT_REQUIRED = define(
    "prompt.required", 400, "A prompt is given.", "SPEC 1.2 [public; choice: OpenAI wording]"
)
PROMPT_TYPE = define("prompt.type", 400, "The prompt is a string.", "SPEC 1.2 [public]")
PROMPT_EMPTY = define(
    "prompt.empty", 400, "The prompt has at least 1 character.", "SPEC 1.2 [public]"
)
PROMPT_TOO_LONG = define(
    "prompt.too_long",
    400,
    f"The prompt has at most {catalog.PROMPT_MAX_CHARS} characters "
    f"({catalog.GT_PROMPT_MAX_CHARS} on generateTask).",
    "SPEC 1.2, SPEC 3 [public]",
)
MODEL_TYPE = define("model.type", 400, "The model is a string.", "SPEC 1.2 [public]")
MODEL_UNSUPPORTED = define(
    "model.unsupported",
    400,
    "The model is sora-2, sora-2-pro or one of their snapshots.",
    "SPEC 1.2 [public; choice: wording]",
)
SECONDS_TYPE = define(
    "seconds.type",
    400,
    f"seconds is a string ({plain_list(catalog.SECONDS_VALUES)}), never a JSON number.",
    "SPEC 1.2 [public message]",
)
SECONDS_UNSUPPORTED = define(
    "seconds.unsupported",
    400,
    f"seconds is {plain_list(catalog.SECONDS_VALUES)}.",
    "SPEC 1.2 [public], seed 000",
)
SIZE_TYPE = define("size.type", 400, "size is a string.", "SPEC 1.2 [public]")
SIZE_UNSUPPORTED = define(
    "size.unsupported",
    400,
    f"size is exactly one of the dialect's sizes: {plain_list(catalog.ALL_SIZES)} natively "
    f"(lowercase x, no spaces); {plain_list(catalog.GT_SIZES)} on generateTask.",
    "SPEC 1.2, seed 000",
)
SIZE_MODEL_MISMATCH = define(
    "size.model_mismatch",
    400,
    "A Pro-only size (1024x1792, 1792x1024) comes with sora-2-pro.",
    "SPEC 1.2, seeds 000-002 [choice: a clear message]",
)


def check_prompt(value: Any, limit: int = catalog.PROMPT_MAX_CHARS) -> str:
    """The prompt: required, a string, 1..``limit`` characters."""
    if value is None:
        raise RuleViolation(PROMPT_REQUIRED, param="prompt")
    if not isinstance(value, str):
        raise RuleViolation(PROMPT_TYPE, param="prompt", got=json_type_name(value))
    if not value:
        raise RuleViolation(PROMPT_EMPTY, param="prompt")
    if len(value) > limit:
        raise RuleViolation(PROMPT_TOO_LONG, param="prompt", length=len(value), limit=limit)
    return value


def check_model(value: Any) -> str:
    """The model: absent means the default; otherwise an accepted id."""
    if value is None:
        return catalog.DEFAULT_MODEL
    if not isinstance(value, str):
        raise RuleViolation(MODEL_TYPE, param="model", got=json_type_name(value))
    if value not in catalog.ACCEPTED_MODELS:
        raise RuleViolation(
            MODEL_UNSUPPORTED, param="model", value=value, supported=catalog.BASE_MODELS
        )
    return value


def check_seconds(value: Any) -> int:
    """The duration: a string among the catalog's values, never a number."""
    if value is None:
        return int(catalog.DEFAULT_SECONDS)
    if not isinstance(value, str):
        raise RuleViolation(
            SECONDS_TYPE,
            param="seconds",
            got=json_type_name(value),
            supported=catalog.SECONDS_VALUES,
        )
    if value not in catalog.SECONDS_VALUES:
        raise RuleViolation(
            SECONDS_UNSUPPORTED, param="seconds", value=value, supported=catalog.SECONDS_VALUES
        )
    return int(value)


def check_size(
    value: Any,
    sizes: Mapping[str, tuple[int, int]] = catalog.NATIVE_SIZES,
    default: str = catalog.DEFAULT_SIZE,
) -> tuple[int, int]:
    """The size: exactly one of the dialect's size strings (``1280x720``, or ``1280*720``)."""
    if value is None:
        return sizes[default]
    if not isinstance(value, str):
        raise RuleViolation(SIZE_TYPE, param="size", got=json_type_name(value))
    if value not in sizes:
        raise RuleViolation(SIZE_UNSUPPORTED, param="size", value=value, supported=tuple(sizes))
    return sizes[value]


DURATION_TYPE = define(
    "duration.type",
    400,
    "duration is an integer or a string of digits.",
    "SPEC 2 (seed 003), SPEC 3 (seed 004)",
)
DURATION_UNSUPPORTED = define(
    "duration.unsupported",
    400,
    f"duration is {plain_list(catalog.UNIALL_DURATIONS)} on UniAll; "
    f"{plain_list(catalog.GT_DURATIONS)} on generateTask.",
    "SPEC 2 (seed 003), SPEC 3 (seed 004)",
)


def check_duration(value: Any, allowed: tuple[int, ...], default: int) -> int:
    """A provider-format duration: an integer or its digits as a string, among ``allowed``."""
    if value is None:
        return default
    number: int | None = None
    if isinstance(value, int) and not isinstance(value, bool):
        number = value
    elif isinstance(value, str) and value.isascii() and value.isdigit():
        number = int(value)
    if number is None:
        raise RuleViolation(
            DURATION_TYPE, param="duration", got=json_type_name(value), supported=allowed
        )
    if number not in allowed:
        raise RuleViolation(DURATION_UNSUPPORTED, param="duration", value=value, supported=allowed)
    return number


def check_size_for_model(size: tuple[int, int], model: str) -> None:
    """A size the model renders: Pro-only sizes need sora-2-pro."""
    text = f"{size[0]}x{size[1]}"
    allowed = catalog.SIZES_BY_MODEL[catalog.base_model(model)]
    if text not in allowed:
        pro = next(m for m, sizes in catalog.SIZES_BY_MODEL.items() if text in sizes)
        raise RuleViolation(
            SIZE_MODEL_MISMATCH,
            param="size",
            value=text,
            model=model,
            supported=allowed,
            needs=pro,
        )


def validate_create(
    raw: RawCreate,
    *,
    resolve: Callable[[ReferenceSource, int, int], bytes],
    max_reference_bytes: int,
    lenient_reference: bool = False,
    character_exists: Callable[[str], bool] = lambda _: False,
    size_failure: str | None = None,
) -> VideoRequest:
    """Run every create rule in the order the API reports them; the first failure wins.

    With ``lenient_reference`` a reference of the wrong size is accepted and the job is bound
    to fail later, as some providers do (seed 000). With ``size_failure``, a size the model does
    not render is accepted and the job is bound to fail with that code (Azure, SPEC 4.1).
    """
    fields = raw.fields
    prompt = check_prompt(fields.get("prompt"))
    model = check_model(fields.get("model"))
    seconds = check_seconds(fields.get("seconds"))
    width, height = check_size(fields.get("size"))
    failure = None
    try:
        check_size_for_model((width, height), model)
    except RuleViolation:
        if size_failure is None:
            raise
        failure = size_failure
    character_rules.check_characters(fields.get("characters"), character_exists)
    image = None
    if raw.reference is not None:
        image = reference_rules.check_image(
            resolve(raw.reference, width, height), max_reference_bytes
        )
        try:
            reference_rules.check_dimensions(image, width, height)
        except RuleViolation:
            if not lenient_reference:
                raise
            failure = failure or catalog.INVALID_REFERENCE_IMAGE.code
    return VideoRequest(prompt, model, seconds, width, height, image, failure)
