"""The generateTask wire shapes: every body is ``{"code", "message", "data"}`` (SPEC 3)."""

from __future__ import annotations

import json
from typing import Any

from mock_server import catalog
from mock_server.backend.job import Job
from mock_server.dialects.generatetask.messages import word
from mock_server.rules.registry import RuleViolation

STATES = {
    catalog.QUEUED: "pending",
    catalog.IN_PROGRESS: "processing",
    catalog.COMPLETED: "success",
    catalog.FAILED: "failed",
}
#: Neutral failure codes in this format's words (seed 004; INTERNAL_ERROR is a choice).
FAIL_CODES = {
    "moderation_blocked": ("CONTENT_VIOLATION", "Content violates safety guidelines"),
    "image_unreachable": ("INVALID_IMAGE_URL", "Cannot access provided image URL"),
    "invalid_reference_image": ("INVALID_IMAGE_URL", "The provided image cannot be used"),
    "internal_error": ("INTERNAL_ERROR", "Internal error while generating the video"),
}


def _ms(seconds: float) -> int:
    return round(seconds * 1000)


def envelope(data: Any, code: int = 200, message: str = "success") -> dict[str, Any]:
    """The envelope every body has."""
    return {"code": code, "message": message, "data": data}


def submitted(job: Job) -> dict[str, Any]:
    """The answer to a create."""
    return envelope({"taskId": job.id})


def result_url(base_url: str, job: Job) -> str:
    """Where the finished video is served, without credentials, for 15 days."""
    return f"{base_url.rstrip('/')}/media/{job.id}/video.mp4"


def status(job: Job, base_url: str) -> dict[str, Any]:
    """The status envelope, as polled and as POSTed to a callback URL."""
    data: dict[str, Any] = {
        "taskId": job.id,
        "state": STATES[job.status],
        "createTime": _ms(job.created_at),
    }
    if job.completed_at is not None:
        data["completeTime"] = _ms(job.completed_at)
    if job.status == catalog.COMPLETED and job.completed_at is not None:
        data["resultJson"] = json.dumps({"resultUrls": [result_url(base_url, job)]})
        data["costTime"] = data["completeTime"] - data["createTime"]
    if job.status == catalog.FAILED:
        data["failCode"], data["failMsg"] = FAIL_CODES.get(
            job.error_code or "", FAIL_CODES["internal_error"]
        )
    return envelope(data)


def error(violation: RuleViolation) -> dict[str, Any]:
    """A rule violation in this format's envelope."""
    return envelope(None, violation.status, word(violation))


def server_error(status_code: int, message: str | None = None) -> dict[str, Any]:
    """An injected or unexpected failure."""
    default = (
        "Rate limit exceeded. Wait and retry."
        if status_code == 429
        else "Internal server error."
        if status_code >= 500
        else "Request failed."
    )
    return envelope(None, status_code, message or default)
