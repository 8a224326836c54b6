"""How clients that drip their request bodies slow everyone else down on a ``sora-mock serve``.

A dripping client sends a complete request head for ``POST /v1/videos`` declaring a body
past the inline limit (``Content-Length: 100000`` by default, over 64 KiB), then one body byte
every few seconds, forever. A server that gives each request that may wait a thread from a
fixed pool, and lets the thread wait for the body, runs out of threads once enough clients
drip; one that reads bodies on its event loop at a minimum rate does not.

This script, given the base URL of a running server:

1. prepares one completed video (``--progression instant`` completes it at once), downloads its
   MP4 once to render it (the first render is slow) and a few more times so that every worker
   process holds it; of the candidate videos it keeps the one whose MP4 is nearest 1 MB (the
   mock's MP4s are far smaller), and it uploads a 1 MB asset to the control API;
2. opens ``--drippers`` connections, all driven from one thread through ``selectors``; each
   sends its head, then one body byte every ``--interval`` seconds (the connections' bytes are
   spread evenly over the interval); a connection the server answers or closes is counted and
   opened again;
3. once every dripper has sent its head and a first body byte, and at least ``--warmup``
   seconds have passed, measures a normal client for ``--window`` seconds: three threads, each
   repeating one request on a fresh connection (``Connection: close``): the video's status,
   the video's content (a full download), the 1 MB asset (a full download through the
   control API) and the control API's clock;
4. prints one JSON line of results.

Example::

    sora-mock serve --port 8000 --progression instant &
    python benchmarks/drip.py http://127.0.0.1:8000 --drippers 64

Only the standard library and httpx are needed.
"""

from __future__ import annotations

import argparse
import contextlib
import errno
import json
import os
import selectors
import socket
import statistics
import sys
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import httpx

#: The owner key of the prepared video; the probes read with it.
OWNER_KEY = "sk-drip"
#: The videos a run may measure; the one whose MP4 is nearest :data:`TARGET_BYTES` is kept.
CANDIDATES: tuple[dict[str, str], ...] = (
    {"prompt": "drip", "model": "sora-2"},
    {"prompt": "drip", "model": "sora-2-pro", "size": "1792x1024", "seconds": "12"},
)
TARGET_BYTES = 1_000_000
#: The asset the download probe reads: 1 MB of bytes that do not compress.
ASSET_BYTES = 1_000_000
#: A probe slower than this is counted as slow.
SLOW_SECONDS = 1.0
#: A dripper slot is not opened again sooner than this after its last opening.
REOPEN_GAP_SECONDS = 1.0
#: Downloads of the prepared video before the window, at most.
MOST_WARM_DOWNLOADS = 40


# --------------------------------------------------------------------------- preparation


@dataclass
class Video:
    """The prepared video the probes read."""

    id: str
    request: dict[str, str]
    size_bytes: int
    first_download_seconds: float
    warm_download_seconds: list[float]
    renders_seen: int
    candidates: list[dict[str, Any]]
    asset_id: str = ""


def prepare(base: str, workers: int, warm_downloads: int, timeout: float) -> Video:
    """Create the candidate videos, render each once, and keep the one nearest 1 MB.

    Each worker process renders a video on its first download of it and keeps it in memory, so
    the kept video is downloaded again, each time on a new connection, until ``workers``
    renders (downloads slower than a second, the first one included) have been seen, and at
    least ``warm_downloads`` times.
    """
    headers = {"Authorization": f"Bearer {OWNER_KEY}", "Connection": "close"}
    limits = httpx.Limits(max_keepalive_connections=0)
    measured: list[dict[str, Any]] = []
    with httpx.Client(base_url=base, headers=headers, timeout=timeout, limits=limits) as client:
        for request in CANDIDATES:
            created = client.post("/v1/videos", json=request)
            created.raise_for_status()
            video_id = created.json()["id"]
            status = client.get(f"/v1/videos/{video_id}")
            status.raise_for_status()
            state = status.json()["status"]
            if state != "completed":
                raise RuntimeError(
                    f"video {video_id} is {state!r}, not completed "
                    "(run the server with --progression instant)"
                )
            started = time.perf_counter()
            content = client.get(f"/v1/videos/{video_id}/content")
            elapsed = time.perf_counter() - started
            content.raise_for_status()
            measured.append(
                {
                    "id": video_id,
                    "request": request,
                    "size_bytes": len(content.content),
                    "first_download_seconds": round(elapsed, 3),
                }
            )
        chosen = min(measured, key=lambda m: abs(m["size_bytes"] - TARGET_BYTES))
        renders = 1 if chosen["first_download_seconds"] > SLOW_SECONDS else 0
        warm: list[float] = []
        while len(warm) < MOST_WARM_DOWNLOADS and (len(warm) < warm_downloads or renders < workers):
            started = time.perf_counter()
            client.get(f"/v1/videos/{chosen['id']}/content").raise_for_status()
            elapsed = time.perf_counter() - started
            renders += elapsed > SLOW_SECONDS
            warm.append(round(elapsed, 3))
        asset = client.post(
            "/_mock/assets",
            content=os.urandom(ASSET_BYTES),
            headers={"Content-Type": "application/octet-stream"},
        )
        asset.raise_for_status()
    return Video(
        chosen["id"],
        chosen["request"],
        chosen["size_bytes"],
        chosen["first_download_seconds"],
        warm,
        renders,
        measured,
        asset.json()["id"],
    )


