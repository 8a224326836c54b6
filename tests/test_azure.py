"""Azure OpenAI's Sora 2 (SPEC 4.1): the videos API under /openai/v1 and /openai?api-version=,
deployments, Azure's sizes, envelope and limits."""

from __future__ import annotations

import openai
import pytest
from flask import Flask
from openai.types import VideoSize

from mock_server import catalog, state_of
from mock_server.controls import Controls
from mock_server.settings import Settings, SettingsError
from sora_testkit import LiveServer, azure_openai_client, httpx_client, openai_client
from tests.conftest import AppFactory
from tests.helpers import assert_openai_error, mp4_shape

V1 = "/openai/v1/videos"
DATED = "/openai/videos"
KEY = {"api-key": "azure-key"}
NO_LIMITS = {"azure_requests_per_minute": 0, "azure_concurrent_jobs": 0}


@pytest.fixture
def app(make_app: AppFactory) -> Flask:
    return make_app(progression="polls", **NO_LIMITS)


def _walk(client: openai.OpenAI, size: VideoSize = "1280x720") -> None:
    """Create, poll to the end, download, list and delete, as a client of Azure does."""
    video = client.videos.create(model="sora-2", prompt="a fox in snow", size=size, seconds="4")
    assert (video.status, video.model, video.size) == ("queued", "sora-2", size)
    seen = [video.status]
    while video.status not in ("completed", "failed"):
        video = client.videos.retrieve(video.id)
        seen.append(video.status)
    assert seen[0] == "queued" and seen[-1] == "completed" and "in_progress" in seen
    width, height, seconds = mp4_shape(client.videos.download_content(video.id).read())
    assert (f"{width}x{height}", round(seconds)) == (size, 4)
    assert video.id in [listed.id for listed in client.videos.list()]
    deleted = client.videos.delete(video.id)
    assert deleted.deleted and deleted.id == video.id


def test_the_azure_openai_client_runs_the_whole_flow_in_process(app: Flask) -> None:
    _walk(azure_openai_client(app))
    paths = [entry["path"] for entry in state_of(app).journal.entries()]
    assert paths and all(path.startswith(DATED) for path in paths)


def test_the_plain_client_on_openai_v1_runs_the_whole_flow_in_process(app: Flask) -> None:
    _walk(openai_client(app, base_path="/openai/v1"))
    paths = [entry["path"] for entry in state_of(app).journal.entries()]
    assert paths and all(path.startswith(V1) for path in paths)


def test_both_clients_run_the_whole_flow_over_a_live_server(make_app: AppFactory) -> None:
    app = make_app(progression="polls", background_worker=True, **NO_LIMITS)
    with LiveServer(app) as server:
        _walk(
            openai.AzureOpenAI(azure_endpoint=server.url, api_key="k", api_version="preview"),
            size="720x1280",
        )
        _walk(openai.OpenAI(base_url=server.azure_base_url, api_key="k"))


def test_both_surfaces_share_one_store_apart_from_openais(app: Flask) -> None:
    with httpx_client(app, headers=KEY) as http:
        made = http.post(V1, json={"model": "sora-2", "prompt": "shared"}).json()
        read = http.get(f"{DATED}/{made['id']}", params={"api-version": "preview"})
        assert read.status_code == 200 and read.json()["id"] == made["id"]
        native = http.get(f"/v1/videos/{made['id']}")
        assert_openai_error(
            native, 404, "video.not_found", f"Video with id '{made['id']}' not found."
        )


@pytest.mark.parametrize("path", [V1, "/openai/v1/video/generations/jobs"])
def test_an_unknown_deployment_is_a_404_in_azures_words(app: Flask, path: str) -> None:
    """As seen live: no ``param`` and no ``code``, on both surfaces."""
    with httpx_client(app, headers=KEY) as http:
        response = http.post(path, json={"model": "my-sora", "prompt": "x"})
    assert_openai_error(
        response,
        404,
        "azure.deployment_not_found",
        "The API deployment 'my-sora' for this resource does not exist. If you created the "
        "deployment within the last 5 minutes, please wait a moment and try again.",
        param=None,
        error_type="video_generation_user_error",
    )


def test_a_deployment_names_its_model_and_the_defaults_can_be_switched_off(
    make_app: AppFactory,
) -> None:
    app = make_app(
        progression="instant",
        azure_deployments=("studio=sora-2-pro",),
        azure_default_deployments=False,
        **NO_LIMITS,
    )
    with httpx_client(app, headers=KEY) as http:
        made = http.post(V1, json={"model": "studio", "prompt": "x", "size": "1792x1024"})
        assert made.status_code == 200
        assert (made.json()["model"], made.json()["status"]) == ("sora-2-pro", "completed")
        gone = http.post(V1, json={"model": "sora-2", "prompt": "x"})
        assert gone.headers["x-sora-mock-rule"] == "azure.deployment_not_found"


