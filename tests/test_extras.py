"""``pip install sora-testkit`` is the server; the ``kit`` extra brings what the kit needs, and
a kit part used without it stops with one line that says how to install it."""

from __future__ import annotations

import re
from importlib.metadata import requires

import pytest

INSTALL = "pip install 'sora-testkit[kit]'"
#: A conftest that makes the named module impossible to import, as where it is not installed,
#: and forgets the kit modules that import such a module as they load (another test of this
#: process may have loaded them); the run's end puts them back.
WITHOUT = """
import sys
import sora_testkit

LOADING = ("sora_testkit.routing", "sora_testkit.strategies", "sora_testkit.generation")
for name in [name for name in sys.modules if name.startswith(LOADING)]:
    del sys.modules[name]
SAVED = {{
    name: sora_testkit.__dict__.pop(name)
    for name in ("routing", "strategies", "generation")
    if name in sora_testkit.__dict__
}}
sys.modules[{module!r}] = None


def pytest_unconfigure(config):
    sora_testkit.__dict__.update(SAVED)
"""


def requirements() -> dict[str | None, set[str]]:
    """The package's requirement names, by the extra that asks for them (``None``: always)."""
    found: dict[str | None, set[str]] = {}
    for line in requires("sora-testkit") or []:
        name = re.match(r"[A-Za-z0-9_.-]+", line)
        extra = re.search(r"extra == ['\"](\w+)['\"]", line)
        assert name is not None, line
        found.setdefault(extra.group(1) if extra else None, set()).add(name.group(0).lower())
    return found


def test_the_server_install_brings_no_test_tools() -> None:
    found = requirements()
    assert {"flask", "pillow", "av", "httpx", "jsonschema"} <= found[None]
    assert not found[None] & {"openai", "pytest", "hypothesis", "responses", "time-machine"}
    assert found["kit"] == {
        "openai",
        "pytest",
        "hypothesis",
        "responses",
        "requests",
        "time-machine",
    }
    assert found["kit"] <= found["dev"]  # the kit, and the tools


@pytest.mark.parametrize(
    ("module", "test", "line"),
    [
        (
            "openai",
            "def test_it(sora_openai):\n    sora_openai.videos.list()\n",
            f"the sora_openai fixture needs the 'openai' package, which is not installed: {INSTALL}",
        ),
        (
            "responses",
            "def test_it(sora_requests):\n    pass\n",
            "the sora_requests fixture needs the 'responses' package, which is not installed: "
            + INSTALL,
        ),
        (
            "time_machine",
            "import pytest\n\n@pytest.mark.sora_mock(client_clock=True)\n"
            "def test_it(sora_mock):\n    pass\n",
            "the sora_mock fixture needs the 'time-machine' package, which is not installed: "
            + INSTALL,
        ),
        (
            "openai",
            "def test_it(sora_mock):\n    sora_mock.openai_client()\n",
            "SoraMock.openai_client() needs the 'openai' package, which is not installed: "
            + INSTALL,
        ),
    ],
    ids=["sdk fixture", "requests fixture", "client clock", "kit method"],
)
def test_a_kit_part_without_its_package_stops_with_one_line(
    pytester: pytest.Pytester, module: str, test: str, line: str
) -> None:
    pytester.makeconftest(WITHOUT.format(module=module))
    pytester.makepyfile(test_missing=test)
    result = pytester.runpytest_inprocess("-p", "no:cacheprovider")
    assert result.parseoutcomes().get("failed", 0) + result.parseoutcomes().get("errors", 0) == 1
    output = result.stdout.str()
    assert line in output
    assert "Traceback" not in output and "plugin.py" not in output, output


def test_the_strategies_say_what_to_install(pytester: pytest.Pytester) -> None:
    pytester.makeconftest(WITHOUT.format(module="hypothesis"))
    pytester.makepyfile(test_drawn="from sora_testkit import strategies\n")
    # Hypothesis's own plugin would need it first.
    result = pytester.runpytest_inprocess("-p", "no:cacheprovider", "-p", "no:hypothesispytest")
    assert (
        "sora_testkit.strategies needs the 'hypothesis' package, which is not installed: " + INSTALL
    ) in result.stdout.str()


def test_a_tests_own_import_keeps_its_usual_report(pytester: pytest.Pytester) -> None:
    pytester.makeconftest(WITHOUT.format(module="openai"))
    pytester.makepyfile(test_own="def test_it():\n    import openai\n")
    result = pytester.runpytest_inprocess("-p", "no:cacheprovider")
    result.assert_outcomes(failed=1)
    assert INSTALL not in result.stdout.str()
    assert "ModuleNotFoundError" in result.stdout.str()


def test_the_version_is_the_installed_distributions(capsys: pytest.CaptureFixture[str]) -> None:
    from importlib.metadata import version

    import mock_server
    import sora_testkit
    from mock_server.cli import main

    installed = version("sora-testkit")
    assert sora_testkit.__version__ == mock_server.__version__ == installed
    with pytest.raises(SystemExit) as stopped:
        main(["--version"])
    assert stopped.value.code == 0
    assert capsys.readouterr().out == f"sora-mock {installed}\n"


def test_the_changelog_has_a_section_for_this_version() -> None:
    from pathlib import Path

    import sora_testkit

    changelog = (Path(__file__).resolve().parent.parent / "CHANGELOG.md").read_text()
    assert f"\n## {sora_testkit.__version__} " in changelog
