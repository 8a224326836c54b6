"""The pytest plugin, run the way a user's suite runs it (``pytester``)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from mock_server import create_app
from sora_testkit import LiveServer

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

HEADER = """
import pytest, openai, httpx, requests
pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")
"""


def run(pytester: pytest.Pytester, source: str, *args: str) -> pytest.RunResult:
    pytester.makepyfile(test_user=HEADER + source)
    return pytester.runpytest_inprocess("-p", "no:cacheprovider", *args)


def test_openai_fixture_and_controls(pytester: pytest.Pytester) -> None:
    result = run(
        pytester,
        """
def test_completes(sora_openai, sora_mock):
    video = sora_openai.videos.create_and_poll(prompt="a cat")
    assert video.status == "completed"
    assert [e["path"] for e in sora_mock.requests][0] == "/v1/videos"

def test_forced_failure(sora_openai, sora_mock):
    sora_mock.force_outcome("moderation_blocked")
    video = sora_openai.videos.create_and_poll(prompt="a cat")
    assert video.error.code == "moderation_blocked"

def test_fresh_mock_per_test(sora_openai):
    assert sora_openai.videos.list().data == []
""",
    )
    result.assert_outcomes(passed=3)


def test_marker_sets_this_tests_settings(pytester: pytest.Pytester) -> None:
    result = run(
        pytester,
        """
@pytest.mark.sora_mock(progression="instant", concurrent_jobs=1)
def test_marked(sora_openai, sora_mock):
    assert sora_openai.videos.create(prompt="x").status == "completed"
    assert sora_mock.settings.concurrent_jobs == 1

def test_unmarked(sora_openai, sora_mock):
    assert sora_openai.videos.create(prompt="x").status == "queued"
    assert sora_mock.settings.concurrent_jobs == 5
""",
    )
    result.assert_outcomes(passed=2)


def test_marker_with_an_unknown_setting_is_a_usage_error(pytester: pytest.Pytester) -> None:
    result = run(
        pytester,
        """
@pytest.mark.sora_mock(progresion="instant")
def test_typo(sora_mock):
    pass
""",
    )
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(["*unknown sora_mock setting(s): progresion; known: *"])


def test_marker_with_a_bad_value_is_a_usage_error(pytester: pytest.Pytester) -> None:
    result = run(
        pytester,
        """
@pytest.mark.sora_mock(progression="warp")
def test_bad(sora_mock):
    pass
""",
    )
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(["*progression must be one of instant, polls, time, manual*"])


def test_command_line_option_sets_the_progression(pytester: pytest.Pytester) -> None:
    result = run(
        pytester,
        """
def test_instant(sora_openai):
    assert sora_openai.videos.create(prompt="x").status == "completed"
""",
        "--sora-progression=instant",
    )
    result.assert_outcomes(passed=1)


def test_httpx_requests_and_async_fixtures(pytester: pytest.Pytester) -> None:
    result = run(
        pytester,
        """
def test_httpx(sora_httpx):
    body = {"model": "sora2-portrait-4s", "prompt": "x"}
    assert sora_httpx.post("/v1/video/generations", json=body).json()["object"] == "video.generation.job"

def test_requests_routed_in_process(sora_requests, sora_mock):
    url = sora_requests.origin + "/api/v1/generateTask/sora-2-pro"
    body = {"input": {"mode": "text-to-video", "prompt": "x"}}
    response = requests.post(url, json=body, headers=sora_requests.headers)
    assert response.json()["code"] == 200
    assert sora_mock.requests[-1]["dialect"] == "generatetask"

def test_async(sora_async_openai):
    import asyncio
    video = asyncio.run(sora_async_openai.videos.create_and_poll(prompt="x"))
    assert video.status == "completed"
""",
    )
    result.assert_outcomes(passed=3)


def test_live_url_serves_a_fresh_mock_over_real_http(pytester: pytest.Pytester) -> None:
    result = run(
        pytester,
        """
def test_live(sora_live_url, sora_mock):
    client = openai.OpenAI(api_key="sk-x", base_url=sora_live_url + "/v1")
    assert client.videos.create_and_poll(prompt="x").status == "completed"
    assert len(sora_mock.requests) >= 2

def test_live_again_is_fresh(sora_live_url):
    client = openai.OpenAI(api_key="sk-x", base_url=sora_live_url + "/v1")
    assert client.videos.list().data == []
""",
    )
    result.assert_outcomes(passed=2)


def test_assertions_list_contract_violations_and_premature_reads(pytester: pytest.Pytester) -> None:
    result = run(
        pytester,
        """
from sora_testkit.assertions import ContractViolationError, PrematureReadError

def test_contract(sora_httpx, sora_mock):
    sora_httpx.post("/v1/videos", json={"prompt": "x", "seconds": 8, "size": "1280*720"})
    with pytest.raises(ContractViolationError) as raised:
        sora_mock.assert_requests_met_contracts()
    text = str(raised.value)
    assert "2 request contract violation(s)" in text
    assert "$.seconds: 8 is not one of ['4', '8', '12']" in text
    assert "$.size: '1280*720' is not one of" in text
    assert "rule seconds.type" in text

def test_clean_client_passes(sora_openai, sora_mock):
    sora_openai.videos.create_and_poll(prompt="x")
    sora_mock.assert_requests_met_contracts()
    sora_mock.assert_no_premature_reads()

def test_premature(sora_openai, sora_mock):
    video = sora_openai.videos.create(prompt="x")
    with pytest.raises(openai.NotFoundError):
        sora_openai.videos.download_content(video.id)
    with pytest.raises(PrematureReadError, match="refused with video.not_ready"):
        sora_mock.assert_no_premature_reads()
