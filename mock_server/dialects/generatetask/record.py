"""The generateTask dialect's record: submit, status, its own limits and its callbacks."""

from __future__ import annotations

from typing import TYPE_CHECKING

from mock_server import catalog
from mock_server.backend.kinds import JobKind, LimitGroup
from mock_server.dialects.generatetask import NAME, render, views
from mock_server.dialects.generatetask.callbacks import CallbackPublisher
from mock_server.dialects.record import JSON, Dialect, JobListener, Route, query

if TYPE_CHECKING:
    from mock_server.state import MockState


def _callbacks(state: MockState) -> JobListener:
    """The final status envelope POSTed to a task's ``callback_url``."""
    return CallbackPublisher(state.outbox).job_finished


def _generation_seconds(_model: str, _seconds: int) -> float:
    """ "Average ~3 minutes per video", whatever its length (seed 004)."""
    return catalog.GT_GENERATION_SECONDS


DIALECT = Dialect(
    name=NAME,
    title="generateTask format /api/v1/generateTask/sora-2-pro",
    routes=(
        Route(
            "POST",
            f"/api/v1/generateTask/{catalog.GT_MODEL}",
            views.create_task,
            "generateTask",
            request={JSON: "generatetask/create_request"},
            response="generatetask/submit_response",
        ),
        Route(
            "GET",
            f"/api/v1/statusTask/{catalog.GT_MODEL}",
            views.task_status,
            "statusTask",
            response="generatetask/status_response",
            parameters=(query("taskId", {"type": "string"}, required=True),),
        ),
    ),
    jobs=JobKind(
        NAME,
        catalog.GT_ID_PREFIX,
        catalog.GT_ID_HEX,
        catalog.GT_RESULT_LIFETIME_SECONDS,
        _generation_seconds,
        LimitGroup(NAME, "generatetask_concurrent_jobs", "generatetask_requests_per_minute"),
        lifetime_setting="generatetask_result_lifetime",
        poll_interval=catalog.GT_POLL_INTERVAL_SECONDS,
    ),
    error_contract="generatetask/error",
    render_error=render.error,
    render_fault=render.server_error,
    path_prefixes=("/api/",),
    publishers=(_callbacks,),
)
