"""What a request runs with: the app's mock state, the caller's key, its origin and its route."""

from __future__ import annotations

from collections.abc import Mapping
from typing import cast

from flask import current_app, g, request

from mock_server import contracts
from mock_server.state import EXTENSION_KEY, MockState
from mock_server.wire.bodies import JSON_TYPES, MULTIPART_TYPES, ParsedBody


def current_state() -> MockState:
    """The state of the app handling this request."""
    return cast(MockState, current_app.extensions[EXTENSION_KEY])


def owner() -> str:
    """The API key the request was made with (set by the pipeline)."""
    return cast(str, g.get("owner", ""))


def base_url() -> str:
    """The origin clients reach this server at: the configured one, else the request's."""
    return (current_state().settings.public_base_url or request.host_url).rstrip("/")


def is_status_read() -> bool:
    """Whether this read counts as a client polling (a HEAD only asks about headers)."""
    return request.method != "HEAD"


def use_request_contracts(by_media_type: Mapping[str, str]) -> None:
    """Say which contract a body of each media type follows on this request's route."""
    g.request_contracts = by_media_type


def note_body(body: ParsedBody) -> None:
    """Record what the body held and how it met its route's request contract, for the journal."""
    media_type = (MULTIPART_TYPES if body.multipart else JSON_TYPES)[0]
    contract: str = g.request_contracts[media_type]
    g.body_summary = body.summary
    g.request_contract = contract
    g.request_violations = contracts.violations(contract, body.instance)
