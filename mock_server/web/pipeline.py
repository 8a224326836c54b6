"""What happens around every request: ids, faults, auth, rate limits, errors, journal, log.

Order for an API request: a request id is assigned; a queued fault, if one matches, answers
instead; the key is checked; the requests-per-minute window is counted; the route runs. Every
response then gets ``x-request-id``, the rate-limit headers when a limit is on, and
``x-sora-mock-rule`` when a rule refused the request; it is journaled and logged in one line.
"""

from __future__ import annotations

import logging
import math
import secrets
import time
from typing import Any

from flask import Flask, Request, Response, g, jsonify, request
from werkzeug.exceptions import HTTPException

from mock_server import catalog, contracts
from mock_server.backend.faults import Fault
from mock_server.backend.history import ScriptedFault
from mock_server.dialects import registry
from mock_server.dialects.record import Dialect, Route
from mock_server.rules import access, protocol
from mock_server.rules.registry import RuleViolation
from mock_server.web import media
from mock_server.wire.context import current_state, use_request_contracts

log = logging.getLogger("sora_mock.requests")

CONTROL_PREFIX = "/_mock"
RULE_HEADER = "x-sora-mock-rule"
FAULT_HEADER = "x-sora-mock-fault"

#: Every API route by its Flask endpoint: the dialects', and the result files'.
ROUTES: dict[str, Route] = {
    **{dialect.endpoint(route): route for dialect, route in registry.routes()},
    f"{media.blueprint.name}.{media.MEDIA_ROUTE.endpoint}": media.MEDIA_ROUTE,
}
#: Endpoints anyone may call: result URLs are handed out to be fetched without credentials.
PUBLIC_ENDPOINTS = frozenset(
    {*(endpoint for endpoint, route in ROUTES.items() if route.public), "docs.openapi_document"}
)


def dialect_for_path(path: str) -> Dialect:
    """The dialect whose envelope answers a path (unknown paths included).

    ``/v1/videos/{id}`` belongs to UniAll when the id is a ``gen_`` id; a result URL belongs to
    the dialect of the job it names.
    """
    if path.startswith(media.MEDIA_PREFIX):
        named = registry.for_job_id(path[len(media.MEDIA_PREFIX) :])
        if named is not None:
            return named
    return registry.for_path(path)


def _dialect() -> Dialect:
    """The dialect of this request: the pipeline's choice, else the path's."""
    chosen: Dialect | None = g.get("dialect")
    return chosen if chosen is not None else dialect_for_path(request.path)


def is_control(path: str) -> bool:
    """Whether a path belongs to the control API."""
    return path == CONTROL_PREFIX or path.startswith(CONTROL_PREFIX + "/")


def request_key(req: Request) -> str | None:
    """The API key: ``Authorization: Bearer KEY`` or Azure's ``api-key: KEY``."""
    header = req.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() == "bearer" and token.strip():
        return token.strip()
    azure = req.headers.get("api-key", "").strip()
    return azure or None


def masked_headers(req: Request) -> dict[str, str]:
    """Request headers with credentials masked."""
    masked = {}
    for name, value in req.headers.items():
        lowered = name.lower()
        if lowered in ("authorization", "api-key", "x-sora-mock-token"):
            scheme, _, token = value.partition(" ")
            value = f"{scheme} {access.mask_key(token)}" if token else access.mask_key(value)
        masked[lowered] = value
    return masked


def _error_response(violation: RuleViolation) -> Response:
    response = jsonify(_dialect().render_error(violation))
    response.status_code = violation.status
    response.headers.update(violation.headers)
    g.rule = violation.rule.id
    return response


def _fault_response(fault: Fault) -> Response:
    return _faulty(fault.status, fault.message, fault.response_headers())


def _faulty(status: int, message: str | None, headers: dict[str, str]) -> Response:
    response = jsonify(_dialect().render_fault(status, message))
    response.status_code = status
    response.headers.update(headers)
    response.headers[FAULT_HEADER] = str(status)
    g.fault = status
    return response


def _scripted_fault(exc: ScriptedFault) -> Response:
    """A status read that the job's scripted history answers with an HTTP error."""
    return _faulty(exc.step.status, None, exc.headers())


def reset_duration(seconds: float) -> str:
    """A wait in OpenAI's rate-limit header style: ``17ms``, ``1s``, ``6m0s``."""
    millis = max(0, round(seconds * 1000))
    if millis < 1000:
        return f"{millis}ms"
    minutes, rest = divmod(millis / 1000, 60)
    text = f"{rest:.3f}".rstrip("0").rstrip(".")
    return f"{int(minutes)}m{text}s" if minutes else f"{text}s"


