"""Every code block of the README and the documentation runs as written, in a fresh folder.

How each block runs is said beside it (see ``tests/doc_examples.py``). Scripts run against a
``sora-mock serve`` of their page, started with the page's own flags; unless the page sets the
progression or the speed, it runs the documented durations a thousand times faster than serve's
default (20), so that a page's examples take seconds: the same jobs, the same states, sooner.
"""

from __future__ import annotations

import ast
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.doc_examples import (
    KINDS,
    PAGES,
    PORT_IN_EXAMPLES,
    ROOT,
    Example,
    all_examples,
    examples,
    page_id,
    pages_with,
    server_flags,
)
from tests.served import Served

#: The suite's server runs the durations this much faster unless the page says otherwise.
SUITE_SPEED = "1000"


def test_every_block_says_how_it_runs() -> None:
    unsaid = [e.where for e in all_examples() if e.kind is None]
    assert unsaid == [], "blocks without a <!-- run: ... --> comment"
    unknown = [e.where for e in all_examples() if e.kind not in (*KINDS, "no")]
    assert unknown == []
    unexplained = [e.where for e in all_examples() if e.kind == "no" and len(e.reason) < 10]
    assert unexplained == [], "a block not run says why"
    scripts = [e for e in all_examples() if e.kind and e.kind.endswith("against the server")]
    assert all(PORT_IN_EXAMPLES in e.code for e in scripts)
    assert {e.language for e in all_examples() if e.kind in ("pytest", "python")} == {"python"}


def test_every_page_with_scripts_has_a_server_or_the_default() -> None:
    for page in PAGES:
        assert len([e for e in examples(page) if e.kind == "server"]) <= 1, page


def _test_names(code: str) -> list[str]:
    return [
        node.name
        for node in ast.parse(code).body
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
        and node.name.startswith("test_")
    ]


@pytest.mark.parametrize("page", pages_with("pytest"), ids=page_id)
def test_the_pages_test_files_pass(pytester: pytest.Pytester, page: Path) -> None:
    """Each block as its own test file, as a user pastes one example at a time."""
    blocks = [e for e in examples(page) if e.kind == "pytest"]
    files = {f"test_example_{n}": block.code for n, block in enumerate(blocks)}
    pytester.makepyfile(**files)
    result = pytester.runpytest_inprocess(
        "-p", "no:cacheprovider", "-W", "ignore::DeprecationWarning"
    )
    expected = sum(len(_test_names(block.code)) for block in blocks)
    result.assert_outcomes(passed=expected)


#: Runs ``example.py`` N times in a row in one interpreter: what a user running it N times
#: does to the server, without paying N interpreter starts.
REPEAT = "import runpy, sys\nfor _ in range(int(sys.argv[1])):\n    runpy.run_path('example.py')\n"


def _run(example: Example, folder: Path, origin: str | None) -> None:
    """Run a block ``example.times`` times in ``folder``, pointed at ``origin``."""
    code = example.code
    if origin is not None:
        code = code.replace(f"http://{PORT_IN_EXAMPLES}", origin)
    if example.language == "python":
        script = folder / "example.py"
        command = [sys.executable, "-c", REPEAT, str(example.times)]
    else:
        script = folder / "example.sh"
        loop = f"for _ in $(seq {example.times}); do bash -euo pipefail example.sh; done"
        command = ["bash", "-euo", "pipefail", "-c", loop]
    script.write_text(code)
    done = subprocess.run(command, cwd=folder, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, f"{example.where}\n{done.stdout[-2000:]}\n{done.stderr[-3000:]}"


@pytest.mark.parametrize("page", pages_with("python"), ids=page_id)
def test_the_pages_scripts_run(tmp_path: Path, page: Path) -> None:
    for number, example in enumerate(e for e in examples(page) if e.kind == "python"):
        folder = tmp_path / f"example_{number}"
        folder.mkdir()
        _run(example, folder, None)


@pytest.mark.parametrize(
    "page", pages_with("script against the server", "shell against the server"), ids=page_id
)
def test_the_pages_scripts_run_against_its_server(tmp_path: Path, page: Path) -> None:
    flags = server_flags(page)
    if not {"--progression", "--speed"} & set(flags):
        flags += ["--speed", SUITE_SPEED]
    served = Served(*flags, "--quiet")
    try:
        against = [e for e in examples(page) if e.kind and e.kind.endswith("against the server")]
        for number, example in enumerate(against):
            folder = tmp_path / f"example_{number}"
            folder.mkdir()
            _run(example, folder, served.url)
    finally:
        served.stop()


@pytest.mark.parametrize(
    "example",
    [e for e in all_examples() if e.language == "python"],
    ids=lambda e: e.where,
)
def test_each_example_names_only_what_it_imports(example: Example) -> None:
    """A user pastes one example at a time: each must import every name it uses."""
    checked = subprocess.run(
        [sys.executable, "-m", "ruff", "check", "--isolated", "--select", "F821", "-"],
        input=example.code,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert checked.returncode == 0, f"{checked.stdout}\n--- {example.where} ---\n{example.code}"


def test_no_page_cites_an_internal_source() -> None:
    """Sources are public pages or shipped files, never the project's own section numbers,
    seed documents or source tags (``[choice]``, ``seed:``)."""
    internal = r"SPEC \d|\bseeds? \d{3}|\[choice|choice: choice|\bseed: "
    cited = [
        f"{page_id(page)}: {match.group(0)}"
        for page in PAGES
        for match in re.finditer(internal, page.read_text())
    ]
    assert cited == []


def test_the_readme_is_a_short_landing_page_with_a_table_of_contents() -> None:
    readme = (ROOT / "README.md").read_text()
    assert len(readme.splitlines()) <= 250
    headings = re.findall(r"^## (.+)$", readme, re.M)
    contents = re.findall(r"^- \[(.+?)\]\(#([a-z0-9-]+)\)$", readme, re.M)
    assert [title for title, _ in contents] == headings
    assert [anchor for _, anchor in contents] == [
        re.sub(r"[^a-z0-9 -]", "", title.lower()).replace(" ", "-") for title in headings
    ]
    for target in re.findall(r"\]\((docs/[^)#]+)\)", readme):
        assert (ROOT / target).is_file(), target


def test_the_wheel_the_pages_name_is_this_versions() -> None:
    """The install commands name the file a build of this version makes: the binary
    distribution format writes the project's name with ``_`` (``sora_testkit-0.2.0-...``)."""
    from mock_server import __version__

    wheel = f"sora_testkit-{__version__}-py3-none-any.whl"
    named = {name for page in PAGES for name in re.findall(r"[\w.-]+\.whl", page.read_text())}
    assert named == {wheel}
