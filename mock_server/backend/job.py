"""A job and how it advances: its state is a pure function of how far along its run it is."""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Any, Protocol

from mock_server import catalog
from mock_server.backend import history
from mock_server.backend.history import Step
from mock_server.domain import ReferenceImage


@dataclass
class Job:
    """One video generation job, dialect-neutral."""

    id: str
    seq: int
    dialect: str
    owner: str
    model: str
    prompt: str
    width: int
    height: int
    seconds: int
    created_at: float
    #: Mock seconds the whole run takes (``time`` and ``manual`` modes).
    duration: float
    #: Status reads the whole run takes (``polls`` mode).
    steps: int
    reference: ReferenceImage | None = None
    #: Seconds from completion until the results expire.
    lifetime: float = catalog.ASSET_LIFETIME_SECONDS
    remixed_from: str | None = None
    failure_code: str | None = None
    #: How far along the run is, 0..1; never goes back.
    fraction: float = 0.0
    reads: int = 0
    status: str = catalog.QUEUED
    progress: int = 0
    completed_at: float | None = None
    expires_at: float | None = None
    error_code: str | None = None
    error_message: str | None = None
    #: The steps of a scripted history still to play; ``None`` when the job is not scripted.
    script: list[Step] | None = None
    #: The origin the client reached the mock at, for the result URLs handed out later.
    origin: str | None = None
    #: Where the final state is POSTed, when the client asked to be called back.
    callback_url: str | None = None
    #: The video this one edits or extends, when it was given by id.
    source_id: str | None = None
    #: How many extensions led to this video (0 for any other).
    extensions: int = 0
    #: Mock time by which the job turns terminal without a read (``time`` and ``manual``
    #: progressions); ``None`` when only reads move it. Indexed by stores, so that settling
    #: visits the jobs that are due, never every unfinished one.
    due_at: float | None = None
    #: The Azure deployment that runs the job; ``None`` elsewhere.
    deployment: str | None = None
    #: How many videos the job makes (Azure's Sora 1 ``n_variants``); 1 elsewhere.
    variants: int = 1

    def to_record(self) -> dict[str, Any]:
        """Every field as JSON, but the reference image's bytes (kept apart by a store)."""
        record = {f.name: getattr(self, f.name) for f in fields(self) if f.name in _PLAIN_FIELDS}
        if self.script is not None:
            record["script"] = [step.to_dict() for step in self.script]
        if self.reference is not None:
            reference = self.reference
            record["reference"] = {
                "format": reference.format,
                "width": reference.width,
                "height": reference.height,
            }
        return record

    def __copy__(self) -> Job:
        """A shallow copy, as ``copy.copy`` makes it, without its generic machinery's cost
        (a status read shows a copy of the job it read)."""
        twin = object.__new__(Job)
        twin.__dict__.update(self.__dict__)
        return twin

    @classmethod
    def from_record(cls, record: dict[str, Any], reference_bytes: bytes | None) -> Job:
        """A job rebuilt from :meth:`to_record` and the reference image's bytes."""
        values = dict(record)
        script = values.pop("script", None)
        described = values.pop("reference", None)
        reference = (
            ReferenceImage(
                reference_bytes, described["format"], described["width"], described["height"]
            )
            if described is not None and reference_bytes is not None
            else None
        )
        steps = None if script is None else [history.step_from_dict(step) for step in script]
        return cls(**values, reference=reference, script=steps)

    @property
    def size(self) -> str:
        """The size in the native ``WIDTHxHEIGHT`` form."""
        return f"{self.width}x{self.height}"

    @property
    def terminal(self) -> bool:
        """Whether the job has finished, one way or the other."""
        return self.status in catalog.TERMINAL_STATUSES

    def fail_fraction(self) -> float | None:
        """Where in the run the job fails, or ``None`` when it succeeds."""
        if self.failure_code is None:
            return None
        return max(catalog.ENDINGS[self.failure_code].at_fraction, catalog.QUEUED_SHARE)

    def end_fraction(self) -> float:
        """The fraction at which the job turns terminal."""
        failing = self.fail_fraction()
        return 1.0 if failing is None else failing

    def move_to(self, fraction: float, now: float) -> bool:
        """Advance to ``fraction`` of the run; return True when this made the job terminal."""
        if self.terminal:
            return False
        self.fraction = max(self.fraction, min(fraction, 1.0))
        end = self.end_fraction()
        if self.fraction >= end:
            self._finish(now)
            return True
        if self.fraction < catalog.QUEUED_SHARE:
            self.status, self.progress = catalog.QUEUED, 0
        else:
            self.status = catalog.IN_PROGRESS
            self.progress = max(self.progress, min(99, max(1, round(self.fraction * 100))))
        return False

    def play(self, status: str, progress: int, failure: str | None, now: float) -> bool:
        """Take a scripted state; return True when this made the job terminal."""
        if self.terminal:
            return False
        self.status, self.progress = status, progress
        self.fraction = 1.0 if status in catalog.TERMINAL_STATUSES else progress / 100
        if status == catalog.COMPLETED:
            self.completed_at = now
            self.expires_at = now + self.lifetime
        elif status == catalog.CANCELLED:
            self.completed_at = now
        elif status == catalog.FAILED and failure is not None:
            kind = catalog.FAILURES[failure]
            self.completed_at = now
            self.error_code, self.error_message = kind.code, kind.message
        return self.terminal

    def _finish(self, now: float) -> None:
        if self.failure_code is None:
            self.status, self.progress = catalog.COMPLETED, 100
            self.completed_at = now
            self.expires_at = now + self.lifetime
            return
        end = self.end_fraction()
        self.progress = 0 if end <= catalog.QUEUED_SHARE else min(99, round(end * 100))
        self.completed_at = now
        if self.failure_code == catalog.CANCELLED:
            self.status = catalog.CANCELLED
            return
        kind = catalog.FAILURES[self.failure_code]
        self.status = catalog.FAILED
        self.error_code, self.error_message = kind.code, kind.message

    def cancel(self, now: float) -> bool:
        """Stop the job where it is; return True when this made it terminal."""
        if self.terminal:
            return False
        self.status, self.completed_at = catalog.CANCELLED, now
        self.fraction = 1.0
        return True


