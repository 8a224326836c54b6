"""The peers a user would pick instead, run side by side with ``sora-mock serve``.

Prism (Stoplight's OpenAPI mock server, installed with npm into a cache folder) serves OpenAI's
own OpenAPI document for the videos endpoints (``benchmarks/openai-videos-openapi.yaml``, the
paths put under ``/v1`` as the SDK calls them); moto's server answers a comparable AWS call.
Each server runs in its own process and gets the same two loads, the rounds alternating
between the servers and the medians compared:

- a compiled load generator that cannot hide the server (``wrk``, from Debian's package or the
  PATH: one thread, 16 keep-alive connections, 4 s; a Lua script gives each create its own
  key). Without ``wrk`` this load is skipped, and the benchmark says so;
- the closed-loop client an SDK user resembles: 8 threads, a keep-alive ``requests`` session
  each, 300 requests a thread, each request waiting for the last answer.

Beside each server's throughput it reports the server's CPU time a request, and beside the
mock the same server stack running a WSGI app that does no work: the mock's share of its stack
is the mock's throughput over that ceiling's.

Where the system lets a process choose its CPUs (Linux) and there are two or more, the servers
run on one half of them and the load on the other, as a load generator is kept off the server's
cores anywhere throughput is measured. Sharing them measures the scheduler more than the
server: the load's threads take turns at one interpreter lock, and a server that sleeps between
requests is woken onto the core of the thread holding it, so every client thread waits; a
server busy all the time keeps a core to itself. ``--share-cpus`` measures that way too.
"""

from __future__ import annotations

import contextlib
import itertools
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import requests

HERE = Path(__file__).resolve().parent
#: OpenAI's published contract for the videos endpoints (a subset of openai/openai-openapi).
OPENAI_DOCUMENT = HERE / "openai-videos-openapi.yaml"
#: The Prism release measured.
PRISM_PACKAGE = "@stoplight/prism-cli@5.14.2"

THREADS = 8
PER_THREAD = 300
#: ``wrk`` when it is installed, and how it is run.
WRK = shutil.which("wrk")
WRK_CONNECTIONS = 16
WRK_SECONDS = 4
#: Each wrk create under its own key: the default limit allows 5 unfinished jobs a key.
CREATE_SCRIPT = """
math.randomseed(os.time())
local run = math.random(1, 1000000000)
local sent = 0
wrk.method = "POST"
wrk.body = '{"prompt": "A lighthouse at dusk", "model": "sora-2", "size": "720x1280", "seconds": "4"}'
request = function()
  sent = sent + 1
  local key = "Bearer sk-wrk-" .. run .. "-" .. sent
  return wrk.format(nil, nil, {["Content-Type"] = "application/json", ["Authorization"] = key})
end
"""
ROUNDS = 3
CREATE_BODY = {
    "prompt": "A lighthouse at dusk",
    "model": "sora-2",
    "size": "720x1280",
    "seconds": "4",
}


def cache_folder() -> Path:
    """Where Prism is installed: ``$SORA_BENCH_CACHE``, else the user's cache folder."""
    configured = os.environ.get("SORA_BENCH_CACHE")
    if configured:
        return Path(configured)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "sora-testkit" / "peers"


def install_prism(cache: Path) -> Path | None:
    """The ``prism`` command, installed with npm into ``cache`` on first use; ``None`` (with one
    line saying why) when npm is missing or the install fails."""
    command = cache / "node_modules" / ".bin" / "prism"
    if command.exists():
        return command
    npm = shutil.which("npm")
    if npm is None:
        print("  Prism skipped: npm is not installed (install Node.js to compare with Prism)")
        return None
    cache.mkdir(parents=True, exist_ok=True)
    print(f"  installing {PRISM_PACKAGE} with npm into {cache} (once)", flush=True)
    result = subprocess.run(
        [npm, "install", "--prefix", str(cache), "--no-audit", "--no-fund", PRISM_PACKAGE],
        capture_output=True,
        text=True,
        timeout=600,
    )
    if result.returncode != 0 or not command.exists():
        last = (result.stderr.strip().splitlines() or ["no output"])[-1]
        print(f"  Prism skipped: npm install {PRISM_PACKAGE} failed: {last}")
        return None
    return command


