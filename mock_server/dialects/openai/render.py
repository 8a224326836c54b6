"""The OpenAI-native wire shapes: Video, list, deleted, and the error envelope (SPEC 1.3-1.5)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from mock_server import catalog
from mock_server.backend.job import Job
from mock_server.backend.job_store import Page
from mock_server.dialects.openai.messages import FIELD_NAMES, WORDING, Wording, word
from mock_server.rules.registry import RuleViolation


def _ts(value: float | None) -> int | None:
    return None if value is None else int(value)


def video(job: Job) -> dict[str, Any]:
    """The Video object, every key present."""
    return {
        "id": job.id,
        "object": "video",
        "model": job.model,
        "status": job.status,
        "progress": job.progress,
        "created_at": int(job.created_at),
        "completed_at": _ts(job.completed_at),
        "expires_at": _ts(job.expires_at),
        "prompt": job.prompt,
        "size": job.size,
        "seconds": str(job.seconds),
        "remixed_from_video_id": job.remixed_from,
        "error": (
            {"code": job.error_code, "message": job.error_message}
            if job.error_code is not None
            else None
        ),
    }


def video_list(page: Page) -> dict[str, Any]:
    """The list envelope; ``last_id`` drives the SDK's paging.

    An empty page (``limit=0``) has no ``last_id`` to page on, so it never says ``has_more``:
    a client following ``after=<last_id>`` would start over from the top.
    """
    data = [video(job) for job in page.jobs]
    return {
        "object": "list",
        "data": data,
        "first_id": data[0]["id"] if data else None,
        "last_id": data[-1]["id"] if data else None,
        "has_more": page.has_more and bool(data),
    }


def deleted(job_id: str) -> dict[str, Any]:
    """The deletion confirmation."""
    return {"id": job_id, "object": "video.deleted", "deleted": True}


def error_envelope(
    message: str, error_type: str, param: str | None, code: str | None
) -> dict[str, Any]:
    """The error envelope, all four keys present."""
    return {"error": {"message": message, "type": error_type, "param": param, "code": code}}


def error(
    violation: RuleViolation,
    wording: Mapping[str, Wording] = WORDING,
    names: Mapping[str, str] = FIELD_NAMES,
) -> dict[str, Any]:
    """A rule violation in this dialect's words, its field named as the wire names it."""
    message, code, error_type = word(violation, wording)
    param = None if violation.param is None else names.get(violation.param, violation.param)
    return error_envelope(message, error_type, param, code)


def server_error(status: int, message: str | None = None) -> dict[str, Any]:
    """A 5xx (or injected) failure."""
    if status == 429:
        return error_envelope(
            message or "Rate limit reached for requests. Please try again later.",
            "requests",
            None,
            "rate_limit_exceeded",
        )
    default = (
        "The server had an error while processing your request. Sorry about that!"
        if status >= 500
        else f"The request failed with status {status}."
    )
    error_type = "server_error" if status >= 500 else "invalid_request_error"
    return error_envelope(message or default, error_type, None, None)


def character(record: dict[str, Any]) -> dict[str, Any]:
    """A character: exactly ``id``, ``name`` and ``created_at`` (no ``object``)."""
    return {"id": record["id"], "name": record["name"], "created_at": record["created_at"]}


def model(model_id: str, runs: str, *, shutdown_date: str | None = None) -> dict[str, Any]:
    """A model object: ``model_id`` as a client names it, ``runs`` the model behind it."""
    created = catalog.MODEL_CREATED.get(model_id, catalog.MODEL_CREATED[runs])
    found = {"id": model_id, "object": "model", "created": created, "owned_by": catalog.MODEL_OWNER}
    if shutdown_date is not None:
        found["shutdown_date"] = shutdown_date
    return found


def model_list(served: Mapping[str, str], *, shutdown_date: str | None = None) -> dict[str, Any]:
    """Every model a client can name, in the order they are served."""
    data = [model(name, runs, shutdown_date=shutdown_date) for name, runs in served.items()]
    return {"object": "list", "data": data}
