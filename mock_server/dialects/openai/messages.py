"""How the OpenAI-native dialect words each rule: its ``code`` and ``message`` (SPEC 1.2-1.5).

UniAll answers in the same envelope with the same words; only its field names differ, so the
wording is built by :func:`wording_for` from a map of neutral field names to wire names.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from mock_server import catalog
from mock_server.rules.registry import RuleViolation
from mock_server.wording import megabytes, quoted_list

Facts = Mapping[str, Any]
Wording = tuple[str | None, Callable[[RuleViolation], str]]

#: Wire names of the neutral fields on the native endpoint.
FIELD_NAMES: Mapping[str, str] = {
    "input_reference": "input_reference",
    "input_reference.url": "input_reference.image_url",
}

JSON_HINT = (
    "We could not parse the JSON body of your request. (HINT: This likely means you aren't "
    "using your HTTP library correctly. The OpenAI API expects a JSON payload, but what was "
    "sent was not valid JSON. If you have trouble figuring out how to fix this, please contact "
    "us through our help center at help.openai.com.)"
)
NO_KEY = (
    "You didn't provide an API key. You need to provide your API key in an Authorization header "
    "using Bearer auth (i.e. Authorization: Bearer YOUR_KEY), or as the password field (with "
    "blank username) if you're accessing the API from your browser and are prompted for a "
    "username. You can obtain an API key from https://platform.openai.com/account/api-keys."
)


def _f(v: RuleViolation, key: str) -> Any:
    return v.facts.get(key)


def _invalid_value(v: RuleViolation) -> str:
    supported = quoted_list(_f(v, "supported"))
    return f"Invalid value: '{_f(v, 'value')}'. Supported values are: {supported}."


def _unknown(v: RuleViolation) -> str:
    names = list(_f(v, "names"))
    if len(names) == 1:
        return f"Unrecognized request argument supplied: {names[0]}"
    return f"Unrecognized request arguments supplied: {', '.join(names)}"


def _bad_type(expected: str) -> Callable[[RuleViolation], str]:
    def word(v: RuleViolation) -> str:
        return f"Invalid type for '{v.param}': expected {expected}, but got {_f(v, 'got')} instead."

    return word


def _size_model(v: RuleViolation) -> str:
    return (
        f"Invalid value: '{_f(v, 'value')}'. The model '{_f(v, 'model')}' supports only "
        f"the sizes {quoted_list(_f(v, 'supported'))}; '{_f(v, 'value')}' needs "
        f"'{_f(v, 'needs')}'."
    )


def _format(ref: str) -> Callable[[RuleViolation], str]:
    def word(v: RuleViolation) -> str:
        found = _f(v, "found")
        what = f"a {found.upper()} image" if found else "not an image this API can read"
        supported = quoted_list(s.upper() for s in _f(v, "supported"))
        return f"Invalid {ref}: the file is {what}. Supported formats are {supported}."

    return word


def _not_ready(v: RuleViolation) -> str:
    return (
        f"Video is not ready yet. Video '{_f(v, 'job_id')}' is {_f(v, 'status')}; "
        "download its content once its status is 'completed'."
    )


def _url_invalid(url: str) -> Callable[[RuleViolation], str]:
    def word(v: RuleViolation) -> str:
        if _f(v, "reason") == "data_url":
            return f"Invalid {url}: not a valid base64 data URL."
        return f"Invalid {url}: expected an http(s) URL or a base64 data URL."

    return word


def _invalid_reference(ref: str) -> str:
    if ref == "input_reference":
        return (
            "Invalid input_reference: provide a file upload, or an object with exactly one of "
            "'image_url' or 'file_id'."
        )
    return f"Invalid {ref}: expected a URL string."


def _mixed(v: RuleViolation) -> str:
    names = list(_f(v, "names"))
    verb = "belongs" if len(names) == 1 else "belong"
    return (
        "Mixing the UniAll task format and the native OpenAI format in one request: "
        f"{quoted_list(names)} {verb} to POST /v1/videos. POST /v1/video/generations takes "
        f"{quoted_list(_f(v, 'uniall_fields'))}."
    )


def _rate(v: RuleViolation) -> str:
    return (
        f"Rate limit reached for requests: limit {_f(v, 'limit')} per min. "
        f"Please try again in {_f(v, 'retry_after')}s."
    )


def _input_moderation(v: RuleViolation) -> str:
    return catalog.INPUT_MODERATION_MESSAGE.format(reason=_f(v, "reason"))


def wording_for(names: Mapping[str, str]) -> dict[str, Wording]:
    """Every rule's code and message, with fields named as ``names`` says."""
    ref, url = names["input_reference"], names["input_reference.url"]
    return {
        "request.malformed_json": (None, lambda v: JSON_HINT),
        "request.body_not_object": (
            "invalid_type",
            lambda v: (
                "Invalid type for request body: expected an object, "
                f"but got {_f(v, 'got')} instead."
            ),
        ),
        "request.unsupported_content_type": (
            None,
            lambda v: (
                f"Invalid Content-Type header ({_f(v, 'content_type') or 'none'}), expected "
                f"{quoted_list(_f(v, 'supported'), 'or')}."
            ),
        ),
        "request.malformed_multipart": (
            None,
            lambda v: (
                f"Could not parse the multipart form body of your request: {_f(v, 'detail')}."
            ),
        ),
        "request.body_too_large": (
            None,
            lambda v: (
                f"The request body is larger than the {megabytes(_f(v, 'limit'))} "
                "this endpoint accepts."
            ),
        ),
        "request.invalid_encoding": (None, lambda v: "The request body is not valid UTF-8."),
        "request.read_timeout": (
            None,
            lambda v: "The request body stopped arriving: the server timed out reading it.",
        ),
        "request.content_encoding": (
            None,
            lambda v: (
                f"Content-Encoding '{_f(v, 'encoding')}' is not supported: send the body "
                "uncompressed."
            ),
        ),
        "request.json_limits": (
            None,
            lambda v: (
                f"The JSON body is too complex to parse: {_f(v, 'detail')} (at most "
                f"{catalog.JSON_MAX_DEPTH} levels of nesting, numbers of at most "
                f"{catalog.JSON_MAX_NUMBER_CHARS} characters)."
            ),
        ),
        "request.form_limits": (
            None,
            lambda v: (
                f"The multipart body has more than {_f(v, 'parts')} parts or a text field over "
                f"{_f(v, 'field_bytes') // 1024} KiB."
            ),
        ),
        "request.unknown_parameter": ("unknown_parameter", _unknown),
        "request.duplicate_parameter": (
            None,
            lambda v: f"Duplicate parameter: '{v.param}' was sent {_f(v, 'count')} times.",
        ),
        "route.not_found": (None, lambda v: f"Invalid URL ({_f(v, 'method')} {_f(v, 'path')})"),
        "route.method_not_allowed": (
            None,
            lambda v: (
                f"Invalid method for URL ({_f(v, 'method')} {_f(v, 'path')}); allowed: "
                f"{', '.join(_f(v, 'allowed'))}."
            ),
        ),
        "prompt.required": (
            "missing_required_parameter",
            lambda v: "Missing required parameter: 'prompt'.",
        ),
        "prompt.type": ("invalid_type", _bad_type("a string")),
        "prompt.empty": (
            "empty_string",
            lambda v: (
                "Invalid 'prompt': empty string. Expected a string with minimum length 1, "
                "but got an empty string instead."
            ),
        ),
        "prompt.too_long": (
            "string_above_max_length",
            lambda v: (
                f"Invalid 'prompt': string too long. Expected a string with maximum length "
                f"{_f(v, 'limit')}, but got a string with length {_f(v, 'length')} instead."
            ),
        ),
        "model.type": ("invalid_type", _bad_type("a string")),
        "model.unsupported": ("invalid_value", _invalid_value),
        "seconds.type": (
            "invalid_type",
            lambda v: _bad_type(f"one of {quoted_list(_f(v, 'supported'), 'or')}")(v),
        ),
        "seconds.unsupported": ("invalid_value", _invalid_value),
        "size.type": ("invalid_type", _bad_type("a string")),
        "size.unsupported": ("invalid_value", _invalid_value),
        "size.model_mismatch": ("invalid_value", _size_model),
        "input_reference.invalid": (
            "invalid_value",
            lambda v: _invalid_reference(ref),
        ),
        "input_reference.too_large": (
            "invalid_value",
            lambda v: (
                f"Invalid {ref}: the image is larger than the {megabytes(_f(v, 'limit'))} limit."
            ),
        ),
        "input_reference.format": ("invalid_value", _format(ref)),
        "input_reference.unreadable": (
            "invalid_value",
            lambda v: f"Invalid {ref}: the {str(_f(v, 'format')).upper()} image could not be read.",
        ),
        "input_reference.decompression_bomb": (
            "invalid_value",
            lambda v: (
                f"Invalid {ref}: the image claims more pixels than the {_f(v, 'limit')} allowed."
            ),
        ),
        "input_reference.dimensions": (None, lambda v: catalog.INPAINT_MISMATCH_MESSAGE),
        "input_reference.face": (None, _input_moderation),
        "moderation.input": (None, _input_moderation),
        "access.org_unverified": (
            None,
            lambda v: catalog.ORG_UNVERIFIED_MESSAGE.format(model=_f(v, "model")),
        ),
        "input_reference.file_not_found": (
            None,
            lambda v: f"No such File object: {_f(v, 'file_id')}",
        ),
        "input_reference.url_invalid": ("invalid_value", _url_invalid(url)),
        "input_reference.url_private": (
            "invalid_value",
            lambda v: f"Invalid {url}: the host '{_f(v, 'host')}' is private; use a public URL.",
        ),
        "auth.missing": (None, lambda v: NO_KEY),
        "auth.invalid_key": (
            "invalid_api_key",
            lambda v: (
                f"Incorrect API key provided: {_f(v, 'masked')}. You can find your API key at "
                "https://platform.openai.com/account/api-keys."
            ),
        ),
        "rate_limit.requests": ("rate_limit_exceeded", _rate),
        "rate_limit.concurrent_jobs": (None, lambda v: catalog.TOO_MANY_RUNNING_TASKS),
        "video.not_found": (None, lambda v: f"Video with id '{_f(v, 'job_id')}' not found."),
        "character.name": (
            "invalid_value",
            lambda v: (
                "Invalid 'name': expected a string of 1 to "
                f"{catalog.CHARACTER_NAME_MAX_CHARS} characters."
            ),
        ),
        "video.required": (
            "missing_required_parameter",
            lambda v: "Missing required parameter: 'video'.",
        ),
        "video.format": (
            "invalid_value",
            lambda v: "Invalid 'video': expected an MP4 or QuickTime video file.",
        ),
        "video.unreadable": (
            "invalid_value",
            lambda v: f"Invalid 'video': the video could not be read ({_f(v, 'detail')}).",
        ),
        "video.too_large": (
            "invalid_value",
            lambda v: f"Invalid 'video': the file is larger than {megabytes(_f(v, 'limit'))}.",
        ),
        "video.invalid": (
            "invalid_value",
            lambda v: "Invalid 'video': expected an uploaded file or an object with an 'id'.",
        ),
        "video.size": (
            "invalid_value",
            lambda v: (
                f"Invalid 'video': its size {_f(v, 'size')} is not one of "
                f"{quoted_list(_f(v, 'supported'), 'or')}."
            ),
        ),
        "video.length": (
            "invalid_value",
            lambda v: (
                f"Invalid 'video': it is {_f(v, 'seconds')} seconds long; a video to edit or "
                f"extend is at most {_f(v, 'limit')} seconds long."
            ),
        ),
        "video.source_unfinished": (
            None,
            lambda v: (
                f"Video with id '{_f(v, 'job_id')}' is not completed yet (status: "
                f"{_f(v, 'status')}); only a completed video can be edited or extended."
            ),
        ),
        "extension.seconds": ("invalid_value", _invalid_value),
        "extension.limit": (
            "invalid_value",
            lambda v: (
                f"Invalid 'video': a video can be extended at most {catalog.EXTENSIONS_MAX} "
                f"times and to at most {catalog.EXTENDED_MAX_SECONDS} seconds "
                f"(this extension would make it {_f(v, 'total')} seconds, "
                f"after {_f(v, 'extensions')} extensions)."
            ),
        ),
        "model.not_found": (
            "model_not_found",
            lambda v: f"The model '{_f(v, 'model')}' does not exist.",
        ),
        "character.not_found": (
            None,
            lambda v: f"Character with id '{_f(v, 'character_id')}' not found.",
        ),
        "characters.invalid": (
            "invalid_value",
            lambda v: (
                f"Invalid 'characters': no character with id '{_f(v, 'id')}'."
                if _f(v, "reason") == "unknown"
                else "Invalid 'characters': expected a list of at most "
                f"{catalog.CHARACTERS_PER_VIDEO} objects with an 'id'."
            ),
        ),
        "video.not_ready": (None, _not_ready),
        "video.failed_no_content": (
            None,
            lambda v: f"Video '{_f(v, 'job_id')}' failed and has no content.",
        ),
        "video.expired": (
            None,
            lambda v: f"The content of video '{_f(v, 'job_id')}' has expired.",
        ),
        "video.delete_unfinished": (
            None,
            lambda v: (
                f"Video '{_f(v, 'job_id')}' is {_f(v, 'status')}; only a completed or failed "
                "video can be deleted."
            ),
        ),
        "video.remix_unfinished": (
            None,
            lambda v: (
                f"Video '{_f(v, 'job_id')}' is {_f(v, 'status')}; only a completed video can be "
                "remixed."
            ),
        ),
        "content.variant": ("invalid_value", _invalid_value),
        "list.limit_type": ("invalid_type", _bad_type("an integer")),
        "list.limit_range": (
            "integer_out_of_range",
            lambda v: (
                f"Invalid 'limit': expected a value between {_f(v, 'minimum')} and "
                f"{_f(v, 'maximum')}, but got {_f(v, 'value')} instead."
            ),
        ),
        "list.order": ("invalid_value", _invalid_value),
        "list.after_unknown": (
            None,
            lambda v: f"Invalid 'after': no video with id '{_f(v, 'job_id')}' to page after.",
        ),
        "input_reference.url_expired": (
            "invalid_value",
            lambda v: f"Invalid {url}: the presigned URL has expired.",
        ),
        "input_reference.url_unreachable": (
            "invalid_value",
            lambda v: f"Invalid {url}: the image could not be fetched from '{_f(v, 'url')}'.",
        ),
        "request.mixed_format": ("invalid_request_format", _mixed),
        "model.required": (
            "missing_required_parameter",
            lambda v: "Missing required parameter: 'model'.",
        ),
        "model.disabled": (
            "model_not_enabled",
            lambda v: f"The model '{_f(v, 'value')}' is not enabled on this server.",
        ),
        "aspect_ratio.unsupported": ("invalid_value", _invalid_value),
        "aspect_ratio.conflict": (
            "invalid_value",
            lambda v: (
                f"aspect_ratio '{_f(v, 'value')}' conflicts with the model '{_f(v, 'model')}', "
                f"which is {_f(v, 'orientation')}."
            ),
        ),
        "duration.type": (
            "invalid_type",
            _bad_type("an integer or a string of digits"),
        ),
        "duration.unsupported": ("invalid_value", _invalid_value),
        "duration.conflict": (
            "invalid_value",
            lambda v: (
                f"duration '{_f(v, 'value')}' conflicts with the model '{_f(v, 'model')}', "
                f"which makes {_f(v, 'seconds')}-second videos."
            ),
        ),
        "media.not_found": (None, lambda v: f"No file '{_f(v, 'name')}' for '{_f(v, 'job_id')}'."),
        "media.expired": (
            None,
            lambda v: f"The results of '{_f(v, 'job_id')}' have expired.",
        ),
        "control.token": (
            None,
            lambda v: "The control API needs a valid x-sora-mock-token header.",
        ),
        "control.disabled": (None, lambda v: "The control API is switched off on this server."),
        "control.foreign_host": (
            None,
            lambda v: (
                f"The control API does not answer for the host '{_f(v, 'host')}': call it as "
                "localhost or by IP address, or start the server with --allow-host NAME."
            ),
        ),
        "control.cross_site": (
            None,
            lambda v: (
                f"The control API refuses changes from a web page of another origin "
                f"('{_f(v, 'origin')}'): call it from a program, or from a page of this server."
            ),
        ),
    }


#: Error ``type`` by rule: the per-minute limit uses OpenAI's ``requests``; the concurrency cap
#: the live ``video_generation_user_error`` (SPEC 6).
TYPE_BY_RULE = {
    "rate_limit.requests": "requests",
    "rate_limit.concurrent_jobs": catalog.AZURE_USER_ERROR_TYPE,
}


WORDING = wording_for(FIELD_NAMES)


def word(
    violation: RuleViolation, wording: Mapping[str, Wording] = WORDING
) -> tuple[str, str | None, str]:
    """The ``(message, code, type)`` for a violation."""
    code, message = wording[violation.rule.id]
    error_type = TYPE_BY_RULE.get(violation.rule.id, "invalid_request_error")
    return message(violation), code, error_type
