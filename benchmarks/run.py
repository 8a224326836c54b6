"""sora-mock benchmarks: every figure a ratio against a baseline measured in the same run.

    python benchmarks/run.py            # the full run (a few minutes)
    python benchmarks/run.py --peers    # and sora-mock serve against Prism and moto_server
    python benchmarks/run.py --quick    # a smoke run with few iterations
    python benchmarks/run.py --json out.json

Baselines: a bare Flask route answering the same JSON, the official SDK on a canned
``MockTransport`` and on a bare echo app, one in-memory process against ``--workers``, bare
Flask receiving the same upload, a naive PyAV encode of the same frames, and with ``--peers``
Prism (on OpenAI's own OpenAPI document) and moto's server, each in its own process.
"""

from __future__ import annotations

import argparse
import io
import itertools
import json
import logging
import os
import platform
import signal
import statistics
import struct
import subprocess
import sys
import tempfile
import time
import tracemalloc
import warnings
import zlib
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, replace
from functools import partial
from pathlib import Path
from typing import Any

import av
import httpx
from flask import Flask, jsonify, request
from PIL import Image

sys.path.insert(0, str(Path(__file__).resolve().parent))

import kit_costs
import peers

from mock_server import create_app, state_of
from mock_server.backend.media import MediaSpec, base_picture, render_mp4
from mock_server.domain import VideoRequest
from sora_testkit import openai_client

AUTH = {"Authorization": "Bearer sk-bench"}
warnings.simplefilter("ignore", DeprecationWarning)
logging.getLogger("werkzeug").setLevel(logging.ERROR)


@dataclass
class Figure:
    """One measured comparison."""

    name: str
    ours: float
    baseline: float
    unit: str
    ratio: float
    target: str
    met: bool


def best_per_call(fn: Callable[[], Any], *, number: int, repeat: int) -> float:
    """The best (lowest) mean seconds per call over ``repeat`` rounds of ``number`` calls."""
    results = []
    for _ in range(repeat):
        start = time.perf_counter()
        for _ in range(number):
            fn()
        results.append((time.perf_counter() - start) / number)
    return min(results)


def video_body(video_id: str) -> dict[str, Any]:
    """A Video object as a bare app would return it."""
    return {
        "id": video_id, "object": "video", "model": "sora-2", "status": "completed",
        "progress": 100, "created_at": 1, "completed_at": 2, "expires_at": 86402,
        "prompt": "x", "size": "720x1280", "seconds": "4", "remixed_from_video_id": None,
        "error": None,
    }  # fmt: skip


def bare_app() -> Flask:
    """The baseline: routes that answer the same JSON and do nothing else."""
    app = Flask("bare")

    @app.get("/v1/videos/<video_id>")
    def retrieve(video_id: str) -> Any:
        return jsonify(video_body(video_id))

    @app.post("/v1/videos")
    def create() -> Any:
        upload = request.files.get("input_reference")
        if upload is not None:
            upload.read()
        return jsonify(video_body("video_" + "0" * 32))

    return app


def mock_app(**settings: Any) -> Flask:
    return create_app({"background_worker": False, "concurrent_jobs": 0, **settings})


def status_read_in_process(quick: bool) -> Figure:
    mock = mock_app(progression="instant")
    video_id = (
        mock.test_client().post("/v1/videos", json={"prompt": "x"}, headers=AUTH).get_json()["id"]
    )
    ours_client, bare_client = mock.test_client(), bare_app().test_client()
    number, repeat = (200, 2) if quick else (3000, 5)
    ours = best_per_call(
        lambda: ours_client.get(f"/v1/videos/{video_id}", headers=AUTH),
        number=number,
        repeat=repeat,
    )
    bare = best_per_call(
        lambda: bare_client.get(f"/v1/videos/{video_id}", headers=AUTH),
        number=number,
        repeat=repeat,
    )
    ratio = bare / ours
    return Figure(
        "status read in-process (time per read; ratio: throughput vs a bare Flask route)",
        ours * 1e6,
        bare * 1e6,
        "µs/read",
        ratio,
        ">= 0.6",
        ratio >= 0.6,
    )