#: Fields kept in a record as they are: everything but the script and the reference.
_PLAIN_FIELDS = frozenset(f.name for f in fields(Job)) - {"script", "reference"}


class Progression(Protocol):
    """Decides how far along its run a job is."""

    name: str

    def fraction(self, job: Job, now: float) -> float:
        """The fraction of the run done at mock time ``now``."""
        ...

    def finished_at(self, job: Job, now: float) -> float:
        """The mock time at which a job that is terminal by now became so."""
        ...

    def due_at(self, job: Job) -> float | None:
        """The mock time by which the job turns terminal without a read; ``None`` if never."""
        ...


class Instant:
    """Every job is terminal as soon as it is created."""

    name = "instant"

    def fraction(self, job: Job, now: float) -> float:
        return 1.0

    def finished_at(self, job: Job, now: float) -> float:
        return job.created_at

    def due_at(self, job: Job) -> float | None:
        return job.created_at


class ByPolls:
    """One step per status read, so that a client's polling loop really loops."""

    name = "polls"

    def fraction(self, job: Job, now: float) -> float:
        return job.reads / job.steps

    def finished_at(self, job: Job, now: float) -> float:
        return now

    def due_at(self, job: Job) -> float | None:
        return None


class ByTime:
    """The run takes ``job.duration`` mock seconds; ``manual`` is this on a frozen clock."""

    def __init__(self, name: str = "time") -> None:
        self.name = name

    def fraction(self, job: Job, now: float) -> float:
        if job.duration <= 0:
            return 1.0
        return (now - job.created_at) / job.duration

    def finished_at(self, job: Job, now: float) -> float:
        return min(now, job.created_at + job.duration * job.end_fraction())

    def due_at(self, job: Job) -> float | None:
        return job.created_at + job.duration * job.end_fraction()


def progression_for(name: str) -> Progression:
    """The progression policy for a mode name of the catalog."""
    policies: dict[str, Progression] = {
        "instant": Instant(),
        "polls": ByPolls(),
        "time": ByTime("time"),
        "manual": ByTime("manual"),
    }
    return policies[name]
