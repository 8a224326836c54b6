"""The documentation's patterns catch careless clients, and what it lists is what exists."""

from __future__ import annotations

import re

import pytest

from tests.doc_examples import ROOT, examples

PATTERNS = ROOT / "docs" / "kit" / "patterns.md"


def patterns_test_file() -> str:
    """The patterns page's test files, as one user's test file."""
    blocks = [e.code for e in examples(PATTERNS) if e.kind == "pytest"]
    assert len(blocks) == 2
    return "\n".join(blocks)


def run_as_a_users_file(pytester: pytest.Pytester, source: str, *args: str) -> pytest.RunResult:
    if source:
        pytester.makepyfile(test_from_docs=source)
    return pytester.runpytest_subprocess(
        "-p", "no:cacheprovider", "-W", "ignore::DeprecationWarning", *args
    )


#: The patterns' careful clients with one careless change each, the test that catches it, and
#: what the failure says.
CARELESS = {
    "progress 100 taken as done": (
        'while video.status in ("queued", "in_progress"):',
        "while video.progress < 100:",
        "test_a_full_bar_is_not_a_finished_video",
        "*NotFoundError: Error code: 404*Video is not ready yet*",
    ),
    "cancelled ignored": (
        'while job["status"] not in ("succeeded", "failed", "cancelled"):',
        'while job["status"] not in ("succeeded", "failed"):',
        "test_a_cancelled_job_ends_the_wait",
        "*TimeoutError: task_*",
    ),
    "never gives up": (
        "    while time.monotonic() < deadline:\n        video = client.videos.retrieve(video_id)",
        "    while True:\n        video = client.videos.retrieve(video_id)",
        "test_gives_up_on_a_job_that_never_ends",
        "*ClientNeverStopped: the client slept 3,610 s of mock time in this test (the last sleep "
        "10 s) (the loop: wait_for_video at *test_careless_*.py:*): at most 3,600 s (max_sleep)*",
    ),
}


def test_the_patterns_catch_a_careless_client(pytester: pytest.Pytester) -> None:
    """Each careless change, in a copy of the page's tests of its own: only the test that
    judges that client fails, saying why."""
    source = patterns_test_file()
    bugs = sorted(CARELESS)
    for number, bug in enumerate(bugs):
        careful, careless, _, _ = CARELESS[bug]
        assert source.count(careful) == 1, bug
        pytester.makepyfile(**{f"test_careless_{number}": source.replace(careful, careless)})
    judges = " or ".join(CARELESS[bug][2] for bug in bugs)
    result = run_as_a_users_file(pytester, "", "-k", judges)
    result.assert_outcomes(failed=len(bugs), passed=2 * len(bugs))
    result.stdout.fnmatch_lines_random(
        [
            f"FAILED test_careless_{number}.py::{CARELESS[bug][2]} - *"
            for number, bug in enumerate(bugs)
        ]
    )
    for bug in bugs:
        result.stdout.fnmatch_lines([CARELESS[bug][3]])


def test_the_job_fields_the_fixtures_page_lists_are_the_jobs() -> None:
    import dataclasses

    from mock_server.backend.job import Job

    text = (ROOT / "docs" / "kit" / "fixtures.md").read_text()
    first = text.index("`sora_mock.job(id)` returns")
    paragraph = text[first : text.index("At the end of a run", first)]
    named = set(re.findall(r"`([a-z_]+)`", paragraph))
    fields = {field.name for field in dataclasses.fields(Job)}
    assert fields <= named, f"not on the fixtures page: {sorted(fields - named)}"
