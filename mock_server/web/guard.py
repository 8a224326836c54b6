"""Before a route runs: the request id, a queued fault, the key and the rate window."""

from __future__ import annotations

import math
import secrets
import time

from flask import Request, Response, g, request

from mock_server import catalog
from mock_server.backend.database import StorageUnavailable
from mock_server.backend.real_time import real_sleep
from mock_server.rules import access
from mock_server.rules.registry import RuleViolation
from mock_server.web.errors import fault_response
from mock_server.web.routes import PUBLIC_ENDPOINTS, ROUTES, dialect_for_path, is_control
from mock_server.wire.bodies import count_body
from mock_server.wire.context import current_state, use_request_contracts


def request_key(req: Request) -> str | None:
    """The API key: ``Authorization: Bearer KEY`` or Azure's ``api-key: KEY``."""
    header = req.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() == "bearer" and token.strip():
        return token.strip()
    azure = req.headers.get("api-key", "").strip()
    return azure or None


def guard() -> Response | None:
    """Answer with a fault or a refusal before the route, or let it run (``None``)."""
    req: Request = request._get_current_object()  # type: ignore[attr-defined]
    ctx = g._get_current_object()
    ctx.request_id = catalog.ID_PREFIX_REQUEST + secrets.token_hex(16)
    ctx.started = time.perf_counter()
    count_body(req.environ)
    state = current_state()
    state.sync()
    path, method, endpoint = req.path, req.method, req.endpoint
    if is_control(path) or endpoint is None or method == "OPTIONS":
        return None
    ctx.dialect = dialect = dialect_for_path(path)
    route = ROUTES.get(endpoint)
    if route is not None:
        use_request_contracts(route.request)
    fault = state.faults.take(method, path)
    if fault is not None:
        if fault.delay_ms:
            real_sleep(fault.delay_ms / 1000)
        if fault.status:
            return fault_response(fault)
    if endpoint in PUBLIC_ENDPOINTS:
        return None
    key = request_key(req)
    if key is None:
        raise RuleViolation(access.AUTH_MISSING)
    settings = state.settings
    if settings.api_keys and key not in settings.api_keys:
        raise RuleViolation(access.AUTH_INVALID_KEY, masked=access.mask_key(key))
    ctx.owner = key
    if dialect.check_request is not None:
        dialect.check_request(req)
    group = dialect.jobs.limits
    per_minute = group.per_minute(settings)
    if per_minute and (not group.creates_only or (route is not None and route.creates_job)):
        try:
            decision = state.limiters[group.name].hit(key, state.clock.now(), per_minute)
        except StorageUnavailable:
            return None  # a full disk: the request is not counted, rather than not answered
        ctx.rate = decision
        if not decision.allowed:
            wait = max(1, math.ceil(decision.reset_after))
            raise RuleViolation(
                access.RATE_LIMIT_REQUESTS,
                headers={"retry-after": str(wait)},
                limit=decision.limit,
                retry_after=wait,
            )
    return None
