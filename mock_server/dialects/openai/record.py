"""The OpenAI-native dialect's record: every route of the videos API, its jobs and webhooks."""

from __future__ import annotations

from typing import TYPE_CHECKING

from mock_server import catalog
from mock_server.backend.kinds import JobKind, LimitGroup
from mock_server.dialects.openai import NAME, render, views
from mock_server.dialects.record import JSON, MULTIPART, Dialect, JobListener, Route, query

if TYPE_CHECKING:
    from mock_server.state import MockState

#: Per-key limits of the OpenAI-style APIs; UniAll's tasks count in the same group.
LIMITS = LimitGroup(NAME, "concurrent_jobs", "requests_per_minute")
LIST_MAX = catalog.LIST_MAX_LIMIT
VIDEO_ID = {"video_id": "A native video_ id, or a UniAll gen_ id (GET only)."}


def _webhooks(state: MockState) -> JobListener:
    """``video.completed`` and ``video.failed`` events to the configured URLs."""
    return state.webhooks.job_finished


DIALECT = Dialect(
    name=NAME,
    title="OpenAI-native /v1/videos (SPEC 1)",
    routes=(
        Route(
            "POST",
            "/v1/videos",
            views.create_video,
            "createVideo",
            request={JSON: "openai/create_request", MULTIPART: "openai/create_request_multipart"},
            response="openai/video",
        ),
        Route(
            "GET",
            "/v1/videos",
            views.list_videos,
            "listVideos",
            response="openai/video_list",
            parameters=(
                query(
                    "limit", {"type": "integer", "minimum": 0, "maximum": catalog.LIST_MAX_LIMIT}
                ),
                query("order", {"enum": list(catalog.LIST_ORDERS)}),
                query("after", {"type": "string"}),
            ),
        ),
        Route(
            "POST",
            "/v1/videos/edits",
            views.edit_video,
            "createVideoEdit",
            request={JSON: "openai/edit_request", MULTIPART: "openai/edit_request_multipart"},
            response="openai/video",
        ),
        Route(
            "POST",
            "/v1/videos/extensions",
            views.extend_video,
            "createVideoExtend",
            request={
                JSON: "openai/extension_request",
                MULTIPART: "openai/extension_request_multipart",
            },
            response="openai/video",
        ),
        Route(
            "POST",
            "/v1/videos/characters",
            views.create_character,
            "createCharacter",
            request={MULTIPART: "openai/character_request"},
            response="openai/character",
        ),
        Route(
            "GET",
            "/v1/videos/characters/<character_id>",
            views.get_character,
            "getCharacter",
            response="openai/character",
            path_parameters={"character_id": "A char_ id the mock made."},
        ),
        Route(
            "GET",
            "/v1/videos/<video_id>",
            views.retrieve_video,
            "retrieveVideo",
            response="openai/video",
            path_parameters=VIDEO_ID,
        ),
        Route(
            "DELETE",
            "/v1/videos/<video_id>",
            views.delete_video,
            "deleteVideo",
            response="openai/video_deleted",
            path_parameters=VIDEO_ID,
        ),
        Route(
            "GET",
            "/v1/videos/<video_id>/content",
            views.video_content,
            "retrieveVideoContent",
            binary=tuple(catalog.CONTENT_VARIANTS.values()),
            parameters=(query("variant", {"enum": list(catalog.CONTENT_VARIANTS)}),),
            path_parameters=VIDEO_ID,
        ),
        Route(
            "POST",
            "/v1/videos/<video_id>/remix",
            views.remix_video,
            "remixVideo",
            request={JSON: "openai/remix_request", MULTIPART: "openai/remix_request"},
            response="openai/video",
            path_parameters=VIDEO_ID,
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