# --------------------------------------------------------------------------- drippers


@dataclass
class Drip:
    """One dripping connection (a slot is reopened with a fresh one when it ends)."""

    slot: int
    sock: socket.socket
    opened: float
    next_drip: float
    outgoing: bytearray
    head_left: int
    connecting: bool = True
    body_sent: int = 0
    answer: bytearray = field(default_factory=bytearray)


@dataclass
class DripStats:
    """What happened to the drippers (written by the drip thread, read after it stops)."""

    target: int
    opened: int = 0
    reopenings: int = 0
    ends: Counter[str] = field(default_factory=Counter)
    answers: Counter[str] = field(default_factory=Counter)
    lifetimes: list[float] = field(default_factory=list)
    body_bytes_sent: int = 0
    ready: threading.Event = field(default_factory=threading.Event)
    reopenings_in_window: int = 0
    fewest_open_in_window: int | None = None


class Dripper:
    """``count`` connections dripping a body, driven by one thread through a selector."""

    def __init__(self, base: str, count: int, interval: float, content_length: int) -> None:
        parts = urlsplit(base)
        self.address = (parts.hostname or "127.0.0.1", parts.port or 80)
        self.host = parts.netloc
        self.count = count
        self.interval = interval
        self.content_length = content_length
        self.stats = DripStats(target=count)
        self.selector = selectors.DefaultSelector()
        self.wake_read, self.wake_write = socket.socketpair()
        self.selector.register(self.wake_read, selectors.EVENT_READ, None)
        self.stopping = threading.Event()
        self.in_window = False
        self.drips: dict[int, Drip] = {}
        self.reopen_at: dict[int, float] = {}
        self.thread = threading.Thread(target=self.run, name="drippers", daemon=True)

    def head(self, slot: int) -> bytes:
        """The complete request head slot ``slot`` sends."""
        return (
            f"POST /v1/videos HTTP/1.1\r\n"
            f"Host: {self.host}\r\n"
            f"Authorization: Bearer sk-drip-{slot}\r\n"
            f"Content-Type: application/json\r\n"
            f"Content-Length: {self.content_length}\r\n"
            f"\r\n"
        ).encode("ascii")

    def start(self) -> None:
        self.thread.start()

    def stop(self) -> None:
        self.stopping.set()
        self.wake_write.send(b"x")
        self.thread.join()
        for drip in list(self.drips.values()):
            self.forget(drip)
        self.selector.close()
        self.wake_read.close()
        self.wake_write.close()

    def begin_window(self) -> None:
        """From now on, reopenings and the number of open drippers are also counted apart."""
        self.in_window = True
        self.stats.fewest_open_in_window = len(self.drips)

    # -- the drip thread

    def open(self, slot: int, now: float) -> None:
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setblocking(False)
        code = sock.connect_ex(self.address)
        if code not in (0, errno.EINPROGRESS):
            sock.close()
            self.stats.ends[f"connect:{errno.errorcode.get(code, code)}"] += 1
            self.reopen_at[slot] = now + REOPEN_GAP_SECONDS
            return
        # The first byte of each slot falls at its own point of the interval.
        phase = (
            self.interval * (slot + 1) / self.count
            if self.stats.opened < self.count
            else self.interval
        )
        head = self.head(slot)
        drip = Drip(slot, sock, now, now + phase, bytearray(head), len(head))
        self.drips[slot] = drip
        self.selector.register(sock, selectors.EVENT_READ | selectors.EVENT_WRITE, drip)
        if self.stats.opened >= self.count:
            self.stats.reopenings += 1
            if self.in_window:
                self.stats.reopenings_in_window += 1
        self.stats.opened += 1

    def forget(self, drip: Drip) -> None:
        with contextlib.suppress(KeyError, ValueError):
            self.selector.unregister(drip.sock)
        drip.sock.close()
        self.drips.pop(drip.slot, None)

    def end(self, drip: Drip, reason: str, now: float) -> None:
        """The server answered or closed ``drip``: count it and open the slot again soon."""
        self.stats.ends[reason] += 1
        if drip.answer:
            status = drip.answer.split(b"\r\n", 1)[0].decode("latin-1", "replace")
            self.stats.answers[status[:40]] += 1
        self.stats.lifetimes.append(now - drip.opened)
        self.forget(drip)
        self.reopen_at[drip.slot] = max(now, drip.opened + REOPEN_GAP_SECONDS)

    def watch(self, drip: Drip) -> None:
        events = selectors.EVENT_READ | (selectors.EVENT_WRITE if drip.outgoing else 0)
        self.selector.modify(drip.sock, events, drip)

    def on_event(self, drip: Drip, mask: int, now: float) -> None:
        if drip.connecting and mask & (selectors.EVENT_WRITE | selectors.EVENT_READ):
            code = drip.sock.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
            if code:
                self.end(drip, f"connect:{errno.errorcode.get(code, code)}", now)
                return
            drip.connecting = False
        if mask & selectors.EVENT_READ:
            try:
                data = drip.sock.recv(65536)
            except OSError as exc:
                self.end(drip, f"recv:{errno.errorcode.get(exc.errno or 0, exc.errno)}", now)
                return
            if not data:
                self.end(drip, "closed" if not drip.answer else "answered", now)
                return
            drip.answer += data
            if b"\r\n\r\n" in drip.answer:  # a whole answer head: this request is over
                self.end(drip, "answered", now)
                return
        if mask & selectors.EVENT_WRITE and drip.outgoing:
            self.send(drip, now)

    def send(self, drip: Drip, now: float) -> None:
        try:
            sent = drip.sock.send(drip.outgoing)
        except BlockingIOError:
            return
        except OSError as exc:
            self.end(drip, f"send:{errno.errorcode.get(exc.errno or 0, exc.errno)}", now)
            return
        of_head = min(drip.head_left, sent)
        drip.head_left -= of_head
        body = sent - of_head
        drip.body_sent += body
        self.stats.body_bytes_sent += body
        del drip.outgoing[:sent]
        self.watch(drip)

    @staticmethod
    def sending(drip: Drip) -> bool:
        """Whether ``drip`` is connected and its head is out: its body may drip."""
        return not drip.connecting and drip.head_left == 0

    def run(self) -> None:
        now = time.monotonic()
        for slot in range(self.count):
            self.open(slot, now)
        while not self.stopping.is_set():
            now = time.monotonic()
            for slot, when in list(self.reopen_at.items()):
                if when <= now:
                    del self.reopen_at[slot]
                    self.open(slot, now)
            if self.in_window:
                # Counted after the reopenings: a slot waits only when it ended within
                # REOPEN_GAP_SECONDS of opening, or could not connect.
                open_now = len(self.drips)
                fewest = self.stats.fewest_open_in_window
                self.stats.fewest_open_in_window = (
                    open_now if fewest is None else min(fewest, open_now)
                )
            for drip in list(self.drips.values()):
                if drip.next_drip <= now and self.sending(drip):
                    if drip.body_sent < self.content_length - 1:  # never let the body end
                        drip.outgoing += b" "
                        self.send(drip, now)
                    drip.next_drip = now + self.interval
            if (
                not self.stats.ready.is_set()
                and len(self.drips) == self.count
                and all(d.body_sent > 0 for d in self.drips.values())
            ):
                self.stats.ready.set()
            # The pacing: wait for the next drip or reopening, or for the server.
            # A dripper still connecting or sending its head is woken by the selector instead.
            dues = [d.next_drip for d in self.drips.values() if self.sending(d)]
            dues += self.reopen_at.values()
            wait = max(0.0, min(dues) - time.monotonic()) if dues else None
            for key, mask in self.selector.select(wait):
                if key.data is None:
                    continue  # woken to stop
                self.on_event(key.data, mask, time.monotonic())


