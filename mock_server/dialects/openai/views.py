"""Views of the videos API (SPEC 1.1, 1.7), for every dialect that serves its shape.

The OpenAI-native record serves them under ``/v1/videos``; Azure serves the same views under its
own paths, with ``model`` naming a deployment (see :class:`Models`).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field

from flask import Response

from mock_server import catalog
from mock_server.dialects.openai import parse, render
from mock_server.domain import RawCreate, VideoRequest
from mock_server.rules import characters, create, derived, jobs, reference
from mock_server.rules.registry import RuleViolation
from mock_server.wire.bodies import JSON_TYPES, MULTIPART_TYPES, ParsedBody, read_body
from mock_server.wire.context import current_call, current_state, note_body, owner, request
from mock_server.wire.replies import ViewResult, json_response


class Models:
    """How a create's ``model`` is read: natively, an OpenAI model id checked by the rules."""

    #: A size the model does not render fails the job with this failure code instead of the
    #: request; ``None`` refuses the request.
    size_failure: str | None = None

    def resolve(self, raw: RawCreate) -> tuple[RawCreate, str | None]:
        """The body the create rules read, and the deployment it names (``None`` natively)."""
        return raw, None


@dataclass(frozen=True)
class VideoViews:
    """The videos API's views, bound to the dialect whose jobs they make and read."""

    dialect: str
    models: Models = field(default_factory=Models)

    def create_video(self) -> ViewResult:
        """Create a job from a JSON or multipart body."""
        state = current_state()
        body = read_body(request, file_limit=state.settings.max_reference_bytes)
        note_body(body)
        raw, deployment = self.models.resolve(parse.create_request(body))
        video_request = create.validate_create(
            raw,
            resolve=state.resolver.resolve,
            max_reference_bytes=state.settings.max_reference_bytes,
            lenient_reference=state.settings.lenient_reference,
            character_exists=lambda character_id: state.characters.get(character_id) is not None,
            size_failure=self.models.size_failure,
        )
        video_request = dataclasses.replace(video_request, deployment=deployment)
        job = state.service.create(video_request, dialect=self.dialect, owner=owner())
        return render.video(job)

    def list_videos(self) -> ViewResult:
        """A page of videos, newest first unless ``order=asc``."""
        limit = jobs.check_limit(request.args.get("limit"))
        order = jobs.check_order(request.args.get("order"))
        after = request.args.get("after") or None
        page = current_state().service.list(
            dialects=(self.dialect,), order=order, after=after, limit=limit
        )
        return render.video_list(page)

    def retrieve_video(self, video_id: str) -> ViewResult:
        """A status read; unfinished jobs carry ``openai-poll-after-ms``."""
        call = current_call()
        service = call.state.service
        job = service.retrieve(video_id, status_read=call.status_read, dialect=self.dialect)
        wait = service.poll_after_ms(job)
        headers = () if wait is None else (("openai-poll-after-ms", str(wait)),)
        return json_response(render.video(job), headers=headers)

    def delete_video(self, video_id: str) -> ViewResult:
        """Delete a finished video."""
        current_state().service.delete(video_id, dialect=self.dialect)
        return render.deleted(video_id)

    def video_content(self, video_id: str) -> ViewResult:
        """The MP4, WebP thumbnail or JPEG spritesheet."""
        variant = jobs.check_variant(request.args.get("variant"))
        data = current_state().service.content(video_id, variant, dialect=self.dialect)
        return Response(data, mimetype=catalog.CONTENT_VARIANTS[variant])

    def remix_video(self, video_id: str) -> ViewResult:
        """A new job from a completed one with a new prompt."""
        state = current_state()
        state.service.retrieve(video_id, status_read=False, dialect=self.dialect)  # 404 first
        body = read_body(request, file_limit=state.settings.max_reference_bytes)
        note_body(body)
        prompt = create.check_prompt(parse.remix_fields(body).get("prompt"))
        job = state.service.remix(video_id, prompt, owner=owner(), dialect=self.dialect)
        return render.video(job)

    def create_character(self) -> ViewResult:
        """A character from a name and an uploaded video (multipart only)."""
        state = current_state()
        body = _video_body(MULTIPART_TYPES)
        name, video = parse.character_fields(body)
        characters.check_name(name)
        characters.check_video(video)
        return render.character(state.characters.add(name, state.clock.now()))

    def get_character(self, character_id: str) -> ViewResult:
        """A character made on the mock."""
        found = current_state().characters.get(character_id)
        if found is None:
            raise RuleViolation(characters.NOT_FOUND, character_id=character_id)
        return render.character(found)

    def edit_video(self) -> ViewResult:
        """A new video from one given by id or uploaded, with a new prompt (its length kept)."""
        return self._derive(extension=False)

    def extend_video(self) -> ViewResult:
        """A longer video: the source's seconds plus ``seconds``, opening with the source."""
        return self._derive(extension=True)

    def _derive(self, *, extension: bool) -> ViewResult:
        state = current_state()
        body = _video_body(JSON_TYPES + MULTIPART_TYPES)
        allowed = catalog.EXTENSION_FIELDS if extension else catalog.EDIT_FIELDS
        fields, source = parse.derived_request(body, allowed)
        prompt = create.check_prompt(fields.get("prompt"))
        added = derived.check_extension_seconds(fields.get("seconds")) if extension else 0
        if source is None:
            raise RuleViolation(characters.VIDEO_REQUIRED, param=characters.PARAM_VIDEO)
        deployment = None
        if isinstance(source, str):
            found = state.service.source(source, dialect=self.dialect)
            model, width, height, seconds = found.model, found.width, found.height, found.seconds
            extensions, source_id, deployment = found.extensions, found.id, found.deployment
        else:
            model, width, height, seconds = derived.upload_shape(characters.check_video(source))
            extensions, source_id = 0, None
        if extension:
            derived.check_extension_limits(extensions, seconds, added)
        job = state.service.create(
            VideoRequest(prompt, model, seconds + added, width, height, deployment=deployment),
            dialect=self.dialect,
            owner=owner(),
            source_id=source_id,
            extensions=extensions + 1 if extension else 0,
        )
        return render.video(job)


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
