"""A SQLite file that keeps jobs, the clock, uploaded assets and deliveries across restarts.

The standard library's ``sqlite3`` in WAL mode. Every change is committed before the request
that made it is answered, so a job the client saw accepted survives ``kill -9``. Each thread
has its own connection; a read-modify-write holds ``BEGIN IMMEDIATE``, which also serialises
writers in other processes sharing the file.
"""

from __future__ import annotations

import json
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from mock_server.backend.assets import Asset, AssetStore
from mock_server.backend.job import Job
from mock_server.backend.outbox import Delivery, is_due
from mock_server.backend.store import Page

SCHEMA = """
CREATE TABLE IF NOT EXISTS jobs (
    id TEXT PRIMARY KEY,
    seq INTEGER NOT NULL UNIQUE,
    dialect TEXT NOT NULL,
    terminal INTEGER NOT NULL,
    data TEXT NOT NULL,
    reference BLOB
);
CREATE INDEX IF NOT EXISTS jobs_unfinished ON jobs (terminal) WHERE terminal = 0;
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS assets (
    id TEXT PRIMARY KEY,
    data BLOB NOT NULL,
    content_type TEXT NOT NULL,
    filename TEXT,
    created_at REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS deliveries (
    id TEXT PRIMARY KEY,
    position INTEGER NOT NULL,
    record TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS delivery_claims (id TEXT PRIMARY KEY, until REAL NOT NULL);
CREATE TABLE IF NOT EXISTS journal (position INTEGER PRIMARY KEY, entry TEXT NOT NULL);
"""


class DatabaseUnavailable(Exception):
    """The database file cannot be opened or is not a SQLite database."""


class SqliteDatabase:
    """One database file: a connection per thread, and nested transactions made flat."""

    def __init__(self, path: str | Path) -> None:
        self.path = str(path)
        self._local = threading.local()
        self._lock = threading.RLock()
        self._connections: list[sqlite3.Connection] = []
        try:
            self.connection().executescript(SCHEMA)
        except sqlite3.Error as exc:
            self.close()
            raise DatabaseUnavailable(f"cannot use {self.path} as a database: {exc}") from exc

    def connection(self) -> sqlite3.Connection:
        """This thread's connection."""
        connection: sqlite3.Connection | None = getattr(self._local, "connection", None)
        if connection is None:
            # Each connection is used by its own thread only; any thread may close them all.
            connection = sqlite3.connect(
                self.path, isolation_level=None, timeout=30, check_same_thread=False
            )
            connection.execute("PRAGMA journal_mode=WAL")
            connection.execute("PRAGMA synchronous=NORMAL")
            self._local.connection = connection
            self._local.depth = 0
            with self._lock:
                self._connections.append(connection)
        return connection

    def close(self) -> None:
        """Close every thread's connection; a later use opens a new one."""
        with self._lock:
            connections, self._connections = self._connections, []
            self._local = threading.local()
        for connection in connections:
            connection.close()

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """One ``BEGIN IMMEDIATE`` ... ``COMMIT``; nested uses join the outer one."""
        with self._lock:
            connection = self.connection()
            outer = self._local.depth == 0
            if outer:
                connection.execute("BEGIN IMMEDIATE")
            self._local.depth += 1
            try:
                yield connection
            except BaseException:
                self._local.depth -= 1
                if outer:
                    connection.execute("ROLLBACK")
                raise
            self._local.depth -= 1
            if outer:
                connection.execute("COMMIT")

    def get_meta(self, key: str) -> Any:
        """A JSON value kept under ``key``, or ``None``."""
        row = self.connection().execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return None if row is None else json.loads(row[0])

    def set_meta(self, key: str, value: Any) -> None:
        """Keep a JSON value under ``key``."""
        with self.transaction() as connection:
            connection.execute(
                "INSERT INTO meta (key, value) VALUES (?, ?) "
                "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                (key, json.dumps(value)),
            )


