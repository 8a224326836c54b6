"""Views of the generateTask format (SPEC 3); its record says where each is served."""

from __future__ import annotations

from mock_server import catalog
from mock_server.dialects.generatetask import NAME, render
from mock_server.rules import generatetask
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


def create_task() -> ViewResult:
    """Submit a task: JSON only."""
    state = current_state()
    body = read_body(request, file_limit=catalog.GT_IMAGE_MAX_BYTES, accept=JSON_TYPES)
    note_body(body)
    video_request, options, _mode = generatetask.validate(
        body.fields.to_dict(),
        resolve=state.resolver.resolve,
        allowed_hosts=state.outbox.allowed_hosts,
    )
    job = state.service.create(
        video_request,
        dialect=NAME,
        owner=owner(),
        origin=base_url(),
        callback_url=options.callback_url if options.request_type == "callback" else None,
    )
    return render.submitted(job)


def task_status() -> ViewResult:
    """A status read; in ``polls`` mode it moves the task one step."""
    task_id = generatetask.check_task_id(request.args.get("taskId"))
    job = current_state().service.retrieve(task_id, status_read=is_status_read(), dialect=NAME)
    return render.status(job, job.origin or base_url())
