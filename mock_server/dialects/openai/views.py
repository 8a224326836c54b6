"""Views of the OpenAI-native dialect (SPEC 1.1); its record says where each is served."""

from __future__ import annotations

from flask import Response, jsonify, request
from flask.typing import ResponseReturnValue

from mock_server import catalog
from mock_server.dialects.openai import NAME, parse, render
from mock_server.domain import VideoRequest
from mock_server.rules import characters, create, derived, jobs, reference
from mock_server.rules.registry import RuleViolation
from mock_server.wire.bodies import JSON_TYPES, MULTIPART_TYPES, ParsedBody, read_body
from mock_server.wire.context import current_state, is_status_read, note_body, owner


def create_video() -> ResponseReturnValue:
    """Create a job from a JSON or multipart body."""
    state = current_state()
    body = read_body(request, file_limit=state.settings.max_reference_bytes)
    note_body(body)
    video_request = create.validate_create(
        parse.create_request(body),
        resolve=state.resolver.resolve,
        max_reference_bytes=state.settings.max_reference_bytes,
        lenient_reference=state.settings.lenient_reference,
        character_exists=lambda character_id: state.characters.get(character_id) is not None,
    )
    job = state.service.create(video_request, dialect=NAME, owner=owner())
    return render.video(job)


def list_videos() -> ResponseReturnValue:
    """A page of videos, newest first unless ``order=asc``."""
    limit = jobs.check_limit(request.args.get("limit"))
    order = jobs.check_order(request.args.get("order"))
    after = request.args.get("after") or None
    page = current_state().service.list(dialects=(NAME,), order=order, after=after, limit=limit)
    return render.video_list(page)


def retrieve_video(video_id: str) -> ResponseReturnValue:
    """A status read; unfinished jobs carry ``openai-poll-after-ms``."""
    state = current_state()
    job = state.service.retrieve(video_id, status_read=is_status_read(), dialect=NAME)
    response = jsonify(render.video(job))
    wait = state.service.poll_after_ms(job)
    if wait is not None:
        response.headers["openai-poll-after-ms"] = str(wait)
    return response


def delete_video(video_id: str) -> ResponseReturnValue:
    """Delete a finished video."""
    current_state().service.delete(video_id, dialect=NAME)
    return render.deleted(video_id)


def video_content(video_id: str) -> ResponseReturnValue:
    """The MP4, WebP thumbnail or JPEG spritesheet."""
    variant = jobs.check_variant(request.args.get("variant"))
    data = current_state().service.content(video_id, variant, dialect=NAME)
    return Response(data, mimetype=catalog.CONTENT_VARIANTS[variant])


def remix_video(video_id: str) -> ResponseReturnValue:
    """A new job from a completed one with a new prompt."""
    state = current_state()
    state.service.retrieve(video_id, status_read=False, dialect=NAME)  # 404 before the body
    body = read_body(request, file_limit=state.settings.max_reference_bytes)
    note_body(body)
    prompt = create.check_prompt(parse.remix_fields(body).get("prompt"))
    return render.video(state.service.remix(video_id, prompt, owner=owner(), dialect=NAME))


def _video_body(accept: tuple[str, ...]) -> ParsedBody:
    """A body that may carry a video file, held to the video limit while it streams in."""
    try:
        body = read_body(request, file_limit=catalog.CHARACTER_VIDEO_MAX_BYTES, accept=accept)
    except RuleViolation as exc:
        if exc.rule is not reference.TOO_LARGE:
            raise
        raise RuleViolation(
            characters.VIDEO_TOO_LARGE, param=characters.PARAM_VIDEO, **exc.facts
        ) from exc
    note_body(body)
    return body


def create_character() -> ResponseReturnValue:
    """A character from a name and an uploaded video (multipart only)."""
    state = current_state()
    body = _video_body(MULTIPART_TYPES)
    name, video = parse.character_fields(body)
    characters.check_name(name)
    characters.check_video(video)
    return render.character(state.characters.add(name, state.clock.now()))


def get_character(character_id: str) -> ResponseReturnValue:
    """A character made on the mock."""
    found = current_state().characters.get(character_id)
    if found is None:
        raise RuleViolation(characters.NOT_FOUND, character_id=character_id)
    return render.character(found)


def edit_video() -> ResponseReturnValue:
    """A new video from one given by id or uploaded, with a new prompt (its length kept)."""
    return _derive(extension=False)


def extend_video() -> ResponseReturnValue:
    """A longer video: the source's seconds plus ``seconds``, opening with the source."""
    return _derive(extension=True)


def _derive(*, extension: bool) -> ResponseReturnValue:
    state = current_state()
    body = _video_body(JSON_TYPES + MULTIPART_TYPES)
    allowed = catalog.EXTENSION_FIELDS if extension else catalog.EDIT_FIELDS
    fields, source = parse.derived_request(body, allowed)
    prompt = create.check_prompt(fields.get("prompt"))
    added = derived.check_extension_seconds(fields.get("seconds")) if extension else 0
    if source is None:
        raise RuleViolation(characters.VIDEO_REQUIRED, param=characters.PARAM_VIDEO)
    if isinstance(source, str):
        found = state.service.source(source, dialect=NAME)
        model, width, height, seconds = found.model, found.width, found.height, found.seconds
        extensions, source_id = found.extensions, found.id
    else:
        model, width, height, seconds = derived.upload_shape(characters.check_video(source))
        extensions, source_id = 0, None
    if extension:
        derived.check_extension_limits(extensions, seconds, added)
    job = state.service.create(
        VideoRequest(prompt, model, seconds + added, width, height),
        dialect=NAME,
        owner=owner(),
        source_id=source_id,
        extensions=extensions + 1 if extension else 0,
    )
    return render.video(job)
