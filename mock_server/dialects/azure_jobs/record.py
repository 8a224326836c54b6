"""The Sora 1 jobs API's record: ``/openai/v1/video/generations/...`` (SPEC 4.2)."""

from __future__ import annotations

from mock_server import catalog
from mock_server.backend.kinds import JobKind
from mock_server.dialects.azure.record import LIMITS, check_request
from mock_server.dialects.azure_jobs import NAME, ids, render, views
from mock_server.dialects.openai import render as openai_render
from mock_server.dialects.record import JSON, MULTIPART, Dialect, Route, query

BASE = catalog.AZURE_JOBS_PREFIX
API_VERSION = query("api-version", {"enum": list(catalog.AZURE_V1_API_VERSIONS)})
JOB_ID = {"job_id": "A task_ id of this resource."}
GENERATION_ID = {"generation_id": "A gen_ id of a succeeded job's video."}

DIALECT = Dialect(
    name=NAME,
    title="Azure OpenAI Sora 1 video generation jobs: /openai/v1/video/generations",
    routes=(
        Route(
            "POST",
            BASE + "/jobs",
            views.create_job,
            "VideoGenerationJobs_Create",
            request={
                JSON: "azure_jobs/create_request",
                MULTIPART: "azure_jobs/create_request_multipart",
            },
            response="azure_jobs/job",
            parameters=(API_VERSION,),
            creates_job=True,
        ),
        Route(
            "GET",
            BASE + "/jobs",
            views.list_jobs,
            "VideoGenerationJobs_List",
            response="azure_jobs/job_list",
            parameters=(
                API_VERSION,
                query("limit", {"type": "integer", "minimum": 0, "maximum": 100}),
                query("before", {"type": "string"}),
                query("after", {"type": "string"}),
                query("statuses", {"type": "string"}),
            ),
        ),
        Route(
            "GET",
            BASE + "/jobs/<job_id>",
            views.get_job,
            "VideoGenerationJobs_Get",
            response="azure_jobs/job",
            parameters=(API_VERSION,),
            path_parameters=JOB_ID,
        ),
        Route(
            "DELETE",
            BASE + "/jobs/<job_id>",
            views.delete_job,
            "VideoGenerationJobs_Delete",
            parameters=(API_VERSION,),
            path_parameters=JOB_ID,
            status=204,
        ),
        Route(
            "GET",
            BASE + "/<generation_id>",
            views.get_generation,
            "VideoGenerations_Get",
            response="azure_jobs/generation",
            parameters=(API_VERSION,),
            path_parameters=GENERATION_ID,
        ),
        Route(
            "GET",
            BASE + "/<generation_id>/content/video",
            views.generation_video,
            "VideoGenerations_RetrieveVideoContent",
            binary=("video/mp4",),
            parameters=(
                API_VERSION,
                query("quality", {"enum": list(catalog.AZURE_VIDEO_QUALITIES)}),
            ),
            path_parameters=GENERATION_ID,
        ),
        Route(
            "GET",
            BASE + "/<generation_id>/content/thumbnail",
            views.generation_thumbnail,
            "VideoGenerations_RetrieveThumbnail",
            binary=(catalog.AZURE_THUMBNAIL_TYPE,),
            parameters=(API_VERSION,),
            path_parameters=GENERATION_ID,
        ),
    ),
    jobs=JobKind(
        NAME,
        catalog.AZURE_JOB_ID_PREFIX,
        catalog.AZURE_ID_LENGTH,
        catalog.AZURE_LIFETIME_SECONDS,
        catalog.azure_jobs_generation_seconds,
        LIMITS,
        make_suffix=ids.job_suffix,
        min_poll_steps=catalog.AZURE_JOBS_MIN_POLL_STEPS,
        poll_interval=catalog.AZURE_JOBS_POLL_INTERVAL_SECONDS,
        cancellable=True,
    ),
    error_contract="azure/error",
    render_error=render.error,
    render_fault=openai_render.server_error,
    path_prefixes=(BASE + "/",),
    check_request=check_request,
)