def prefixed_document(cache: Path) -> Path:
    """OpenAI's document with every path under ``/v1``, as the SDK calls them."""
    lines = OPENAI_DOCUMENT.read_text().splitlines(keepends=True)
    out = cache / "openai-videos-v1.yaml"
    in_paths = False
    written = []
    for line in lines:
        if line.startswith("paths:"):
            in_paths = True
        elif line and not line.startswith((" ", "\n")):
            in_paths = False
        if in_paths and line.startswith("  /"):
            line = "  /v1" + line[2:]
        written.append(line)
    out.write_text("".join(written))
    return out


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class Peer:
    """A server in its own process group, writing its output to a file (the benchmark's own
    process never spends time reading it)."""

    name: str
    url: str
    process: subprocess.Popen[bytes]

    def stop(self) -> None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)


@dataclass(frozen=True)
class Placement:
    """The CPUs the servers run on and the CPUs the load runs on."""

    servers: frozenset[int]
    load: frozenset[int]

    def said(self) -> str:
        return f"the servers on CPU {cpu_list(self.servers)}, the load on CPU {cpu_list(self.load)}"


def cpu_list(cpus: frozenset[int]) -> str:
    return ",".join(str(cpu) for cpu in sorted(cpus))


def placement_here() -> Placement | None:
    """Half the CPUs this process may use for the servers, the rest for the load; ``None``
    where the system does not let a process choose or there is only one."""
    if not hasattr(os, "sched_getaffinity"):
        return None
    cpus = sorted(os.sched_getaffinity(0))
    if len(cpus) < 2:
        return None
    half = len(cpus) // 2
    return Placement(frozenset(cpus[:half]), frozenset(cpus[half:]))


#: Where servers started now run; ``None``: wherever the scheduler puts them.
_placement: Placement | None = None


@contextlib.contextmanager
def placed(placement: Placement | None) -> Iterator[None]:
    """Within the block, this thread (and every thread it starts: the load) runs on
    ``placement.load`` and every server :func:`start` starts on ``placement.servers``."""
    global _placement
    if placement is None:
        yield
        return
    before = os.sched_getaffinity(0)
    os.sched_setaffinity(0, placement.load)
    _placement = placement
    try:
        yield
    finally:
        _placement = None
        os.sched_setaffinity(0, before)


@contextlib.contextmanager
def on_server_cpus() -> Iterator[None]:
    """A process started within the block inherits the servers' CPUs (Linux gives a child
    the mask of the thread that forked it)."""
    placement = _placement
    if placement is None:
        yield
        return
    os.sched_setaffinity(0, placement.servers)
    try:
        yield
    finally:
        os.sched_setaffinity(0, placement.load)


def start(name: str, command: list[str], ready: Callable[[str], str | None], log: Path) -> Peer:
    """Start ``command``; ``ready`` reads its output and returns the URL once it listens."""
    with log.open("wb") as output, on_server_cpus():
        process = subprocess.Popen(
            command,
            stdout=output,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
            env={**os.environ, "PYTHONUNBUFFERED": "1", "NO_COLOR": "1", "FORCE_COLOR": "0"},
        )
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        url = ready(log.read_text(errors="replace"))
        if url:
            return Peer(name, url, process)
        if process.poll() is not None:
            break
        time.sleep(0.1)
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)
    tail = log.read_text(errors="replace")[-500:]
    raise RuntimeError(f"{name} did not start: {tail}")


def start_mock(logs: Path) -> Peer:
    """``sora-mock serve`` with its defaults (every rule, the journal and the request log on)."""
    command = [sys.executable, "-m", "mock_server.cli", "serve", "--port", "0"]

    def ready(output: str) -> str | None:
        for line in output.splitlines():
            if "serving on " in line:
                return line.split("serving on ", 1)[1].strip()
        return None

    return start("sora-mock", command, ready, logs / "sora-mock.log")


def start_prism(prism: Path, document: Path, logs: Path) -> Peer:
    port = free_port()
    command = [str(prism), "mock", "-h", "127.0.0.1", "-p", str(port), str(document)]

    def ready(output: str) -> str | None:
        return f"http://127.0.0.1:{port}" if "Prism is listening" in output else None

    return start("Prism", command, ready, logs / "prism.log")


