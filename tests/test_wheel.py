"""The wheel carries the contracts: built by the project's backend, unpacked, loaded from there.

``scripts/check_package.py`` (run by CI) goes further: it installs the wheel into a fresh
virtualenv from the package index and runs a test suite there.
"""

from __future__ import annotations

import json
import subprocess
import sys
import zipfile
from pathlib import Path

from hatchling.builders.wheel import WheelBuilder

from mock_server import openapi

ROOT = Path(__file__).resolve().parent.parent

PROBE = """
import json, sys
sys.path.insert(0, sys.argv[1])  # the unpacked wheel, ahead of the checkout
import mock_server
from mock_server import contracts, openapi
print(json.dumps({
    "package": mock_server.__file__,
    "contracts_dir": str(contracts.contracts_dir()),
    "contracts": sorted(contracts.load()),
    "openapi_paths": len(openapi.document()["paths"]),
}))
"""


def test_wheel_installs_and_loads_its_contracts(tmp_path: Path) -> None:
    [built] = WheelBuilder(str(ROOT)).build(directory=str(tmp_path / "dist"), versions=["standard"])
    wheel = Path(built)
    assert wheel.name.startswith("sora_testkit-")
    unpacked = tmp_path / "site"
    with zipfile.ZipFile(wheel) as archive:
        names = archive.namelist()
        archive.extractall(unpacked)
    assert not [name for name in names if name.startswith(("tests/", "docs/", "contracts/"))]
    probe = subprocess.run(
        [sys.executable, "-c", PROBE, str(unpacked)],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=120,
    )
    assert probe.returncode == 0, probe.stderr
    found = json.loads(probe.stdout)
    assert found["package"].startswith(str(unpacked))
    assert found["contracts_dir"].startswith(str(unpacked))
    assert found["contracts_dir"].endswith("mock_server/_contracts")
    source = sorted(
        p.relative_to(ROOT / "contracts").with_suffix("").as_posix()
        for p in (ROOT / "contracts").rglob("*.json")
    )
    assert found["contracts"] == source
    assert found["openapi_paths"] == len(openapi.document()["paths"])
