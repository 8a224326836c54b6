"""Where jobs live: the :class:`JobStore` protocol, in memory (the default) and on SQLite."""

from __future__ import annotations

import bisect
import json
import threading
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from typing import Any, Protocol

from mock_server.backend.database import SqliteDatabase
from mock_server.backend.job import Job


@dataclass(frozen=True)
class Page:
    """One page of a listing."""

    jobs: list[Job]
    has_more: bool


class JobStore(Protocol):
    """The operations the service needs from a store of jobs."""

    def next_seq(self) -> int:
        """A new, never reused sequence number."""
        ...

    def add(self, job: Job) -> None:
        """Store a new job."""
        ...

    def get(self, job_id: str) -> Job | None:
        """The job with this id, or ``None``."""
        ...

    def save(self, job: Job) -> None:
        """Persist changes made to a job."""
        ...

    def remove(self, job_id: str) -> bool:
        """Delete a job; False when there was none."""
        ...

    def page(
        self, *, dialects: tuple[str, ...], order: str, after: str | None, limit: int
    ) -> Page | None:
        """Jobs in creation order (``asc``) or reversed; ``None`` if ``after`` is unknown."""
        ...

    def unfinished(self) -> list[Job]:
        """Every job that is not terminal."""
        ...

    def clear(self) -> None:
        """Forget every job."""
        ...

    def locked(self) -> AbstractContextManager[None]:
        """Hold the store's lock for a read-modify-write."""
        ...


class InMemoryJobStore:
    """Jobs in a dict, with their ids kept in creation order for paging."""

    def __init__(self) -> None:
        self._lock = threading.RLock()
        self._jobs: dict[str, Job] = {}
        self._order: list[tuple[int, str]] = []
        self._unfinished: dict[str, Job] = {}
        self._seq = 0

    @contextmanager
    def locked(self) -> Iterator[None]:
        with self._lock:
            yield

    def next_seq(self) -> int:
        with self._lock:
            self._seq += 1
            return self._seq

    def add(self, job: Job) -> None:
        with self._lock:
            self._jobs[job.id] = job
            bisect.insort(self._order, (job.seq, job.id))
            if not job.terminal:
                self._unfinished[job.id] = job

    def get(self, job_id: str) -> Job | None:
        with self._lock:
            return self._jobs.get(job_id)

    def save(self, job: Job) -> None:
        with self._lock:
            if job.terminal:
                self._unfinished.pop(job.id, None)

    def remove(self, job_id: str) -> bool:
        with self._lock:
            job = self._jobs.pop(job_id, None)
            if job is None:
                return False
            index = bisect.bisect_left(self._order, (job.seq, job.id))
            del self._order[index]
            self._unfinished.pop(job_id, None)
            return True

    def page(
        self, *, dialects: tuple[str, ...], order: str, after: str | None, limit: int
    ) -> Page | None:
        with self._lock:
            keys = self._order if order == "asc" else list(reversed(self._order))
            start = 0
            if after is not None:
                cursor = self._jobs.get(after)
                if cursor is None:
                    return None
                position = bisect.bisect_left(self._order, (cursor.seq, cursor.id))
                start = position + 1 if order == "asc" else len(self._order) - position
            selected: list[Job] = []
            has_more = False
            for _, job_id in keys[start:]:
                job = self._jobs[job_id]
                if job.dialect not in dialects:
                    continue
                if len(selected) == limit:
                    has_more = True
                    break
                selected.append(job)
            return Page(selected, has_more)

    def unfinished(self) -> list[Job]:
        with self._lock:
            return list(self._unfinished.values())

    def clear(self) -> None:
        with self._lock:
            self._jobs.clear()
            self._order.clear()
            self._unfinished.clear()


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
