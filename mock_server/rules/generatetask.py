"""Rules of the generateTask format (SPEC 3, seed 004)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from mock_server import catalog
from mock_server.client_urls import delivery_refusal, parse_client_url
from mock_server.domain import ImageUrl, ReferenceImage, ReferenceSource, VideoRequest
from mock_server.rules import create, reference
from mock_server.rules.protocol import check_known_fields, json_type_name
from mock_server.rules.registry import RuleViolation, define
from mock_server.wording import plain_list

INPUT_REQUIRED = define("input.required", 400, "The body has an input object.", "SPEC 3, seed 004")
MODE_REQUIRED = define("mode.required", 400, "input.mode is given.", "SPEC 3, seed 004")
MODE_UNSUPPORTED = define(
    "mode.unsupported",
    400,
    f"input.mode is {plain_list(catalog.GT_MODES)}.",
    "SPEC 3, seed 004",
)
REQUEST_TYPE_UNSUPPORTED = define(
    "request_type.unsupported",
    400,
    f"request_type is {plain_list(catalog.GT_REQUEST_TYPES)}.",
    "SPEC 3, seed 004",
)
CALLBACK_URL_REQUIRED = define(
    "callback_url.required",
    400,
    "callback_url is given when request_type is callback.",
    "SPEC 3, seed 004",
)
CALLBACK_URL_INVALID = define(
    "callback_url.invalid", 400, "callback_url is an http(s) URL.", "SPEC 3 [choice]"
)
CALLBACK_URL_UNDELIVERABLE = define(
    "callback_url.undeliverable",
    400,
    "callback_url can be delivered: its host is loopback or named by --allow-host, and its path "
    "is not the control API's.",
    "SPEC 3 [choice]",
)
PROVIDER_UNSUPPORTED = define(
    "provider.unsupported",
    400,
    f"provider is {plain_list(catalog.GT_PROVIDERS)}.",
    "SPEC 3, seed 004",
)
SOURCE_TYPE = define(
    "source.type",
    400,
    "source, when given, is a string (accepted and ignored: the provider's own client sends it).",
    "SPEC 6 [live: the provider's MCP client sends it; choice: 400 for another type]",
)
SIZE_WRONG_MODE = define(
    "size.wrong_mode",
    400,
    "input.size is for text-to-video only; image-to-video takes input.resolution.",
    "SPEC 3, seed 004 [choice: 400]",
)
RESOLUTION_WRONG_MODE = define(
    "resolution.wrong_mode",
    400,
    "input.resolution is for image-to-video only; text-to-video takes input.size.",
    "SPEC 3, seed 004 [choice: 400]",
)
RESOLUTION_UNSUPPORTED = define(
    "resolution.unsupported",
    400,
    f"input.resolution is {plain_list(catalog.GT_RESOLUTIONS)}.",
    "SPEC 3, seed 004",
)
IMAGE_URLS_REQUIRED = define(
    "image_urls.required", 400, "image-to-video has input.image_urls.", "SPEC 3, seed 004"
)
IMAGE_URLS_WRONG_MODE = define(
    "image_urls.wrong_mode",
    400,
    "input.image_urls is for image-to-video only.",
    "SPEC 3, seed 004 [choice: 400]",
)
IMAGE_URLS_INVALID = define(
    "image_urls.invalid",
    400,
    "input.image_urls is a list of exactly one URL string.",
    "SPEC 3, seed 004",
)
TASK_ID_REQUIRED = define(
    "task_id.required", 400, "The status query names a taskId.", "SPEC 3, seed 004"
)


@dataclass(frozen=True)
class TaskOptions:
    """The generateTask fields that shape delivery rather than the video."""

    request_type: str
    callback_url: str | None
    provider: str


def _choice(value: Any, allowed: tuple[str, ...], default: str, rule: Any, param: str) -> str:
    if value is None:
        return default
    if value not in allowed:
        raise RuleViolation(rule, param=param, value=value, supported=allowed)
    return str(value)


def check_envelope(
    body: dict[str, Any], allowed_hosts: frozenset[str] = frozenset()
) -> tuple[TaskOptions, dict[str, Any]]:
    """The top-level fields: delivery options and the ``input`` object."""
    check_known_fields(list(body), catalog.GT_FIELDS)
    request_type = _choice(
        body.get("request_type"),
        catalog.GT_REQUEST_TYPES,
        catalog.GT_DEFAULT_REQUEST_TYPE,
        REQUEST_TYPE_UNSUPPORTED,
        "request_type",
    )
    callback_url = body.get("callback_url")
    if request_type == "callback" and callback_url is None:
        raise RuleViolation(CALLBACK_URL_REQUIRED, param="callback_url")
    if callback_url is not None:
        if not isinstance(callback_url, str) or parse_client_url(callback_url) is None:
            raise RuleViolation(CALLBACK_URL_INVALID, param="callback_url", value=callback_url)
        refusal = delivery_refusal(callback_url, allowed_hosts)
        if refusal is not None:
            raise RuleViolation(CALLBACK_URL_UNDELIVERABLE, param="callback_url", reason=refusal)
    provider = _choice(
        body.get("provider"),
        catalog.GT_PROVIDERS,
        catalog.GT_DEFAULT_PROVIDER,
        PROVIDER_UNSUPPORTED,
        "provider",
    )
    if "source" in body and not isinstance(body["source"], str):
        raise RuleViolation(SOURCE_TYPE, param="source", got=json_type_name(body["source"]))
    task_input = body.get("input")
    if not isinstance(task_input, dict):
        raise RuleViolation(INPUT_REQUIRED, param="input", got=json_type_name(task_input))
    check_known_fields(list(task_input), catalog.GT_INPUT_FIELDS)
    return TaskOptions(request_type, callback_url, provider), task_input


def check_mode(task_input: dict[str, Any]) -> str:
    """text-to-video or image-to-video, and only the fields that mode takes."""
    mode = task_input.get("mode")
    if mode is None:
        raise RuleViolation(MODE_REQUIRED, param="mode")
    if mode not in catalog.GT_MODES:
        raise RuleViolation(MODE_UNSUPPORTED, param="mode", value=mode, supported=catalog.GT_MODES)
    if mode == catalog.GT_TEXT_TO_VIDEO:
        if "resolution" in task_input:
            raise RuleViolation(RESOLUTION_WRONG_MODE, param="resolution", mode=mode)
        if "image_urls" in task_input:
            raise RuleViolation(IMAGE_URLS_WRONG_MODE, param="image_urls", mode=mode)
    else:
        if "size" in task_input:
            raise RuleViolation(SIZE_WRONG_MODE, param="size", mode=mode)
    return str(mode)


def check_resolution(value: Any) -> str:
    """The image-to-video resolution."""
    return _choice(
        value,
        tuple(catalog.GT_RESOLUTIONS),
        catalog.GT_DEFAULT_RESOLUTION,
        RESOLUTION_UNSUPPORTED,
        "resolution",
    )


def check_image_urls(value: Any) -> str:
    """Exactly one image URL, as a one-item list."""
    if value is None:
        raise RuleViolation(IMAGE_URLS_REQUIRED, param="image_urls", mode=catalog.GT_IMAGE_TO_VIDEO)
    if (
        not isinstance(value, list)
        or len(value) != catalog.GT_IMAGE_URLS_COUNT
        or not isinstance(value[0], str)
        or not value[0]
    ):
        raise RuleViolation(
            IMAGE_URLS_INVALID, param="image_urls", count=catalog.GT_IMAGE_URLS_COUNT
        )
    return value[0]


def check_task_id(value: str | None) -> str:
    """The status query's taskId."""
    if not value:
        raise RuleViolation(TASK_ID_REQUIRED, param="taskId")
    return value


