"""Before a route runs: a queued fault, the key, the dialect's own checks, the rate window."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from flask import Response

from mock_server.backend.database import StorageUnavailable
from mock_server.backend.real_time import real_sleep
from mock_server.dialects.record import Route
from mock_server.rules import access
from mock_server.rules.registry import RuleViolation
from mock_server.web.errors import fault_response
from mock_server.wire.context import Call


def request_key(environ: Mapping[str, Any]) -> str | None:
    """The API key: ``Authorization: Bearer KEY`` or Azure's ``api-key: KEY``."""
    header: str = environ.get("HTTP_AUTHORIZATION", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() == "bearer" and token.strip():
        return token.strip()
    azure: str = environ.get("HTTP_API_KEY", "").strip()
    return azure or None


def guard(call: Call, route: Route) -> Response | None:
    """Answer with a fault or a refusal before the route, or let it run (``None``)."""
    state = call.state
    call.request_contracts = route.request
    fault = state.faults.take(call.method, call.path)
    if fault is not None:
        if fault.delay_ms:
            real_sleep(fault.delay_ms / 1000)
        if fault.status:
            return fault_response(fault)
    if route.public:
        return None
    key = request_key(call.environ)
    if key is None:
        raise RuleViolation(access.AUTH_MISSING)
    settings = state.settings
    if settings.api_keys and key not in settings.api_keys:
        raise RuleViolation(access.AUTH_INVALID_KEY, masked=access.mask_key(key))
    call.owner = key
    dialect = call.dialect
    if dialect.check_request is not None:
        dialect.check_request(call.request)
    group = dialect.jobs.limits
    per_minute = group.per_minute(settings)
    if per_minute and (not group.creates_only or route.creates_job):
        try:
            decision = state.limiters[group.name].hit(key, state.clock.now(), per_minute)
        except StorageUnavailable:
            return None  # a full disk: the request is not counted, rather than not answered
        call.rate = decision
        if not decision.allowed:
            wait = max(1, math.ceil(decision.reset_after))
            raise RuleViolation(
                access.RATE_LIMIT_REQUESTS,
                headers={"retry-after": str(wait)},
                limit=decision.limit,
                retry_after=wait,
            )
    return None