""",
    )
    result.assert_outcomes(passed=3)


def test_azure_fixtures_hand_out_sdk_clients_on_both_azure_surfaces(
    pytester: pytest.Pytester,
) -> None:
    result = run(
        pytester,
        """
@pytest.mark.sora_mock(progression="instant")
def test_azure_openai(sora_azure_openai, sora_mock):
    video = sora_azure_openai.videos.create(model="sora-2", prompt="x")
    assert video.status == "completed"
    assert sora_mock.requests[-1]["path"] == "/openai/videos"
    assert sora_mock.requests[-1]["dialect"] == "azure"

@pytest.mark.sora_mock(progression="instant")
def test_plain_client_on_azure_v1(sora_azure_v1_openai, sora_mock):
    video = sora_azure_v1_openai.videos.create(model="sora-2-pro", prompt="x", size="1792x1024")
    assert (video.status, video.model) == ("completed", "sora-2-pro")
    assert sora_mock.requests[-1]["path"] == "/openai/v1/videos"

def test_azure_premature_download_is_caught(sora_azure_openai, sora_mock):
    from sora_testkit.assertions import PrematureReadError

    video = sora_azure_openai.videos.create(model="sora-2", prompt="x")
    with pytest.raises(openai.NotFoundError):
        sora_azure_openai.videos.download_content(video.id)
    with pytest.raises(PrematureReadError, match="/openai/videos/.*/content"):
        sora_mock.assert_no_premature_reads()
""",
    )
    result.assert_outcomes(passed=3)


@pytest.fixture
def real_service() -> Iterator[LiveServer]:
    """Stands in for a real deployment: a server the suite has no control over."""
    with LiveServer(create_app({"background_worker": False, "api_keys": ["sk-real"]})) as server:
        yield server


def test_same_tests_run_against_a_real_deployment(
    pytester: pytest.Pytester, real_service: LiveServer
) -> None:
    result = run(
        pytester,
        """
def test_body_for_both(sora_openai, sora_target):
    assert sora_openai.videos.create(prompt="x").status in ("queued", "in_progress", "completed")
    assert sora_target.is_mock is False

def test_async_body(sora_async_openai):
    import asyncio
    video = asyncio.run(sora_async_openai.videos.create(prompt="x", model="sora-2-pro"))
    assert video.model == "sora-2-pro"

def test_steering_the_mock(sora_mock):
    sora_mock.force_outcome("internal_error")
""",
        f"--sora-base-url={real_service.url}",
        "--sora-api-key=sk-real",
        "-rs",
    )
    result.assert_outcomes(passed=2, skipped=1)
    result.stdout.fnmatch_lines(["*steers the mock; skipped against a real deployment*"])
    # The two jobs the run made there: sora-2 at $0.10 and sora-2-pro at $0.30 a second, 4 s.
    result.stdout.fnmatch_lines(
        [
            "sora-testkit: 2 job(s) made on the real service (--sora-base-url) cost about "
            "$1.60 at the published prices"
        ]
    )


def test_base_url_without_a_key_is_a_usage_error(pytester: pytest.Pytester) -> None:
    result = run(
        pytester,
        """
def test_x(sora_openai):
    pass
""",
        "--sora-base-url=http://127.0.0.1:9",
    )
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(["*--sora-base-url needs --sora-api-key*"])


def test_options_and_marker_are_documented(pytester: pytest.Pytester) -> None:
    result = pytester.runpytest_inprocess("--markers")
    result.stdout.fnmatch_lines(
        ["@pytest.mark.sora_mock(**settings): settings of this test's mock*"]
    )
    result = pytester.runpytest_inprocess("--help")
    result.stdout.fnmatch_lines(["*Sora 2 API mock (sora-testkit)*", "*--sora-base-url*"])


def test_the_sdks_shutdown_warning_does_not_flood_a_suite(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        test_quiet="""
def test_calls(sora_openai):
    for _ in range(3):
        sora_openai.videos.list()
"""
    )
    result = pytester.runpytest_inprocess("-p", "no:cacheprovider")
    result.assert_outcomes(passed=1)
    assert "Sora API is scheduled" not in result.stdout.str()
    loud = pytester.runpytest_inprocess(
        "-p", "no:cacheprovider", "-W", "default:The Sora API is scheduled:DeprecationWarning"
    )
    assert "Sora API is scheduled" in loud.stdout.str()


HEAVY_MODULES = ("flask", "werkzeug", "openai", "httpx", "jsonschema", "av", "mock_server.app")


def test_loading_the_plugin_does_not_load_the_mock_or_the_sdk() -> None:
    """Every pytest run where the package is installed loads the plugin: a run that never asks
    for the kit must not pay for the mock, the SDK or the HTTP clients."""
    import subprocess
    import sys

    probe = (
        "import sys, sora_testkit.plugin\n"
        f"print(sorted(m for m in {HEAVY_MODULES!r} if m in sys.modules))\n"
    )
    loaded = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    ).stdout.strip()
    assert loaded == "[]"


def test_the_packages_public_names_load_on_first_use() -> None:
    import inspect

    import mock_server
    import sora_testkit
    from sora_testkit.client_clock import ClientClock

    for package in (sora_testkit, mock_server):
        for name in package.__all__:
            assert getattr(package, name) is not None, name
        with pytest.raises(AttributeError, match="has no attribute 'nothing_here'"):
            package.nothing_here  # noqa: B018
    assert inspect.isfunction(sora_testkit.client_clock)  # the function, not its module
    assert sora_testkit.ClientClock is ClientClock
    assert mock_server.create_app.__module__ == "mock_server.app"