# --------------------------------------------------------------------------- probes


@dataclass
class Probe:
    """One normal request, repeated on fresh connections through the window."""

    name: str
    path: str
    latencies: list[float] = field(default_factory=list)
    timeouts: int = 0
    errors: Counter[str] = field(default_factory=Counter)
    codes: Counter[int] = field(default_factory=Counter)
    bytes_read: list[int] = field(default_factory=list)

    def run(self, base: str, until: float, timeout: float) -> None:
        headers = {"Authorization": f"Bearer {OWNER_KEY}", "Connection": "close"}
        limits = httpx.Limits(max_keepalive_connections=0)
        with httpx.Client(base_url=base, headers=headers, timeout=timeout, limits=limits) as client:
            while time.monotonic() < until:
                started = time.perf_counter()
                try:
                    answer = client.get(self.path)
                    self.codes[answer.status_code] += 1
                    self.bytes_read.append(len(answer.content))
                except httpx.TimeoutException as exc:
                    self.timeouts += 1
                    self.errors[type(exc).__name__] += 1
                except httpx.HTTPError as exc:
                    self.errors[type(exc).__name__] += 1
                self.latencies.append(time.perf_counter() - started)

    def summary(self) -> dict[str, Any]:
        values = self.latencies
        return {
            "count": len(values),
            "max_s": round(max(values), 3) if values else None,
            "median_s": round(statistics.median(values), 4) if values else None,
            "over_1s": sum(value > SLOW_SECONDS for value in values),
            "timeouts": self.timeouts,
            "errors": dict(self.errors),
            "codes": {str(code): n for code, n in sorted(self.codes.items())},
            "bytes_min": min(self.bytes_read) if self.bytes_read else None,
        }


