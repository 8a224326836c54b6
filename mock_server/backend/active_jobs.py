"""Unfinished jobs counted per key, dialect and deployment, for the concurrency limit.

A create asks how many unfinished jobs its key has in its limit group, and when the soonest of
them finishes (the ``retry-after`` of a refusal). Both are answered from counts and heaps kept
as jobs start and finish, never by listing the key's jobs: a key with 10,000 unfinished jobs
costs a create what a key with one does.
"""

from __future__ import annotations

import heapq
from dataclasses import dataclass

from mock_server.backend.job import Job

#: The deployment part of a slot that counts a key's jobs on every deployment.
ANY_DEPLOYMENT = "*"


@dataclass(frozen=True)
class Active:
    """A key's unfinished jobs in some slots: how many, and when the soonest finishes."""

    count: int
    soonest_finish: float | None


def slots_of(job: Job) -> list[tuple[str, str, str]]:
    """The slots a job counts in: its key and dialect on any deployment, and on its own."""
    slots = [(job.owner, job.dialect, ANY_DEPLOYMENT)]
    if job.deployment is not None:
        slots.append((job.owner, job.dialect, job.deployment))
    return slots


def finish_of(job: Job) -> float:
    """When a job is planned to finish, on the mock clock."""
    return job.created_at + job.duration


class ActiveJobs:
    """The in-memory index: per slot, the unfinished jobs' planned finishes, and a heap of
    them (an entry for a job that finished since is dropped when it surfaces)."""

    def __init__(self) -> None:
        self._finishes: dict[tuple[str, str, str], dict[str, float]] = {}
        self._heaps: dict[tuple[str, str, str], list[tuple[float, str]]] = {}

    def started(self, job: Job) -> None:
        """Count an unfinished job (again: counting it twice changes nothing)."""
        finish = finish_of(job)
        for slot in slots_of(job):
            finishes = self._finishes.setdefault(slot, {})
            if finishes.get(job.id) != finish:
                finishes[job.id] = finish
                heapq.heappush(self._heaps.setdefault(slot, []), (finish, job.id))

    def finished(self, job: Job) -> None:
        """Stop counting a job (finished, cancelled or deleted)."""
        for slot in slots_of(job):
            finishes = self._finishes.get(slot)
            if finishes is not None and finishes.pop(job.id, None) is not None and not finishes:
                del self._finishes[slot]
                self._heaps.pop(slot, None)

    def active(self, slots: list[tuple[str, str, str]]) -> Active:
        """How many unfinished jobs the slots hold, and the soonest planned finish."""
        count, soonest = 0, None
        for slot in slots:
            finishes = self._finishes.get(slot)
            if not finishes:
                continue
            count += len(finishes)
            heap = self._heaps[slot]
            while heap and finishes.get(heap[0][1]) != heap[0][0]:
                heapq.heappop(heap)  # an entry that no longer holds
            if heap and (soonest is None or heap[0][0] < soonest):
                soonest = heap[0][0]
        return Active(count, soonest)

    def clear(self) -> None:
        """Forget every job."""
        self._finishes.clear()
        self._heaps.clear()
