"""Views of the UniAll task format (SPEC 2); its record says where each is served."""

from __future__ import annotations

from mock_server.dialects.uniall import NAME, render
from mock_server.domain import ImageUrl, RawCreate
from mock_server.rules import reference, uniall
from mock_server.rules.registry import RuleViolation
from mock_server.wire.bodies import JSON_TYPES, read_body
from mock_server.wire.context import (
    base_url,
    current_state,
    is_status_read,
    note_body,
    owner,
    request,
)
from mock_server.wire.replies import ViewResult


def _raw(fields: dict[str, object]) -> RawCreate:
    image_url = fields.get("image_url")
    if image_url is not None and (not isinstance(image_url, str) or not image_url):
        raise RuleViolation(reference.INVALID_SHAPE, param=reference.PARAM)
    return RawCreate(dict(fields), ImageUrl(image_url) if image_url else None)


def create_generation() -> ViewResult:
    """Submit a task: JSON only."""
    state = current_state()
    body = read_body(request, file_limit=state.settings.max_reference_bytes, accept=JSON_TYPES)
    note_body(body)
    fields = body.fields.to_dict()
    uniall.check_format(fields)
    video_request = uniall.validate(
        _raw(fields),
        resolve=state.resolver.resolve,
        max_reference_bytes=state.settings.max_reference_bytes,
        true_1080p=state.settings.uniall_true_1080p,
    )
    job = state.service.create(video_request, dialect=NAME, owner=owner(), origin=base_url())
    return render.submit(job)


def query_task(video_id: str) -> ViewResult:
    """A status read of a UniAll task (``GET /v1/videos/gen_...``)."""
    job = current_state().service.retrieve(video_id, status_read=is_status_read(), dialect=NAME)
    return render.task(job, job.origin or base_url())
