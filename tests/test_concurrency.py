"""Many clients at once over real HTTP: no lost job, no duplicate id, limits never exceeded."""

from __future__ import annotations

import random
import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import httpx

from mock_server import create_app, state_of
from mock_server.backend.job import Job
from mock_server.backend.job_store import InMemoryJobStore
from sora_testkit import LiveServer

LIMIT = 3
KEYS = ("sk-alpha", "sk-bravo", "sk-charlie")
THREADS = 8
OPERATIONS = 60


class CheckingStore(InMemoryJobStore):
    """Records any moment a key holds more unfinished jobs than the limit."""

    def __init__(self) -> None:
        super().__init__()
        self.breaches: list[str] = []

    def add(self, job: Job) -> None:
        super().add(job)
        with self.locked():
            active = Counter(j.owner for j in self.unfinished())
            if active[job.owner] > LIMIT:
                self.breaches.append(f"{job.owner}: {active[job.owner]} unfinished")


def worker(url: str, seed: int) -> dict[str, list[str]]:
    rng = random.Random(seed)
    created: list[str] = []
    deleted: list[str] = []
    statuses: list[str] = []
    with httpx.Client(base_url=url, timeout=30) as client:
        for _ in range(OPERATIONS):
            key = rng.choice(KEYS)
            headers = {"Authorization": f"Bearer {key}"}
            action = rng.choice(("create", "create", "poll", "poll", "poll", "list", "delete"))
            if action == "create":
                response = client.post("/v1/videos", json={"prompt": "x"}, headers=headers)
                statuses.append(str(response.status_code))
                if response.status_code == 200:
                    created.append(response.json()["id"])
            elif action == "poll" and created:
                response = client.get(f"/v1/videos/{rng.choice(created)}", headers=headers)
                statuses.append(str(response.status_code))
            elif action == "list":
                response = client.get("/v1/videos", params={"limit": 100}, headers=headers)
                statuses.append(str(response.status_code))
            elif action == "delete" and created:
                victim = rng.choice(created)
                response = client.delete(f"/v1/videos/{victim}", headers=headers)
                statuses.append(str(response.status_code))
                if response.status_code == 200:
                    deleted.append(victim)
    return {"created": created, "deleted": deleted, "statuses": statuses}


def test_parallel_clients_lose_nothing_and_respect_the_limit() -> None:
    app = create_app({"background_worker": False, "concurrent_jobs": LIMIT, "poll_steps": 2})
    store = CheckingStore()
    state_of(app).store = store
    state_of(app).service.store = store
    with LiveServer(app) as server:
        with ThreadPoolExecutor(THREADS) as pool:
            results = list(pool.map(lambda seed: worker(server.url, seed), range(THREADS)))
        created = [job_id for r in results for job_id in r["created"]]
        deleted = {job_id for r in results for job_id in r["deleted"]}
        statuses = Counter(s for r in results for s in r["statuses"])
        with httpx.Client(base_url=server.url, headers={"api-key": "k"}) as client:
            survivors = [
                client.get(f"/v1/videos/{job_id}") for job_id in created if job_id not in deleted
            ]
    assert len(created) == len(set(created)), "a duplicate id was handed out"
    assert all(r.status_code == 200 for r in survivors), "an accepted job was lost"
    assert store.breaches == []
    assert not any(s.startswith("5") for s in statuses), statuses
    assert statuses["429"] > 0, "the limit was never reached: the test proves nothing"
    assert threading.active_count() < 50
