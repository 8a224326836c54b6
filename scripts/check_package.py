"""The package as a user installs it: built, checked, installed in a fresh virtualenv.

    python scripts/check_package.py

Builds the wheel and the sdist with the installed backend, checks their metadata with twine,
then, in a new virtualenv: the wheel alone runs the server and brings no test tools; with
pytest beside it, a one-test suite that asks for ``sora_openai`` stops with the one line that
names the ``kit`` extra; with the extra, the same suite passes. Exits non-zero on the first
step that does not hold. Needs the package index (it installs the wheel's dependencies).
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ONE_TEST = """
def test_a_video(sora_openai):
    video = sora_openai.videos.create_and_poll(prompt="A lighthouse at dusk")
    assert video.status == "completed"
"""
MISSING = (
    "the sora_openai fixture needs the 'openai' package, which is not installed: "
    "pip install 'sora-testkit[kit]'"
)


class CheckFailed(Exception):
    """A step did not give what it should."""


def run(*command: str | Path, cwd: Path | None = None, expect: int | None = 0) -> str:
    """Run a command, print what it runs, and return its output."""
    print("$", " ".join(str(part) for part in command), flush=True)
    done = subprocess.run(
        [str(part) for part in command], cwd=cwd, capture_output=True, text=True, check=False
    )
    output = done.stdout + done.stderr
    if expect is not None and done.returncode != expect:
        raise CheckFailed(f"exit {done.returncode}, not {expect}:\n{output[-3000:]}")
    return output


def build(out: Path) -> tuple[Path, Path]:
    """The wheel and the sdist, checked by twine."""
    run(sys.executable, "-m", "build", "--no-isolation", "--outdir", out, ROOT)
    [wheel] = out.glob("sora_testkit-*.whl")
    [sdist] = out.glob("sora_testkit-*.tar.gz")
    run(sys.executable, "-m", "twine", "check", "--strict", wheel, sdist)
    return wheel, sdist


def check_install(wheel: Path, work: Path) -> None:
    """The wheel in a fresh virtualenv: the server alone, then the kit without and with."""
    env = work / "venv"
    venv.create(env, with_pip=True)
    python = env / "bin" / "python"
    pip: list[str | Path] = [python, "-m", "pip"]
    run(*pip, "install", "-q", wheel)
    print(run(env / "bin" / "sora-mock", "--version").strip())
    run(python, "-c", "import mock_server; mock_server.create_app()")
    for tool in ("pytest", "openai", "hypothesis"):
        run(python, "-c", f"import {tool}", expect=1)  # the server brings no test tools
    suite = work / "suite"
    suite.mkdir()
    (suite / "test_one.py").write_text(ONE_TEST)
    run(*pip, "install", "-q", "pytest")
    stopped = run(python, "-m", "pytest", "-q", "-p", "no:cacheprovider", cwd=suite, expect=1)
    if MISSING not in stopped or "Traceback" in stopped:
        raise CheckFailed(f"without the kit extra the test did not stop with one line:\n{stopped}")
    print(MISSING)
    run(*pip, "install", "-q", f"{wheel}[kit]")
    passed = run(python, "-m", "pytest", "-q", "-p", "no:cacheprovider", cwd=suite)
    print(passed.strip().splitlines()[-1])


def main() -> int:
    with tempfile.TemporaryDirectory(prefix="sora-package-") as folder:
        work = Path(folder)
        try:
            wheel, sdist = build(work / "dist")
            print(f"built {wheel.name} and {sdist.name}")
            check_install(wheel, work)
        except CheckFailed as exc:
            print(f"check_package: {exc}", file=sys.stderr)
            return 1
    print("check_package: the package installs and works as the documentation says")
    return 0


if __name__ == "__main__":
    sys.exit(main())
