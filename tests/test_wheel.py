"""The wheel carries the contracts: built, installed in a fresh virtualenv, loaded from there."""

from __future__ import annotations

import json
import subprocess
import sys
import sysconfig
import venv
from pathlib import Path

from mock_server import openapi

ROOT = Path(__file__).resolve().parent.parent

PROBE = """
import json, mock_server
from mock_server import contracts, openapi
print(json.dumps({
    "package": mock_server.__file__,
    "contracts_dir": str(contracts.contracts_dir()),
    "contracts": sorted(contracts.load()),
    "openapi_paths": len(openapi.document()["paths"]),
}))
"""


def lend_dependencies(python: Path) -> None:
    """Let a new virtualenv see the packages of the environment running the tests.

    Not the base interpreter's (``system_site_packages``): in a virtualenv the dependencies
    live in the virtualenv, not there. The running environment's folder is added after the new
    one's own, so the wheel installed there is the one imported.
    """
    target = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    lender = sysconfig.get_paths()["purelib"]
    line = f"import site; site.addsitedir({lender!r})\n"
    (Path(target) / "_lent_dependencies.pth").write_text(line)


def test_wheel_installs_and_loads_its_contracts(tmp_path: Path) -> None:
    # Built with the backend the dev extra installs: no package index is reached.
    built = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q",
         "-w", str(tmp_path / "dist"), str(ROOT)],
        capture_output=True,
        text=True,
        timeout=600,
    )  # fmt: skip
    assert built.returncode == 0, built.stderr
    [wheel] = (tmp_path / "dist").glob("sora_testkit-*.whl")

    env_dir = tmp_path / "venv"
    venv.create(env_dir, with_pip=False)
    python = env_dir / "bin" / "python"
    lend_dependencies(python)
    installed = subprocess.run(
        [sys.executable, "-m", "pip", "--python", str(python), "install", "--no-deps",
         "--no-index", "-q", str(wheel)],
        capture_output=True,
        text=True,
        timeout=600,
    )  # fmt: skip
    assert installed.returncode == 0, installed.stderr

    probe = subprocess.run(
        [str(python), "-c", PROBE], capture_output=True, text=True, cwd=tmp_path, timeout=120
    )
    assert probe.returncode == 0, probe.stderr
    found = json.loads(probe.stdout)
    assert found["package"].startswith(str(env_dir))
    assert found["contracts_dir"].startswith(str(env_dir))
    assert found["contracts_dir"].endswith("mock_server/_contracts")
    source = sorted(
        p.relative_to(ROOT / "contracts").with_suffix("").as_posix()
        for p in (ROOT / "contracts").rglob("*.json")
    )
    assert found["contracts"] == source
    assert found["openapi_paths"] == len(openapi.document()["paths"])
