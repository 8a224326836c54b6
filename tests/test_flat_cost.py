"""What one request costs does not grow with the stored jobs: nothing walks them all.

Speed itself is measured by ``benchmarks/run.py`` (creates/s and list latency at 1k, 10k and
100k unfinished jobs); here the mechanism is proved: a create, a read and a list never ask the
store for every unfinished job, and jobs still finish on time, by their due time.
"""

from __future__ import annotations

import contextlib
import json
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from mock_server import create_app, state_of
from mock_server.backend.job_store import JobStore
from sora_testkit import httpx_client
from tests.conftest import AUTH

START = 1_760_000_000.0


def settings(tmp_path: Path, store: str, **extra: Any) -> dict[str, Any]:
    config: dict[str, Any] = {"clock_start": START, "background_worker": False, **extra}
    if store == "sqlite":
        config["db"] = str(tmp_path / "jobs.sqlite3")
    return config


@pytest.fixture(params=["memory", "sqlite"])
def store_kind(request: pytest.FixtureRequest) -> str:
    return str(request.param)


def forbid_walks(store: JobStore, monkeypatch: pytest.MonkeyPatch) -> None:
    def walk() -> None:
        raise AssertionError("a request walked every unfinished job")

    monkeypatch.setattr(store, "unfinished", walk)


@pytest.mark.parametrize("progression", ["polls", "time", "manual", "instant"])
def test_requests_never_walk_the_unfinished_jobs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, store_kind: str, progression: str
) -> None:
    app = create_app(settings(tmp_path, store_kind, progression=progression, concurrent_jobs=3))
    with httpx_client(app, headers=AUTH) as http:
        for n in range(5):
            other = {"Authorization": f"Bearer sk-other-{n}"}
            assert http.post("/v1/videos", json={"prompt": "x"}, headers=other).status_code == 200
        forbid_walks(state_of(app).store, monkeypatch)
        video = http.post("/v1/videos", json={"prompt": "mine"}).json()
        assert http.get(f"/v1/videos/{video['id']}").status_code == 200
        assert http.get("/v1/videos", params={"limit": 3}).status_code == 200
        status = http.get("/_mock/").json()
    assert status["unfinished_jobs"] == (0 if progression == "instant" else 6)


def test_the_limit_counts_only_the_keys_own_jobs(tmp_path: Path, store_kind: str) -> None:
    app = create_app(settings(tmp_path, store_kind, progression="manual", concurrent_jobs=2))
    with httpx_client(app, headers=AUTH) as http:
        for n in range(30):
            other = {"Authorization": f"Bearer sk-other-{n}"}
            http.post("/v1/videos", json={"prompt": "x"}, headers=other)
        assert http.post("/v1/videos", json={"prompt": "1"}).status_code == 200
        assert http.post("/v1/videos", json={"prompt": "2"}).status_code == 200
        third = http.post("/v1/videos", json={"prompt": "3"})
        assert third.headers["x-sora-mock-rule"] == "rate_limit.concurrent_jobs"
        http.post("/_mock/clock/advance", json={"seconds": 65})  # a sora-2 4 s video is done
        assert http.post("/v1/videos", json={"prompt": "3"}).status_code == 200


def test_due_jobs_finish_without_a_read_and_publish(tmp_path: Path, store_kind: str) -> None:
    app = create_app(settings(tmp_path, store_kind, progression="manual", concurrent_jobs=0))
    with httpx_client(app, headers=AUTH) as http:
        short = http.post("/v1/videos", json={"prompt": "x"}).json()["id"]
        pro = http.post("/v1/videos", json={"prompt": "x", "model": "sora-2-pro"}).json()["id"]
        http.post("/_mock/clock/advance", json={"seconds": 65})
        assert http.get("/_mock/").json()["unfinished_jobs"] == 1
        assert state_of(app).store.get(short).status == "completed"  # type: ignore[union-attr]
        http.post("/_mock/clock/advance", json={"seconds": 20})
        assert http.get("/_mock/").json()["unfinished_jobs"] == 0
        assert http.get(f"/v1/videos/{pro}").json()["completed_at"] == START + 85