def sdk_cycle_in_process(quick: bool) -> Figure:
    mock = openai_client(mock_app(progression="instant"))
    echo = openai_client(bare_app())
    number, repeat = (20, 2) if quick else (300, 3)

    def cycle(client: Any) -> None:
        video = client.videos.create(prompt="a cat")
        client.videos.poll(video.id, poll_interval_ms=1)

    ours = best_per_call(lambda: cycle(mock), number=number, repeat=repeat)
    bare = best_per_call(lambda: cycle(echo), number=number, repeat=repeat)
    ratio = bare / ours
    return Figure(
        "SDK create -> poll cycle in-process (vs SDK on an echo app)",
        ours * 1e3,
        bare * 1e3,
        "ms/cycle",
        ratio,
        "(reported)",
        True,
    )


def _throughput(
    url: str, send: Callable[[httpx.Client], Any], threads: int, per_thread: int
) -> float:
    def work(_: int) -> None:
        with httpx.Client(base_url=url, timeout=30) as client:
            for _ in range(per_thread):
                send(client)

    start = time.perf_counter()
    with ThreadPoolExecutor(threads) as pool:
        list(pool.map(work, range(threads)))
    return threads * per_thread / (time.perf_counter() - start)


def served_single(db: Path | None = None) -> tuple[subprocess.Popen[str], str]:
    """``sora-mock serve`` (one process) in its own process group, and its URL."""
    return served_workers(1, db)


