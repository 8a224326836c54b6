"""Refusals, faults and failures as responses in the dialect's envelope, never HTML."""

from __future__ import annotations

import logging
from typing import Any

from flask import Response
from werkzeug.exceptions import ClientDisconnected, HTTPException

from mock_server import catalog
from mock_server.backend.database import StorageUnavailable
from mock_server.backend.faults import Fault
from mock_server.backend.history import ScriptedFault
from mock_server.rules import protocol
from mock_server.rules.registry import RuleViolation
from mock_server.web.routes import current_dialect, dialect_for_path
from mock_server.wire.context import call_or_none, request
from mock_server.wire.replies import json_response

log = logging.getLogger("sora_mock.requests")

RULE_HEADER = "x-sora-mock-rule"
FAULT_HEADER = "x-sora-mock-fault"


def error_response(violation: RuleViolation) -> Response:
    """A rule's refusal, with the rule's id for the rule header."""
    response = json_response(current_dialect().render_error(violation), violation.status)
    response.headers.update(violation.headers)
    call = call_or_none()
    if call is not None:
        call.rule = violation.rule.id
    return response


def fault_response(fault: Fault) -> Response:
    """A queued fault that answers instead of the route."""
    return faulty(fault.status, fault.message, fault.response_headers())


def faulty(status: int, message: str | None, headers: dict[str, str]) -> Response:
    """An injected HTTP error in the dialect's envelope, marked with the fault header."""
    response = json_response(current_dialect().render_fault(status, message), status)
    response.headers.update(headers)
    response.headers[FAULT_HEADER] = str(status)
    call = call_or_none()
    if call is not None:
        call.fault = status
    return response


def scripted_fault(exc: ScriptedFault) -> Response:
    """A status read that the job's scripted history answers with an HTTP error."""
    return faulty(exc.step.status, None, exc.headers())


def http_error(exc: HTTPException) -> Response:
    """Routing and protocol errors from Werkzeug, in the dialect's envelope, never HTML."""
    facts: dict[str, Any] = {"method": request.method, "path": request.path}
    if exc.code == 405:
        allowed = sorted(getattr(exc, "valid_methods", None) or [])
        violation = RuleViolation(protocol.METHOD_NOT_ALLOWED, allowed=allowed, **facts)
        response = error_response(violation)
        response.headers["Allow"] = ", ".join(allowed)
        return response
    if exc.code == 413:
        return error_response(
            RuleViolation(protocol.BODY_TOO_LARGE, size=request.content_length, limit=0)
        )
    if exc.code == 404:
        return error_response(RuleViolation(protocol.ROUTE_NOT_FOUND, **facts))
    if isinstance(exc, ClientDisconnected):
        # The body stopped short of its Content-Length: it timed out, or the client left.
        return error_response(RuleViolation(protocol.READ_TIMEOUT))
    status = exc.code or 400
    return json_response(
        dialect_for_path(request.path).render_fault(status, exc.description), status
    )


def unexpected(exc: Exception) -> Response:
    """A bug in the mock: logged, and answered as the dialect's 500, never an HTML page."""
    log.exception("unhandled error on %s %s", request.method, request.path)
    return json_response(dialect_for_path(request.path).render_fault(500, None), 500)


def storage_unavailable(exc: StorageUnavailable) -> Response:
    """A change the database file cannot take (the disk is full): the dialect's 5xx, in JSON.

    Only changes get here; reads answer as of now without writing.
    """
    log.error("database write failed on %s %s: %s", request.method, request.path, exc)
    status = catalog.STORAGE_FULL_STATUS
    message = "The mock cannot store this: its database's disk is full or failing."
    response = json_response(current_dialect().render_fault(status, message), status)
    response.headers["retry-after"] = "60"
    return response
