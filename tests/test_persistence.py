"""The SQLite store: the same behaviour as memory, and everything kept across restarts."""

from __future__ import annotations

import subprocess
import sys
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
import pytest

from mock_server import create_app, state_of
from mock_server.backend.clock import MockClock
from mock_server.backend.database import SqliteDatabase
from mock_server.backend.history import FaultStep, StateStep
from mock_server.backend.job import Job
from mock_server.backend.job_store import InMemoryJobStore, JobStore, SqliteJobStore
from mock_server.domain import ReferenceImage
from sora_testkit import httpx_client, openai_client
from tests.conftest import AUTH
from tests.helpers import image_bytes, named_file
from tests.receiver import Receiver
from tests.served import Served

START = 1_760_000_000.0


@pytest.fixture(params=["memory", "sqlite"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> JobStore:
    if request.param == "memory":
        return InMemoryJobStore()
    return SqliteJobStore(SqliteDatabase(tmp_path / "jobs.db"))


def make_job(store: JobStore, dialect: str = "openai", **changes: Any) -> Job:
    seq = store.next_seq()
    job = Job(
        id=f"video_{seq:032d}",
        seq=seq,
        dialect=dialect,
        owner="sk-x",
        model="sora-2",
        prompt="x",
        width=720,
        height=1280,
        seconds=4,
        created_at=START + seq,
        duration=65.0,
        steps=4,
        **changes,
    )
    store.add(job)
    return job


def test_stores_page_in_creation_order_by_dialect(store: JobStore) -> None:
    ids = [make_job(store, "openai" if n % 3 else "uniall").id for n in range(10)]
    native = [i for n, i in enumerate(ids) if n % 3]
    page = store.page(dialects=("openai",), order="asc", after=None, limit=4)
    assert page is not None and [j.id for j in page.jobs] == native[:4] and page.has_more
    page = store.page(dialects=("openai",), order="asc", after=native[3], limit=10)
    assert page is not None and [j.id for j in page.jobs] == native[4:] and not page.has_more
    page = store.page(dialects=("openai",), order="desc", after=native[2], limit=10)
    assert page is not None and [j.id for j in page.jobs] == list(reversed(native[:2]))
    assert store.page(dialects=("openai",), order="asc", after="video_nope", limit=1) is None
    empty = store.page(dialects=("openai",), order="desc", after=None, limit=0)
    assert empty is not None and empty.jobs == [] and empty.has_more


def test_stores_keep_changes_and_track_unfinished(store: JobStore) -> None:
    reference = ReferenceImage(image_bytes(720, 1280), "png", 720, 1280)
    script = [StateStep("in_progress", 10), FaultStep(429, 5), StateStep("completed", 100)]
    job = make_job(
        store, reference=reference, script=script, origin="http://x", callback_url="http://y/c"
    )
    other = make_job(store)
    job.move_to(1.0, START + 100)
    store.save(job)
    kept = store.get(job.id)
    assert kept is not None
    assert (kept.status, kept.progress, kept.completed_at) == ("completed", 100, START + 100)
    assert kept.reference == reference
    assert (kept.script, kept.origin, kept.callback_url) == (script, "http://x", "http://y/c")
    assert kept == job
    assert [j.id for j in store.unfinished()] == [other.id]
    assert store.remove(other.id) and not store.remove(other.id)
    assert store.get(other.id) is None
    assert store.next_seq() == 3
    store.clear()
    assert store.get(job.id) is None


def settings(db: Path, **extra: Any) -> dict[str, Any]:
    return {
        "db": str(db),
        "background_worker": False,
        "validate_responses": "error",
        "clock_start": START,
        **extra,
    }


def test_jobs_assets_clock_and_deliveries_survive_a_restart(tmp_path: Path) -> None:
    db = tmp_path / "mock.db"
    receiver = Receiver(statuses=[500])
    try:
        app = create_app(settings(db, progression="manual"))
        with httpx_client(app, headers=AUTH) as http:
            queued = http.post("/v1/videos", json={"prompt": "queued"}).json()
            task = http.post(
                "/api/v1/generateTask/sora-2-pro",
                json={
                    "request_type": "callback",
                    "callback_url": receiver.url,
                    "input": {"mode": "text-to-video", "prompt": "x"},
                },
            ).json()["data"]["taskId"]
            http.post("/_mock/clock/advance", json={"seconds": 200})
            http.post("/_mock/deliveries/flush")
            gen = http.post(
                "/v1/video/generations", json={"model": "sora2-landscape-4s", "prompt": "gen"}
            ).json()
            asset = http.post(
                "/_mock/assets", content=image_bytes(8, 8), headers={"Content-Type": "image/png"}
            ).json()
            before = {
                "native": http.get(f"/v1/videos/{queued['id']}").json(),
                "task": http.get("/api/v1/statusTask/sora-2-pro", params={"taskId": task}).json(),
                "list": http.get("/v1/videos").json(),
                "clock": http.get("/_mock/clock").json(),
            }
        state_of(app).close()

        again = create_app(settings(db, progression="manual"))
        with httpx_client(again, headers=AUTH) as http:
            assert http.get("/_mock/clock").json() == before["clock"]
            assert http.get(f"/v1/videos/{queued['id']}").json() == before["native"]
            assert (
                http.get("/api/v1/statusTask/sora-2-pro", params={"taskId": task}).json()
                == before["task"]
            )
            assert http.get("/v1/videos").json() == before["list"]
            assert http.get(f"/v1/videos/{gen['id']}").json()["status"] == "queued"
            assert http.get(asset["url"]).content == image_bytes(8, 8)
            [delivery] = http.get("/_mock/deliveries").json()["deliveries"]
            assert [a["status"] for a in delivery["attempts"]] == [500]
            http.post("/_mock/clock/advance", json={"seconds": 30})
            [delivery] = http.post("/_mock/deliveries/flush").json()["deliveries"]
            assert delivery["state"] == "delivered"
            http.post("/_mock/reset")
            assert http.get("/v1/videos").json()["data"] == []
        state_of(again).close()
        assert len(receiver.received) == 2
    finally:
        receiver.close()


def test_the_sdk_flow_runs_on_the_sqlite_store(tmp_path: Path) -> None:
    app = create_app(settings(tmp_path / "mock.db", progression="polls", clock_start=None))
    sdk = openai_client(app)
    ref = image_bytes(1280, 720, "JPEG")
    video = sdk.videos.create_and_poll(
        prompt="x", size="1280x720", input_reference=named_file(ref, "r.jpg")
    )
    assert video.status == "completed"
    assert sdk.videos.download_content(video.id).content[4:8] == b"ftyp"
    remix = sdk.videos.poll(sdk.videos.remix(video.id, prompt="y").id)
    assert remix.remixed_from_video_id == video.id
    assert [v.id for v in sdk.videos.list()] == [remix.id, video.id]
    assert sdk.videos.delete(video.id).deleted
    assert state_of(app).contract_violations == []


@pytest.mark.parametrize(("frozen", "expected"), [(False, START + 50), (True, START)])
def test_a_restored_clock_counts_downtime_only_when_running(frozen: bool, expected: float) -> None:
    wall = [1000.0]
    clock = MockClock(START, frozen=frozen, wall=lambda: wall[0])
    snapshot = clock.snapshot()
    wall[0] += 50
    restored = MockClock(wall=lambda: wall[0])
    restored.restore(snapshot)
    assert restored.now() == expected
    assert restored.frozen is frozen


# --- kill -9 in the middle of a burst ---------------------------------------------------------


def burst_server(db: Path, workers: int) -> tuple[str, ...]:
    return (
        *("--db", str(db), "--workers", str(workers), "--progression", "instant"),
        *("--concurrent-jobs", "0", "--quiet"),
    )


@pytest.fixture
def db(tmp_path: Path) -> Iterator[Path]:
    yield tmp_path / "burst.db"


@pytest.mark.parametrize("workers", [1, 3])
def test_every_answered_job_survives_kill_9_during_a_burst(db: Path, workers: int) -> None:
    served = Served(*burst_server(db, workers))
    answered: list[str] = []
    enough = threading.Event()
    lock = threading.Lock()

    def create_until_the_server_dies() -> None:
        with httpx.Client(base_url=served.url, headers=AUTH, timeout=10) as client:
            for _ in range(2000):
                try:
                    response = client.post("/v1/videos", json={"prompt": "burst"})
                except httpx.HTTPError:
                    return
                if response.status_code == 200:
                    with lock:
                        answered.append(response.json()["id"])
                        if len(answered) >= 150:
                            enough.set()

    with ThreadPoolExecutor(6) as pool:
        for _ in range(6):
            pool.submit(create_until_the_server_dies)
        assert enough.wait(timeout=60), f"only {len(answered)} creates were answered"
        served.kill()

    restarted = Served(*burst_server(db, workers))
    try:
        with httpx.Client(base_url=restarted.url, headers=AUTH, timeout=10) as client:
            missing = [i for i in answered if client.get(f"/v1/videos/{i}").status_code != 200]
    finally:
        restarted.kill()
    assert len(answered) >= 150
    assert missing == []


@pytest.mark.parametrize("workers", ["1", "2"])
@pytest.mark.parametrize(
    ("make_path", "reason"),
    [
        (lambda tmp: tmp / "missing" / "mock.db", "unable to open database file"),
        (lambda tmp: tmp / "notes.txt", "file is not a database"),
    ],
    ids=["missing-folder", "not-a-database"],
)
def test_an_unusable_database_is_refused_in_one_line(
    tmp_path: Path, workers: str, make_path: Any, reason: str
) -> None:
    path = make_path(tmp_path)
    if path.suffix == ".txt":
        path.write_text("these are notes, not a database\n" * 100)
    result = subprocess.run(
        [sys.executable, "-m", "mock_server.cli", "serve", "--port", "0", "--db", str(path),
         "--workers", workers],
        capture_output=True,
        text=True,
        timeout=30,
    )  # fmt: skip
    assert result.returncode == 2
    assert result.stderr == f"sora-mock: cannot use {path} as a database: {reason}\n"
