"""The UniAll wire shapes: the submit object and the query object (SPEC 2)."""

from __future__ import annotations

from typing import Any

from mock_server import catalog
from mock_server.backend.job import Job
from mock_server.dialects.openai import render as openai_render
from mock_server.dialects.uniall.messages import FIELD_NAMES, WORDING
from mock_server.rules.registry import RuleViolation

OBJECT = "video.generation.job"


def media_url(base_url: str, job: Job, name: str) -> str:
    """Where a finished job's file is served, without credentials."""
    return f"{base_url.rstrip('/')}/media/{job.id}/{name}"


def submit(job: Job) -> dict[str, Any]:
    """The answer to a create: the model family, as seed 003's sample shows."""
    model = catalog.UNIALL_MODELS[job.model]
    return {
        "id": job.id,
        "object": OBJECT,
        "model": model.family,
        "status": job.status,
        "progress": job.progress,
        "created_at": int(job.created_at),
        "seconds": str(job.seconds),
    }


def task(job: Job, base_url: str) -> dict[str, Any]:
    """The query object: URLs once completed, timings once finished, error once failed."""
    done = job.completed_at is not None
    elapsed = round(job.completed_at - job.created_at, 3) if job.completed_at is not None else None
    # The processing time in whole seconds, as the provider's query page shows it (89, never
    # 89.55: SPEC 6 [public: UniAll models/video/sora-2/query-task]).
    duration = int(elapsed) if elapsed is not None else None
    completed = job.status == catalog.COMPLETED
    return {
        "id": job.id,
        "object": OBJECT,
        "model": job.model,
        "prompt": job.prompt,
        "status": job.status,
        "progress": job.progress,
        "created_at": int(job.created_at),
        "seconds": str(job.seconds),
        "video_url": media_url(base_url, job, "video.mp4") if completed else None,
        "thumbnail_url": media_url(base_url, job, "thumbnail.webp") if completed else None,
        "duration": duration,
        "metadata": (
            {
                "total_time": elapsed,
                "predict_time": round((elapsed or 0.0) * (1 - catalog.QUEUED_SHARE), 3),
            }
            if done and completed
            else None
        ),
        "error": (
            {"code": job.error_code, "message": job.error_message}
            if job.error_code is not None
            else None
        ),
    }


def error(violation: RuleViolation) -> dict[str, Any]:
    """A rule violation: OpenAI's envelope, UniAll's field names."""
    return openai_render.error(violation, WORDING, FIELD_NAMES)