def test_a_deployment_serves_the_api_of_its_model(app: Flask) -> None:
    with httpx_client(app, headers=KEY) as http:
        response = http.post(V1, json={"model": "sora", "prompt": "x"})
    assert_openai_error(
        response,
        400,
        "azure.deployment_model",
        "The deployment 'sora' runs sora, which this API does not serve; use a deployment of "
        "'sora-2' or 'sora-2-pro'.",
        param="model",
        code="invalid_value",
    )


def test_a_create_names_its_deployment(app: Flask) -> None:
    with httpx_client(app, headers=KEY) as http:
        response = http.post(V1, json={"prompt": "x"})
    assert_openai_error(
        response,
        400,
        "model.required",
        "Missing required parameter: 'model'.",
        param="model",
        code="missing_required_parameter",
    )


def test_a_pro_size_on_sora_2_is_accepted_then_the_job_fails_saying_why(app: Flask) -> None:
    client = azure_openai_client(app)
    video = client.videos.create(model="sora-2", prompt="wide", size="1792x1024")
    assert video.status == "queued"
    while video.status not in ("completed", "failed"):
        video = client.videos.retrieve(video.id)
    assert video.status == "failed" and video.error is not None
    assert video.error.code == "unsupported_size"
    assert video.error.message == catalog.AZURE_SIZE_UNSUPPORTED.message
    pro = client.videos.create(model="sora-2-pro", prompt="wide", size="1792x1024")
    assert pro.status == "queued" and pro.error is None


def test_on_openai_itself_the_same_request_is_refused_at_create(app: Flask) -> None:
    with httpx_client(app, headers={"Authorization": "Bearer k"}) as http:
        response = http.post("/v1/videos", json={"prompt": "x", "size": "1792x1024"})
    assert response.status_code == 400
    assert response.headers["x-sora-mock-rule"] == "size.model_mismatch"


@pytest.mark.parametrize(
    ("path", "version", "message"),
    [
        (
            V1,
            "2024-10-21",
            "The api-version query parameter '2024-10-21' is not supported on this path. "
            "Supported values: 'v1' and 'preview'.",
        ),
        (
            DATED,
            None,
            "The api-version query parameter is missing on this path. Supported values: "
            "'preview', 'YYYY-MM-DD', and 'YYYY-MM-DD-preview'.",
        ),
        (
            DATED,
            "latest",
            "The api-version query parameter 'latest' is not supported on this path. Supported "
            "values: 'preview', 'YYYY-MM-DD', and 'YYYY-MM-DD-preview'.",
        ),
    ],
)
def test_an_unsupported_api_version_is_a_400_naming_it(
    app: Flask, path: str, version: str | None, message: str
) -> None:
    params = {} if version is None else {"api-version": version}
    with httpx_client(app, headers=KEY) as http:
        response = http.get(path, params=params)
    assert_openai_error(
        response, 400, "azure.api_version", message, param="api-version", code="BadRequest"
    )


@pytest.mark.parametrize(
    ("path", "version"),
    [(V1, None), (V1, "v1"), (V1, "preview"), (DATED, "preview"), (DATED, "2025-04-01-preview")],
)
def test_the_versions_each_path_accepts(app: Flask, path: str, version: str | None) -> None:
    params = {} if version is None else {"api-version": version}
    with httpx_client(app, headers=KEY) as http:
        assert http.get(path, params=params).status_code == 200


def test_a_missing_or_wrong_key_gets_azures_401(make_app: AppFactory) -> None:
    app = make_app(api_keys=("right",))
    with httpx_client(app) as http:
        missing = http.get(V1)
        wrong = http.get(V1, headers={"api-key": "wrong"})
        right = http.get(V1, headers={"api-key": "right"})
        bearer = http.get(V1, headers={"Authorization": "Bearer right"})
    for response, rule in ((missing, "auth.missing"), (wrong, "auth.invalid_key")):
        assert_openai_error(response, 401, rule, catalog.AZURE_ACCESS_DENIED, code="401")
    assert right.status_code == bearer.status_code == 200


def test_a_path_azure_does_not_serve_is_its_bare_404(app: Flask) -> None:
    with httpx_client(app, headers=KEY) as http:
        response = http.get("/openai/v1/nothing-here")
    assert response.status_code == 404
    assert response.headers["x-sora-mock-rule"] == "route.not_found"
    assert response.json() == {"detail": "Not Found"}


