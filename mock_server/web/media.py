"""Result files at the URLs UniAll and generateTask hand out: no credentials, until expiry."""

from __future__ import annotations

from flask import Response

from mock_server import catalog
from mock_server.dialects.record import Route
from mock_server.rules import jobs
from mock_server.rules.registry import RuleViolation
from mock_server.wire.context import current_state

#: The result files' endpoints are named ``media.<view>``.
ENDPOINT_PREFIX = "media"
#: Where result files are served: ``/media/<job id>/<file name>``.
MEDIA_PREFIX = "/media/"
#: File names under ``/media/<job id>/`` and the content variant each serves.
FILES = {"video.mp4": "video", "thumbnail.webp": "thumbnail", "spritesheet.jpg": "spritesheet"}


def media_file(job_id: str, name: str) -> Response:
    """A finished job's file; 404 for what does not exist, 410 once the results expired."""
    service = current_state().service
    variant = FILES.get(name)
    if variant is None or current_state().store.get(job_id) is None:
        raise RuleViolation(jobs.MEDIA_NOT_FOUND, job_id=job_id, name=name)
    job = service.retrieve(job_id, status_read=False)
    if service.expired(job):
        raise RuleViolation(jobs.MEDIA_EXPIRED, job_id=job_id, lifetime=job.lifetime)
    data = service.content(job_id, variant)
    return Response(data, mimetype=catalog.CONTENT_VARIANTS[variant])


MEDIA_ROUTE = Route(
    "GET",
    MEDIA_PREFIX + "<job_id>/<name>",
    media_file,
    "resultFile",
    binary=tuple(catalog.CONTENT_VARIANTS.values()),
    path_parameters={
        "job_id": "The id of a job whose dialect hands out result URLs.",
        "name": ", ".join(FILES) + ".",
    },
    public=True,
)
