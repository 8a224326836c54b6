"""Views of the Sora 1 jobs API (SPEC 4.2); its record says where each is served."""

from __future__ import annotations

from datetime import UTC, datetime

from flask import Response

from mock_server import catalog
from mock_server.backend.job import Job
from mock_server.dialects.azure_jobs import NAME, ids, parse, render
from mock_server.domain import VideoRequest
from mock_server.rules import azure, azure_jobs, create, jobs
from mock_server.rules.registry import RuleViolation
from mock_server.wire.bodies import read_body
from mock_server.wire.context import current_state, is_status_read, note_body, owner, request
from mock_server.wire.replies import ViewResult

#: Jobs read per round while a list filters by status.
FILTER_PAGE = 50


def create_job() -> ViewResult:
    """Queue a job from a JSON body, or a multipart one with inpaint files."""
    state = current_state()
    body = read_body(request, file_limit=catalog.CHARACTER_VIDEO_MAX_BYTES)
    note_body(body)
    fields, files = parse.job_request(body)
    prompt = create.check_prompt(fields.get("prompt"))
    deployment = fields.get("model")
    model = azure.check_deployment(
        deployment, state.settings.deployments(), (catalog.AZURE_JOBS_MODEL,)
    )
    width, height = azure_jobs.check_size(fields.get("width"), fields.get("height"))
    seconds = azure_jobs.check_seconds(fields.get("n_seconds"))
    variants = azure_jobs.check_variants(fields.get("n_variants"), width, height)
    items = azure_jobs.check_items(
        azure_jobs.parse_items(fields.get("inpaint_items")), files, width, height
    )
    # The first frame's image, when one is given, opens the video.
    opening = next((i.image for i in items if i.image is not None and i.frame_index == 0), None)
    job = state.service.create(
        VideoRequest(
            prompt,
            model,
            seconds,
            width,
            height,
            opening,
            deployment=deployment,
            variants=variants,
        ),
        dialect=NAME,
        owner=owner(),
    )
    return render.job(job)


def list_jobs() -> ViewResult:
    """A page of jobs, newest first; ``after`` pages on, ``before`` back; ``statuses`` filters."""
    limit = jobs.check_limit(request.args.get("limit"), catalog.AZURE_JOBS_LIST_DEFAULT_LIMIT)
    statuses = azure_jobs.check_statuses(request.args.get("statuses"))
    before = request.args.get("before") or None
    order, cursor = ("asc", before) if before else ("desc", request.args.get("after") or None)
    found, has_more = _matching(order, cursor, limit, statuses)
    if before:
        found.reverse()
    return render.job_list(found, has_more)


def _matching(
    order: str, cursor: str | None, limit: int, statuses: tuple[str, ...]
) -> tuple[list[Job], bool]:
    """Up to ``limit`` jobs past ``cursor`` whose status is one of ``statuses`` (any when
    empty), and whether more follow."""
    service = current_state().service
    found: list[Job] = []
    # The store files jobs by their own status: only those that can match are read.
    filed = tuple(sorted({render.filed_under(status) for status in statuses}))
    while True:
        size = limit + 1 if not statuses else FILTER_PAGE
        page = service.list(dialects=(NAME,), order=order, after=cursor, limit=size, statuses=filed)
        found.extend(j for j in page.jobs if not statuses or render.status(j) in statuses)
        if len(found) > limit or not page.has_more or not page.jobs:
            return found[:limit], len(found) > limit or (page.has_more and bool(page.jobs))
        cursor = page.jobs[-1].id


def get_job(job_id: str) -> ViewResult:
    """A status read: in ``polls`` mode each read shows the next state."""
    job = current_state().service.retrieve(job_id, status_read=is_status_read(), dialect=NAME)
    return render.job(job)


def delete_job(job_id: str) -> ViewResult:
    """Delete a finished job: 204, no body."""
    current_state().service.delete(job_id, dialect=NAME)
    return Response(status=204)


def _generation(generation_id: str) -> tuple[Job, int]:
    """The succeeded job a generation id names, and which of its videos."""
    named = ids.parse_generation_id(generation_id)
    if named is not None:
        job_id, index = named
        try:
            job = current_state().service.retrieve(job_id, status_read=False, dialect=NAME)
        except RuleViolation:
            job = None
        if job is not None and job.status == catalog.COMPLETED and index < job.variants:
            return job, index
    raise RuleViolation(azure_jobs.GENERATION_NOT_FOUND, generation_id=generation_id)


def get_generation(generation_id: str) -> ViewResult:
    """One video of a succeeded job."""
    job, index = _generation(generation_id)
    return render.generation(job, index)


def generation_video(generation_id: str) -> ViewResult:
    """The MP4 (``quality=high`` or ``low``); ``HEAD`` gives its headers alone."""
    quality = azure_jobs.check_quality(request.args.get("quality"))
    job, index = _generation(generation_id)
    variant = catalog.AZURE_VIDEO_QUALITIES[quality]
    data = current_state().service.content(job.id, variant, dialect=NAME, take=index)
    response = Response(data, mimetype="video/mp4")
    if job.completed_at is not None:
        response.last_modified = datetime.fromtimestamp(job.completed_at, tz=UTC)
    response.make_conditional(request, accept_ranges=True, complete_length=len(data))
    return response


def generation_thumbnail(generation_id: str) -> ViewResult:
    """A JPEG of the video's first frame."""
    job, index = _generation(generation_id)
    data = current_state().service.content(job.id, "thumbnail_jpeg", dialect=NAME, take=index)
    return Response(data, mimetype=catalog.AZURE_THUMBNAIL_TYPE)
