"""Result files at the URLs UniAll and generateTask hand out: no credentials, until expiry."""

from __future__ import annotations

from flask import Blueprint, Response
from flask.typing import ResponseReturnValue

from mock_server import catalog
from mock_server.rules import jobs
from mock_server.rules.registry import RuleViolation
from mock_server.web.context import current_state

blueprint = Blueprint("media", __name__)

#: File names under ``/media/<job id>/`` and the content variant each serves.
FILES = {"video.mp4": "video", "thumbnail.webp": "thumbnail", "spritesheet.jpg": "spritesheet"}


@blueprint.get("/media/<job_id>/<name>")
def media_file(job_id: str, name: str) -> ResponseReturnValue:
    """A finished job's file; 404 for what does not exist, 410 once the results expired."""
    service = current_state().service
    variant = FILES.get(name)
    if variant is None or current_state().store.get(job_id) is None:
        raise RuleViolation(jobs.MEDIA_NOT_FOUND, job_id=job_id, name=name)
    job = service.retrieve(job_id, status_read=False)
    if service.expired(job):
        raise RuleViolation(jobs.MEDIA_EXPIRED, job_id=job_id)
    data = service.content(job_id, variant)
    return Response(data, mimetype=catalog.CONTENT_VARIANTS[variant])
