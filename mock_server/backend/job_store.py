"""Where jobs live: the :class:`JobStore` protocol, in memory (the default) and on SQLite."""

from __future__ import annotations

import bisect
import heapq
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

    def due(self, now: float) -> list[Job]:
        """Unfinished jobs whose ``due_at`` has come by ``now``."""
        ...

    def unfinished_of(self, owner: str) -> list[Job]:
        """The unfinished jobs of one key."""
        ...

    def unfinished_count(self) -> int:
        """How many jobs are not terminal."""
        ...

    def clear(self) -> None:
        """Forget every job."""
        ...

    def locked(self) -> AbstractContextManager[Any]:
        """Hold the store's lock for a read-modify-write."""
        ...


class InMemoryJobStore:
    """Jobs in a dict, with indexes so that no operation walks every job: creation order per
    dialect (paging), unfinished jobs per key (limits), and a heap of due times (settling)."""

    def __init__(self) -> None:
        self._lock = threading.RLock()
        self._jobs: dict[str, Job] = {}
        self._order: dict[str, list[tuple[int, str]]] = {}
        self._unfinished: dict[str, Job] = {}
        self._by_owner: dict[str, dict[str, Job]] = {}
        #: ``(due_at, seq, id)``; entries that no longer hold are dropped when they surface.
        self._due: list[tuple[float, int, str]] = []
        #: The due time last pushed for each unfinished job.
        self._pushed: dict[str, float] = {}
        self._seq = 0

    def locked(self) -> AbstractContextManager[Any]:
        return self._lock

    def next_seq(self) -> int:
        with self._lock:
            self._seq += 1
            return self._seq

    def _forget_unfinished(self, job: Job) -> None:
        self._unfinished.pop(job.id, None)
        self._pushed.pop(job.id, None)
        owned = self._by_owner.get(job.owner)
        if owned is not None:
            owned.pop(job.id, None)
            if not owned:
                del self._by_owner[job.owner]

    def _index(self, job: Job) -> None:
        if job.terminal:
            self._forget_unfinished(job)
            return
        self._unfinished[job.id] = job
        self._by_owner.setdefault(job.owner, {})[job.id] = job
        if job.due_at is not None and self._pushed.get(job.id) != job.due_at:
            heapq.heappush(self._due, (job.due_at, job.seq, job.id))
            self._pushed[job.id] = job.due_at

    def add(self, job: Job) -> None:
        with self._lock:
            self._jobs[job.id] = job
            order = self._order.setdefault(job.dialect, [])
            if not order or order[-1] < (job.seq, job.id):
                order.append((job.seq, job.id))
            else:
                bisect.insort(order, (job.seq, job.id))
            self._index(job)

    def get(self, job_id: str) -> Job | None:
        with self._lock:
            return self._jobs.get(job_id)

    def save(self, job: Job) -> None:
        with self._lock:
            if job.id in self._jobs:
                self._index(job)

    def remove(self, job_id: str) -> bool:
        with self._lock:
            job = self._jobs.pop(job_id, None)
            if job is None:
                return False
            order = self._order[job.dialect]
            del order[bisect.bisect_left(order, (job.seq, job.id))]
            self._forget_unfinished(job)
            return True

    def page(
        self, *, dialects: tuple[str, ...], order: str, after: str | None, limit: int
    ) -> Page | None:
        with self._lock:
            lists = [self._order.get(dialect, []) for dialect in dialects]
            keys = lists[0] if len(lists) == 1 else list(heapq.merge(*lists))
            cursor = None
            if after is not None:
                found = self._jobs.get(after)
                if found is None:
                    return None
                cursor = (found.seq, found.id)
            if order == "asc":
                start = 0 if cursor is None else bisect.bisect_right(keys, cursor)
                chosen = keys[start : start + limit + 1]
            else:
                end = len(keys) if cursor is None else bisect.bisect_left(keys, cursor)
                chosen = keys[max(0, end - limit - 1) : end][::-1]
            jobs = [self._jobs[job_id] for _, job_id in chosen[:limit]]
            return Page(jobs, len(chosen) > limit)

    def unfinished(self) -> list[Job]:
        with self._lock:
            return list(self._unfinished.values())

    def due(self, now: float) -> list[Job]:
        with self._lock:
            found: list[Job] = []
            while self._due and self._due[0][0] <= now:
                due_at, _, job_id = heapq.heappop(self._due)
                if self._pushed.get(job_id) == due_at:
                    del self._pushed[job_id]
                    found.append(self._unfinished[job_id])
            return found

    def unfinished_of(self, owner: str) -> list[Job]:
        with self._lock:
            return list(self._by_owner.get(owner, {}).values())

    def unfinished_count(self) -> int:
        with self._lock:
            return len(self._unfinished)

    def clear(self) -> None:
        with self._lock:
            self._jobs.clear()
            self._order.clear()
            self._unfinished.clear()
            self._by_owner.clear()
            self._due.clear()
            self._pushed.clear()


def job_to_row(job: Job) -> tuple[str, int, str, int, str, bytes | None, str, float | None]:
    """A job as a table row: the reference image's bytes apart, everything else as JSON, and
    the indexed facts (terminal, owner, due time) in columns of their own."""
    reference = job.reference
    return (
        job.id,
        job.seq,
        job.dialect,
        int(job.terminal),
        json.dumps(job.to_record()),
        reference.data if reference else None,
        job.owner,
        job.due_at,
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
                "INSERT INTO jobs (id, seq, dialect, terminal, data, reference, owner, due_at) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
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
        _, _, _, terminal, data, _, _, due_at = job_to_row(job)
        with self.database.transaction() as connection:
            connection.execute(
                "UPDATE jobs SET terminal = ?, data = ?, due_at = ? WHERE id = ?",
                (terminal, data, due_at, job.id),
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

    def due(self, now: float) -> list[Job]:
        rows = self.database.connection().execute(
            "SELECT data, reference FROM jobs WHERE terminal = 0 AND due_at <= ? ORDER BY due_at",
            (now,),
        )
        return [job_from_row(data, reference) for data, reference in rows]

    def unfinished_of(self, owner: str) -> list[Job]:
        rows = self.database.connection().execute(
            "SELECT data, reference FROM jobs WHERE terminal = 0 AND owner = ? ORDER BY seq",
            (owner,),
        )
        return [job_from_row(data, reference) for data, reference in rows]

    def unfinished_count(self) -> int:
        row = self.database.connection().execute("SELECT COUNT(*) FROM jobs WHERE terminal = 0")
        return int(row.fetchone()[0])

    def clear(self) -> None:
        with self.database.transaction() as connection:
            connection.execute("DELETE FROM jobs")
