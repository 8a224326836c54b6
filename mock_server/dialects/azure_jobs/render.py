"""The Sora 1 jobs API's wire shapes: job, generation, list, and errors (SPEC 4.2)."""

from __future__ import annotations

from typing import Any

from mock_server import catalog
from mock_server.backend.job import Job
from mock_server.dialects.azure import render as azure_render
from mock_server.dialects.azure_jobs import ids
from mock_server.dialects.azure_jobs.messages import FIELD_NAMES, WORDING
from mock_server.rules.registry import RuleViolation


def _ts(value: float | None) -> int | None:
    return None if value is None else int(value)


def status(job: Job) -> str:
    """The job's state in this API's walk: queued, preprocessing, running, processing,
    succeeded, failed or cancelled."""
    if job.status == catalog.COMPLETED:
        return catalog.AZURE_JOB_SUCCEEDED
    if job.status == catalog.FAILED:
        return catalog.AZURE_JOB_FAILED
    if job.status == catalog.CANCELLED:
        return catalog.AZURE_JOB_CANCELLED
    if job.status == catalog.QUEUED:
        return catalog.AZURE_JOB_QUEUED
    reached = [name for name, at in catalog.AZURE_JOB_WALK if job.progress / 100 >= at]
    return reached[-1]


def filed_under(status: str) -> str:
    """The job status one of this API's statuses belongs to (its walk's middle steps are all
    ``in_progress``)."""
    return {
        catalog.AZURE_JOB_SUCCEEDED: catalog.COMPLETED,
        catalog.AZURE_JOB_FAILED: catalog.FAILED,
        catalog.AZURE_JOB_CANCELLED: catalog.CANCELLED,
        catalog.AZURE_JOB_QUEUED: catalog.QUEUED,
    }.get(status, catalog.IN_PROGRESS)


def generation(job: Job, index: int) -> dict[str, Any]:
    """One of a succeeded job's videos."""
    return {
        "object": "video.generation",
        "id": ids.generation_id(job.id, index),
        "job_id": job.id,
        "created_at": _ts(job.completed_at),
        "width": job.width,
        "height": job.height,
        "n_seconds": job.seconds,
        "prompt": job.prompt,
    }


def job(job: Job) -> dict[str, Any]:
    """The ``video.generation.job`` object."""
    succeeded = job.status == catalog.COMPLETED
    failed = job.status == catalog.FAILED
    return {
        "object": "video.generation.job",
        "id": job.id,
        "status": status(job),
        "created_at": int(job.created_at),
        "finished_at": _ts(job.completed_at),
        "expires_at": _ts(job.expires_at),
        "generations": [generation(job, i) for i in range(job.variants)] if succeeded else [],
        "prompt": job.prompt,
        "model": job.deployment or job.model,
        "n_variants": job.variants,
        "n_seconds": job.seconds,
        "height": job.height,
        "width": job.width,
        "failure_reason": (
            catalog.AZURE_FAILURE_REASONS.get(
                job.error_code or "", catalog.AZURE_DEFAULT_FAILURE_REASON
            )
            if failed
            else None
        ),
    }


def job_list(jobs: list[Job], has_more: bool) -> dict[str, Any]:
    """A page of jobs."""
    data = [job(found) for found in jobs]
    return {
        "object": "list",
        "data": data,
        "has_more": has_more and bool(data),
        "first_id": data[0]["id"] if data else None,
        "last_id": data[-1]["id"] if data else None,
    }


def error(violation: RuleViolation) -> dict[str, Any]:
    """A rule violation in Azure's envelope, in this API's words."""
    return azure_render.error(violation, WORDING, FIELD_NAMES)
