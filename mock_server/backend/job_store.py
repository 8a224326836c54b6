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

from mock_server.backend.active_jobs import (
    ANY_DEPLOYMENT,
    Active,
    ActiveJobs,
    finish_of,
    slots_of,
)
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
        self,
        *,
        dialects: tuple[str, ...],
        order: str,
        after: str | None,
        limit: int,
        statuses: tuple[str, ...] = (),
    ) -> Page | None:
        """Jobs in creation order (``asc``) or reversed, of the given statuses (any when
        none); ``None`` if ``after`` is unknown."""
        ...

    def unfinished(self) -> list[Job]:
        """Every job that is not terminal."""
        ...

    def due(self, now: float) -> list[Job]:
        """Unfinished jobs whose ``due_at`` has come by ``now``."""
        ...

    def active(self, slots: list[tuple[str, str, str]]) -> Active:
        """How many unfinished jobs the slots (key, dialect, deployment or ``*``) hold, and
        the soonest planned finish among them."""
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
    dialect (paging), unfinished jobs counted per key (limits), and a heap of due times
    (settling)."""

    def __init__(self) -> None:
        self._lock = threading.RLock()
        self._jobs: dict[str, Job] = {}
        self._order: dict[str, list[tuple[int, str]]] = {}
        #: Creation order per dialect and status, and the status each job is filed under.
        self._by_status: dict[tuple[str, str], list[tuple[int, str]]] = {}
        self._filed: dict[str, str] = {}
        self._unfinished: dict[str, Job] = {}
        self._active = ActiveJobs()
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
        self._active.finished(job)

    def _file(self, job: Job) -> None:
        """File a job under its status (moving it when the status changed)."""
        filed = self._filed.get(job.id)
        if filed == job.status:
            return
        key = (job.seq, job.id)
        if filed is not None:
            _remove(self._by_status[(job.dialect, filed)], key)
        _insert(self._by_status.setdefault((job.dialect, job.status), []), key)
        self._filed[job.id] = job.status

    def _index(self, job: Job) -> None:
        self._file(job)
        if job.terminal:
            self._forget_unfinished(job)
            return
        self._unfinished[job.id] = job
        self._active.started(job)
        if job.due_at is not None and self._pushed.get(job.id) != job.due_at:
            heapq.heappush(self._due, (job.due_at, job.seq, job.id))
            self._pushed[job.id] = job.due_at

    def add(self, job: Job) -> None:
        with self._lock:
            self._jobs[job.id] = job
            _insert(self._order.setdefault(job.dialect, []), (job.seq, job.id))
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
            _remove(self._order[job.dialect], (job.seq, job.id))
            filed = self._filed.pop(job.id, None)
            if filed is not None:
                _remove(self._by_status[(job.dialect, filed)], (job.seq, job.id))
            self._forget_unfinished(job)
            return True

    def page(
        self,
        *,
        dialects: tuple[str, ...],
        order: str,
        after: str | None,
        limit: int,
        statuses: tuple[str, ...] = (),
    ) -> Page | None:
        with self._lock:
            if statuses:
                lists = [self._by_status.get((d, s), []) for d in dialects for s in statuses]
            else:
                lists = [self._order.get(dialect, []) for dialect in dialects]
            cursor = None
            if after is not None:
                found = self._jobs.get(after)
                if found is None:
                    return None
                cursor = (found.seq, found.id)
            chosen = _window(lists, cursor, order, limit + 1)
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

    def active(self, slots: list[tuple[str, str, str]]) -> Active:
        with self._lock:
            return self._active.active(slots)

    def unfinished_count(self) -> int:
        with self._lock:
            return len(self._unfinished)

    def clear(self) -> None:
        with self._lock:
            self._jobs.clear()
            self._order.clear()
            self._by_status.clear()
            self._filed.clear()
            self._unfinished.clear()
            self._active.clear()
            self._due.clear()
            self._pushed.clear()


def _insert(keys: list[tuple[int, str]], key: tuple[int, str]) -> None:
    """Put a key in its place in a sorted list (at the end, as new jobs come, at once)."""
    if not keys or keys[-1] < key:
        keys.append(key)
    else:
        bisect.insort(keys, key)


def _remove(keys: list[tuple[int, str]], key: tuple[int, str]) -> None:
    """Take a key out of a sorted list, if it is there."""
    at = bisect.bisect_left(keys, key)
    if at < len(keys) and keys[at] == key:
        del keys[at]


def _window(
    lists: list[list[tuple[int, str]]], cursor: tuple[int, str] | None, order: str, count: int
) -> list[tuple[int, str]]:
    """The first ``count`` keys past ``cursor`` of several sorted lists together, ascending or
    descending: each list gives at most ``count`` from where the cursor falls in it, so the
    work is the page's, not the lists' length."""
    taken: list[tuple[int, str]] = []
    for keys in lists:
        if order == "asc":
            start = 0 if cursor is None else bisect.bisect_right(keys, cursor)
            taken.extend(keys[start : start + count])
        else:
            end = len(keys) if cursor is None else bisect.bisect_left(keys, cursor)
            taken.extend(keys[max(0, end - count) : end])
    taken.sort(reverse=order != "asc")
    return taken[:count]


Row = tuple[str, int, str, int, str, bytes | None, str, float | None, str | None, float, str]


def job_to_row(job: Job) -> Row:
    """A job as a table row: the reference image's bytes apart, everything else as JSON, and
    the indexed facts (terminal, owner, due time, deployment, planned finish, status) in
    columns of their own."""
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
        job.deployment,
        finish_of(job),
        job.status,
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
                "INSERT INTO jobs (id, seq, dialect, terminal, data, reference, owner, due_at, "
                "deployment, finish_at, status) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                job_to_row(job),
            )
            if not job.terminal:
                _count(connection, job, +1)

    def get(self, job_id: str) -> Job | None:
        row = (
            self.database.connection()
            .execute("SELECT data, reference FROM jobs WHERE id = ?", (job_id,))
            .fetchone()
        )
        return None if row is None else job_from_row(row[0], row[1])

    def save(self, job: Job) -> None:
        row = job_to_row(job)
        with self.database.transaction() as connection:
            before = connection.execute(
                "SELECT terminal FROM jobs WHERE id = ?", (job.id,)
            ).fetchone()
            connection.execute(
                "UPDATE jobs SET terminal = ?, data = ?, due_at = ?, finish_at = ?, status = ? "
                "WHERE id = ?",
                (row[3], row[4], row[7], row[9], row[10], job.id),
            )
            if before is not None and before[0] != row[3]:
                _count(connection, job, -1 if job.terminal else +1)

    def remove(self, job_id: str) -> bool:
        with self.database.transaction() as connection:
            found = connection.execute(
                "SELECT data, reference, terminal FROM jobs WHERE id = ?", (job_id,)
            ).fetchone()
            if found is None:
                return False
            connection.execute("DELETE FROM jobs WHERE id = ?", (job_id,))
            if not found[2]:
                _count(connection, job_from_row(found[0], found[1]), -1)
            return True

    def page(
        self,
        *,
        dialects: tuple[str, ...],
        order: str,
        after: str | None,
        limit: int,
        statuses: tuple[str, ...] = (),
    ) -> Page | None:
        connection = self.database.connection()
        direction, compare = ("ASC", ">") if order == "asc" else ("DESC", "<")
        where = f"dialect IN ({', '.join('?' for _ in dialects)})"
        params: list[Any] = list(dialects)
        if statuses:
            where += f" AND status IN ({', '.join('?' for _ in statuses)})"
            params += statuses
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

    def active(self, slots: list[tuple[str, str, str]]) -> Active:
        connection = self.database.connection()
        count, soonest = 0, None
        for owner, dialect, deployment in slots:
            row = connection.execute(
                "SELECT count FROM active_slots WHERE owner = ? AND dialect = ? AND deployment = ?",
                (owner, dialect, deployment),
            ).fetchone()
            if not row or not row[0]:
                continue
            count += int(row[0])
            if deployment == ANY_DEPLOYMENT:
                query = (
                    "SELECT MIN(finish_at) FROM jobs INDEXED BY jobs_active "
                    "WHERE terminal = 0 AND owner = ? AND dialect = ?"
                )
                found = connection.execute(query, (owner, dialect)).fetchone()
            else:
                query = (
                    "SELECT MIN(finish_at) FROM jobs INDEXED BY jobs_active_on_deployment "
                    "WHERE terminal = 0 AND owner = ? AND dialect = ? AND deployment = ?"
                )
                found = connection.execute(query, (owner, dialect, deployment)).fetchone()
            if found and found[0] is not None and (soonest is None or found[0] < soonest):
                soonest = float(found[0])
        return Active(count, soonest)

    def unfinished_count(self) -> int:
        row = (
            self.database.connection()
            .execute("SELECT count FROM job_counts WHERE name = 'unfinished'")
            .fetchone()
        )
        return int(row[0]) if row else 0

    def clear(self) -> None:
        with self.database.transaction() as connection:
            connection.execute("DELETE FROM jobs")
            connection.execute("DELETE FROM active_slots")
            connection.execute("DELETE FROM job_counts")


def _count(connection: Any, job: Job, change: int) -> None:
    """Count a job that started (+1) or stopped (-1) being unfinished, in each of its slots
    and in all."""
    connection.execute(
        "INSERT INTO job_counts (name, count) VALUES ('unfinished', ?) "
        "ON CONFLICT (name) DO UPDATE SET count = count + excluded.count",
        (change,),
    )
    connection.executemany(
        "INSERT INTO active_slots (owner, dialect, deployment, count) VALUES (?, ?, ?, ?) "
        "ON CONFLICT (owner, dialect, deployment) DO UPDATE SET count = count + excluded.count",
        [(*slot, change) for slot in slots_of(job)],
    )
