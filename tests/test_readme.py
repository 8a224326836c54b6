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


def test_the_testing_section_runs_as_a_users_test_file(pytester: pytest.Pytester) -> None:
    blocks = re.findall(
        r"```python\n(.*?)```", between("## Testing your client with pytest", "### Fixtures"), re.S
    )
    assert len(blocks) == 4
    pytester.makepyfile(test_from_readme="\n".join(blocks))
    result = pytester.runpytest_subprocess(
        "-p", "no:cacheprovider", "-W", "ignore::DeprecationWarning"
    )
    result.assert_outcomes(passed=12)


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