def _before() -> Response | None:
    req: Request = request._get_current_object()  # type: ignore[attr-defined]
    ctx = g._get_current_object()
    ctx.request_id = catalog.ID_PREFIX_REQUEST + secrets.token_hex(16)
    ctx.started = time.perf_counter()
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
            time.sleep(fault.delay_ms / 1000)
        if fault.status:
            return _fault_response(fault)
    if endpoint in PUBLIC_ENDPOINTS:
        return None
    key = request_key(req)
    if key is None:
        raise RuleViolation(access.AUTH_MISSING)
    settings = state.settings
    if settings.api_keys and key not in settings.api_keys:
        raise RuleViolation(access.AUTH_INVALID_KEY, masked=access.mask_key(key))
    ctx.owner = key
    group = dialect.jobs.limits
    per_minute = group.per_minute(settings)
    if per_minute:
        decision = state.limiters[group.name].hit(key, state.clock.now(), per_minute)
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


def response_contract(endpoint: str | None, status: int) -> str | None:
    """The contract a response must meet; ``None`` for binary or unchecked bodies."""
    if status >= 400:
        return _dialect().error_contract
    route = ROUTES.get(endpoint or "")
    return None if route is None else route.response


def _check_contract(response: Response) -> Response:
    """Hold the response to its contract, as ``validate_responses`` says."""
    state = current_state()
    mode = state.settings.validate_responses
    if mode == "ignore" or is_control(request.path) or request.method in ("OPTIONS", "HEAD"):
        return response
    name = response_contract(request.endpoint, response.status_code)
    if name is None:
        return response
    problems = contracts.violations(name, response.get_json(silent=True))
    if not problems:
        return response
    record: dict[str, object] = {
        "method": request.method,
        "path": request.path,
        "contract": name,
        "problems": problems,
    }
    state.contract_violations.append(record)
    log.warning("response breaks contract %s: %s", name, "; ".join(problems))
    if mode == "warn":
        return response
    broken = jsonify(
        _dialect().render_fault(500, f"Response broke its contract {name}: {problems}")
    )
    broken.status_code = 500
    return broken


def _after(response: Response) -> Response:
    state = current_state()
    response = _check_contract(response)
    # Bind the context-local proxies once: each lookup through them costs.
    req: Request = request._get_current_object()  # type: ignore[attr-defined]
    ctx = g._get_current_object()
    headers = response.headers
    headers["x-request-id"] = ctx.get("request_id", "")
    rate = ctx.get("rate")
    if rate is not None:
        headers["x-ratelimit-limit-requests"] = str(rate.limit)
        headers["x-ratelimit-remaining-requests"] = str(rate.remaining)
        headers["x-ratelimit-reset-requests"] = reset_duration(rate.reset_after)
    rule = ctx.get("rule")
    if rule is not None:
        headers[RULE_HEADER] = rule
    elapsed_ms = (time.perf_counter() - ctx.get("started", time.perf_counter())) * 1000
    path = req.path
    if not is_control(path):
        state.journal.record(
            {
                "id": ctx.get("request_id"),
                "at": state.clock.now(),
                "method": req.method,
                "path": path,
                "query": req.args.to_dict(flat=False),
                "dialect": _dialect().name,
                "headers": masked_headers(req),
                "content_type": req.content_type,
                "body": ctx.get("body_summary"),
                "request_contract": ctx.get("request_contract"),
                "request_violations": ctx.get("request_violations", []),
                "status": response.status_code,
                "rule": rule,
                "fault": ctx.get("fault"),
                "duration_ms": round(elapsed_ms, 3),
            }
        )
    if log.isEnabledFor(logging.INFO):
        log.info(
            "%s %s %s %d %.1fms%s",
            req.remote_addr or "-",
            req.method,
            req.full_path.rstrip("?"),
            response.status_code,
            elapsed_ms,
            f" rule={rule}" if rule else "",
        )
    return response


def _http_error(exc: HTTPException) -> Response:
    """Routing and protocol errors from Werkzeug, in the dialect's envelope, never HTML."""
    facts: dict[str, Any] = {"method": request.method, "path": request.path}
    if exc.code == 405:
        allowed = sorted(getattr(exc, "valid_methods", None) or [])
        violation = RuleViolation(protocol.METHOD_NOT_ALLOWED, allowed=allowed, **facts)
        response = _error_response(violation)
        response.headers["Allow"] = ", ".join(allowed)
        return response
    if exc.code == 413:
        return _error_response(
            RuleViolation(protocol.BODY_TOO_LARGE, size=request.content_length, limit=0)
        )
    if exc.code == 404:
        return _error_response(RuleViolation(protocol.ROUTE_NOT_FOUND, **facts))
    response = jsonify(
        dialect_for_path(request.path).render_fault(exc.code or 400, exc.description)
    )
    response.status_code = exc.code or 400
    return response


def _unexpected(exc: Exception) -> Response:
    """A bug in the mock: logged, and answered as the dialect's 500, never an HTML page."""
    log.exception("unhandled error on %s %s", request.method, request.path)
    response = jsonify(dialect_for_path(request.path).render_fault(500, None))
    response.status_code = 500
    return response


def init_app(app: Flask) -> None:
    """Hook the pipeline into an app."""
    app.before_request(_before)
    app.after_request(_after)
    app.register_error_handler(RuleViolation, _error_response)
    app.register_error_handler(ScriptedFault, _scripted_fault)
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(Exception, _unexpected)