def start_bare(logs: Path) -> Peer:
    """A WSGI app that does no work, on the server ``sora-mock serve`` runs (granian, RSGI,
    the same adapter): the ceiling."""
    port = free_port()
    command = [
        sys.executable, "-m", "granian", "--interface", "rsgi", "--factory", "--http", "1",
        "--host", "127.0.0.1", "--port", str(port), "--workers", "1", "--no-ws",
        "--working-dir", str(HERE), "bare_wsgi:adapter",
    ]  # fmt: skip

    def ready(output: str) -> str | None:
        return f"http://127.0.0.1:{port}" if "Started worker-1" in output else None

    return start("bare WSGI app", command, ready, logs / "bare.log")


def moto_command() -> list[str] | None:
    """moto's server: from this environment when moto is installed here, else from the PATH."""
    try:
        import moto.server  # noqa: F401
    except ImportError:
        found = shutil.which("moto_server")
        return [found] if found else None
    return [sys.executable, "-m", "moto.server"]


def start_moto(logs: Path) -> Peer | None:
    command = moto_command()
    if command is None:
        print("  moto skipped: moto's server is not installed (pip install -e '.[bench]')")
        return None
    port = free_port()

    def ready(output: str) -> str | None:
        return f"http://127.0.0.1:{port}" if "Running on" in output else None

    return start("moto_server", [*command, "-H", "127.0.0.1", "-p", str(port)], ready,
                 logs / "moto.log")  # fmt: skip


Send = Callable[[requests.Session, int, int], requests.Response]


@dataclass(frozen=True)
class Load:
    """What one round of load did: requests a second, and how many requests in all."""

    rate: float
    requests: int


def load(
    url: str, send: Send, prepare: Callable[[requests.Session, int], None] | None = None
) -> Load:
    """Requests per second: ``THREADS`` threads, a keep-alive session each, ``PER_THREAD`` each."""
    barrier = threading.Barrier(THREADS + 1)
    failures: list[str] = []

    def work(thread: int) -> None:
        with requests.Session() as session:
            session.headers["Connection"] = "keep-alive"
            if prepare is not None:
                prepare(session, thread)
            barrier.wait()
            for n in range(PER_THREAD):
                response = send(session, thread, n)
                if response.status_code >= 300:
                    failures.append(f"{response.status_code} {response.text[:200]}")

    threads = [threading.Thread(target=work, args=(t,)) for t in range(THREADS)]
    for thread in threads:
        thread.start()
    barrier.wait()
    started = time.perf_counter()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    if failures:
        raise RuntimeError(f"{len(failures)} requests failed, the first: {failures[0]}")
    return Load(THREADS * PER_THREAD / elapsed, THREADS * PER_THREAD)


_keys = itertools.count()


def creates(url: str) -> Load:
    """``POST /v1/videos``, a key each (the default limit allows 5 unfinished jobs a key)."""

    def send(session: requests.Session, thread: int, n: int) -> requests.Response:
        key = f"sk-peer-{next(_keys)}"
        return session.post(
            f"{url}/v1/videos", json=CREATE_BODY, headers={"Authorization": f"Bearer {key}"}
        )

    return load(url, send)


def status_reads(url: str) -> Load:
    """``GET /v1/videos/{id}`` of a video each thread created first."""
    ids: dict[int, str] = {}

    def prepare(session: requests.Session, thread: int) -> None:
        created = session.post(
            f"{url}/v1/videos",
            json=CREATE_BODY,
            headers={"Authorization": f"Bearer sk-read-{thread}"},
        )
        ids[thread] = created.json()["id"]

    def send(session: requests.Session, thread: int, n: int) -> requests.Response:
        return session.get(
            f"{url}/v1/videos/{ids[thread]}", headers={"Authorization": f"Bearer sk-read-{thread}"}
        )

    return load(url, send, prepare)


def moto_reads(url: str) -> Load:
    """moto's ``DescribeRegions``, its nearest to a status read."""
    aws = {
        "Authorization": "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20260101/us-east-1/ec2/"
        "aws4_request, SignedHeaders=host, Signature=x",
        "Content-Type": "application/x-www-form-urlencoded",
    }

    def send(session: requests.Session, thread: int, n: int) -> requests.Response:
        return session.post(url, data="Action=DescribeRegions&Version=2016-11-15", headers=aws)

    return load(url, send)