def test_switching_progression_reschedules_every_unfinished_job(
    tmp_path: Path, store_kind: str
) -> None:
    app = create_app(settings(tmp_path, store_kind, progression="polls", concurrent_jobs=0))
    with httpx_client(app, headers=AUTH) as http:
        ids = [http.post("/v1/videos", json={"prompt": f"{n}"}).json()["id"] for n in range(4)]
        http.post("/_mock/progression", json={"mode": "manual"})
        first = state_of(app).store.get(ids[0])
        assert first is not None and first.due_at == first.created_at + 65
        http.post("/_mock/clock/advance", json={"seconds": 65})
        assert http.get("/_mock/").json()["unfinished_jobs"] == 0
        more = [http.post("/v1/videos", json={"prompt": "x"}).json()["id"] for _ in range(2)]
        http.post("/_mock/progression", json={"mode": "polls"})
        assert state_of(app).store.get(more[0]).due_at is None  # type: ignore[union-attr]
        http.post("/_mock/progression", json={"mode": "instant"})
        assert http.get("/_mock/").json()["unfinished_jobs"] == 0


def test_a_database_from_before_the_indexes_is_brought_up_to_date(tmp_path: Path) -> None:
    """A file written before jobs had owner and due-time columns: migrated, and its unfinished
    jobs get their due times when the server starts."""
    db = tmp_path / "old.sqlite3"
    app = create_app(settings(tmp_path, "memory", progression="manual", db=str(db)))
    with httpx_client(app, headers=AUTH) as http:
        video = http.post("/v1/videos", json={"prompt": "old"}).json()["id"]
    state_of(app).close()
    old = sqlite3.connect(db)
    data = json.loads(old.execute("SELECT data FROM jobs").fetchone()[0])
    del data["due_at"]
    old.executescript(
        "DROP INDEX jobs_by_dialect; DROP INDEX jobs_active; DROP INDEX jobs_due;"
        "DROP INDEX jobs_by_status; ALTER TABLE jobs DROP COLUMN status;"
        "DROP INDEX jobs_active_on_deployment; DROP TABLE active_slots; DROP TABLE job_counts;"
        "DROP INDEX deliveries_pending; DROP INDEX deliveries_by_position;"
        "ALTER TABLE jobs DROP COLUMN owner; ALTER TABLE jobs DROP COLUMN due_at;"
        "ALTER TABLE jobs DROP COLUMN deployment; ALTER TABLE jobs DROP COLUMN finish_at;"
        "ALTER TABLE deliveries DROP COLUMN state; ALTER TABLE deliveries DROP COLUMN due_at;"
        "ALTER TABLE deliveries DROP COLUMN receiver;"
        "CREATE INDEX jobs_unfinished ON jobs (terminal) WHERE terminal = 0;"
    )
    old.execute("UPDATE jobs SET data = ?", (json.dumps(data),))
    old.commit()
    old.close()

    again = create_app(settings(tmp_path, "memory", progression="manual", db=str(db)))
    state = state_of(again)
    columns = {row[1] for row in sqlite3.connect(db).execute("PRAGMA table_info(jobs)")}
    assert {"owner", "due_at", "deployment", "finish_at"} <= columns
    key = AUTH["Authorization"].split()[1]
    active = state.store.active([(key, "openai", "*")])
    assert active.count == 1  # counted from the file's unfinished jobs
    assert state.store.unfinished_count() == 1
    job = state.store.get(video)
    assert job is not None and active.soonest_finish == job.created_at + job.duration
    state.advance_clock(65)
    assert state.store.get(video).status == "completed"  # type: ignore[union-attr]


def test_pages_hold_one_dialects_jobs_in_order(tmp_path: Path, store_kind: str) -> None:
    config = settings(tmp_path, store_kind, progression="instant", concurrent_jobs=0)
    app = create_app(config)
    with httpx_client(app, headers=AUTH) as http:
        native = [http.post("/v1/videos", json={"prompt": f"{n}"}).json()["id"] for n in range(5)]
        for _ in range(7):
            body = {"model": "sora2-landscape-4s", "prompt": "x"}
            http.post("/v1/video/generations", json=body)
        page = http.get("/v1/videos", params={"limit": 2, "after": native[3]}).json()
        assert [v["id"] for v in page["data"]] == [native[2], native[1]]
        assert page["has_more"] is True
        asc = http.get("/v1/videos", params={"limit": 10, "order": "asc", "after": native[1]})
        assert [v["id"] for v in asc.json()["data"]] == native[2:]


