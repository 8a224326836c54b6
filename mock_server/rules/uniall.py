"""Rules of the UniAll task format (SPEC 2, seed 003)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from mock_server import catalog
from mock_server.domain import RawCreate, ReferenceSource, VideoRequest
from mock_server.rules import create, reference
from mock_server.rules.protocol import check_known_fields, json_type_name
from mock_server.rules.registry import RuleViolation, define
from mock_server.wording import plain_list

MIXED_FORMAT = define(
    "request.mixed_format",
    400,
    "A UniAll request carries no native fields (size, seconds, input_reference).",
    "SPEC 2, seed 003",
)
MODEL_REQUIRED = define(
    "model.required",
    400,
    "A UniAll request names its model; an Azure one its deployment.",
    "SPEC 2, SPEC 4",
)
MODEL_DISABLED = define(
    "model.disabled",
    400,
    "sora2-pro-true-1080p is served only when the server enables it (--enable-true-1080p).",
    "SPEC 2, seed 003 [choice: off by default]",
)
ASPECT_UNSUPPORTED = define(
    "aspect_ratio.unsupported",
    400,
    f"aspect_ratio is {plain_list(catalog.ORIENTATION_BY_ASPECT)}.",
    "SPEC 2, seed 003",
)
ASPECT_CONFLICT = define(
    "aspect_ratio.conflict",
    400,
    "aspect_ratio agrees with the orientation a landscape or portrait model name fixes.",
    "SPEC 2, seed 003",
)
DURATION_CONFLICT = define(
    "duration.conflict",
    400,
    "duration agrees with the seconds a model name fixes (sora2-portrait-12s: 12).",
    "SPEC 2 [choice]",
)


def check_format(fields: Iterable[str]) -> None:
    """Refuse native fields, then anything else the UniAll endpoint does not define."""
    names = list(fields)
    native = [name for name in names if name in catalog.NATIVE_ONLY_FIELDS]
    if native:
        raise RuleViolation(
            MIXED_FORMAT,
            param=native[0],
            names=native,
            native_fields=catalog.NATIVE_ONLY_FIELDS,
            uniall_fields=catalog.UNIALL_FIELDS,
        )
    check_known_fields(names, catalog.UNIALL_FIELDS)


def check_model(value: Any, *, true_1080p: bool) -> catalog.UniAllModel:
    """A model of the UniAll table; the true-1080p model only when switched on."""
    if value is None:
        raise RuleViolation(MODEL_REQUIRED, param="model")
    if not isinstance(value, str):
        raise RuleViolation(create.MODEL_TYPE, param="model", got=json_type_name(value))
    model = catalog.UNIALL_MODELS.get(value)
    if model is None:
        raise RuleViolation(
            create.MODEL_UNSUPPORTED,
            param="model",
            value=value,
            supported=tuple(catalog.UNIALL_MODELS),
        )
    if model.switched and not true_1080p:
        raise RuleViolation(MODEL_DISABLED, param="model", value=value)
    return model


def check_aspect(value: Any, model: catalog.UniAllModel) -> str:
    """The orientation: from ``aspect_ratio``, which must not contradict the model's name."""
    if value is None:
        return model.orientation or catalog.ORIENTATION_BY_ASPECT[catalog.UNIALL_DEFAULT_ASPECT]
    if not isinstance(value, str) or value not in catalog.ORIENTATION_BY_ASPECT:
        raise RuleViolation(
            ASPECT_UNSUPPORTED,
            param="aspect_ratio",
            value=value,
            supported=tuple(catalog.ORIENTATION_BY_ASPECT),
        )
    orientation = catalog.ORIENTATION_BY_ASPECT[value]
    if model.orientation is not None and orientation != model.orientation:
        raise RuleViolation(
            ASPECT_CONFLICT,
            param="aspect_ratio",
            value=value,
            model=model.id,
            orientation=model.orientation,
        )
    return orientation


def check_seconds(value: Any, model: catalog.UniAllModel) -> int:
    """The length: from ``duration``, which must not contradict the model's name."""
    default = model.seconds or catalog.UNIALL_DEFAULT_DURATION
    seconds = create.check_duration(value, catalog.UNIALL_DURATIONS, default)
    if model.seconds is not None and seconds != model.seconds:
        raise RuleViolation(
            DURATION_CONFLICT, param="duration", value=value, model=model.id, seconds=model.seconds
        )
    return seconds


def validate(
    raw: RawCreate,
    *,
    resolve: Callable[[ReferenceSource, int, int], bytes],
    max_reference_bytes: int,
    true_1080p: bool,
) -> VideoRequest:
    """Every UniAll rule in order; the first failure wins."""
    fields = raw.fields
    model = check_model(fields.get("model"), true_1080p=true_1080p)
    prompt = create.check_prompt(fields.get("prompt"))
    orientation = check_aspect(fields.get("aspect_ratio"), model)
    seconds = check_seconds(fields.get("duration"), model)
    width, height = model.sizes[orientation]
    image = None
    if raw.reference is not None:
        data = resolve(raw.reference, width, height)
        image = reference.check_image(data, max_reference_bytes)
    return VideoRequest(
        prompt, model.id, seconds, width, height, image, base_model=model.base_model
    )
