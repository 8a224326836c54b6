"""``sora-mock serve --workers N``: several granian worker processes that behave as one server.

Every test here talks to real worker processes over loopback, with many connections at once so
that requests land on different workers (each answer of ``GET /_mock/`` names its process).
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import threading
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, TypeVar

import httpx
import pytest

from tests.receiver import Receiver
from tests.served import Served

WORKERS = 3
LIMIT = 5
PER_MINUTE = 30
THREADS = 12

Result = TypeVar("Result")


def in_parallel(call: Callable[[int], Result], count: int) -> list[Result]:
    """``call(0)`` ... ``call(count - 1)`` from many threads, each on its own connection."""
    with ThreadPoolExecutor(THREADS) as pool:
        return list(pool.map(call, range(count)))


def auth(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


def every_worker_says(url: str, path: str, key: str) -> Any:
    """``GET path`` from many connections: the one value of ``key`` every worker answers."""
    answers = in_parallel(lambda _: httpx.get(f"{url}{path}").json()[key], 30)
    assert all(answer == answers[0] for answer in answers), answers
    return answers[0]


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    db = tmp_path_factory.mktemp("workers") / "shared.db"
    served = Served(
        *("--workers", str(WORKERS), "--db", str(db), "--progression", "manual"),
        *("--concurrent-jobs", str(LIMIT), "--rpm", str(PER_MINUTE), "--quiet"),
    )
    yield served
    assert served.stop() == 0


@pytest.fixture
def url(server: Served) -> str:
    """The server's URL, reset to a fresh mock for this test."""
    assert httpx.post(f"{server.url}/_mock/reset").status_code == 200
    return server.url


def test_requests_are_answered_by_several_worker_processes(url: str) -> None:
    processes = in_parallel(lambda _: httpx.get(f"{url}/_mock/").json()["process_id"], 60)
    assert len(set(processes)) >= 2, Counter(processes)
    assert os.getpid() not in processes


def test_ids_stay_unique_and_no_job_is_lost(url: str) -> None:
    httpx.post(f"{url}/_mock/progression", json={"mode": "instant"})

    def create(index: int) -> str:
        key = f"sk-burst-{index % 10}"  # 20 creates a key: under the per-minute limit
        response = httpx.post(f"{url}/v1/videos", json={"prompt": "x"}, headers=auth(key))
        assert response.status_code == 200, response.text
        return str(response.json()["id"])

    created = in_parallel(create, 200)
    assert len(set(created)) == 200
    listed: list[str] = []
    after: str | None = None
    with httpx.Client(base_url=url, headers=auth("sk-lister")) as client:
        while True:
            params: dict[str, Any] = {"limit": 100, **({"after": after} if after else {})}
            page = client.get("/v1/videos", params=params).json()
            listed += [video["id"] for video in page["data"]]
            if not page["has_more"]:
                break
            after = page["last_id"]
    assert sorted(listed) == sorted(created)


def test_the_concurrent_job_limit_is_exact_across_workers(url: str) -> None:
    def create(index: int) -> tuple[str, int]:
        key = f"sk-limit-{index % 3}"
        response = httpx.post(f"{url}/v1/videos", json={"prompt": "x"}, headers=auth(key))
        return key, response.status_code

    answers = Counter(in_parallel(create, 60))
    for index in range(3):
        assert answers[(f"sk-limit-{index}", 200)] == LIMIT
        assert answers[(f"sk-limit-{index}", 429)] == 20 - LIMIT
    assert httpx.get(f"{url}/_mock/").json()["unfinished_jobs"] == 3 * LIMIT


def test_the_rate_limit_is_exact_across_workers(url: str) -> None:
    statuses = in_parallel(
        lambda _: httpx.get(f"{url}/v1/videos", headers=auth("sk-rpm")).status_code, 50
    )
    assert Counter(statuses) == {200: PER_MINUTE, 429: 50 - PER_MINUTE}
    httpx.post(f"{url}/_mock/clock/advance", json={"seconds": 60})
    assert httpx.get(f"{url}/v1/videos", headers=auth("sk-rpm")).status_code == 200


def test_progression_and_clock_changes_reach_every_worker(url: str) -> None:
    before = httpx.get(f"{url}/_mock/clock").json()["now"]
    httpx.post(f"{url}/_mock/progression", json={"mode": "time", "speed": 7})
    httpx.post(f"{url}/_mock/progression", json={"mode": "manual"})
    advanced = httpx.post(f"{url}/_mock/clock/advance", json={"seconds": 3600}).json()["now"]
    assert advanced >= before + 3600
    seen = in_parallel(lambda _: httpx.get(f"{url}/_mock/").json(), 45)
    assert len({status["process_id"] for status in seen}) >= 2
    assert {(s["progression"], s["speed"], s["clock"]["now"]) for s in seen} == {
        ("manual", 7, advanced)
    }


def test_a_fault_answers_exactly_count_requests_across_workers(url: str) -> None:
    httpx.post(f"{url}/_mock/faults", json={"status": 503, "count": 10, "path": "/v1/videos"})
    [fault] = every_worker_says(url, "/_mock/faults", "faults")
    assert (fault["status"], fault["count"]) == (503, 10)
    statuses = in_parallel(
        lambda i: httpx.get(f"{url}/v1/videos", headers=auth(f"sk-fault-{i}")).status_code, 40
    )
    assert Counter(statuses) == {503: 10, 200: 30}
    assert every_worker_says(url, "/_mock/faults", "faults") == []


