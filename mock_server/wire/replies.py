"""Responses as the views and the pipeline build them: JSON bodies and what views return."""

from __future__ import annotations

import json
import json.encoder
from collections.abc import Callable, Iterable
from typing import Any

from flask import Response
from werkzeug.datastructures import Headers

#: What a view may return: a response, a JSON body, or either with a status (and headers).
ViewResult = Response | dict[str, Any] | list[Any] | tuple[Any, ...]


def _json_writer() -> Callable[[Any], str]:
    """Compact ASCII JSON, keys in the order given: CPython's C encoder, made once (the
    standard ``encode`` makes a new one for every value), else the standard encoder."""
    encoder = json.JSONEncoder(ensure_ascii=True, separators=(",", ":"), check_circular=False)
    make = getattr(json.encoder, "c_make_encoder", None)
    if make is None:
        return encoder.encode
    chunks = make(
        None,  # no circular-reference markers: the mock writes its bodies from fresh values
        encoder.default,
        json.encoder.encode_basestring_ascii,
        None,  # no indent
        encoder.key_separator,
        encoder.item_separator,
        False,  # keys in the order given
        False,  # every key a JSON key
        True,  # NaN as the standard encoder writes it
    )
    return lambda value: "".join(chunks(value, 0))


_encode = _json_writer()


class JsonReply(Response):
    """A JSON response, built in one step: the body's bytes, the value they were written
    from (so a check of the body need not parse it again) and its headers.

    Werkzeug's own constructor checks and sets each header and the status in turn, which
    costs a status read more than writing its JSON; everything after construction is
    Werkzeug's ``Response`` unchanged. ``headers`` are the mock's own names and values, kept
    as given (headers added later are checked as Werkzeug checks them).
    """

    def __init__(
        self, data: bytes, status: int, written_from: Any, headers: Iterable[tuple[str, str]] = ()
    ) -> None:
        pairs = [("Content-Type", "application/json"), ("Content-Length", str(len(data)))]
        pairs.extend(headers)
        self.headers = Headers()
        self.headers._list = pairs  # Werkzeug's own storage: the pairs, in order
        self.status_code = status
        self.direct_passthrough = False
        self._on_close = []
        self.response = [data]
        self.written_from = written_from


def json_response(
    body: Any, status: int = 200, headers: Iterable[tuple[str, str]] = ()
) -> Response:
    """A JSON response: compact, keys in the order given, one line, with any ``headers``
    after its content type and length."""
    return JsonReply((_encode(body) + "\n").encode(), status, body, headers)


def json_body(response: Response) -> Any:
    """The JSON value a response carries (``None`` when it carries none)."""
    if isinstance(response, JsonReply):
        return response.written_from
    return response.get_json(silent=True)


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
