"""The benchmark script runs and reports every figure (a smoke run: no timing is asserted)."""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

import pytest

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
    assert result.returncode == 0, result.stderr  # a smoke run fails only when a step breaks
    assert "| figure | ours | baseline | unit | ratio | target | met |" in result.stdout
    names = [figure["name"] for figure in json.loads(out.read_text())["figures"]]
    for expected in (
        "status read in-process",
        "SDK status read in-process, the plugin's defaults",
        "SDK create -> poll",
        "sora_openai fixture set-up per test",
        "Hypothesis examples per second",
        "live status reads, 4 clients, --workers",
        "19 MB reference upload",
        "creates at 10,000 unfinished jobs of 97 other keys, memory",
        "list latency at 10,000 unfinished jobs of 97 other keys, SQLite",
        "creates at 10,000 unfinished jobs of the creating key, its limit on, memory",
        "creates at 10,000 unfinished jobs of the creating key, its limit on, SQLite",
        "MP4 render",
        "memory per stored job",
    ):
        assert any(name.startswith(expected) for name in names), expected


def load_peers() -> Any:
    """``benchmarks/peers.py``, which is a script's module, not the package's."""
    return load_script("peers")


def load_script(stem: str) -> Any:
    """A module of ``benchmarks/``, loaded as the scripts load each other."""
    name = f"sora_benchmark_{stem}"
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, ROOT / "benchmarks" / f"{stem}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # its dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


def _figure(run: Any, met: bool) -> Any:
    return run.Figure("a figure", 2.0, 1.0, "ms", 2.0, "<= 1.5x", met)


@pytest.mark.parametrize(("quick", "code"), [(True, 0), (False, 1)])
def test_a_missed_target_fails_the_full_run_but_not_the_smoke_run(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], quick: bool, code: int
) -> None:
    run = load_script("run")
    monkeypatch.setattr(run, "STEPS", (lambda quick: _figure(run, met=False),))
    monkeypatch.setattr(run, "later_figures", lambda quick: [_figure(run, met=True)])
    assert run.main(["--quick"] if quick else []) == code
    out = capsys.readouterr().out
    assert "| a figure | 2 | 1 | ms | 2.00 | <= 1.5x | NO |" in out
    assert ("1 rough figure(s) missed a target" in out) is quick


def test_a_broken_step_fails_the_smoke_run(monkeypatch: pytest.MonkeyPatch) -> None:
    run = load_script("run")

    def broken(quick: bool) -> None:
        raise RuntimeError("the step broke")

    monkeypatch.setattr(run, "STEPS", (broken,))
    with pytest.raises(RuntimeError, match="the step broke"):
        run.main(["--quick"])


def test_peers_put_openais_paths_under_v1(tmp_path: Path) -> None:
    """Prism serves OpenAI's document with the paths the SDK calls (``/v1/videos``)."""
    peers = load_peers()
    document = peers.prefixed_document(tmp_path).read_text()
    paths = [line.rstrip(":") for line in document.splitlines() if line.startswith("  /")]
    assert paths and all(path.startswith("  /v1/videos") for path in paths), paths
    assert "servers:" in document and "openapi: 3.1.0" in document
    # Nothing else moved: the same number of lines as the published document.
    assert len(document.splitlines()) == len(peers.OPENAI_DOCUMENT.read_text().splitlines())


def test_peers_without_npm_say_so_in_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    peers = load_peers()
    monkeypatch.setenv("PATH", str(tmp_path))  # no npm here
    assert peers.install_prism(tmp_path / "cache") is None
    out = capsys.readouterr().out.strip().splitlines()
    assert out == ["Prism skipped: npm is not installed (install Node.js to compare with Prism)"]


def test_a_peer_comparison_takes_the_medians(monkeypatch: pytest.MonkeyPatch) -> None:
    peers = load_peers()
    ours = iter([900.0, 1200.0, 1000.0])
    theirs = iter([800.0, 1000.0, 2000.0])
    comparison = peers.alternate("x", lambda: next(ours), lambda: next(theirs), 3)
    assert comparison.ours == [900.0, 1200.0, 1000.0]
    assert comparison.theirs == [800.0, 1000.0, 2000.0]
    assert comparison.ratio == 1000.0 / 1000.0