def test_forced_outcomes_are_used_exactly_once_across_workers(url: str) -> None:
    httpx.post(f"{url}/_mock/progression", json={"mode": "instant"})
    httpx.post(f"{url}/_mock/outcomes", json={"outcome": "moderation_blocked", "count": 4})
    assert (
        every_worker_says(url, "/_mock/outcomes", "forced_outcomes") == ["moderation_blocked"] * 4
    )

    def create(index: int) -> str:
        response = httpx.post(
            f"{url}/v1/videos", json={"prompt": "x"}, headers=auth(f"sk-outcome-{index}")
        )
        return str(response.json()["status"])

    assert Counter(in_parallel(create, 12)) == {"failed": 4, "completed": 8}
    assert every_worker_says(url, "/_mock/outcomes", "forced_outcomes") == []


def test_one_journal_holds_every_workers_requests(url: str) -> None:
    in_parallel(lambda i: httpx.get(f"{url}/v1/videos/video_{i:032x}", headers=auth("sk-j")), 30)
    entries = httpx.get(f"{url}/_mock/requests").json()["requests"]
    assert sorted(entry["path"] for entry in entries) == sorted(
        f"/v1/videos/video_{i:032x}" for i in range(30)
    )
    assert {entry["status"] for entry in entries} == {404}


def test_callbacks_are_delivered_exactly_once_by_the_workers(url: str) -> None:
    receiver = Receiver()
    try:
        httpx.post(f"{url}/_mock/progression", json={"mode": "instant"})

        def submit(index: int) -> str:
            response = httpx.post(
                f"{url}/api/v1/generateTask/sora-2-pro",
                json={
                    "request_type": "callback",
                    "callback_url": receiver.url,
                    "input": {"mode": "text-to-video", "prompt": f"task {index}"},
                },
                headers=auth(f"sk-callback-{index}"),
            )
            assert response.status_code == 200, response.text
            return str(response.json()["data"]["taskId"])

        tasks = in_parallel(submit, 12)
        in_parallel(lambda _: httpx.post(f"{url}/_mock/deliveries/flush"), 6)
        assert receiver.wait_for(12, timeout=30), len(receiver.received)
        journal = wait_until_settled(url)
    finally:
        receiver.close()
    called_back = Counter(json.loads(post["body"])["data"]["taskId"] for post in receiver.received)
    assert len(receiver.received) == 12
    assert sorted(called_back) == sorted(tasks) and set(called_back.values()) == {1}
    assert [(d["state"], len(d["attempts"])) for d in journal] == [("delivered", 1)] * 12


def wait_until_settled(url: str, timeout: float = 30) -> list[dict[str, Any]]:
    """The delivery journal once no delivery is pending (a worker may still be recording one)."""
    pause = threading.Event()
    for _ in range(int(timeout / 0.05)):
        journal: list[dict[str, Any]] = httpx.get(f"{url}/_mock/deliveries").json()["deliveries"]
        if all(delivery["state"] != "pending" for delivery in journal):
            return journal
        pause.wait(0.05)
    raise AssertionError(f"deliveries still pending: {journal}")


def test_without_db_the_workers_share_a_temporary_file_removed_on_sigterm() -> None:
    served = Served("--workers", "2", "--quiet")
    try:
        processes = set(
            in_parallel(lambda _: httpx.get(f"{served.url}/_mock/").json()["process_id"], 24)
        )
        video = httpx.post(f"{served.url}/v1/videos", json={"prompt": "x"}, headers=auth("sk-t"))
        assert (
            httpx.get(
                f"{served.url}/v1/videos/{video.json()['id']}", headers=auth("sk-t")
            ).status_code
            == 200
        )
    finally:
        code = served.stop(signal.SIGTERM)
    output = "".join(served.lines)
    [database] = [
        line.split("database, ")[1].split(",")[0] for line in served.lines if "temporary" in line
    ]
    assert code == 0
    assert served.lines[-1] == "sora-mock stopped\n", output
    assert "workers:          2 processes" in output
    assert not Path(database).exists() and not Path(database).parent.exists()
    for process in processes:
        with pytest.raises(ProcessLookupError):
            os.kill(process, 0)


def test_workers_must_be_at_least_one() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "mock_server.cli", "serve", "--workers", "0"],
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert result.returncode == 2
    assert result.stderr == "sora-mock: --workers must be at least 1\n"


def test_a_port_in_use_is_refused_at_once() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = subprocess.run(
            [
                sys.executable,
                "-m",
                "mock_server.cli",
                "serve",
                "--workers",
                "2",
                "--port",
                str(port),
            ],
            capture_output=True,
            text=True,
            timeout=30,
        )
    assert result.returncode == 1
    assert (
        result.stderr == f"sora-mock: cannot listen on 127.0.0.1:{port}: Address already in use\n"
    )
    assert "temporary database" not in result.stdout
