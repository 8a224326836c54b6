"""The examples' own test suites pass against their clients and catch the planted bugs."""

from __future__ import annotations

from pathlib import Path

import pytest

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
SUITES = {
    "native_sdk": ("video_maker.py", "test_video_maker.py"),
    "generatetask_requests": ("task_client.py", "test_task_client.py"),
    "azure_sdk": ("azure_video.py", "test_azure_video.py"),
}


def assert_caught_once(result: pytest.RunResult) -> None:
    """The suite stopped at its first failure (``-x``): whichever order its tests ran in (a
    plugin may shuffle them), exactly one failed."""
    outcomes = result.parseoutcomes()
    assert (outcomes.get("failed"), outcomes.get("errors", 0)) == (1, 0), outcomes


def run_suite(pytester: pytest.Pytester, suite: str, client: Path) -> pytest.RunResult:
    client_name, tests_name = SUITES[suite]
    pytester.path.joinpath(client_name).write_text(client.read_text())
    pytester.path.joinpath(tests_name).write_text((EXAMPLES / suite / tests_name).read_text())
    return pytester.runpytest_inprocess(
        "-p", "no:cacheprovider", "-W", "ignore::DeprecationWarning", "-x", "-q"
    )


@pytest.mark.parametrize("suite", sorted(SUITES))
def test_example_suite_passes_against_its_client(pytester: pytest.Pytester, suite: str) -> None:
    client = EXAMPLES / suite / SUITES[suite][0]
    result = run_suite(pytester, suite, client)
    result.assert_outcomes(passed=4)


def test_the_kit_catches_the_premature_download(pytester: pytest.Pytester) -> None:
    result = run_suite(pytester, "native_sdk", EXAMPLES / "broken" / "video_maker.py")
    assert_caught_once(result)
    result.stdout.fnmatch_lines(
        [
            "*PrematureReadError: the client read a job as finished before it was:*",
            # not_ready, or failed_no_content when the moderation test meets the bug first
            "*GET /v1/videos/video_*/content (req_*): refused with video.*_*(404)*",
        ]
    )


def test_the_kit_catches_the_size_written_with_x(pytester: pytest.Pytester) -> None:
    result = run_suite(pytester, "generatetask_requests", EXAMPLES / "broken" / "task_client.py")
    assert_caught_once(result)
    result.stdout.fnmatch_lines(
        [
            "*TaskError: 400: input.size must be one of *(got '*x*'). Use '*' between width and height here, not 'x'.*"
        ]
    )


def test_the_kit_catches_the_pro_size_on_an_azure_sora_2_deployment(
    pytester: pytest.Pytester,
) -> None:
    result = run_suite(pytester, "azure_sdk", EXAMPLES / "broken" / "azure_video.py")
    assert_caught_once(result)
    result.stdout.fnmatch_lines(
        ["*VideoFailed: unsupported_size: sora-2 on Azure renders only 1280x720 and 720x1280;*"]
    )
