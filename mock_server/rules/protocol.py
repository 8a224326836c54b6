"""Rules about the request as a message: its body, its content type, its fields, its route."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from mock_server import catalog
from mock_server.rules.registry import RuleViolation, define

MALFORMED_JSON = define(
    "request.malformed_json", 400, "The body is valid JSON.", "SPEC 5.4 [choice: OpenAI wording]"
)
READ_TIMEOUT = define(
    "request.read_timeout",
    408,
    "The whole body arrives, as long as its Content-Length says, without a silence longer than "
    "the read timeout (--read-timeout).",
    "SPEC 5.4 [choice]",
)
CONTENT_ENCODING = define(
    "request.content_encoding",
    415,
    "The body is sent as it is (no Content-Encoding such as gzip).",
    "SPEC 5.4 [choice: refused, not inflated]",
)
JSON_LIMITS = define(
    "request.json_limits",
    400,
    f"A JSON body nests at most {catalog.JSON_MAX_DEPTH} levels deep and writes no number "
    f"longer than {catalog.JSON_MAX_NUMBER_CHARS} characters.",
    "SPEC 5.4 [choice]",
)
BODY_NOT_OBJECT = define(
    "request.body_not_object", 400, "A JSON body is an object.", "SPEC 5.4 [choice]"
)
UNSUPPORTED_CONTENT_TYPE = define(
    "request.unsupported_content_type",
    400,
    "The body is application/json or multipart/form-data.",
    "SPEC 1.1 [public]",
)
MALFORMED_MULTIPART = define(
    "request.malformed_multipart",
    400,
    "A multipart body has a boundary and parses to the end.",
    "SPEC 5.4 [choice]",
)
BODY_TOO_LARGE = define(
    "request.body_too_large",
    413,
    "The whole body stays under the reference limit plus room for the other fields.",
    "SPEC 1.2 [choice]",
)
FORM_LIMITS = define(
    "request.form_limits",
    413,
    f"A multipart body has at most {catalog.MULTIPART_MAX_PARTS} parts and no text field over "
    f"{catalog.MULTIPART_MAX_FIELD_BYTES // 1024} KiB.",
    "SPEC 5.4 [choice]",
)
INVALID_ENCODING = define(
    "request.invalid_encoding", 400, "Text fields are valid UTF-8.", "SPEC 5.4 [choice]"
)
UNKNOWN_PARAMETER = define(
    "request.unknown_parameter",
    400,
    "The body has no field the endpoint does not define (such as UniAll's aspect_ratio).",
    "SPEC 1.2 [choice: OpenAI wording], seed 003",
)
DUPLICATE_PARAMETER = define(
    "request.duplicate_parameter",
    400,
    "A multipart body sends each field once.",
    "SPEC 5.4 [choice]",
)
ROUTE_NOT_FOUND = define(
    "route.not_found", 404, "The path is one the API serves.", "SPEC 5.4 [choice: OpenAI wording]"
)
METHOD_NOT_ALLOWED = define(
    "route.method_not_allowed", 405, "The method is one the path serves.", "SPEC 5.4 [choice]"
)


def json_type_name(value: Any) -> str:
    """Name a JSON value's type the way OpenAI's messages do ('an integer', 'an object')."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int):
        return "an integer"
    if isinstance(value, float):
        return "a decimal"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "an array"
    return "an object"


def check_identity_encoding(header: str | None) -> None:
    """Refuse a compressed body: the APIs take bodies as they are."""
    encoding = (header or "").strip().lower()
    if encoding not in ("", "identity"):
        raise RuleViolation(CONTENT_ENCODING, encoding=encoding)


def check_object_body(body: Any) -> dict[str, Any]:
    """A JSON body must be an object."""
    if not isinstance(body, dict):
        raise RuleViolation(BODY_NOT_OBJECT, got=json_type_name(body))
    return body


def check_known_fields(fields: Iterable[str], allowed: Iterable[str]) -> None:
    """Refuse fields the endpoint does not define, naming all of them."""
    allowed_set = set(allowed)
    unknown = [name for name in fields if name not in allowed_set]
    if unknown:
        raise RuleViolation(UNKNOWN_PARAMETER, param=unknown[0], names=unknown)


def check_single_values(multi: Mapping[str, list[Any]]) -> None:
    """Refuse a multipart field sent more than once."""
    for name, values in multi.items():
        if len(values) > 1:
            raise RuleViolation(DUPLICATE_PARAMETER, param=name, count=len(values))
