"""The fuzzing page's job_histories example catches a client that re-submits once its retries run
out (three faults in a row on status reads), in at least 9 of 10 runs with fresh seeds."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

FUZZING = (Path(__file__).resolve().parent.parent / "docs" / "kit" / "fuzzing.md").read_text()

RESUBMITTING = '''def make_video(client, prompt):
    """Re-submits the whole generation when polling fails: pays twice."""
    video = client.videos.create(prompt=prompt)
    try:
        return client.videos.poll(video.id, poll_interval_ms=1)
    except openai.APIStatusError:
        video = client.videos.create(prompt=prompt)
        return client.videos.poll(video.id, poll_interval_ms=1)
'''


def readme_example() -> tuple[str, str]:
    """The fuzzing page's job_histories example, as a user pastes it."""
    [block] = [
        found
        for found in re.findall(r"```python\n(.*?)```", FUZZING, re.S)
        if "def make_video(" in found
    ]
    start = block.index("def make_video(")
    end = block.index("@fixture_ok", start)
    return block, block[start:end]


#: Failing runs stop at the first failure: no shrinking, which only costs time here.
NO_SHRINKING = """
from hypothesis import Phase, settings

settings.register_profile("find-only", phases=[Phase.explicit, Phase.reuse, Phase.generate])
"""


def test_the_documented_client_passes_and_a_resubmitting_one_is_caught(
    pytester: pytest.Pytester,
) -> None:
    block, client = readme_example()
    only_histories = "-k", "test_polling_survives_any_history"
    pytester.makepyfile(test_good=block)
    good = pytester.runpytest_inprocess(
        "-p", "no:cacheprovider", "-W", "ignore::DeprecationWarning", *only_histories
    )
    good.assert_outcomes(passed=1)
    pytester.makepyfile(test_good="")
    pytester.makeconftest(NO_SHRINKING)
    pytester.makepyfile(test_bad=block.replace(client, RESUBMITTING + "\n\n"))
    caught = 0
    for seed in range(10):
        result = pytester.runpytest_inprocess(
            "-p",
            "no:cacheprovider",
            "-W",
            "ignore::DeprecationWarning",
            f"--hypothesis-seed={seed}",
            "--hypothesis-profile=find-only",
            *only_histories,
        )
        outcomes = result.parseoutcomes()
        caught += outcomes.get("failed", 0)
    assert caught >= 9, f"caught in {caught} of 10 runs"
