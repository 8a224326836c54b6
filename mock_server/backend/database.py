"""A SQLite file that keeps jobs, the clock, uploaded assets and deliveries across restarts.

The standard library's ``sqlite3`` in WAL mode. Every change is committed before the request
that made it is answered, so a job the client saw accepted survives ``kill -9``. Each thread
has its own connection; a read-modify-write holds ``BEGIN IMMEDIATE``, which also serialises
writers in other processes sharing the file. Each concern's store (jobs, assets, deliveries,
the journal) keeps its SQLite version beside its memory one.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

SCHEMA = """
CREATE TABLE IF NOT EXISTS jobs (
    id TEXT PRIMARY KEY,
    seq INTEGER NOT NULL UNIQUE,
    dialect TEXT NOT NULL,
    terminal INTEGER NOT NULL,
    data TEXT NOT NULL,
    reference BLOB,
    owner TEXT,
    due_at REAL,
    deployment TEXT,
    finish_at REAL,
    status TEXT
);
CREATE TABLE IF NOT EXISTS job_counts (name TEXT PRIMARY KEY, count INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS active_slots (
    owner TEXT NOT NULL,
    dialect TEXT NOT NULL,
    deployment TEXT NOT NULL,
    count INTEGER NOT NULL,
    PRIMARY KEY (owner, dialect, deployment)
);
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
    record TEXT NOT NULL,
    state TEXT,
    due_at REAL,
    receiver TEXT
);
CREATE TABLE IF NOT EXISTS delivery_claims (id TEXT PRIMARY KEY, until REAL NOT NULL);
CREATE TABLE IF NOT EXISTS journal (position INTEGER PRIMARY KEY, entry TEXT NOT NULL);
"""


#: Indexes that keep every job and delivery operation from walking its table: paging by
#: dialect and status, unfinished jobs per key (limits) and by due time (settling), due
#: deliveries.
INDEXES = (
    # An index on "terminal" alone would tempt the planner into walking every unfinished job.
    "DROP INDEX IF EXISTS jobs_unfinished",
    "CREATE INDEX IF NOT EXISTS jobs_by_dialect ON jobs (dialect, seq)",
    "CREATE INDEX IF NOT EXISTS jobs_by_status ON jobs (dialect, status, seq)",
    "DROP INDEX IF EXISTS jobs_unfinished_by_owner",
    "CREATE INDEX IF NOT EXISTS jobs_active ON jobs (owner, dialect, finish_at) WHERE terminal = 0",
    "CREATE INDEX IF NOT EXISTS jobs_active_on_deployment "
    "ON jobs (owner, dialect, deployment, finish_at) WHERE terminal = 0",
    "CREATE INDEX IF NOT EXISTS jobs_due ON jobs (due_at) WHERE terminal = 0",
    # Deliveries: the next position, and the pending ones by due time (the past is not read).
    "CREATE INDEX IF NOT EXISTS deliveries_by_position ON deliveries (position)",
    "CREATE INDEX IF NOT EXISTS deliveries_pending ON deliveries (due_at) WHERE state = 'pending'",
)


class StorageUnavailable(Exception):
    """The database file cannot take a write: the disk is full, or failing."""


#: SQLite's result codes for a full or failing disk (primary codes; extended ones share them).
_STORAGE_CODES = frozenset({10, 13})  # SQLITE_IOERR, SQLITE_FULL


def is_storage_failure(error: sqlite3.Error) -> bool:
    """Whether SQLite refused a write because of the disk, not because of the statement."""
    code = getattr(error, "sqlite_errorcode", None)
    if code is not None:
        return (code & 0xFF) in _STORAGE_CODES
    return "full" in str(error) or "disk I/O" in str(error)


def _rollback(connection: sqlite3.Connection) -> None:
    """Roll back, if SQLite has not already (it does after some disk errors)."""
    if connection.in_transaction:
        connection.execute("ROLLBACK")


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
            self._migrate()
        except sqlite3.Error as exc:
            self.close()
            raise DatabaseUnavailable(f"cannot use {self.path} as a database: {exc}") from exc

    def _migrate(self) -> None:
        """Bring a file written by an older version up to the schema: the columns the job
        indexes need, filled from each job's JSON, then the indexes."""
        connection = self.connection()
        columns = {row[1] for row in connection.execute("PRAGMA table_info(jobs)")}
        delivery_columns = {row[1] for row in connection.execute("PRAGMA table_info(deliveries)")}
        with self.transaction():
            for column, kind in (
                ("owner", "TEXT"),
                ("due_at", "REAL"),
                ("deployment", "TEXT"),
                ("status", "TEXT"),
            ):
                if column not in columns:
                    connection.execute(f"ALTER TABLE jobs ADD COLUMN {column} {kind}")
                    connection.execute(
                        f"UPDATE jobs SET {column} = json_extract(data, '$.{column}')"
                    )
            if "finish_at" not in columns:
                self._migrate_active(connection)
            if "receiver" not in delivery_columns:
                self._migrate_deliveries(connection)
            for statement in INDEXES:
                connection.execute(statement)

    @staticmethod
    def _migrate_active(connection: sqlite3.Connection) -> None:
        """Give jobs from an older file their planned finish, and count the unfinished ones."""
        connection.execute("ALTER TABLE jobs ADD COLUMN finish_at REAL")
        connection.execute(
            "UPDATE jobs SET finish_at = "
            "json_extract(data, '$.created_at') + json_extract(data, '$.duration')"
        )
        connection.execute("DELETE FROM active_slots")
        connection.execute(
            "INSERT OR REPLACE INTO job_counts (name, count) "
            "SELECT 'unfinished', COUNT(*) FROM jobs WHERE terminal = 0"
        )
        connection.execute(
            "INSERT INTO active_slots (owner, dialect, deployment, count) "
            "SELECT owner, dialect, '*', COUNT(*) FROM jobs WHERE terminal = 0 "
            "GROUP BY owner, dialect"
        )
        connection.execute(
            "INSERT INTO active_slots (owner, dialect, deployment, count) "
            "SELECT owner, dialect, deployment, COUNT(*) FROM jobs "
            "WHERE terminal = 0 AND deployment IS NOT NULL GROUP BY owner, dialect, deployment"
        )

    @staticmethod
    def _migrate_deliveries(connection: sqlite3.Connection) -> None:
        """Give deliveries from an older file their state, due time and receiver columns."""
        from mock_server.backend.deliveries import receiver_of

        for column, kind in (("state", "TEXT"), ("due_at", "REAL"), ("receiver", "TEXT")):
            connection.execute(f"ALTER TABLE deliveries ADD COLUMN {column} {kind}")
        rows = connection.execute("SELECT id, record FROM deliveries").fetchall()
        for delivery_id, record in rows:
            found = json.loads(record)
            connection.execute(
                "UPDATE deliveries SET state = ?, due_at = ?, receiver = ? WHERE id = ?",
                (found["state"], found["due_at"], receiver_of(found["url"]), delivery_id),
            )

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
            except BaseException as exc:
                self._local.depth -= 1
                if outer:
                    _rollback(connection)
                if isinstance(exc, sqlite3.Error) and is_storage_failure(exc):
                    raise StorageUnavailable(str(exc)) from exc
                raise
            self._local.depth -= 1
            if outer:
                try:
                    connection.execute("COMMIT")
                except sqlite3.Error as exc:
                    _rollback(connection)
                    if is_storage_failure(exc):
                        raise StorageUnavailable(str(exc)) from exc
                    raise

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
