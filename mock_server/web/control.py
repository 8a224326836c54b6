"""The control API under ``/_mock/``: what a test uses to steer the mock (SPEC 5.3).

No real client calls these paths; they need no API key, are not journaled and count toward
no limit. With ``control_token`` set they need ``x-sora-mock-token``.
"""

from __future__ import annotations

import hmac
import os
from typing import Any

from flask import Blueprint, Response, jsonify, request
from flask.typing import ResponseReturnValue

from mock_server import catalog
from mock_server.backend import history
from mock_server.backend.faults import Fault
from mock_server.rules import access
from mock_server.rules.registry import RuleViolation
from mock_server.web.bodies import file_bytes
from mock_server.web.context import base_url, current_state
from mock_server.web.pipeline import CONTROL_PREFIX

blueprint = Blueprint("control", __name__, url_prefix=CONTROL_PREFIX)


class ControlError(Exception):
    """A control call with bad arguments."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.message = message
        self.status = status


@blueprint.errorhandler(ControlError)
def _control_error(exc: ControlError) -> ResponseReturnValue:
    body = {"error": {"message": exc.message, "type": "control_error", "param": None, "code": None}}
    return jsonify(body), exc.status


@blueprint.before_request
def _guard() -> None:
    settings = current_state().settings
    if not settings.control_api:
        raise RuleViolation(access.CONTROL_DISABLED)
    if settings.control_token is not None:
        given = request.headers.get("x-sora-mock-token", "")
        if not hmac.compare_digest(given.encode(), settings.control_token.encode()):
            raise RuleViolation(access.CONTROL_TOKEN)


def _json() -> dict[str, Any]:
    if not request.content_length:
        return {}
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise ControlError("The body must be a JSON object.")
    return body


def _number(body: dict[str, Any], key: str, *, default: float | None = None) -> float:
    value = body.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ControlError(f"'{key}' must be a number.")
    return float(value)


def _count(body: dict[str, Any]) -> int:
    count = body.get("count", 1)
    if isinstance(count, bool) or not isinstance(count, int) or count < 1:
        raise ControlError("'count' must be a positive integer.")
    return count


def _status() -> dict[str, Any]:
    state = current_state()
    service = state.service
    return {
        #: Which process answered: with ``--workers`` there are several.
        "process_id": os.getpid(),
        "progression": service.progression.name,
        "speed": service.settings.speed,
        "clock": {"now": state.clock.now(), "frozen": state.clock.frozen},
        "unfinished_jobs": len(state.store.unfinished()),
        "forced_outcomes": service.forced_outcomes(),
        "faults": state.faults.pending(),
        "pending_deliveries": state.outbox.pending(),
    }


@blueprint.get("")
@blueprint.get("/")
def status() -> ResponseReturnValue:
    """What the mock is set to now."""
    return _status()


@blueprint.post("/reset")
def reset() -> ResponseReturnValue:
    """Back to a fresh server: no jobs, assets, faults, journal entries or deliveries."""
    current_state().reset()
    return _status()


@blueprint.get("/clock")
def clock() -> ResponseReturnValue:
    """The mock clock."""
    state = current_state()
    return {"now": state.clock.now(), "frozen": state.clock.frozen}


@blueprint.post("/clock/advance")
def advance_clock() -> ResponseReturnValue:
    """Move the clock forward by ``seconds``; timed jobs and deliveries follow."""
    state = current_state()
    seconds = _number(_json(), "seconds")
    if seconds < 0:
        raise ControlError("'seconds' must not be negative: the mock clock only moves forward.")
    state.advance_clock(seconds)
    return {"now": state.clock.now(), "frozen": state.clock.frozen}


@blueprint.post("/progression")
def set_progression() -> ResponseReturnValue:
    """Switch how jobs advance: ``{"mode": "time", "speed": 60}``."""
    body = _json()
    mode = body.get("mode")
    if mode not in catalog.PROGRESSIONS:
        raise ControlError(f"'mode' must be one of {', '.join(catalog.PROGRESSIONS)}.")
    speed = _number(body, "speed") if "speed" in body else None
    if speed is not None and speed <= 0:
        raise ControlError("'speed' must be positive.")
    current_state().set_progression(mode, speed)
    return _status()


@blueprint.post("/outcomes")
def force_outcome() -> ResponseReturnValue:
    """Force the next job(s): ``{"outcome": "moderation_blocked", "count": 1}``."""
    body = _json()
    name = body.get("outcome")
    if not isinstance(name, str) or name not in catalog.OUTCOMES:
        raise ControlError(f"'outcome' must be one of {', '.join(catalog.OUTCOMES)}.")
    current_state().service.force_outcome(catalog.OUTCOMES[name], _count(body))
    return {"forced_outcomes": current_state().service.forced_outcomes()}


@blueprint.get("/outcomes")
def list_outcomes() -> ResponseReturnValue:
    """Forced outcomes still queued, and every outcome that can be forced."""
    return {
        "forced_outcomes": current_state().service.forced_outcomes(),
        "available": {
            name: {"description": o.description, "magic_prompt": catalog.magic_marker(name)}
            for name, o in catalog.OUTCOMES.items()
        },
    }


_FAULT_KEYS = {
    "status",
    "count",
    "method",
    "path",
    "retry_after",
    "retry_after_ms",
    "should_retry",
    "delay_ms",
    "message",
    "headers",
}


@blueprint.post("/faults")
def add_fault() -> ResponseReturnValue:
    """Queue an HTTP fault: ``{"status": 429, "retry_after": 0.01, "count": 2}``."""
    body = _json()
    unknown = set(body) - _FAULT_KEYS
    if unknown:
        raise ControlError(f"Unknown fault fields: {', '.join(sorted(unknown))}.")
    status_code = body.get("status", 0)
    if not isinstance(status_code, int) or not (status_code == 0 or 400 <= status_code <= 599):
        raise ControlError(
            "'status' must be an HTTP error status (400-599), or 0 for a delay only."
        )
    delay = body.get("delay_ms", 0)
    if not isinstance(delay, int) or not 0 <= delay <= 60_000:
        raise ControlError("'delay_ms' must be an integer between 0 and 60000.")
    if status_code == 0 and not delay:
        raise ControlError("A fault needs a 'status', a 'delay_ms', or both.")
    headers = body.get("headers", {})
    if not isinstance(headers, dict) or not all(isinstance(v, str) for v in headers.values()):
        raise ControlError("'headers' must map names to strings.")
    fault = Fault(
        status=status_code,
        count=_count(body),
        method=body.get("method"),
        path=body.get("path"),
        retry_after=_number(body, "retry_after") if "retry_after" in body else None,
        retry_after_ms=int(_number(body, "retry_after_ms")) if "retry_after_ms" in body else None,
        should_retry=body.get("should_retry"),
        delay_ms=delay,
        message=body.get("message"),
        headers=headers,
    )
    current_state().faults.add(fault)
    return {"faults": current_state().faults.pending()}


@blueprint.get("/faults")
def list_faults() -> ResponseReturnValue:
    """Faults still queued."""
    return {"faults": current_state().faults.pending()}


@blueprint.delete("/faults")
def clear_faults() -> ResponseReturnValue:
    """Drop every queued fault."""
    current_state().faults.clear()
    return {"faults": []}


@blueprint.get("/requests")
def journal() -> ResponseReturnValue:
    """The request journal, oldest first."""
    return {"requests": current_state().journal.entries()}


@blueprint.delete("/requests")
def clear_journal() -> ResponseReturnValue:
    """Empty the request journal."""
    current_state().journal.clear()
    return {"requests": []}


@blueprint.get("/deliveries")
def deliveries() -> ResponseReturnValue:
    """Webhook (and callback) deliveries with every attempt; ``?kind=webhook`` filters."""
    return {"deliveries": current_state().outbox.journal(request.args.get("kind"))}


@blueprint.post("/deliveries/flush")
def flush_deliveries() -> ResponseReturnValue:
    """Attempt every due delivery now, in this request, and report them."""
    state = current_state()
    state.service.settle()
    attempted = state.outbox.run_due()
    return {"attempted": attempted, "deliveries": state.outbox.journal()}


@blueprint.post("/assets")
def upload_asset() -> ResponseReturnValue:
    """Store an image (multipart part ``file``, or the raw body) and return its id and URL."""
    state = current_state()
    upload = request.files.get("file")
    if upload is not None:
        data, content_type, filename = file_bytes(upload), upload.mimetype, upload.filename
    else:
        data = request.get_data()
        content_type, filename = request.mimetype or "application/octet-stream", None
    if not data:
        raise ControlError("Send the asset as a multipart part named 'file' or as the raw body.")
    asset = state.assets.add(data, content_type, filename, state.clock.now())
    return {
        "id": asset.id,
        "url": f"{base_url()}{CONTROL_PREFIX}/assets/{asset.id}",
        "content_type": asset.content_type,
        "bytes": len(asset.data),
    }


@blueprint.get("/assets/<asset_id>")
def asset(asset_id: str) -> ResponseReturnValue:
    """An uploaded asset's bytes, served without credentials."""
    found = current_state().assets.get(asset_id)
    if found is None:
        raise ControlError(f"No asset with id '{asset_id}'.", 404)
    return Response(found.data, mimetype=found.content_type)