def test_two_running_jobs_per_deployment_then_too_many_running_tasks(
    make_app: AppFactory,
) -> None:
    app = make_app(progression="manual", azure_requests_per_minute=0)
    with httpx_client(app, headers=KEY) as http:
        for _ in range(2):
            assert http.post(V1, json={"model": "sora-2", "prompt": "x"}).status_code == 200
        refused = http.post(V1, json={"model": "sora-2", "prompt": "x"})
        other = http.post(V1, json={"model": "sora-2-pro", "prompt": "x"})
    assert_openai_error(
        refused,
        429,
        "rate_limit.concurrent_jobs",
        catalog.TOO_MANY_RUNNING_TASKS,
        error_type="video_generation_user_error",
    )
    assert int(refused.headers["retry-after"]) >= 1
    assert other.status_code == 200  # another deployment has its own two


def test_two_job_requests_per_minute_on_the_mock_clock(make_app: AppFactory) -> None:
    app = make_app(progression="instant", azure_concurrent_jobs=0)
    with httpx_client(app, headers=KEY) as http:
        for _ in range(2):
            assert http.post(V1, json={"model": "sora-2", "prompt": "x"}).status_code == 200
        refused = http.post(V1, json={"model": "sora-2", "prompt": "x"})
        reads = [http.get(V1).status_code for _ in range(5)]  # reads are not job requests
        state_of(app).clock.advance(60)
        again = http.post(V1, json={"model": "sora-2", "prompt": "x"})
    assert_openai_error(
        refused,
        429,
        "rate_limit.requests",
        "Requests to the video generation operations have exceeded the rate limit of your "
        "current pricing tier (2 video job requests per minute). Please retry after 60 seconds.",
        code="429",
        error_type="requests",
    )
    assert refused.headers["retry-after"] == "60"
    assert reads == [200] * 5 and again.status_code == 200


def test_edits_extensions_and_remixes_keep_the_deployment(make_app: AppFactory) -> None:
    app = make_app(progression="instant", azure_requests_per_minute=0)
    client = openai_client(app, base_path="/openai/v1")
    source = client.videos.create(model="sora-2", prompt="a boat")
    http = httpx_client(app, headers=KEY)
    extended = http.post(
        f"{V1}/extensions", json={"prompt": "on", "video": {"id": source.id}, "seconds": "4"}
    )
    assert extended.status_code == 200 and extended.json()["seconds"] == "8"
    remixed = client.videos.remix(source.id, prompt="at night")
    store = state_of(app).service.store
    for made in (extended.json()["id"], remixed.id):
        job = store.get(made)
        assert job is not None and job.deployment == "sora-2"


def test_forced_outcomes_and_magic_prompts_reach_azure_jobs(app: Flask) -> None:
    client = azure_openai_client(app)
    state_of(app).service.force_outcome(catalog.OUTCOMES["internal_error"])
    forced = client.videos.create(model="sora-2", prompt="x")
    magic = client.videos.create(model="sora-2", prompt="x [mock:moderation_blocked]")
    for video in (forced, magic):
        while video.status not in ("completed", "failed"):
            video = client.videos.retrieve(video.id)
        assert video.status == "failed"
    assert video.error is not None and video.error.code == "moderation_blocked"


def test_deployment_settings_are_checked() -> None:
    assert Settings(azure_deployments=("a=sora", "b = sora-2-pro")).deployments()["b"] == (
        "sora-2-pro"
    )
    for entry in ("nameless", "=sora-2", "x=gpt-4o"):
        with pytest.raises(SettingsError, match="must be NAME=MODEL"):
            Settings(azure_deployments=(entry,))


def test_the_cli_takes_deployments() -> None:
    from mock_server.cli import _overrides, build_parser

    args = build_parser().parse_args(
        ["serve", "--azure-deployment", "a=sora-2", "--azure-deployment", "b=sora"]
    )
    assert _overrides(args)["azure_deployments"] == ["a=sora-2", "b=sora"]


def test_a_queued_fault_answers_on_azures_paths_in_its_envelope(app: Flask) -> None:
    Controls(state_of(app)).queue_fault({"status": 503, "path": "/openai/v1/videos/*"})
    with httpx_client(app, headers=KEY) as http:
        made = http.post(V1, json={"model": "sora-2", "prompt": "x"}).json()
        faulted = http.get(f"{V1}/{made['id']}")
        again = http.get(f"{V1}/{made['id']}")
    assert (faulted.status_code, faulted.headers["x-sora-mock-fault"]) == (503, "503")
    assert faulted.json()["error"]["type"] == "server_error"
    assert again.status_code == 200
