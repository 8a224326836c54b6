"""Routes of the OpenAI-native dialect (SPEC 1.1)."""

from __future__ import annotations

from flask import Blueprint, Response, jsonify, request
from flask.typing import ResponseReturnValue

from mock_server import catalog
from mock_server.dialects import uniall
from mock_server.dialects.openai import NAME, parse, render
from mock_server.dialects.uniall import views as uniall_views
from mock_server.rules import create, jobs
from mock_server.web.bodies import read_body
from mock_server.web.context import current_state, owner
from mock_server.web.pipeline import is_status_read, note_body

blueprint = Blueprint(NAME, __name__)

#: The request contract of each body: (endpoint, multipart?) -> contract name.
REQUEST_CONTRACTS = {
    ("create", False): "openai/create_request",
    ("create", True): "openai/create_request_multipart",
    ("remix", False): "openai/remix_request",
    ("remix", True): "openai/remix_request",
}


@blueprint.post("/v1/videos")
def create_video() -> ResponseReturnValue:
    """Create a job from a JSON or multipart body."""
    state = current_state()
    body = read_body(request, file_limit=state.settings.max_reference_bytes)
    note_body(body, REQUEST_CONTRACTS["create", body.multipart])
    video_request = create.validate_create(
        parse.create_request(body),
        resolve=state.resolver.resolve,
        max_reference_bytes=state.settings.max_reference_bytes,
        lenient_reference=state.settings.lenient_reference,
    )
    job = state.service.create(video_request, dialect=NAME, owner=owner())
    return render.video(job)


@blueprint.get("/v1/videos")
def list_videos() -> ResponseReturnValue:
    """A page of videos, newest first unless ``order=asc``."""
    limit = jobs.check_limit(request.args.get("limit"))
    order = jobs.check_order(request.args.get("order"))
    after = request.args.get("after") or None
    page = current_state().service.list(dialects=(NAME,), order=order, after=after, limit=limit)
    return render.video_list(page)


@blueprint.get("/v1/videos/<video_id>")
def retrieve_video(video_id: str) -> ResponseReturnValue:
    """A status read; unfinished jobs carry ``openai-poll-after-ms``."""
    if video_id.startswith(catalog.JOB_PROFILES[uniall.NAME].id_prefix):
        return uniall_views.query(video_id)
    state = current_state()
    job = state.service.retrieve(video_id, status_read=is_status_read(), dialect=NAME)
    response = jsonify(render.video(job))
    wait = state.service.poll_after_ms(job)
    if wait is not None:
        response.headers["openai-poll-after-ms"] = str(wait)
    return response


@blueprint.delete("/v1/videos/<video_id>")
def delete_video(video_id: str) -> ResponseReturnValue:
    """Delete a finished video."""
    current_state().service.delete(video_id, dialect=NAME)
    return render.deleted(video_id)


@blueprint.get("/v1/videos/<video_id>/content")
def video_content(video_id: str) -> ResponseReturnValue:
    """The MP4, WebP thumbnail or JPEG spritesheet."""
    variant = jobs.check_variant(request.args.get("variant"))
    data = current_state().service.content(video_id, variant, dialect=NAME)
    return Response(data, mimetype=catalog.CONTENT_VARIANTS[variant])


@blueprint.post("/v1/videos/<video_id>/remix")
def remix_video(video_id: str) -> ResponseReturnValue:
    """A new job from a completed one with a new prompt."""
    state = current_state()
    state.service.retrieve(video_id, status_read=False, dialect=NAME)  # 404 before the body
    body = read_body(request, file_limit=state.settings.max_reference_bytes)
    note_body(body, REQUEST_CONTRACTS["remix", body.multipart])
    prompt = create.check_prompt(parse.remix_fields(body).get("prompt"))
    return render.video(state.service.remix(video_id, prompt, owner=owner(), dialect=NAME))
