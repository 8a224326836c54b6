"""A full disk under the database: reads keep answering, changes get a clean 507 in JSON."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import pytest

from mock_server import create_app, state_of
from sora_testkit import httpx_client
from tests.conftest import AUTH

WRITES = ("INSERT", "UPDATE", "DELETE", "REPLACE")
FULL = "The mock cannot store this: its database's disk is full or failing."


class FullDisk:
    """A connection whose disk is full: SQLite refuses every write as it then does."""

    def __init__(self, real: sqlite3.Connection) -> None:
        self.real = real

    def execute(self, sql: str, *args: Any) -> Any:
        if sql.lstrip().upper().startswith(WRITES):
            error = sqlite3.OperationalError("database or disk is full")
            error.sqlite_errorcode = 13
            raise error
        return self.real.execute(sql, *args)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.real, name)


@pytest.fixture
def app(tmp_path: Path) -> Any:
    app = create_app(
        {"db": str(tmp_path / "mock.sqlite3"), "background_worker": False, "concurrent_jobs": 0}
    )
    yield app
    state_of(app).close()


def fill_the_disk(app: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    database = state_of(app).database
    assert database is not None
    connection = database.connection()  # this thread's, which in-process requests use
    monkeypatch.setattr(database._local, "connection", FullDisk(connection))


def test_reads_keep_answering_on_a_full_disk(app: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    with httpx_client(app, headers=AUTH) as http:
        done = http.post("/v1/videos", json={"prompt": "done"}).json()["id"]
        while http.get(f"/v1/videos/{done}").json()["status"] != "completed":
            pass
        running = http.post("/v1/videos", json={"prompt": "running"}).json()["id"]
        task = http.post(
            "/api/v1/generateTask/sora-2-pro",
            json={"input": {"mode": "text-to-video", "prompt": "x"}},
        ).json()["data"]["taskId"]
        fill_the_disk(app, monkeypatch)
        read = http.get(f"/v1/videos/{running}")
        assert read.status_code == 200
        assert read.json()["status"] == "queued"  # a read that cannot be kept is not counted
        again = http.get(f"/v1/videos/{running}")
        assert again.json() == read.json()
        listing = http.get("/v1/videos")
        assert listing.status_code == 200
        assert [v["id"] for v in listing.json()["data"]] == [running, done]
        assert http.get(f"/v1/videos/{done}/content").headers["content-type"] == "video/mp4"
        status = http.get("/api/v1/statusTask/sora-2-pro", params={"taskId": task})
        assert status.status_code == 200 and status.json()["data"]["state"] == "pending"
        assert http.get("/_mock/").status_code == 200


def test_changes_get_a_clean_507_in_each_dialects_envelope(
    app: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    with httpx_client(app, headers=AUTH) as http:
        kept = http.post("/v1/videos", json={"prompt": "kept"}).json()["id"]
        fill_the_disk(app, monkeypatch)
        refused = http.post("/v1/videos", json={"prompt": "x"})
        assert refused.status_code == 507
        assert refused.headers["retry-after"] == "60"
        assert refused.json() == {
            "error": {"message": FULL, "type": "server_error", "param": None, "code": None}
        }
        uniall = http.post(
            "/v1/video/generations", json={"model": "sora2-landscape-4s", "prompt": "x"}
        )
        assert uniall.status_code == 507 and uniall.json()["error"]["message"] == FULL
        task = http.post(
            "/api/v1/generateTask/sora-2-pro",
            json={"input": {"mode": "text-to-video", "prompt": "x"}},
        )
        assert task.status_code == 507
        assert task.json() == {
            "code": 507,
            "message": "Insufficient Storage",
            "data": {"error": FULL},
        }
        monkeypatch.undo()
        assert http.get(f"/v1/videos/{kept}").status_code == 200  # nothing accepted was lost
        assert http.post("/v1/videos", json={"prompt": "x"}).status_code == 200
        journal = http.get("/_mock/requests").json()["requests"]
        assert [entry["status"] for entry in journal] == [200, 200, 200]  # full-disk ones lost
