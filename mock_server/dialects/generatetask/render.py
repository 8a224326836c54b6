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
#: Neutral failure codes in this format's words: seed 004's CONTENT_VIOLATION and
#: INVALID_IMAGE_URL, the provider's list with its descriptions (APIXO error-codes; the
#: CONTENT_VIOLATION message is its example's), and GENERATION_FAILED for any other failure.
FAIL_CODES = {
    "moderation_blocked": ("CONTENT_VIOLATION", "Content violates usage policy"),
    "image_unreachable": ("INVALID_IMAGE_URL", "Cannot access the provided image URL"),
    "invalid_reference_image": ("INVALID_IMAGE_URL", "The provided image cannot be used"),
    **{kind.code: (kind.code.upper(), kind.message) for kind in catalog.PROVIDER_FAILURES},
}
GENERIC_FAILURE = ("GENERATION_FAILED", "Generic generation failure")


def _ms(seconds: float) -> int:
    return round(seconds * 1000)


def envelope(data: Any, code: int = 200, message: str = "success") -> dict[str, Any]:
    """The envelope every body has."""
    return {"code": code, "message": message, "data": data}


def submitted(job: Job) -> dict[str, Any]:
    """The answer to a create."""
    return envelope({"taskId": job.id})


def result_url(base_url: str, job: Job) -> str:
    """Where the finished video is served, without credentials, until the results expire."""
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
        data["failCode"], data["failMsg"] = FAIL_CODES.get(job.error_code or "", GENERIC_FAILURE)
    return envelope(data)


def failure(status_code: int, detail: str) -> dict[str, Any]:
    """An error body: the status's message, the detail in ``data.error`` (a 401 is bare)."""
    message = catalog.gt_status_message(status_code)
    if status_code in catalog.GT_BARE_STATUSES:
        return {"code": status_code, "message": message}
    return envelope({"error": detail}, status_code, message)


def error(violation: RuleViolation) -> dict[str, Any]:
    """A rule violation in this format's envelope."""
    return failure(violation.status, word(violation))


def server_error(status_code: int, message: str | None = None) -> dict[str, Any]:
    """An injected or unexpected failure."""
    defaults = {
        402: "Insufficient balance. Top up your account.",
        403: "Content violates policy. Modify the content.",
        429: "Rate limit exceeded. Wait and retry.",
        503: "Model temporarily unavailable. Try again later.",
    }
    default = defaults.get(
        status_code, "Internal server error." if status_code >= 500 else "Request failed."
    )
    return failure(status_code, message or default)