def wrk(url: str, *, script: str | None = None, headers: tuple[str, ...] = ()) -> Load:
    """One round of ``wrk`` against ``url``; every answer must be a success."""
    assert WRK is not None
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as lua:
        lua.write(script or "")
    command = [WRK, "-t1", f"-c{WRK_CONNECTIONS}", f"-d{WRK_SECONDS}s", "-s", lua.name]
    for header in headers:
        command += ["-H", header]
    try:
        result = subprocess.run(
            [*command, url], capture_output=True, text=True, timeout=WRK_SECONDS + 60, check=True
        )
    finally:
        Path(lua.name).unlink()
    said = result.stdout
    if "Non-2xx or 3xx responses" in said:
        raise RuntimeError(f"wrk met failed answers at {url}: {said}")
    rate = float(said.split("Requests/sec:")[1].split()[0])
    count = int(said.split(" requests in ")[0].split()[-1])
    return Load(rate, count)


def wrk_creates(url: str) -> Load:
    """``POST /v1/videos`` from ``wrk``, a key each."""
    return wrk(f"{url}/v1/videos", script=CREATE_SCRIPT)


def wrk_status_reads(url: str) -> Load:
    """``GET /v1/videos/{id}`` from ``wrk``, of one video created first."""
    key = "Authorization: Bearer sk-wrk-read"
    created = requests.post(
        f"{url}/v1/videos", json=CREATE_BODY, headers={"Authorization": key.split(": ")[1]}
    )
    return wrk(f"{url}/v1/videos/{created.json()['id']}", headers=(key,))


@dataclass
class Comparison:
    """Our throughput and a peer's, each the median of ``ROUNDS`` alternating rounds; and,
    where the system says, each server's CPU time a request (microseconds, all its
    processes), which the machine's load moves far less than throughput."""

    name: str
    ours: list[float]
    theirs: list[float]
    ours_cpu: list[float] = field(default_factory=list)
    theirs_cpu: list[float] = field(default_factory=list)

    @property
    def ratio(self) -> float:
        return statistics.median(self.ours) / statistics.median(self.theirs)

    @property
    def cpu_ratio(self) -> float | None:
        """Our CPU a request over the peer's (lower is cheaper), when both were measured."""
        if not self.ours_cpu or not self.theirs_cpu:
            return None
        return statistics.median(self.ours_cpu) / statistics.median(self.theirs_cpu)


def cpu_seconds(group: int) -> float | None:
    """CPU seconds spent so far by the processes of a process group (Linux's ``/proc``);
    ``None`` where the system does not say."""
    proc = Path("/proc")
    if not proc.is_dir():
        return None
    ticks = 0
    for entry in proc.iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue  # a process that ended meanwhile
        if int(fields[2]) == group:  # the process group
            ticks += int(fields[11]) + int(fields[12])  # user and system time
    return ticks / os.sysconf("SC_CLK_TCK")


@dataclass
class Measured:
    """A measure run against one server, keeping the server's CPU time a request."""

    peer: Peer
    measure: Callable[[str], Load]
    cpu: list[float] = field(default_factory=list)

    def __call__(self) -> float:
        before = cpu_seconds(self.peer.process.pid)
        done = self.measure(self.peer.url)
        after = cpu_seconds(self.peer.process.pid)
        if before is not None and after is not None:
            self.cpu.append((after - before) / done.requests * 1e6)
        return done.rate


def warm_up(url: str) -> None:
    """A round before the measured ones, so a server that compiles as it runs (Node does) is
    measured warm."""
    for _, measure, _ in MEASURES:
        measure(url)


def alternate(
    name: str, ours: Callable[[], float], theirs: Callable[[], float], rounds: int
) -> Comparison:
    """Measure both ``rounds`` times, taking turns at going first."""
    comparison = Comparison(name, [], [])
    for round_ in range(rounds):
        order = [(comparison.ours, ours), (comparison.theirs, theirs)]
        for results, measure in order if round_ % 2 == 0 else reversed(order):
            results.append(measure())
    return comparison