def _image_to_video_size(
    url: str,
    resolution: str,
    resolve: Callable[[ReferenceSource, int, int], bytes],
    max_image_bytes: int,
) -> tuple[tuple[int, int], ReferenceImage | None, str | None]:
    """The video size follows the image's orientation; an unreachable image fails the task."""
    sizes = catalog.GT_RESOLUTIONS[resolution]
    try:
        data = resolve(ImageUrl(url), *sizes[catalog.LANDSCAPE])
    except RuleViolation as violation:
        if violation.rule is not reference.URL_UNREACHABLE:
            raise
        return sizes[catalog.LANDSCAPE], None, catalog.IMAGE_UNREACHABLE.code
    image = reference.check_image(data, max_image_bytes)
    orientation = catalog.PORTRAIT if image.height > image.width else catalog.LANDSCAPE
    return sizes[orientation], image, None


def validate(
    body: dict[str, Any],
    *,
    resolve: Callable[[ReferenceSource, int, int], bytes],
    max_image_bytes: int = catalog.GT_IMAGE_MAX_BYTES,
    allowed_hosts: frozenset[str] = frozenset(),
) -> tuple[VideoRequest, TaskOptions, str]:
    """Every generateTask rule in order; the first failure wins. ``allowed_hosts`` are the
    hosts besides loopback a callback may go to."""
    options, task_input = check_envelope(body, allowed_hosts)
    mode = check_mode(task_input)
    prompt = create.check_prompt(task_input.get("prompt"), catalog.GT_PROMPT_MAX_CHARS)
    seconds = create.check_duration(
        task_input.get("duration"), catalog.GT_DURATIONS, catalog.GT_DEFAULT_DURATION
    )
    if options.provider == "official":
        seconds = catalog.GT_OFFICIAL_SECONDS
    image: ReferenceImage | None = None
    failure: str | None = None
    if mode == catalog.GT_TEXT_TO_VIDEO:
        size = create.check_size(task_input.get("size"), catalog.GT_SIZES, catalog.GT_DEFAULT_SIZE)
    else:
        resolution = check_resolution(task_input.get("resolution"))
        url = check_image_urls(task_input.get("image_urls"))
        size, image, failure = _image_to_video_size(url, resolution, resolve, max_image_bytes)
    request = VideoRequest(
        prompt,
        catalog.GT_MODEL,
        seconds,
        size[0],
        size[1],
        image,
        failure,
        base_model=catalog.GT_MODEL,
    )
    return request, options, mode
