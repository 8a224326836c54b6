"""The README's testing section runs as written, pasted into a user's test file."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

README = (Path(__file__).resolve().parent.parent / "README.md").read_text()


def between(start: str, end: str) -> str:
    first = README.index(start)
    return README[first : README.index(end, first)]


def readme_testing_section() -> str:
    """The README's testing section's Python blocks, as one user's test file."""
    blocks = re.findall(
        r"```python\n(.*?)```", between("## Testing your client with pytest", "### Fixtures"), re.S
    )
    assert len(blocks) == 6
    return "\n".join(blocks)


def run_as_a_users_file(pytester: pytest.Pytester, source: str, *args: str) -> pytest.RunResult:
    if source:
        pytester.makepyfile(test_from_readme=source)
    return pytester.runpytest_subprocess(
        "-p", "no:cacheprovider", "-W", "ignore::DeprecationWarning", *args
    )


def test_the_testing_section_runs_as_a_users_test_file(pytester: pytest.Pytester) -> None:
    result = run_as_a_users_file(pytester, readme_testing_section())
    result.assert_outcomes(passed=16)


#: The README's careful clients with one careless change each, the test that catches it, and
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


def test_the_readmes_tests_catch_a_careless_client(pytester: pytest.Pytester) -> None:
    """Each careless change, in a copy of the section of its own: only the test that judges
    that client fails, saying why."""
    source = readme_testing_section()
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


def python_blocks() -> list[str]:
    """Every Python example of the README."""
    return re.findall(r"```python\n(.*?)```", README, re.S)


@pytest.mark.parametrize("number", range(len(python_blocks())))
def test_each_example_names_only_what_it_imports(number: int) -> None:
    """A user pastes one example at a time: each must import every name it uses."""
    block = python_blocks()[number]
    checked = subprocess.run(
        [sys.executable, "-m", "ruff", "check", "--isolated", "--select", "F821", "-"],
        input=block,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert checked.returncode == 0, f"{checked.stdout}\n--- the example ---\n{block}"


def test_the_job_fields_the_readme_lists_are_the_jobs() -> None:
    import dataclasses

    from mock_server.backend.job import Job

    paragraph = between("`sora_mock.job(id)` returns", "At the end of a run")
    named = set(re.findall(r"`([a-z_]+)`", paragraph))
    fields = {field.name for field in dataclasses.fields(Job)}
    assert fields <= named, f"not in the README: {sorted(fields - named)}"