@contextlib.contextmanager
def running(peer: Peer) -> Iterator[Peer]:
    """A started peer, stopped however the block ends."""
    try:
        yield peer
    finally:
        peer.stop()


def node_version() -> str:
    node = shutil.which("node")
    if node is None:
        return "no Node.js"
    result = subprocess.run([node, "--version"], capture_output=True, text=True, timeout=30)
    return f"Node.js {result.stdout.strip()}"


#: What is measured against Prism, how, and the ratio to Prism the mock must reach.
MEASURES: tuple[tuple[str, Callable[[str], Load], float], ...] = (
    *(
        (
            (f"creates (POST /v1/videos), wrk, {WRK_CONNECTIONS} connections", wrk_creates, 3.5),
            (f"status reads (GET /v1/videos/{{id}}), wrk, {WRK_CONNECTIONS} connections",
             wrk_status_reads, 10.0),
        )
        if WRK is not None
        else ()
    ),
    (
        f"creates (POST /v1/videos), {THREADS} requests threads, polls progression, "
        f"{THREADS * PER_THREAD:,} more unfinished jobs a round",
        creates,
        1.8,
    ),
    (f"status reads (GET /v1/videos/{{id}}), {THREADS} requests threads", status_reads, 1.3),
)  # fmt: skip
#: The words for a contender that is the server stack's ceiling.
CEILING = "a no-work WSGI app on the same server (the ceiling)"


def against_prism(mock: Peer, prism: Path, logs: Path, rounds: int) -> list[Comparison]:
    """The mock, and the no-work app on the same server (the ceiling), each against Prism."""
    document = prefixed_document(cache_folder())
    with running(start_prism(prism, document, logs)) as peer, running(start_bare(logs)) as bare:
        warm_up(peer.url)
        warm_up(bare.url)
        if WRK is None:
            print("  the wrk load skipped: wrk is not installed (apt install wrk)", flush=True)
        comparisons = []
        for name, measure, _ in MEASURES:
            measured = {}
            for who, server in (("sora-mock serve", mock), (CEILING, bare)):
                ours, theirs = Measured(server, measure), Measured(peer, measure)
                comparison = alternate(f"{name}: {who} vs Prism", ours, theirs, rounds)
                comparison.ours_cpu, comparison.theirs_cpu = ours.cpu, theirs.cpu
                comparisons.append(comparison)
                measured[who] = comparison
            mock_side, ceiling_side = measured["sora-mock serve"], measured[CEILING]
            comparisons.append(
                Comparison(
                    f"{name}: the mock's share of its server stack (vs {CEILING})",
                    mock_side.ours,
                    ceiling_side.ours,
                    mock_side.ours_cpu,
                    ceiling_side.ours_cpu,
                )
            )
        return comparisons


def target_of(name: str) -> float | None:
    """The ratio to Prism a comparison of the mock must reach; ``None`` for the others."""
    if "vs Prism" not in name or CEILING in name:
        return None
    return next((target for measure, _, target in MEASURES if name.startswith(measure)), None)


def against_moto(mock: Peer, logs: Path, rounds: int) -> list[Comparison]:
    """The mock's status reads against moto's nearest call, when moto's server is here."""
    moto = start_moto(logs)
    if moto is None:
        return []
    with running(moto):
        moto_reads(moto.url)  # its warm-up round
        return [
            alternate(
                "status reads: sora-mock serve vs moto_server's DescribeRegions",
                lambda: status_reads(mock.url).rate,
                lambda: moto_reads(moto.url).rate,
                rounds,
            )
        ]


def compare(rounds: int = ROUNDS, placement: Placement | None = None) -> list[Comparison]:
    """Run every peer comparison that can run here, the servers and the load placed apart
    when ``placement`` says where."""
    prism = install_prism(cache_folder())
    with tempfile.TemporaryDirectory(prefix="sora-peers-") as folder, placed(placement):
        logs = Path(folder)
        with running(start_mock(logs)) as mock:
            warm_up(mock.url)
            results = [] if prism is None else against_prism(mock, prism, logs, rounds)
            return results + against_moto(mock, logs, rounds)