def job_to_row(job: Job) -> tuple[str, int, str, int, str, bytes | None]:
    """A job as a table row: the reference image's bytes apart, everything else as JSON."""
    reference = job.reference
    return (
        job.id,
        job.seq,
        job.dialect,
        int(job.terminal),
        json.dumps(job.to_record()),
        reference.data if reference else None,
    )


def job_from_row(data_text: str, reference_bytes: bytes | None) -> Job:
    """A job rebuilt from its row."""
    return Job.from_record(json.loads(data_text), reference_bytes)


class SqliteJobStore:
    """The :class:`~mock_server.backend.store.JobStore` on a SQLite file."""

    def __init__(self, database: SqliteDatabase) -> None:
        self.database = database

    @contextmanager
    def locked(self) -> Iterator[None]:
        with self.database.transaction():
            yield

    def next_seq(self) -> int:
        with self.database.transaction():
            current = self.database.get_meta("seq") or 0
            self.database.set_meta("seq", current + 1)
            return int(current) + 1

    def add(self, job: Job) -> None:
        with self.database.transaction() as connection:
            connection.execute(
                "INSERT INTO jobs (id, seq, dialect, terminal, data, reference) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                job_to_row(job),
            )

    def get(self, job_id: str) -> Job | None:
        row = (
            self.database.connection()
            .execute("SELECT data, reference FROM jobs WHERE id = ?", (job_id,))
            .fetchone()
        )
        return None if row is None else job_from_row(row[0], row[1])

    def save(self, job: Job) -> None:
        _, _, _, terminal, data, _ = job_to_row(job)
        with self.database.transaction() as connection:
            connection.execute(
                "UPDATE jobs SET terminal = ?, data = ? WHERE id = ?", (terminal, data, job.id)
            )

    def remove(self, job_id: str) -> bool:
        with self.database.transaction() as connection:
            return connection.execute("DELETE FROM jobs WHERE id = ?", (job_id,)).rowcount > 0

    def page(
        self, *, dialects: tuple[str, ...], order: str, after: str | None, limit: int
    ) -> Page | None:
        connection = self.database.connection()
        direction, compare = ("ASC", ">") if order == "asc" else ("DESC", "<")
        where = f"dialect IN ({', '.join('?' for _ in dialects)})"
        params: list[Any] = list(dialects)
        if after is not None:
            cursor = connection.execute("SELECT seq FROM jobs WHERE id = ?", (after,)).fetchone()
            if cursor is None:
                return None
            where += f" AND seq {compare} ?"
            params.append(cursor[0])
        rows = connection.execute(
            f"SELECT data, reference FROM jobs WHERE {where} ORDER BY seq {direction} LIMIT ?",
            (*params, limit + 1),
        ).fetchall()
        jobs = [job_from_row(data, reference) for data, reference in rows[:limit]]
        return Page(jobs, len(rows) > limit)

    def unfinished(self) -> list[Job]:
        rows = self.database.connection().execute(
            "SELECT data, reference FROM jobs WHERE terminal = 0 ORDER BY seq"
        )
        return [job_from_row(data, reference) for data, reference in rows]

    def clear(self) -> None:
        with self.database.transaction() as connection:
            connection.execute("DELETE FROM jobs")


class SqliteAssetStore(AssetStore):
    """Uploaded assets in the database file."""

    def __init__(self, database: SqliteDatabase) -> None:
        super().__init__()
        self.database = database

    def _keep(self, asset: Asset) -> None:
        with self.database.transaction() as connection:
            connection.execute(
                "INSERT INTO assets (id, data, content_type, filename, created_at) "
                "VALUES (?, ?, ?, ?, ?)",
                (asset.id, asset.data, asset.content_type, asset.filename, asset.created_at),
            )

    def get(self, asset_id: str) -> Asset | None:
        row = (
            self.database.connection()
            .execute(
                "SELECT id, data, content_type, filename, created_at FROM assets WHERE id = ?",
                (asset_id,),
            )
            .fetchone()
        )
        return None if row is None else Asset(*row)

    def all(self) -> list[Asset]:
        rows = self.database.connection().execute(
            "SELECT id, data, content_type, filename, created_at FROM assets ORDER BY created_at"
        )
        return [Asset(*row) for row in rows]

    def clear(self) -> None:
        with self.database.transaction() as connection:
            connection.execute("DELETE FROM assets")


