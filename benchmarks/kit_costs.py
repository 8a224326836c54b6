"""What the kit costs a test suite: an SDK call in process against the same call on a canned
transport, a fixture's set-up, and Hypothesis examples per second for the documented example.

The in-process figures use exactly what a test gets from the plugin's fixtures (the plugin's
default settings: every rule, the request contract checks, the journal and the response
contract checks on).
"""

from __future__ import annotations

import re
import statistics
import subprocess
import sys
import tempfile
import time
import warnings
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
ROUNDS = 5
#: The SDK read's rounds: many short ones, each ours then the canned one at once, so the
#: machine's drift (it moves figures by a third within a minute on a shared VM) falls on both
#: halves of a pair alike.
PAIRED_ROUNDS, PAIRED_CALLS = 25, 400


def _per_second(call: Any, number: int) -> float:
    started = time.perf_counter()
    for _ in range(number):
        call()
    return number / (time.perf_counter() - started)


def sdk_read_ratio(quick: bool) -> tuple[float, float, float]:
    """The SDK's ``videos.retrieve`` through the in-process fixture's client and through a
    canned ``MockTransport`` answering the same body: reads per second of each (medians of
    alternating rounds) and the median of the rounds' ratios."""
    warnings.simplefilter("ignore", DeprecationWarning)
    from openai import OpenAI

    from mock_server import create_app, state_of
    from mock_server.settings import Settings
    from sora_testkit.mock import SoraMock
    from sora_testkit.plugin import TEST_DEFAULTS

    app = create_app(TEST_DEFAULTS)
    mock = SoraMock.fresh(app, Settings(**TEST_DEFAULTS))
    mock.limit_loops(max_job_reads=None)  # reading one job 10,400 times is the point here
    ours = mock.openai_client()
    video_id = ours.videos.create(prompt="a benchmark").id
    answer = ours.videos.with_raw_response.retrieve(video_id)
    body, content_type = answer.http_response.content, answer.headers["content-type"]
    http = type(ours._client).__module__.split(".")[0]  # httpx, or the SDK's httpx2
    module: Any = __import__(http)

    def canned_answer(request: Any) -> Any:
        return module.Response(200, content=body, headers={"content-type": content_type})

    canned = OpenAI(
        api_key="sk-bench",
        base_url="http://canned.local/v1",
        http_client=module.Client(transport=module.MockTransport(canned_answer)),
    )
    number, rounds = (100, 3) if quick else (PAIRED_CALLS, PAIRED_ROUNDS)
    for _ in range(number):  # both warm before the first measured round
        ours.videos.retrieve(video_id)
        canned.videos.retrieve(video_id)
    mine: list[float] = []
    theirs: list[float] = []
    for _ in range(rounds):
        mine.append(_per_second(lambda: ours.videos.retrieve(video_id), number))
        theirs.append(_per_second(lambda: canned.videos.retrieve(video_id), number))
    state_of(app).close()
    ratios = [ours / canned for ours, canned in zip(mine, theirs, strict=True)]
    return statistics.median(mine), statistics.median(theirs), statistics.median(ratios)


FIXTURE_TESTS = """
import pytest

@pytest.mark.parametrize("n", range({count}))
def test_one(n, {fixture}):
    pass
"""


def _pytest_seconds(folder: Path, source: str) -> float:
    test_file = folder / "test_generated.py"
    test_file.write_text(source)
    started = time.perf_counter()
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(test_file)],
        capture_output=True,
        text=True,
        cwd=folder,
        timeout=600,
    )
    if result.returncode != 0:
        raise RuntimeError(result.stdout[-2000:])
    return time.perf_counter() - started


def fixture_setup_ms(quick: bool) -> float:
    """Milliseconds a test spends getting ``sora_openai`` (a fresh mock and its SDK client):
    a pytest run of tests asking for it against the same run asking for nothing (``quick``:
    the fixture's own steps, timed in this process)."""
    if quick:
        return _fresh_mock_and_client_ms(30)
    count = 300
    with tempfile.TemporaryDirectory(prefix="sora-bench-") as name:
        folder = Path(name)
        with_fixture = _pytest_seconds(
            folder, FIXTURE_TESTS.format(count=count, fixture="sora_openai")
        )
        without = _pytest_seconds(folder, FIXTURE_TESTS.format(count=count, fixture="tmp_path"))
    return max(0.0, (with_fixture - without) / count * 1000)


def _fresh_mock_and_client_ms(count: int) -> float:
    """What ``sora_openai`` does for each test: a fresh mock swapped into the session's app,
    and an SDK client on it."""
    from mock_server import create_app, state_of
    from mock_server.settings import Settings
    from sora_testkit.mock import SoraMock
    from sora_testkit.plugin import TEST_DEFAULTS

    app = create_app(TEST_DEFAULTS)
    settings = Settings(**TEST_DEFAULTS)
    started = time.perf_counter()
    for _ in range(count):
        SoraMock.fresh(app, settings).openai_client().close()
    elapsed = time.perf_counter() - started
    state_of(app).close()
    return elapsed / count * 1000


def readme_example(name: str) -> str:
    """The documentation's code block that defines test ``name`` (the fuzzing page's)."""
    readme = (ROOT / "docs" / "kit" / "fuzzing.md").read_text()
    for block in re.findall(r"```python\n(.*?)```", readme, re.S):
        if f"def {name}(" in block:
            return str(block)
    raise LookupError(f"the fuzzing page has no example defining {name}")


def hypothesis_examples_per_second(quick: bool) -> float:
    """Examples per second of the documented ``job_histories`` example, as written."""
    name = "test_polling_survives_any_history"
    with tempfile.TemporaryDirectory(prefix="sora-bench-") as folder:
        test_file = Path(folder) / "test_readme_example.py"
        test_file.write_text(readme_example(name))
        result = subprocess.run(
            [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
             "--hypothesis-show-statistics", f"{test_file}::{name}"],
            capture_output=True,
            text=True,
            cwd=folder,
            timeout=600,
        )  # fmt: skip
    if result.returncode != 0:
        raise RuntimeError(result.stdout[-2000:])
    phase = re.search(r"during generate phase \(([\d.]+) seconds\)", result.stdout)
    passing = re.search(r"(\d+) passing", result.stdout)
    if phase is None or passing is None:
        raise RuntimeError(f"no Hypothesis statistics in: {result.stdout[-2000:]}")
    return int(passing.group(1)) / float(phase.group(1))


def client_clock_switch_ms(quick: bool) -> tuple[float, float]:
    """Milliseconds to switch the client clock on and off with the official SDK imported, and
    what time-machine's own travel (the wall-clock part alone) costs on and off."""
    warnings.simplefilter("ignore", DeprecationWarning)
    import openai  # noqa: F401  (imported: the switch must not cost more with it loaded)
    import time_machine

    from mock_server.backend.clock import MockClock
    from sora_testkit.client_clock import ClientClock

    clock = MockClock(frozen=True)
    count = 200 if quick else 5000

    def switch() -> None:
        with ClientClock(clock):
            pass

    def travel() -> None:
        trip = time_machine.travel(clock.now(), tick=False)
        trip.start()
        trip.stop()

    results = []
    for action in (switch, travel):
        action()
        started = time.perf_counter()
        for _ in range(count):
            action()
        results.append((time.perf_counter() - started) / count * 1000)
    return results[0], results[1]
