"""Fixtures for the project's own tests."""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import openai
import pytest
from flask import Flask
from hypothesis import settings

import sora_testkit
from mock_server import create_app, state_of
from mock_server.state import MockState
from sora_testkit import httpx_client, openai_client

pytest_plugins = ["pytester"]
pytest.register_assert_rewrite("tests.helpers")

# Where the machine asks Python to write no bytecode, every pytest, server and CLI these tests
# start compiles everything it imports and re-rewrites the asserts of each plugin's package
# (about 2.5 s a start on 2 cores). Those children write their bytecode to a private cache for
# this run instead, outside the source tree, removed when the run ends.
if os.environ.pop("PYTHONDONTWRITEBYTECODE", None) and "PYTHONPYCACHEPREFIX" not in os.environ:
    _bytecode = tempfile.mkdtemp(prefix="sora-testkit-bytecode-")
    os.environ["PYTHONPYCACHEPREFIX"] = _bytecode
    atexit.register(shutil.rmtree, _bytecode, ignore_errors=True)

# The kit loads its modules on first use, and ``runpytest_inprocess`` drops every module first
# loaded during a run when the run ends (a later run would load new copies of its classes):
# loaded here, before any run, each module is loaded once, as in a user's session.
KIT = [getattr(sora_testkit, name) for name in sora_testkit.__all__]

# CI replays the same examples every run, so a submission lands or fails on its own merits;
# local runs draw new ones and keep hunting (and keep what they find in .hypothesis/).
settings.register_profile("ci", derandomize=True, database=None, deadline=None)
if os.environ.get("CI"):
    settings.load_profile("ci")

#: The longest tests (ten seconds or more each on two cores), run first: under pytest-xdist the
#: workers then finish together, instead of one waiting on a long test that started last.
LONGEST_FIRST = (
    "tests/test_benchmarks.py::test_quick_benchmark_run_reports_every_figure",
    "tests/test_fault_bursts.py::",
    "tests/test_examples.py::test_example_suite_passes_against_its_client",
    "tests/test_doc_examples.py::test_the_pages_scripts_run_against_its_server",
    "tests/test_doc_patterns.py::",
    "tests/test_workers.py::test_ids_stay_unique_and_no_job_is_lost",
)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Start the longest tests first (a stable sort: the rest keep their order)."""
    items.sort(key=lambda item: not item.nodeid.startswith(LONGEST_FIRST))


KEY = "sk-test-sora-mock"
AUTH = {"Authorization": f"Bearer {KEY}"}

AppFactory = Callable[..., Flask]

#: ``SORA_TEST_SQLITE=1 pytest`` runs every test app on a SQLite file of its own.
ON_SQLITE = bool(os.environ.get("SORA_TEST_SQLITE"))


@pytest.fixture
def make_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[AppFactory]:
    """Build apps with test settings (no background worker unless asked); closes them after."""
    made: list[Flask] = []

    def factory(**config: Any) -> Flask:
        config.setdefault("background_worker", False)
        config.setdefault("validate_responses", "error")
        if ON_SQLITE:
            config.setdefault("db", str(tmp_path_factory.mktemp("db") / "mock.db"))
        app = create_app(config)
        made.append(app)
        return app

    yield factory
    for app in made:
        state_of(app).close()
        assert state_of(app).contract_violations == []


@pytest.fixture
def app(make_app: AppFactory) -> Flask:
    """A mock in ``polls`` mode, the default for tests."""
    return make_app()


@pytest.fixture
def state(app: Flask) -> MockState:
    """The state behind ``app``."""
    return state_of(app)


@pytest.fixture
def http(app: Flask) -> Iterator[httpx.Client]:
    """A raw httpx client on ``app``, authenticated."""
    with httpx_client(app, headers=AUTH) as client:
        yield client


@pytest.fixture
def anon(app: Flask) -> Iterator[httpx.Client]:
    """A raw httpx client on ``app`` without credentials."""
    with httpx_client(app) as client:
        yield client


@pytest.fixture
def sdk(app: Flask) -> openai.OpenAI:
    """The official SDK on ``app``, in-process."""
    return openai_client(app, api_key=KEY)


@pytest.fixture
def anyio_backend() -> str:
    """Async tests run on asyncio."""
    return "asyncio"