def served_workers(workers: int, db: Path | None) -> tuple[subprocess.Popen[str], str]:
    """``sora-mock serve --workers N`` in its own process group, and its URL once it listens."""
    shared = ["--db", str(db)] if db is not None else []
    process = subprocess.Popen(
        [sys.executable, "-m", "mock_server.cli", "serve", "--port", "0", "--quiet",
         "--workers", str(workers), *shared, "--progression", "instant",
         "--concurrent-jobs", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )  # fmt: skip
    assert process.stdout is not None
    for line in process.stdout:
        if "serving on " in line:
            return process, line.split("serving on ")[1].strip()
    raise RuntimeError("sora-mock serve --workers did not start")


def _served_reads(workers: int, db: Path | None, threads: int, per_thread: int) -> float:
    process, url = served_workers(workers, db)
    try:
        created = httpx.post(f"{url}/v1/videos", json={"prompt": "x"}, headers=AUTH).json()
        return _throughput(
            url,
            lambda c: c.get(f"/v1/videos/{created['id']}", headers=AUTH),
            threads,
            per_thread,
        )
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.communicate(timeout=30)


def workers_throughput(quick: bool) -> Figure:
    threads, per_thread = (4, 25) if quick else (8, 250)
    workers = max(2, min(4, os.cpu_count() or 2))
    single = _served_reads(1, None, threads, per_thread)
    with tempfile.TemporaryDirectory() as folder:
        shared = _served_reads(workers, Path(folder) / "bench.db", threads, per_thread)
    return Figure(
        f"live status reads, {threads} clients, --workers {workers} on SQLite "
        "(vs one process in memory)",
        shared,
        single,
        "req/s",
        shared / single,
        "(reported)",
        True,
    )


def large_png(width: int, height: int, total: int) -> bytes:
    """A real PNG of this size, padded to ``total`` bytes with a private ancillary chunk."""
    out = io.BytesIO()
    Image.effect_noise((width, height), 64).convert("RGB").save(out, "PNG", compress_level=1)
    data = out.getvalue()
    padding = total - len(data) - 12
    chunk = struct.pack(">I", padding) + b"sOMe" + b"\x00" * padding
    chunk += struct.pack(">I", zlib.crc32(b"sOMe" + b"\x00" * padding) & 0xFFFFFFFF)
    return data[:-12] + chunk + data[-12:]


def upload_19_mb(quick: bool) -> Figure:
    png = large_png(1792, 1024, 19 * 1024 * 1024)
    fields = {"prompt": "x", "model": "sora-2-pro", "size": "1792x1024"}
    files = {"input_reference": ("ref.png", png, "image/png")}
    mock, bare = httpx_client_for(mock_app(progression="polls")), httpx_client_for(bare_app())
    number, rounds = (2, 1) if quick else (4, 7)

    def send(client: httpx.Client) -> None:
        response = client.post("/v1/videos", data=fields, files=files)
        assert response.status_code == 200, response.text

    send(mock), send(bare)  # warm
    ratios, ours_times, bare_times = [], [], []
    for _ in range(rounds):  # alternating rounds: the same machine noise for both
        ours = best_per_call(lambda: send(mock), number=number, repeat=1)
        theirs = best_per_call(lambda: send(bare), number=number, repeat=1)
        ratios.append(ours / theirs)
        ours_times.append(ours)
        bare_times.append(theirs)
    ratio = statistics.median(ratios)
    return Figure(
        "19 MB reference upload, full validation (time vs bare Flask receive"
        + rounds_said(rounds).replace(" (", ", ", 1),
        statistics.median(ours_times) * 1e3,
        statistics.median(bare_times) * 1e3,
        "ms",
        ratio,
        "<= 1.2",
        ratio <= 1.2,
    )


def rounds_said(rounds: int) -> str:
    """How a figure was taken, for its name."""
    return (
        " (one round: a smoke figure)"
        if rounds == 1
        else f" (median of {rounds} alternating rounds)"
    )


def sdk_read_vs_canned(quick: bool) -> Figure:
    ours, canned, ratio = kit_costs.sdk_read_ratio(quick)
    rounds = 3 if quick else kit_costs.PAIRED_ROUNDS
    return Figure(
        "SDK status read in-process, the plugin's defaults (vs the SDK on a canned "
        f"MockTransport), the median ratio of {rounds} paired rounds",
        ours,
        canned,
        "reads/s",
        ratio,
        ">= 0.8",
        ratio >= 0.8,
    )


def fixture_setup(quick: bool) -> Figure:
    ms = kit_costs.fixture_setup_ms(quick)
    return Figure(
        "sora_openai fixture set-up per test (a fresh mock and its SDK client)"
        + (" (smoke: rough)" if quick else ""),
        ms, 0.0, "ms/test", 0.0, "(reported)", True,
    )  # fmt: skip


def client_clock_switch(quick: bool) -> Figure:
    ours, travel = kit_costs.client_clock_switch_ms(quick)
    return Figure(
        "client clock switched on and off with the SDK imported (vs time-machine's travel "
        "alone, the wall-clock part)",
        ours, travel, "ms", ours / travel, "(reported)", True,
    )  # fmt: skip


def hypothesis_rate(quick: bool) -> Figure:
    rate = kit_costs.hypothesis_examples_per_second(quick)
    return Figure(
        "Hypothesis examples per second, the documented job_histories example",
        rate, 0.0, "examples/s", 0.0, "(reported)", True,
    )  # fmt: skip


def peer_figures(quick: bool, share_cpus: bool = False) -> list[Figure]:
    """``sora-mock serve`` against Prism and moto_server, and the server stack's ceiling."""
    placement = None if share_cpus else peers.placement_here()
    where = "sharing every CPU" if placement is None else placement.said()
    print(f"peers: {where}", flush=True)
    figures = []
    for comparison in peers.compare(rounds=1 if quick else peers.ROUNDS, placement=placement):
        reported = "ceiling" in comparison.name
        target = peers.target_of(comparison.name) or (None if reported else 1.0)
        figures.append(
            Figure(
                comparison.name + rounds_said(len(comparison.ours)),
                statistics.median(comparison.ours),
                statistics.median(comparison.theirs),
                "req/s",
                comparison.ratio,
                "(reported)" if target is None else f">= {target:g}",
                target is None or comparison.ratio >= target,
            )
        )
        cpu_ratio = comparison.cpu_ratio
        if cpu_ratio is not None:
            figures.append(
                Figure(
                    f"{comparison.name}: the server's CPU time a request",
                    statistics.median(comparison.ours_cpu),
                    statistics.median(comparison.theirs_cpu),
                    "us",
                    cpu_ratio,
                    "(reported)",
                    True,
                )
            )
    return figures


def httpx_client_for(app: Flask) -> httpx.Client:
    from sora_testkit import httpx_client

    return httpx_client(app, headers=AUTH)


def naive_encode(spec: MediaSpec) -> bytes:
    """The baseline encoder: every frame converted and encoded with PyAV's defaults."""
    picture = base_picture(spec)
    out = io.BytesIO()
    with av.open(out, "w", format="mp4") as container:
        stream = container.add_stream("libx264", rate=24)
        stream.width, stream.height, stream.pix_fmt = spec.width, spec.height, "yuv420p"
        for index in range(24 * spec.seconds):
            frame = av.VideoFrame.from_image(picture)
            frame.pts = index
            for packet in stream.encode(frame):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
    return out.getvalue()


def render_times(quick: bool) -> list[Figure]:
    cases = [(720, 1280, 4), (1280, 720, 12), (1792, 1024, 12)] if not quick else [(720, 1280, 4)]
    figures = []
    for width, height, seconds in cases:
        spec = MediaSpec(width, height, seconds, "a lighthouse at dusk")
        ours = best_per_call(partial(render_mp4, spec), number=1, repeat=1 if quick else 3)
        naive = best_per_call(partial(naive_encode, spec), number=1, repeat=1)
        target = 0.5 if (width, height, seconds) == (1792, 1024, 12) else None
        figures.append(
            Figure(
                f"MP4 render {width}x{height} {seconds} s (time vs naive PyAV encode)",
                ours, naive, "s", ours / naive,
                "< 0.5 s" if target else "(reported)",
                ours < target if target else True,
            )
        )  # fmt: skip
    return figures


def memory_per_job(quick: bool) -> Figure:
    count = 1000 if quick else 10_000
    app = mock_app(progression="polls")
    service = state_of(app).service
    request_ = VideoRequest(
        "a lighthouse at dusk, waves breaking on the rocks", "sora-2", 4, 720, 1280
    )
    tracemalloc.start()
    before = tracemalloc.take_snapshot()
    for n in range(count):
        service.create(request_, dialect="openai", owner=f"sk-{n % 7}")
    after = tracemalloc.take_snapshot()
    tracemalloc.stop()
    grown = sum(stat.size_diff for stat in after.compare_to(before, "filename"))
    per_job = grown / count
    return Figure(
        f"memory per stored job ({count} jobs, no media)",
        per_job,
        5 * 1024,
        "bytes",
        per_job / (5 * 1024),
        "< 5 KB",
        per_job < 5 * 1024,
    )


def _seed_unfinished(app: Flask, count: int, owner: str | None = None) -> None:
    """``count`` unfinished jobs, stored directly (creating them would take long): of 97 other
    keys, or all of ``owner``."""
    state = state_of(app)
    service, store = state.service, state.store
    template = service.create(
        VideoRequest("a seeded job", "sora-2", 4, 720, 1280), dialect="openai", owner="sk-seed"
    )
    with store.locked():
        for n in range(count):
            store.add(
                replace(
                    template,
                    id=f"video_seed{n:027d}",
                    seq=store.next_seq(),
                    owner=owner or f"sk-seed-{n % 97}",
                )
            )


def _costs_at(count: int, db: Path | None, quick: bool, busy: bool = False) -> tuple[float, float]:
    """Creates per second and list latency (seconds) with ``count`` unfinished jobs stored:
    of many keys with no limit, or (``busy``) all of the creating key, its limit on."""
    settings: dict[str, Any] = {
        "progression": "polls",
        "concurrent_jobs": 10_000_000 if busy else 0,
    }
    if db is not None:
        settings["db"] = str(db)
    app = mock_app(**settings)
    _seed_unfinished(app, count, AUTH["Authorization"].split()[1] if busy else None)
    http = httpx_client_for(app)
    rounds = 20 if quick else 100
    create = best_per_call(
        lambda: http.post("/v1/videos", json={"prompt": "x"}), number=rounds, repeat=3
    )
    listing = best_per_call(lambda: http.get("/v1/videos?limit=20"), number=rounds, repeat=3)
    state_of(app).close()
    return 1 / create, listing


def flat_cost(quick: bool) -> list[Figure]:
    """Creates/s and list latency at 1k, 10k and 100k unfinished jobs, memory and SQLite, of
    many keys and of the one key that creates (its concurrency limit on)."""
    counts = (1_000, 10_000) if quick else (1_000, 10_000, 100_000)
    figures = []
    for store, busy in itertools.product(("memory", "SQLite"), (False, True)):
        with tempfile.TemporaryDirectory(prefix="sora-bench-") as folder:
            results = {}
            for count in counts:
                db = Path(folder) / f"jobs-{count}.sqlite3" if store == "SQLite" else None
                results[count] = _costs_at(count, db, quick, busy)
        base_rate, base_list = results[counts[0]]
        whose = "of the creating key, its limit on" if busy else "of 97 other keys"
        for count in counts[1:]:
            rate, listing = results[count]
            figures.append(
                Figure(
                    f"creates at {count:,} unfinished jobs {whose}, {store} (vs at {counts[0]:,})",
                    rate,
                    base_rate,
                    "creates/s",
                    rate / base_rate,
                    ">= 0.67",
                    rate / base_rate >= 1 / 1.5,
                )
            )
            figures.append(
                Figure(
                    f"list latency at {count:,} unfinished jobs {whose}, {store} "
                    f"(vs at {counts[0]:,})",
                    listing * 1000,
                    base_list * 1000,
                    "ms",
                    listing / base_list,
                    "<= 1.5",
                    listing / base_list <= 1.5,
                )
            )
    return figures


def progress_line(figure: Figure) -> str:
    """A figure as the run prints it when measured."""
    if not figure.baseline:
        return f"  {figure.name}: {figure.ours:.3g} {figure.unit}"
    return (
        f"  {figure.name}: {figure.ours:.3g} vs {figure.baseline:.3g} {figure.unit}, "
        f"ratio {figure.ratio:.2f}"
    )


def machine() -> str:
    return (
        f"{platform.system()} {platform.machine()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}, {peers.node_version()}, "
        f"sora-mock serve on granian {package_version('granian')} (RSGI)"
    )


def package_version(name: str) -> str:
    try:
        from importlib.metadata import version

        return version(name)
    except Exception:
        return "(not installed)"


#: The figures measured one by one, each printed as it comes.
STEPS: tuple[Callable[[bool], Figure | None], ...] = (
    status_read_in_process,
    sdk_read_vs_canned,
    sdk_cycle_in_process,
    workers_throughput,
    upload_19_mb,
    fixture_setup,
    client_clock_switch,
    hypothesis_rate,
)


def later_figures(quick: bool) -> list[Figure]:
    """The figures that come in groups: flat cost, renders, memory."""
    return [*flat_cost(quick), *render_times(quick), memory_per_job(quick)]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="few iterations: a smoke run")
    parser.add_argument("--json", metavar="PATH", help="also write the figures as JSON")
    parser.add_argument(
        "--peers",
        action="store_true",
        help="also measure sora-mock serve against Prism (installed with npm into a cache "
        "folder) and moto_server",
    )
    parser.add_argument(
        "--share-cpus",
        action="store_true",
        help="with --peers: let the servers and the load share every CPU, wherever the "
        "scheduler puts them (by default they run on separate halves where the system allows)",
    )
    args = parser.parse_args(argv)
    print(f"sora-mock benchmarks on {machine()}")
    figures: list[Figure] = []
    for step in STEPS:
        result = step(args.quick)
        if result is not None:
            figures.append(result)
            print(progress_line(result), flush=True)
    later = later_figures(args.quick)
    if args.peers:
        later += peer_figures(args.quick, args.share_cpus)
    for figure in later:
        figures.append(figure)
        print(progress_line(figure), flush=True)
    print()
    print("| figure | ours | baseline | unit | ratio | target | met |")
    print("|---|---|---|---|---|---|---|")
    for f in figures:
        baseline, ratio = (f"{f.baseline:.3g}", f"{f.ratio:.2f}") if f.baseline else ("-", "-")
        met = "yes" if f.met else "NO"
        print(f"| {f.name} | {f.ours:.3g} | {baseline} | {f.unit} | {ratio} | {f.target} | {met} |")
    if args.json:
        report = {"machine": machine(), "figures": [asdict(f) for f in figures]}
        Path(args.json).write_text(json.dumps(report, indent=2))
    if args.quick:
        # A smoke run: few iterations make rough figures, so a missed target is noise, not a
        # failure. It fails only when a step breaks (an exception ends the run non-zero).
        missed = sum(not f.met for f in figures)
        if missed:
            print(f"\n{missed} rough figure(s) missed a target: measure without --quick.")
        return 0
    return 0 if all(f.met for f in figures) else 1


if __name__ == "__main__":
    sys.exit(main())