def test_peers_split_the_cpus_between_the_servers_and_the_load(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    peers = load_peers()
    monkeypatch.setattr(peers.os, "sched_getaffinity", lambda pid: {0, 1, 2, 3}, raising=False)
    placement = peers.placement_here()
    assert placement == peers.Placement(frozenset({0, 1}), frozenset({2, 3}))
    assert placement.said() == "the servers on CPU 0,1, the load on CPU 2,3"
    monkeypatch.setattr(peers.os, "sched_getaffinity", lambda pid: {5}, raising=False)
    assert peers.placement_here() is None  # one CPU: nothing to split


@pytest.mark.skipif(not hasattr(os, "sched_setaffinity"), reason="CPU affinity is Linux's")
def test_a_placed_server_runs_on_the_servers_cpus_and_the_load_on_the_rest(
    tmp_path: Path,
) -> None:
    peers = load_peers()
    cpus = sorted(os.sched_getaffinity(0))
    placement = peers.Placement(frozenset(cpus[:1]), frozenset(cpus[-1:]))
    before = os.sched_getaffinity(0)
    script = "print('listening', flush=True); import time; time.sleep(60)"
    with peers.placed(placement):
        assert os.sched_getaffinity(0) == placement.load
        seen: list[set[int]] = []
        thread = threading.Thread(target=lambda: seen.append(os.sched_getaffinity(0)))
        thread.start()
        thread.join()
        assert seen == [placement.load]  # the load's threads inherit the load's CPUs
        server = peers.start(
            "sleeper",
            [sys.executable, "-c", script],
            lambda output: "up" if "listening" in output else None,
            tmp_path / "sleeper.log",
        )
        try:
            assert os.sched_getaffinity(server.process.pid) == placement.servers
            assert os.sched_getaffinity(0) == placement.load
        finally:
            server.stop()
    assert os.sched_getaffinity(0) == before


WRK_SAID = """Running 4s test @ {url}
  1 threads and 16 connections
  7202 requests in 4.00s, 2.81MB read
{failures}Requests/sec:   1798.59
Transfer/sec:    718.38KB
"""


def fake_wrk(tmp_path: Path, failures: str = "") -> Path:
    """A ``wrk`` that records its arguments and its Lua script, and says what wrk says."""
    said = tmp_path / "said.txt"
    said.write_text(WRK_SAID.format(url="URL", failures=failures))
    command = tmp_path / "wrk"
    command.write_text(
        "#!/bin/sh\n"
        f'echo "$@" > {tmp_path}/args.txt\n'
        f'while [ "$1" != "-s" ]; do shift; done; cp "$2" {tmp_path}/script.lua\n'
        f"cat {said}\n"
    )
    command.chmod(0o755)
    return command


def test_peers_read_wrks_rate_and_count_and_give_each_create_a_key(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    peers = load_peers()
    monkeypatch.setattr(peers, "WRK", str(fake_wrk(tmp_path)))
    done = peers.wrk_creates("http://127.0.0.1:9")
    assert (done.rate, done.requests) == (1798.59, 7202)
    args = (tmp_path / "args.txt").read_text().split()
    assert args[:3] == ["-t1", "-c16", "-d4s"] and args[-1] == "http://127.0.0.1:9/v1/videos"
    script = (tmp_path / "script.lua").read_text()
    assert '"Bearer sk-wrk-" .. run .. "-" .. sent' in script  # a key a create
    assert '["Content-Type"] = "application/json"' in script  # format() replaces the headers


def test_peers_refuse_a_wrk_round_with_failed_answers(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    peers = load_peers()
    monkeypatch.setattr(peers, "WRK", str(fake_wrk(tmp_path, "  Non-2xx or 3xx responses: 3\n")))
    with pytest.raises(RuntimeError, match="wrk met failed answers"):
        peers.wrk("http://127.0.0.1:9/v1/videos")


def test_drip_measures_every_probe_against_a_served_mock() -> None:
    from tests.served import Served

    drip = [sys.executable, str(ROOT / "benchmarks" / "drip.py")]
    brief = ["--drippers", "3", "--interval", "0.5", "--warmup", "0.5", "--window", "1"]
    server = Served("--progression", "instant", "--quiet")
    try:
        completed = subprocess.run(
            [*drip, server.url, *brief, "--warm-downloads", "1"],
            capture_output=True,
            text=True,
            timeout=120,
        )
    finally:
        assert server.stop() == 0
    assert completed.returncode == 0, completed.stderr
    result = json.loads(completed.stdout)
    probes = result["probes"]
    assert set(probes) == {"status", "content", "download_1mb", "control"}
    assert all(
        probe["count"] >= 1 and probe["codes"] == {"200": probe["count"]}
        for probe in probes.values()
    )
    assert probes["download_1mb"]["bytes_min"] == 1_000_000
    assert result["drip"]["all_established"] is True