# --- work counts: what a request does is the same at 1k and 100k stored jobs -------------------

#: The key that owns every seeded job: the busy key of a shared staging fake.
BUSY = "sk-busy"


def seed_unfinished(app: Any, count: int, owner: str = BUSY) -> None:
    """``count`` unfinished jobs of ``owner``, stored directly (creating them would take long)."""
    from dataclasses import replace

    from mock_server.domain import VideoRequest

    state = state_of(app)
    store = state.store
    template = state.service.create(
        VideoRequest("a seeded job", "sora-2", 4, 720, 1280), dialect="openai", owner=owner
    )
    jobs = [replace(template, id=f"video_seed{n:027d}", seq=n + 2) for n in range(count)]
    if state.database is None:
        for job in jobs:
            store.add(job)
        return
    from mock_server.backend.job_store import job_to_row

    with state.database.transaction() as connection:  # one statement: far quicker than adds
        connection.executemany(
            "INSERT INTO jobs (id, seq, dialect, terminal, data, reference, owner, due_at, "
            "deployment, finish_at, status) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [job_to_row(job) for job in jobs],
        )
        connection.execute(
            "UPDATE active_slots SET count = count + ? WHERE owner = ?", (count, owner)
        )
        connection.execute(
            "UPDATE job_counts SET count = count + ? WHERE name = 'unfinished'", (count,)
        )
        state.database.set_meta("seq", count + 2)


def python_lines(action: Any) -> int:
    """How many lines of Python ``action`` runs (each pass of a loop counts): the work it
    does, whatever the machine's speed."""
    import gc
    import sys

    lines = [0]

    def trace(frame: Any, event: str, arg: Any) -> Any:
        if event == "line":
            lines[0] += 1
        return trace

    gc.collect()
    gc.disable()  # a collection's finalizers would run lines of their own
    sys.settrace(trace)
    try:
        action()
    finally:
        sys.settrace(None)
        gc.enable()
    return lines[0]


def sqlite_steps(app: Any, action: Any) -> int:
    """How many SQLite virtual machine steps (in hundreds) ``action`` makes on this thread."""
    database = state_of(app).database
    assert database is not None
    steps = [0]

    def step() -> int:
        steps[0] += 1
        return 0

    connection = database.connection()
    connection.set_progress_handler(step, 100)
    try:
        action()
    finally:
        connection.set_progress_handler(None, 100)
    return steps[0]


def assert_same_work(store: str, small: int, large: int) -> None:
    """The same work at both sizes: exactly, in lines of Python; on SQLite within an index's
    depth (the B-trees of the larger file are a level or two deeper)."""
    if store == "memory":
        assert large == small
    else:
        assert large <= small + 2


def busy_key_work(tmp_path: Path, store: str, count: int) -> tuple[int, int]:
    """The work of a create, and of a refused one, by a key with ``count`` unfinished jobs."""
    folder = tmp_path / f"{store}-{count}"
    folder.mkdir()
    # Room for the seeded jobs and their template, a warm-up create and the measured one;
    # the next is refused.
    app = create_app({**settings(folder, store, progression="polls"), "concurrent_jobs": count + 3})
    seed_unfinished(app, count)

    def measure(action: Any) -> int:
        return python_lines(action) if store == "memory" else sqlite_steps(app, action)

    with httpx_client(app, headers={"Authorization": f"Bearer {BUSY}"}) as http:

        def create() -> None:
            assert http.post("/v1/videos", json={"prompt": "x"}).status_code == 200

        def refused() -> None:
            response = http.post("/v1/videos", json={"prompt": "x"})
            assert response.status_code == 429
            assert response.headers["x-sora-mock-rule"] == "rate_limit.concurrent_jobs"

        create()  # caches filled before counting
        accepted = measure(create)
        refused()
        refusal = measure(refused)
    state_of(app).close()
    return accepted, refusal


