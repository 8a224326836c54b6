"""The benchmark script runs and reports every figure (a smoke run: no timing is asserted)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_quick_benchmark_run_reports_every_figure(tmp_path: Path) -> None:
    out = tmp_path / "figures.json"
    result = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "run.py"), "--quick", "--json", str(out)],
        capture_output=True,
        text=True,
        timeout=600,
        cwd=tmp_path,
    )
    assert result.returncode in (0, 1), result.stderr
    assert "| figure | ours | baseline | unit | ratio | target | met |" in result.stdout
    names = [figure["name"] for figure in json.loads(out.read_text())["figures"]]
    for expected in (
        "status read in-process",
        "SDK create -> poll",
        "live status reads, 4 clients, --workers",
        "19 MB reference upload",
        "creates at 10,000 unfinished jobs, memory",
        "list latency at 10,000 unfinished jobs, SQLite",
        "MP4 render",
        "memory per stored job",
    ):
        assert any(name.startswith(expected) for name in names), expected
