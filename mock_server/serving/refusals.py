"""What a server answers itself, before the app: the JSON of its refusals, and the limits of a
request's head that granian does not hold itself.

granian (hyper) refuses on its own, with a bare status and no body, what is not HTTP/1.x at
all: a request line it cannot parse, a version other than 1.0 and 1.1, a transfer coding
other than chunked, more than 100 header fields (431). It reads a request line and headers of
up to 417 KB, so the limits below are checked here, before the app, and answered in JSON.
"""

from __future__ import annotations

import json
from typing import Any

from mock_server import catalog

#: Statuses a server answers before the app runs, and the word for each.
_SERVER_ERROR_TYPES = {505: "server_error", 501: "server_error", 500: "server_error"}

#: What the server says when a request is past one of its limits, by status.
LIMIT_MESSAGES = {
    414: "The request line (method, URL and version) is longer than "
    f"{catalog.REQUEST_LINE_LIMIT} bytes.",
    431: f"The request headers are too large: at most {catalog.HEADER_FIELDS_LIMIT} header fields "
    f"of at most {catalog.HEADER_FIELD_SIZE_LIMIT} bytes each.",
}
#: What the server says to an HTTP/1.1 request with no ``Host`` or with two.
HOST_MESSAGE = "An HTTP/1.1 request names its host once: send exactly one Host header."


def error_body(status: int, message: str) -> bytes:
    """The JSON a server-level refusal carries: OpenAI's four-key envelope."""
    error_type = _SERVER_ERROR_TYPES.get(status, "invalid_request_error")
    envelope = {"error": {"message": message, "type": error_type, "param": None, "code": None}}
    return json.dumps(envelope).encode()


def head_refusal(
    scope: Any, *, longest_field: int, hosts: int, coding: str
) -> tuple[int, str] | None:
    """The status and message for a request's head past a limit, or ``None`` when it is fine:
    ``longest_field`` is its longest header line (name, ": " and value), ``hosts`` how many
    ``Host`` headers it has, ``coding`` its ``Transfer-Encoding`` values joined."""
    # The method, the URL and the version, with the spaces and the "?" between them.
    line = len(scope.method) + len(scope.path) + len(scope.query_string) + 11
    if line > catalog.REQUEST_LINE_LIMIT:
        return 414, LIMIT_MESSAGES[414]
    if longest_field > catalog.HEADER_FIELD_SIZE_LIMIT:
        return 431, LIMIT_MESSAGES[431]
    if hosts != 1 and scope.http_version == "1.1":
        return 400, HOST_MESSAGE
    if coding and coding.strip().lower() != "chunked":
        return 501, (
            f"Transfer-Encoding {coding!r} is not supported: send the body as it is, with a "
            "Content-Length, or chunked."
        )
    return None