@blueprint.post("/histories")
def queue_history() -> ResponseReturnValue:
    """Script the next job's status reads: ``{"steps": [{"status": "queued", "progress": 0},
    {"fault": 429, "retry_after_ms": 5}, {"status": "completed", "progress": 100}]}``."""
    try:
        steps = history.from_json(_json().get("steps"))
        current_state().service.queue_history(steps)
    except history.HistoryError as exc:
        raise ControlError(str(exc)) from exc
    return {"queued_histories": current_state().service.queued_histories()}


@blueprint.post("/unreachable")
def mark_unreachable() -> ResponseReturnValue:
    """Make an image URL, or a whole host, impossible to fetch: ``{"url": ...}`` or
    ``{"host": ...}``. Hosts under ``.invalid`` always are."""
    body = _json()
    url, host = body.get("url"), body.get("host")
    if not any(isinstance(value, str) and value for value in (url, host)):
        raise ControlError("Give a 'url' or a 'host' (a non-empty string).")
    for key, value in (("url", url), ("host", host)):
        if value is not None and not isinstance(value, str):
            raise ControlError(f"'{key}' must be a string.")
    current_state().resolver.mark_unreachable(url=url, host=host)
    return current_state().resolver.unreachable()


@blueprint.get("/unreachable")
def list_unreachable() -> ResponseReturnValue:
    """The URLs and hosts registered as unreachable."""
    return current_state().resolver.unreachable()


@blueprint.get("/jobs/<job_id>")
def job(job_id: str) -> ResponseReturnValue:
    """A job's internal state (no status read is counted)."""
    found = current_state().store.get(job_id)
    if found is None:
        raise ControlError(f"No job with id '{job_id}'.", 404)
    return {
        "id": found.id,
        "dialect": found.dialect,
        "owner": access.mask_key(found.owner),
        "status": found.status,
        "progress": found.progress,
        "fraction": found.fraction,
        "reads": found.reads,
        "steps": found.steps,
        "duration": found.duration,
        "created_at": found.created_at,
        "failure_code": found.failure_code,
    }
