"""The UniAll dialect's record: submit, and the status read on the native path by ``gen_`` id."""

from __future__ import annotations

from werkzeug.routing import BaseConverter

from mock_server import catalog
from mock_server.backend.kinds import JobKind
from mock_server.dialects.openai import record as openai_record
from mock_server.dialects.openai import render as openai_render
from mock_server.dialects.record import JSON, Dialect, Route
from mock_server.dialects.uniall import NAME, render, views


class TaskId(BaseConverter):
    """A ``gen_`` id: ``GET /v1/videos/gen_...`` is UniAll's status read, not the native one."""

    regex = f"{catalog.UNIALL_ID_PREFIX}[^/]*"
    #: Tried before the plain string converter of the native route on the same path.
    weight = 50


DIALECT = Dialect(
    name=NAME,
    title="UniAll task format /v1/video/generations",
    routes=(
        Route(
            "POST",
            "/v1/video/generations",
            views.create_generation,
            "createGeneration",
            request={JSON: "uniall/create_request"},
            response="uniall/submit_response",
        ),
        Route(
            "GET",
            "/v1/videos/<uniall_task_id:video_id>",
            views.query_task,
            "queryGeneration",
            response="uniall/task",
            path_parameters=openai_record.VIDEO_ID,
        ),
    ),
    jobs=JobKind(
        NAME,
        catalog.UNIALL_ID_PREFIX,
        catalog.UNIALL_ID_HEX,
        catalog.UNIALL_RESULT_LIFETIME_SECONDS,
        catalog.generation_seconds,
        openai_record.LIMITS,
        poll_interval=catalog.UNIALL_POLL_INTERVAL_SECONDS,
    ),
    error_contract="uniall/error",
    render_error=render.error,
    render_fault=openai_render.server_error,
    path_prefixes=("/v1/video/generations", f"/v1/videos/{catalog.UNIALL_ID_PREFIX}"),
    converters={"uniall_task_id": TaskId},
)