def test_a_busy_keys_create_does_the_same_work_at_1k_and_100k_unfinished_jobs(
    tmp_path: Path, store_kind: str
) -> None:
    """The concurrency limit counts a key's jobs from counts kept as they start and finish:
    neither an accepted create nor a refused one lists the key's unfinished jobs (lines of
    Python run in memory; SQLite steps, which may grow by an index's depth, on a file)."""
    small = busy_key_work(tmp_path, store_kind, 1_000)
    large = busy_key_work(tmp_path, store_kind, 100_000)
    for little, big in zip(small, large, strict=True):
        assert_same_work(store_kind, little, big)


def azure_filter_work(tmp_path: Path, store: str, count: int) -> int:
    """The work of ``GET .../jobs?statuses=failed&limit=1`` over ``count`` succeeded Sora 1
    jobs and one failed one (the first made)."""
    from dataclasses import replace

    from mock_server import catalog
    from mock_server.domain import VideoRequest

    folder = tmp_path / f"azure-{store}-{count}"
    folder.mkdir()
    app = create_app({**settings(folder, store, progression="instant"), "azure_concurrent_jobs": 0})
    state = state_of(app)
    request = VideoRequest("a seeded job", "sora", 5, 480, 480, deployment="sora")
    made = state.service.create(request, dialect="azure_jobs", owner="k")
    failed = state.store.get(made.id)
    assert failed is not None
    failed.status = catalog.FAILED
    state.store.save(failed)
    template = state.service.create(request, dialect="azure_jobs", owner="k")
    with state.store.locked():
        for n in range(count):
            state.store.add(replace(template, id=f"task_seed{n:021d}", seq=state.store.next_seq()))
    key = {"api-key": "k"}
    with httpx_client(app, headers=key) as http:

        def filtered() -> None:
            found = http.get(
                "/openai/v1/video/generations/jobs",
                params={"statuses": "failed", "limit": 1, "api-version": "preview"},
            ).json()
            assert [job["id"] for job in found["data"]] == [failed.id]

        filtered()  # caches filled before counting
        work = python_lines(filtered) if store == "memory" else sqlite_steps(app, filtered)
    state.close()
    return work


def test_a_status_filter_reads_only_the_jobs_of_those_statuses(
    tmp_path: Path, store_kind: str
) -> None:
    """Azure Sora 1's ``statuses`` filter once paged through every job (168 ms at 40k, on the
    event loop); the store now files jobs by status."""
    small = azure_filter_work(tmp_path, store_kind, 1_000)
    large = azure_filter_work(tmp_path, store_kind, 20_000 if store_kind == "sqlite" else 100_000)
    assert_same_work(store_kind, small, large)


def control_status_work(tmp_path: Path, store: str, count: int) -> int:
    """The work of ``GET /_mock/`` with ``count`` unfinished jobs and as many past deliveries."""
    from mock_server.backend.deliveries import Delivery

    folder = tmp_path / f"status-{store}-{count}"
    folder.mkdir()
    app = create_app(settings(folder, store, progression="polls"))
    seed_unfinished(app, count)
    state = state_of(app)
    with state.database.transaction() if state.database else contextlib.nullcontext():
        for n in range(count // 10):
            past = Delivery(f"dlv_{n:08d}", "webhook", "http://127.0.0.1:9/h", b"{}", {}, 0.0, ())
            past.state = "delivered"
            state.outbox.store.add(past)
    with httpx_client(app, headers=AUTH) as http:

        def status() -> None:
            assert http.get("/_mock/").json()["unfinished_jobs"] == count + 1

        status()  # caches filled before counting
        work = python_lines(status) if store == "memory" else sqlite_steps(app, status)
    state_of(app).close()
    return work


def test_the_control_status_does_the_same_work_at_1k_and_100k_jobs(
    tmp_path: Path, store_kind: str
) -> None:
    """``GET /_mock/`` once counted every unfinished job and re-read every past delivery; it
    now reads counts kept as they change."""
    small = control_status_work(tmp_path, store_kind, 1_000)
    large = control_status_work(tmp_path, store_kind, 30_000 if store_kind == "sqlite" else 100_000)
    assert_same_work(store_kind, small, large)
