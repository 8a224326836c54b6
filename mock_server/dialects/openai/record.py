"""The OpenAI-native dialect's record: every route of the videos API, its jobs and webhooks."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from mock_server import catalog
from mock_server.backend.kinds import JobKind, LimitGroup
from mock_server.dialects.openai import NAME, render
from mock_server.dialects.openai.models import NATIVE_MODELS, ModelViews, model_routes
from mock_server.dialects.openai.views import VideoViews
from mock_server.dialects.record import JSON, MULTIPART, Dialect, JobListener, Route, query
from mock_server.wire.replies import ViewResult

if TYPE_CHECKING:
    from mock_server.state import MockState

#: Per-key limits of the OpenAI-style APIs; UniAll's tasks count in the same group.
LIMITS = LimitGroup(NAME, "concurrent_jobs", "requests_per_minute")
LIST_MAX = catalog.LIST_MAX_LIMIT
VIDEO_ID = {"video_id": "A native video_ id, or a UniAll gen_ id (GET only)."}
#: The create body's contract per media type.
CREATE_CONTRACTS = {JSON: "openai/create_request", MULTIPART: "openai/create_request_multipart"}


def video_routes(
    views: VideoViews,
    *,
    base: str = "/v1/videos",
    operation: Callable[[str], str] = lambda name: name,
    create_contracts: Mapping[str, str] = CREATE_CONTRACTS,
    video_id: Mapping[str, str] = VIDEO_ID,
    parameters: tuple[dict[str, Any], ...] = (),
    name: Callable[[str], str | None] = lambda view: None,
) -> tuple[Route, ...]:
    """Every operation of the videos API under ``base``: the native paths, or another
    provider's with its own operation ids, query parameters and endpoint names."""

    def route(
        method: str,
        rule: str,
        view: Callable[..., ViewResult],
        op: str,
        *,
        request: Mapping[str, str] | None = None,
        response: str | None = None,
        binary: tuple[str, ...] = (),
        own_parameters: tuple[dict[str, Any], ...] = (),
        path_parameters: Mapping[str, str] | None = None,
        creates_job: bool = False,
    ) -> Route:
        return Route(
            method,
            base + rule,
            view,
            operation(op),
            request=request or {},
            response=response,
            binary=binary,
            parameters=own_parameters + parameters,
            path_parameters=path_parameters or {},
            creates_job=creates_job,
            name=name(view.__name__),
        )

    return (
        route(
            "POST",
            "",
            views.create_video,
            "createVideo",
            request=create_contracts,
            response="openai/video",
            creates_job=True,
        ),
        route(
            "GET",
            "",
            views.list_videos,
            "listVideos",
            response="openai/video_list",
            own_parameters=(
                query("limit", {"type": "integer", "minimum": 0, "maximum": LIST_MAX}),
                query("order", {"enum": list(catalog.LIST_ORDERS)}),
                query("after", {"type": "string"}),
            ),
        ),
        route(
            "POST",
            "/edits",
            views.edit_video,
            "createVideoEdit",
            request={JSON: "openai/edit_request", MULTIPART: "openai/edit_request_multipart"},
            response="openai/video",
            creates_job=True,
        ),
        route(
            "POST",
            "/extensions",
            views.extend_video,
            "createVideoExtend",
            request={
                JSON: "openai/extension_request",
                MULTIPART: "openai/extension_request_multipart",
            },
            response="openai/video",
            creates_job=True,
        ),
        route(
            "POST",
            "/characters",
            views.create_character,
            "createCharacter",
            request={MULTIPART: "openai/character_request"},
            response="openai/character",
        ),
        route(
            "GET",
            "/characters/<character_id>",
            views.get_character,
            "getCharacter",
            response="openai/character",
            path_parameters={"character_id": "A char_ id the mock made."},
        ),
        route(
            "GET",
            "/<video_id>",
            views.retrieve_video,
            "retrieveVideo",
            response="openai/video",
            path_parameters=video_id,
        ),
        route(
            "DELETE",
            "/<video_id>",
            views.delete_video,
            "deleteVideo",
            response="openai/video_deleted",
            path_parameters=video_id,
        ),
        route(
            "GET",
            "/<video_id>/content",
            views.video_content,
            "retrieveVideoContent",
            binary=tuple(catalog.CONTENT_VARIANTS.values()),
            own_parameters=(query("variant", {"enum": list(catalog.CONTENT_VARIANTS)}),),
            path_parameters=video_id,
        ),
        route(
            "POST",
            "/<video_id>/remix",
            views.remix_video,
            "remixVideo",
            request={JSON: "openai/remix_request", MULTIPART: "openai/remix_request"},
            response="openai/video",
            path_parameters=video_id,
            creates_job=True,
        ),
    )


def _webhooks(state: MockState) -> JobListener:
    """``video.completed`` and ``video.failed`` events to the configured URLs."""
    return state.webhooks.job_finished


DIALECT = Dialect(
    name=NAME,
    title="OpenAI-native /v1/videos and /v1/models",
    routes=(
        *video_routes(VideoViews(NAME)),
        *model_routes(
            ModelViews(lambda: NATIVE_MODELS, shutdown_date=catalog.MODEL_SHUTDOWN_DATE),
            base="/v1/models",
        ),
    ),
    jobs=JobKind(
        NAME,
        catalog.ID_PREFIX_VIDEO,
        catalog.ID_HEX_VIDEO,
        catalog.ASSET_LIFETIME_SECONDS,
        catalog.generation_seconds,
        LIMITS,
    ),
    error_contract="openai/error",
    render_error=render.error,
    render_fault=render.server_error,
    path_prefixes=("/v1/",),
    publishers=(_webhooks,),
)