def measure(base: str, video: Video, window: float, timeout: float) -> dict[str, Probe]:
    """Run the four probes side by side for ``window`` seconds."""
    probes = {
        "status": Probe("status", f"/v1/videos/{video.id}"),
        "content": Probe("content", f"/v1/videos/{video.id}/content"),
        "download_1mb": Probe("download_1mb", f"/_mock/assets/{video.asset_id}"),
        "control": Probe("control", "/_mock/clock"),
    }
    until = time.monotonic() + window
    threads = [
        threading.Thread(target=probe.run, args=(base, until, timeout), name=name)
        for name, probe in probes.items()
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return probes


# --------------------------------------------------------------------------- main


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("url", help="the server's base URL, e.g. http://127.0.0.1:8000")
    parser.add_argument("--drippers", type=int, default=32, help="dripping connections (32)")
    parser.add_argument(
        "--interval", type=float, default=8.0, help="seconds between a dripper's body bytes (8)"
    )
    parser.add_argument(
        "--content-length",
        type=int,
        default=100_000,
        help="the body length a dripper declares (100000: over 64 KiB)",
    )
    parser.add_argument(
        "--warmup",
        type=float,
        default=10.0,
        help="least seconds of dripping before the window (10)",
    )
    parser.add_argument("--window", type=float, default=30.0, help="seconds measured (30)")
    parser.add_argument("--timeout", type=float, default=35.0, help="a probe's timeout (35)")
    parser.add_argument(
        "--workers",
        type=int,
        default=1,
        help="the server's worker processes: each must render the MP4 first (1)",
    )
    parser.add_argument(
        "--warm-downloads",
        type=int,
        default=8,
        help="least downloads after the first, before the window (8)",
    )
    parser.add_argument("--label", default="", help="a free label copied into the results")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    base = args.url.rstrip("/")
    load_before = os.getloadavg()
    video = prepare(base, args.workers, args.warm_downloads, args.timeout)
    dripper = Dripper(base, args.drippers, args.interval, args.content_length)
    started = time.monotonic()
    dripper.start()
    try:
        # Warm-up: every dripper has sent a head and a byte, and ``--warmup`` seconds passed.
        dripper.stats.ready.wait(timeout=max(args.warmup, 3 * args.interval))
        remaining = args.warmup - (time.monotonic() - started)
        if remaining > 0:
            dripper.stopping.wait(remaining)
        warmed = time.monotonic() - started
        open_at_window = len(dripper.drips)
        dripper.begin_window()
        probes = measure(base, video, args.window, args.timeout)
        open_at_end = len(dripper.drips)
    finally:
        dripper.stop()
    stats = dripper.stats
    result: dict[str, Any] = {
        "label": args.label,
        "url": base,
        "drippers": args.drippers,
        "interval_s": args.interval,
        "content_length": args.content_length,
        "warmup_s": round(warmed, 2),
        "window_s": args.window,
        "loadavg_before": [round(x, 2) for x in load_before],
        "loadavg_after": [round(x, 2) for x in os.getloadavg()],
        "video": {
            "id": video.id,
            "request": video.request,
            "size_bytes": video.size_bytes,
            "first_download_s": video.first_download_seconds,
            "warm_downloads_s": video.warm_download_seconds,
            "renders_seen": video.renders_seen,
            "candidates": video.candidates,
        },
        "probes": {name: probe.summary() for name, probe in probes.items()},
        "drip": {
            "all_established": stats.ready.is_set(),
            "opened": stats.opened,
            "reopenings": stats.reopenings,
            "reopenings_in_window": stats.reopenings_in_window,
            "open_at_window_start": open_at_window,
            "fewest_open_in_window": stats.fewest_open_in_window,
            "open_at_end": open_at_end,
            "ends": dict(stats.ends),
            "answers": dict(stats.answers),
            "lifetime_min_s": round(min(stats.lifetimes), 2) if stats.lifetimes else None,
            "lifetime_max_s": round(max(stats.lifetimes), 2) if stats.lifetimes else None,
            "body_bytes_sent": stats.body_bytes_sent,
        },
    }
    print(json.dumps(result), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