class SqliteDeliveries:
    """The Outbox's :class:`~mock_server.backend.outbox.DeliveryStore` on a SQLite file.

    A process claims the deliveries it is about to send, for ``lease`` wall-clock seconds, so
    that of several processes sharing the file exactly one sends each attempt; a claim left by a
    process that died lapses.
    """

    def __init__(
        self, database: SqliteDatabase, lease: float = 60.0, wall: Callable[[], float] = time.time
    ) -> None:
        self.database = database
        self.lease = lease
        self.wall = wall

    def add(self, delivery: Delivery) -> None:
        self._write(delivery)

    def _write(self, delivery: Delivery) -> None:
        with self.database.transaction() as connection:
            connection.execute(
                "INSERT INTO deliveries (id, position, record) VALUES "
                "(?, (SELECT COALESCE(MAX(position), 0) + 1 FROM deliveries), ?) "
                "ON CONFLICT (id) DO UPDATE SET record = excluded.record",
                (delivery.id, json.dumps(delivery.record())),
            )

    def save(self, delivery: Delivery) -> None:
        with self.database.transaction() as connection:
            self._write(delivery)
            connection.execute("DELETE FROM delivery_claims WHERE id = ?", (delivery.id,))

    def all(self) -> list[Delivery]:
        rows = self.database.connection().execute("SELECT record FROM deliveries ORDER BY position")
        return [Delivery.from_record(json.loads(row[0])) for row in rows]

    def claim_due(self, now: float) -> list[Delivery]:
        wall = self.wall()
        with self.database.transaction() as connection:
            connection.execute("DELETE FROM delivery_claims WHERE until < ?", (wall,))
            rows = connection.execute(
                "SELECT record FROM deliveries WHERE id NOT IN (SELECT id FROM delivery_claims) "
                "ORDER BY position"
            )
            due = [
                delivery
                for delivery in (Delivery.from_record(json.loads(row[0])) for row in rows)
                if is_due(delivery, now)
            ]
            connection.executemany(
                "INSERT INTO delivery_claims (id, until) VALUES (?, ?)",
                [(delivery.id, wall + self.lease) for delivery in due],
            )
            return due

    def release_all(self) -> None:
        """Drop every claim (at start-up, when no other process can hold one)."""
        with self.database.transaction() as connection:
            connection.execute("DELETE FROM delivery_claims")

    def clear(self) -> None:
        with self.database.transaction() as connection:
            connection.execute("DELETE FROM deliveries")
            connection.execute("DELETE FROM delivery_claims")


class SqliteRequestJournal:
    """The :class:`~mock_server.backend.journal.RequestJournal` on a SQLite file."""

    def __init__(self, database: SqliteDatabase, size: int) -> None:
        self.database = database
        self.size = size

    def record(self, entry: dict[str, Any]) -> None:
        with self.database.transaction() as connection:
            position = connection.execute(
                "INSERT INTO journal (entry) VALUES (?)", (json.dumps(entry),)
            ).lastrowid
            connection.execute(
                "DELETE FROM journal WHERE position <= ?", ((position or 0) - self.size,)
            )

    def entries(self) -> list[dict[str, Any]]:
        rows = self.database.connection().execute("SELECT entry FROM journal ORDER BY position")
        return [json.loads(row[0]) for row in rows]

    def clear(self) -> None:
        with self.database.transaction() as connection:
            connection.execute("DELETE FROM journal")
