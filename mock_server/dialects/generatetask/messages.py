"""How the generateTask format words each rule (SPEC 3): short, naming ``input.*`` fields."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from mock_server import catalog
from mock_server.rules.registry import RuleViolation
from mock_server.wording import megabytes, plain_list, quoted_list

#: Wire names of the neutral fields in a generateTask body.
FIELD_NAMES: Mapping[str, str] = {
    "prompt": "input.prompt",
    "duration": "input.duration",
    "size": "input.size",
    "mode": "input.mode",
    "resolution": "input.resolution",
    "image_urls": "input.image_urls",
    "input_reference": "input.image_urls",
}

Message = Callable[[RuleViolation], str]


def _f(v: RuleViolation, key: str) -> Any:
    return v.facts.get(key)


def _lifetime(seconds: float) -> str:
    """``15 days``, ``24 hours``."""
    days = seconds / 86400
    return f"{days:g} days" if days >= 2 else f"{seconds / 3600:g} hours"


def _field(v: RuleViolation) -> str:
    return FIELD_NAMES.get(v.param or "", v.param or "request")


def _one_of(v: RuleViolation) -> str:
    allowed = ", ".join(str(s) for s in _f(v, "supported"))
    return f"{_field(v)} must be one of {allowed} (got {_f(v, 'value')!r})."


def _size(v: RuleViolation) -> str:
    message = _one_of(v)
    value = str(_f(v, "value"))
    if value.replace("x", "*") in _f(v, "supported"):
        message += " Use '*' between width and height here, not 'x'."
    return message


def _unknown(v: RuleViolation) -> str:
    names = list(_f(v, "names"))
    noun = "parameter" if len(names) == 1 else "parameters"
    return f"Unknown {noun}: {quoted_list(names)}."


IMAGE = "input.image_urls"

WORDING: dict[str, Message] = {
    "request.malformed_json": lambda v: "Invalid JSON body.",
    "request.read_timeout": lambda v: "Request body timed out.",
    "request.content_encoding": lambda v: (
        f"Content-Encoding {_f(v, 'encoding')} is not supported; send the body uncompressed."
    ),
    "request.json_limits": lambda v: (
        f"JSON body too complex: {_f(v, 'detail')} (at most {catalog.JSON_MAX_DEPTH} levels of "
        f"nesting, numbers of at most {catalog.JSON_MAX_NUMBER_CHARS} characters)."
    ),
    "request.body_not_object": lambda v: "The request body must be a JSON object.",
    "request.unsupported_content_type": lambda v: "Content-Type must be application/json.",
    "request.invalid_encoding": lambda v: "The request body is not valid UTF-8.",
    "request.body_too_large": lambda v: "The request body is too large.",
    "request.unknown_parameter": _unknown,
    "route.not_found": lambda v: f"Not found: {_f(v, 'method')} {_f(v, 'path')}",
    "route.method_not_allowed": lambda v: (
        f"Method {_f(v, 'method')} is not allowed for {_f(v, 'path')}; "
        f"use {', '.join(m for m in _f(v, 'allowed') if m not in ('HEAD', 'OPTIONS'))}."
    ),
    "input.required": lambda v: "input is required and must be an object.",
    "mode.required": lambda v: f"input.mode is required: {plain_list(catalog.GT_MODES)}.",
    "mode.unsupported": _one_of,
    "request_type.unsupported": _one_of,
    "callback_url.required": lambda v: "callback_url is required when request_type is callback.",
    "callback_url.invalid": lambda v: "callback_url must be an http(s) URL.",
    "callback_url.undeliverable": lambda v: (
        f"callback_url can never be delivered: {_f(v, 'reason')}."
    ),
    "provider.unsupported": _one_of,
    "prompt.required": lambda v: "Missing required field: input.prompt",
    "prompt.type": lambda v: "input.prompt must be a string.",
    "prompt.empty": lambda v: "input.prompt must not be empty.",
    "prompt.too_long": lambda v: (
        f"input.prompt must be at most {_f(v, 'limit')} characters (got {_f(v, 'length')})."
    ),
    "duration.type": lambda v: (
        f"input.duration must be an integer: {plain_list(catalog.GT_DURATIONS)}."
    ),
    "duration.unsupported": _one_of,
    "size.type": lambda v: "input.size must be a string such as '1280*720'.",
    "size.unsupported": _size,
    "size.wrong_mode": lambda v: (
        "input.size is only for text-to-video; image-to-video takes input.resolution "
        f"({plain_list(catalog.GT_RESOLUTIONS)})."
    ),
    "resolution.wrong_mode": lambda v: (
        "input.resolution is only for image-to-video; text-to-video takes input.size."
    ),
    "resolution.unsupported": _one_of,
    "image_urls.required": lambda v: "input.image_urls is required for image-to-video.",
    "image_urls.wrong_mode": lambda v: "input.image_urls is only for image-to-video.",
    "image_urls.invalid": lambda v: (
        f"input.image_urls must be a list of exactly {_f(v, 'count')} URL."
    ),
    "input_reference.format": lambda v: (
        f"{IMAGE}: the image must be {plain_list(f.upper() for f in _f(v, 'supported'))}."
    ),
    "input_reference.too_large": lambda v: (
        f"{IMAGE}: the image is larger than {megabytes(_f(v, 'limit'))}."
    ),
    "input_reference.unreadable": lambda v: f"{IMAGE}: the image could not be read.",
    "input_reference.decompression_bomb": lambda v: f"{IMAGE}: the image has too many pixels.",
    "input_reference.face": lambda v: catalog.INPUT_MODERATION_MESSAGE.format(
        reason=_f(v, "reason")
    ),
    "moderation.input": lambda v: catalog.INPUT_MODERATION_MESSAGE.format(reason=_f(v, "reason")),
    "access.org_unverified": lambda v: catalog.ORG_UNVERIFIED_MESSAGE.format(model=_f(v, "model")),
    "input_reference.file_not_found": lambda v: f"{IMAGE}: no asset '{_f(v, 'file_id')}'.",
    "input_reference.url_invalid": lambda v: f"{IMAGE}: not an http(s) or data: URL.",
    "input_reference.url_private": lambda v: (
        f"{IMAGE}: the host '{_f(v, 'host')}' is private; use a public URL."
    ),
    "input_reference.url_expired": lambda v: f"{IMAGE}: the presigned URL has expired.",
    "task_id.required": lambda v: "taskId is required.",
    "source.type": lambda v: f"source must be a string (got {_f(v, 'got')}).",
    "video.not_found": lambda v: f"Task not found: {_f(v, 'job_id')}",
    "video.not_ready": lambda v: f"Task {_f(v, 'job_id')} is not finished yet.",
    "video.failed_no_content": lambda v: f"Task {_f(v, 'job_id')} failed and has no result.",
    "media.not_found": lambda v: f"No file '{_f(v, 'name')}' for task {_f(v, 'job_id')}.",
    "media.expired": lambda v: (
        f"The result of task {_f(v, 'job_id')} has expired: result URLs are valid for "
        f"{_lifetime(_f(v, 'lifetime'))}."
    ),
    "auth.missing": lambda v: "Missing API key: send Authorization: Bearer KEY.",
    "auth.invalid_key": lambda v: f"Invalid API key: {_f(v, 'masked')}.",
    "rate_limit.requests": lambda v: (
        f"Rate limit exceeded: {_f(v, 'limit')} requests per minute. Wait and retry."
    ),
    "rate_limit.concurrent_jobs": lambda v: (
        f"Too many concurrent tasks: at most {_f(v, 'limit')}. Wait and retry."
    ),
}


def word(violation: RuleViolation) -> str:
    """The message for a violation; rules no generateTask route can break get their summary."""
    message = WORDING.get(violation.rule.id)
    if message is None:
        return f"Invalid request: {violation.rule.checks}"
    return message(violation)
