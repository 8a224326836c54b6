"""``requests`` clients routed to an app in-process, through ``responses``."""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from contextlib import contextmanager
from http import HTTPStatus
from typing import Any
from urllib.parse import urlsplit

import responses
from requests import PreparedRequest, Response
from requests.adapters import BaseAdapter
from requests.structures import CaseInsensitiveDict
from requests.utils import get_encoding_from_headers

from sora_testkit.clients import IN_PROCESS_ORIGIN
from sora_testkit.runaway import in_process_call

METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS")


def _body(request: PreparedRequest) -> bytes:
    body = request.body
    if body is None:
        return b""
    if isinstance(body, str):
        return body.encode()
    if isinstance(body, bytes):
        return body
    return b"".join(chunk if isinstance(chunk, bytes) else chunk.encode() for chunk in body)


def wsgi_callback(app: Any) -> Any:
    """A ``responses`` callback that answers a prepared request by calling ``app``."""
    client = app.test_client()

    def answer(request: PreparedRequest) -> tuple[int, dict[str, str], bytes]:
        url = urlsplit(request.url or "")
        path = url.path + (f"?{url.query}" if url.query else "")
        with in_process_call(app):
            response = client.open(
                path,
                base_url=f"{url.scheme}://{url.netloc}",
                method=request.method or "GET",
                headers=dict(request.headers),
                data=_body(request),
            )
        headers = {name: value for name, value in response.headers.items()}
        return response.status_code, headers, response.get_data()

    return answer


@contextmanager
def routed_requests(app: Any, origin: str = IN_PROCESS_ORIGIN) -> Iterator[responses.RequestsMock]:
    """Within the block, every ``requests`` call to ``origin`` is answered by ``app``.

    Calls to other hosts fail as ``responses`` makes them fail, so nothing leaves the process.
    """
    pattern = re.compile(re.escape(origin.rstrip("/")) + r"(/.*)?$")
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        for method in METHODS:
            mock.add_callback(method, pattern, callback=wsgi_callback(app))
        yield mock


def _phrase(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return ""


class WSGIAdapter(BaseAdapter):
    """A ``requests`` transport adapter that answers by calling ``app`` in-process: mount it
    on the session a client builds (``session.mount(origin, adapter)``)."""

    def __init__(self, app: Any) -> None:
        super().__init__()
        self._answer = wsgi_callback(app)

    def send(self, request: PreparedRequest, **kwargs: Any) -> Response:  # type: ignore[override]
        """Answer the request through the app."""
        status, headers, body = self._answer(request)
        response = Response()
        response.status_code = status
        response.headers = CaseInsensitiveDict(headers)
        response.raw = io.BytesIO(body)
        response._content = body
        response.url = request.url or ""
        response.request = request
        response.encoding = get_encoding_from_headers(response.headers)
        response.reason = _phrase(status)
        return response

    def close(self) -> None:
        """Nothing to release."""
