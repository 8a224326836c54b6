"""Scripted job histories: the exact states, progress and HTTP faults a job's reads will see.

A test queues a history; the next job created takes it, and each status read of that job plays
the next step: a state (with its progress, and the failure code when it fails) or an HTTP
fault that answers that read instead. Once the steps run out the job stays where it is. A
history that ends ``cancelled`` is taken by the next job of a dialect that shows a cancelled
job (Azure's Sora 1 jobs API); other jobs pass it by.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from mock_server import catalog


class HistoryError(ValueError):
    """A history that is not a legal sequence of job states."""


@dataclass(frozen=True)
class StateStep:
    """A status read answered with this state."""

    status: str
    progress: int
    failure: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready view."""
        return {"status": self.status, "progress": self.progress, "failure": self.failure}


@dataclass(frozen=True)
class FaultStep:
    """A status read answered with an HTTP error instead."""

    status: int
    retry_after_ms: int | None = None

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready view."""
        return {"fault": self.status, "retry_after_ms": self.retry_after_ms}


Step = StateStep | FaultStep


class ScriptedFault(Exception):
    """A status read that a history answers with an HTTP error."""

    def __init__(self, step: FaultStep) -> None:
        super().__init__(step.status)
        self.step = step

    def headers(self) -> dict[str, str]:
        """The retry headers the fault carries."""
        if self.step.retry_after_ms is None:
            return {}
        return {"retry-after-ms": str(self.step.retry_after_ms)}


def check(steps: list[Step]) -> list[Step]:
    """Refuse what no real job does: going back, progress out of range, acting after the end."""
    rank = {
        catalog.QUEUED: 0,
        catalog.IN_PROGRESS: 1,
        catalog.COMPLETED: 2,
        catalog.FAILED: 2,
        catalog.CANCELLED: 2,
    }
    last_rank, last_progress, ended = 0, 0, False
    for index, step in enumerate(steps):
        if isinstance(step, FaultStep):
            if not 400 <= step.status <= 599:
                raise HistoryError(f"step {index}: a fault needs a status of 400-599")
            continue
        if ended:
            raise HistoryError(f"step {index}: the job already finished")
        if step.status not in rank:
            raise HistoryError(f"step {index}: unknown status {step.status!r}")
        if rank[step.status] < last_rank or step.progress < last_progress:
            raise HistoryError(f"step {index}: a job never goes back")
        # ``in_progress`` at 100 is a reading a client must survive: the bar is full, the
        # video is not ready until a read says ``completed``.
        expected = {
            catalog.QUEUED: step.progress == 0,
            catalog.IN_PROGRESS: 0 <= step.progress <= 100,
            catalog.COMPLETED: step.progress == 100,
            catalog.FAILED: 0 <= step.progress <= 99,
            catalog.CANCELLED: 0 <= step.progress <= 99,
        }[step.status]
        if not expected:
            raise HistoryError(f"step {index}: progress {step.progress} is wrong for {step.status}")
        if (step.status == catalog.FAILED) != (step.failure is not None):
            raise HistoryError(f"step {index}: a failure code goes with 'failed' and only there")
        if step.status == catalog.FAILED and step.failure == catalog.CANCELLED:
            raise HistoryError(f"step {index}: a cancelled job is StateStep('cancelled', ...)")
        if step.failure is not None and step.failure not in catalog.FAILURES:
            raise HistoryError(f"step {index}: unknown failure {step.failure!r}")
        last_rank, last_progress = rank[step.status], step.progress
        ended = step.status in catalog.TERMINAL_STATUSES
    return steps


def step_from_dict(data: dict[str, Any]) -> Step:
    """A step from its :meth:`to_dict` form."""
    if "fault" in data:
        return FaultStep(int(data["fault"]), data.get("retry_after_ms"))
    return StateStep(str(data["status"]), int(data["progress"]), data.get("failure"))


def from_json(raw: list[dict[str, Any]]) -> list[Step]:
    """Steps from their JSON form, held to what a real job does.

    The form itself is checked before (``contracts/control/history_request.json``).
    """
    return check([step_from_dict(item) for item in raw])


def cancels(script: list[dict[str, Any]]) -> bool:
    """Whether a history (in its JSON form) ends with the job cancelled."""
    return any(step.get("status") == catalog.CANCELLED for step in script)
