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
from mock_server.controls import ControlError, Controls
from mock_server.rules import access, protocol, reference
from mock_server.rules.registry import RuleViolation
from mock_server.web import same_origin
from mock_server.web.routes import CONTROL_PREFIX
from mock_server.wire.bodies import (
    MULTIPART_TYPES,
    drain,
    file_bytes,
    load_json,
    max_body_bytes,
    read_multipart,
)
from mock_server.wire.context import base_url, current_state
from mock_server.wording import megabytes

blueprint = Blueprint("control", __name__, url_prefix=CONTROL_PREFIX)


@blueprint.errorhandler(ControlError)
def _control_error(exc: ControlError) -> ResponseReturnValue:
    body = {"error": {"message": exc.message, "type": "control_error", "param": None, "code": None}}
    return jsonify(body), exc.status


def controls() -> Controls:
    """The controls of the app handling this request."""
    return Controls(current_state())


@blueprint.before_request
def _guard() -> None:
    settings = current_state().settings
    if not settings.control_api:
        raise RuleViolation(access.CONTROL_DISABLED)
    authority = request.headers.get("Host", "")
    if not same_origin.names_this_server(authority, settings.allowed_hosts):
        raise RuleViolation(access.CONTROL_FOREIGN_HOST, host=authority[:200])
    origin = same_origin.other_origin(request.method, request.headers, authority)
    if origin is not None:
        raise RuleViolation(access.CONTROL_CROSS_SITE, origin=origin[:200])
    if settings.control_token is not None:
        given = request.headers.get("x-sora-mock-token", "")
        if not hmac.compare_digest(given.encode(), settings.control_token.encode()):
            raise RuleViolation(access.CONTROL_TOKEN)


def _uncompressed() -> None:
    """Refuse a compressed body, as the API routes do."""
    try:
        protocol.check_identity_encoding(request.headers.get("Content-Encoding"))
    except RuleViolation as exc:
        raise ControlError("Send the body uncompressed (no Content-Encoding).", 415) from exc


def _raw_body(limit: int) -> bytes:
    """The request body, refused with a 413 past ``limit`` bytes (read no further than that)."""
    _uncompressed()
    if request.content_length is not None and request.content_length > limit:
        drain(request.stream)
        raise ControlError(f"The body is over the {megabytes(limit)} this call accepts.", 413)
    try:
        data = request.stream.read(limit + 1)
    except TimeoutError as exc:
        raise ControlError(
            "The body stopped arriving: the server timed out reading it.", 408
        ) from exc
    if len(data) > limit:
        drain(request.stream)
        raise ControlError(f"The body is over the {megabytes(limit)} this call accepts.", 413)
    return data


def _json() -> dict[str, Any]:
    """The request's JSON object body; an empty body is an empty object."""
    if not request.content_length and request.headers.get("Transfer-Encoding") is None:
        return {}
    if not request.is_json:
        raise ControlError(
            f"Send JSON (Content-Type: application/json), not {request.mimetype or 'no type'}."
        )
    try:
        body = load_json(_raw_body(catalog.CONTROL_JSON_MAX_BYTES).decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise ControlError("The body is not valid UTF-8.") from exc
    except RuleViolation as exc:
        raise ControlError(
            f"The body is not JSON within the limits: {exc.facts['detail']}."
        ) from exc
    if not isinstance(body, dict):
        raise ControlError("The body must be a JSON object.")
    return body


def _status() -> dict[str, Any]:
    state = current_state()
    service = state.service
    return {
        #: Which process answered: with ``--workers`` there are several.
        "process_id": os.getpid(),
        "progression": service.progression.name,
        "speed": service.settings.speed,
        "clock": {"now": state.clock.now(), "frozen": state.clock.frozen},
        "unfinished_jobs": state.store.unfinished_count(),
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
    controls().advance_clock(_json())
    return {"now": state.clock.now(), "frozen": state.clock.frozen}


@blueprint.post("/progression")
def set_progression() -> ResponseReturnValue:
    """Switch how jobs advance: ``{"mode": "time", "speed": 60}``."""
    controls().set_progression(_json())
    return _status()


@blueprint.post("/outcomes")
def force_outcome() -> ResponseReturnValue:
    """Force the next job(s): ``{"outcome": "moderation_blocked", "count": 1}``."""
    return {"forced_outcomes": controls().force_outcome(_json())}


@blueprint.delete("/outcomes")
def clear_outcomes() -> ResponseReturnValue:
    """Drop every forced outcome still queued, and nothing else."""
    controls().clear_outcomes()
    return {"forced_outcomes": []}


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


@blueprint.post("/faults")
def add_fault() -> ResponseReturnValue:
    """Queue an HTTP fault: ``{"status": 429, "retry_after": 0.01, "count": 2}``."""
    return {"faults": controls().queue_fault(_json())}


@blueprint.get("/faults")
def list_faults() -> ResponseReturnValue:
    """Faults still queued."""
    return {"faults": current_state().faults.pending()}


@blueprint.delete("/faults")
def clear_faults() -> ResponseReturnValue:
    """Drop every queued fault."""
    controls().clear_faults()
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
    return {"deliveries": controls().deliveries(request.args.get("kind"))}


@blueprint.post("/deliveries/flush")
def flush_deliveries() -> ResponseReturnValue:
    """Attempt every due delivery now, in this request, and report them."""
    attempted = controls().flush_deliveries()
    return {"attempted": attempted, "deliveries": controls().deliveries()}


@blueprint.post("/assets")
def upload_asset() -> ResponseReturnValue:
    """Store an image (multipart part ``file``, or the raw body) and return its id and URL."""
    limit = current_state().settings.max_reference_bytes
    _uncompressed()
    if request.mimetype in MULTIPART_TYPES:
        try:
            form = read_multipart(request, file_limit=limit, body_limit=max_body_bytes(limit))
        except RuleViolation as exc:
            if exc.rule in (reference.TOO_LARGE, protocol.BODY_TOO_LARGE, protocol.FORM_LIMITS):
                message = f"The body is over the {megabytes(limit)} this call accepts."
                raise ControlError(message, 413) from exc
            problem = exc.rule.checks
            raise ControlError(f"The asset is not a readable multipart body: {problem}") from exc
        upload = form.files.get("file")
        if upload is None:
            raise ControlError("Send the asset as a multipart part named 'file'.")
        data, content_type, filename = file_bytes(upload), upload.mimetype, upload.filename
    else:
        data = _raw_body(limit)
        content_type, filename = request.mimetype or "application/octet-stream", None
    asset = controls().upload_asset(data, content_type, filename)
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
    return {"queued_histories": controls().play_history_json(_json())}


@blueprint.post("/unreachable")
def mark_unreachable() -> ResponseReturnValue:
    """Make an image URL, or a whole host, impossible to fetch: ``{"url": ...}`` or
    ``{"host": ...}``. Hosts under ``.invalid`` always are."""
    return controls().mark_unreachable(_json())


@blueprint.get("/unreachable")
def list_unreachable() -> ResponseReturnValue:
    """The URLs and hosts registered as unreachable."""
    return current_state().resolver.unreachable()


@blueprint.post("/jobs/<job_id>/cancel")
def cancel_job(job_id: str) -> ResponseReturnValue:
    """Cancel an unfinished job of Azure's Sora 1 jobs API (the one API that shows a cancelled
    job): its next status read says ``cancelled``."""
    return controls().cancel_job(job_id)


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
