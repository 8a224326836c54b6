"""The wheel carries the contracts: built, installed in a fresh virtualenv, loaded from there."""

from __future__ import annotations

import json
import subprocess
import sys
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


def test_wheel_installs_and_loads_its_contracts(tmp_path: Path) -> None:
    built = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "-q",
            "-w",
            str(tmp_path / "dist"),
            str(ROOT),
        ],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert built.returncode == 0, built.stderr
    [wheel] = (tmp_path / "dist").glob("sora_testkit-*.whl")

    env_dir = tmp_path / "venv"
    venv.create(env_dir, with_pip=True, system_site_packages=True)
    python = env_dir / "bin" / "python"
    installed = subprocess.run(
        [str(python), "-m", "pip", "install", "--no-deps", "-q", str(wheel)],
        capture_output=True,
        text=True,
        timeout=600,
    )
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
