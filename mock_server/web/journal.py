"""After a route ran: the response held to its contract, its headers, the journal, the log."""

from __future__ import annotations

import logging
import time
from typing import Any

from flask import Request, Response, g, jsonify, request

from mock_server import contracts
from mock_server.backend.database import StorageUnavailable
from mock_server.rules import access
from mock_server.web.errors import RULE_HEADER
from mock_server.web.routes import ROUTES, current_dialect, is_control
from mock_server.wire.bodies import must_close_after
from mock_server.wire.context import current_state

log = logging.getLogger("sora_mock.requests")


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


def reset_duration(seconds: float) -> str:
    """A wait in OpenAI's rate-limit header style: ``17ms``, ``1s``, ``6m0s``."""
    millis = max(0, round(seconds * 1000))
    if millis < 1000:
        return f"{millis}ms"
    minutes, rest = divmod(millis / 1000, 60)
    text = f"{rest:.3f}".rstrip("0").rstrip(".")
    return f"{int(minutes)}m{text}s" if minutes else f"{text}s"


def response_contract(endpoint: str | None, status: int) -> str | None:
    """The contract a response must meet; ``None`` for binary or unchecked bodies."""
    if status >= 400:
        return current_dialect().error_contract
    route = ROUTES.get(endpoint or "")
    return None if route is None else route.response


def check_contract(response: Response) -> Response:
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
        current_dialect().render_fault(500, f"Response broke its contract {name}: {problems}")
    )
    broken.status_code = 500
    return broken


def record_entry(entry: dict[str, Any]) -> None:
    """Journal a request; a full disk loses the entry, never the answer."""
    try:
        current_state().journal.record(entry)
    except StorageUnavailable as exc:
        log.warning("request journal not written (%s): %s %s", exc, entry["method"], entry["path"])


def options_answer(response: Response) -> Response:
    """``OPTIONS``: the methods a path serves, with no body (not Flask's empty HTML page)."""
    answer = Response(status=204)
    del answer.headers["Content-Type"]
    answer.headers["Allow"] = response.headers.get("Allow", "")
    return answer


def retry_after_seconds(headers: Any) -> float | None:
    """How long a response asked the client to wait: ``retry-after-ms``, else ``retry-after``
    in seconds (the SDK's order); ``None`` when it asked nothing it could read."""
    for name, scale in (("retry-after-ms", 1000.0), ("retry-after", 1.0)):
        value = headers.get(name)
        if value is None:
            continue
        try:
            return float(value) / scale
        except ValueError:
            continue
    return None


def _int_or_none(value: str | None) -> int | None:
    try:
        return None if value is None else int(value)
    except ValueError:
        return None


def finish(response: Response) -> Response:
    """Check, label, journal and log a response on its way out."""
    if request.method == "OPTIONS" and response.status_code == 200:
        response = options_answer(response)
    state = current_state()
    response = check_contract(response)
    # Bind the context-local proxies once: each lookup through them costs.
    req: Request = request._get_current_object()  # type: ignore[attr-defined]
    ctx = g._get_current_object()
    headers = response.headers
    headers["x-request-id"] = ctx.get("request_id", "")
    if must_close_after(req.environ):
        # Answered before the body was read (an early refusal): what is left of it would be
        # read as the next request, so the connection ends here.
        headers["Connection"] = "close"
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
        record_entry(
            {
                "id": ctx.get("request_id"),
                "at": state.clock.now(),
                "method": req.method,
                "path": path,
                "query": req.args.to_dict(flat=False),
                "dialect": current_dialect().name,
                "headers": masked_headers(req),
                "content_type": req.content_type,
                "body": ctx.get("body_summary"),
                "request_contract": ctx.get("request_contract"),
                "request_violations": ctx.get("request_violations", []),
                "status": response.status_code,
                "rule": rule,
                "fault": ctx.get("fault"),
                "job": ctx.get("journal_job"),
                "terminal": ctx.get("journal_terminal"),
                "uses": ctx.get("journal_uses"),
                "retry_after": retry_after_seconds(headers),
                "poll_after_ms": _int_or_none(headers.get("openai-poll-after-ms")),
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
