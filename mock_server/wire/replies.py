"""Responses as the views and the pipeline build them: JSON bodies and what views return."""

from __future__ import annotations

import json
from typing import Any

from flask import Response

#: What a view may return: a response, a JSON body, or either with a status (and headers).
ViewResult = Response | dict[str, Any] | list[Any] | tuple[Any, ...]

_encode = json.JSONEncoder(ensure_ascii=True, separators=(",", ":")).encode


def json_response(body: Any, status: int = 200) -> Response:
    """A JSON response: compact, keys in the order given, one line. It keeps the value it
    was written from, so a check of the body need not parse it again."""
    data = (_encode(body) + "\n").encode()
    response = Response(status=status, content_type="application/json")
    response.response = [data]
    response.headers["Content-Length"] = str(len(data))
    response.written_from = body  # type: ignore[attr-defined]
    return response


def json_body(response: Response) -> Any:
    """The JSON value a response carries (``None`` when it carries none)."""
    written = getattr(response, "written_from", _UNSET)
    return response.get_json(silent=True) if written is _UNSET else written


_UNSET = object()


def body_bytes(response: Response) -> bytes:
    """The bytes of a response's body."""
    body = response.response
    if type(body) is list and len(body) == 1 and type(body[0]) is bytes:
        return body[0]
    return response.get_data()


def to_response(result: ViewResult) -> Response:
    """A view's result as a response: a dict or list becomes JSON; a tuple adds a status and
    headers."""
    if isinstance(result, Response):
        return result
    status: int | None = None
    headers: Any = None
    if isinstance(result, tuple):
        result, status, *rest = result
        headers = rest[0] if rest else None
    response = result if isinstance(result, Response) else json_response(result)
    if status is not None:
        response.status_code = status
    if headers:
        response.headers.update(headers)
    return response
