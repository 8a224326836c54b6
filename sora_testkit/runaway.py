"""A guard for clients that never stop: a test fails instead of hanging.

A poller with no give-up, or a loop with no sleep while a job stays queued, would hold a test
forever. The guard counts what such a loop does and stops it with :class:`ClientNeverStopped`
(a ``CarelessClientError``), naming the loop:

- status reads of one job, past ``max_job_reads`` (10,000 by default): a loop that never
  sleeps while a job stays queued, or that polls on past a state it does not know;
- mock seconds the code under test slept on the client clock, past ``max_sleep`` (one mock
  day by default).

The error is raised in the client's own thread: an in-process call raises it once the mock
has answered, a sleep raises it instead of advancing the clock, and a read served by a live
server's thread has it raised in the test's thread. Once tripped, the guard raises again on the
client's every next request or sleep, and after :data:`SWALLOWED` of those (a client that
catches every ``Exception`` and carries on) raises :class:`RunawayClient`, which no
``except Exception`` catches; the pytest plugin also fails a test whose client swallowed it.
"""

from __future__ import annotations

import ctypes
import sys
import threading
import weakref
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from types import FrameType
from typing import Any

import mock_server
from sora_testkit.assertions import CarelessClientError

#: Status reads of one job a client may make before the guard stops it.
DEFAULT_MAX_JOB_READS = 10_000
#: Mock seconds the code under test may sleep in all before the guard stops it: one day.
DEFAULT_MAX_SLEEP = 86_400.0
#: Raises after the trip that a client may swallow before :class:`RunawayClient`.
SWALLOWED = 100


class ClientNeverStopped(CarelessClientError):
    """The client kept polling or sleeping past the guard's limit: it would never stop."""


class RunawayClient(BaseException):
    """A client that swallowed :class:`ClientNeverStopped` and went on: raised past any
    ``except Exception``, so the test ends."""


@dataclass(frozen=True)
class LoopLimits:
    """How far a client may go before the guard stops it; ``None`` turns a limit off."""

    max_job_reads: int | None = DEFAULT_MAX_JOB_READS
    max_sleep: float | None = DEFAULT_MAX_SLEEP

    def __post_init__(self) -> None:
        for name in ("max_job_reads", "max_sleep"):
            value = getattr(self, name)
            if value is not None and (isinstance(value, bool) or not value > 0):
                raise ValueError(f"{name} must be a positive number or None, not {value!r}")


#: The kit's, the mock's and the standard library's folders: a frame there is not the
#: client's loop (nor is an installed package's).
_NOT_THE_CLIENT = tuple(
    str(folder)
    for folder in (
        Path(__file__).resolve().parent,
        Path(mock_server.__file__ or "").resolve().parent,
        Path(threading.__file__ or "").resolve().parent,
    )
)


def _client_frame(frame: FrameType | None) -> FrameType | None:
    """The innermost frame of the client's own code: not the kit's, the mock's, the
    standard library's or an installed package's."""
    while frame is not None:
        path = frame.f_code.co_filename
        if (
            not path.startswith(_NOT_THE_CLIENT)
            and "site-packages" not in path
            and not path.startswith("<")
        ):
            return frame
        frame = frame.f_back
    return None


def _where(frame: FrameType | None) -> str:
    if frame is None:
        return ""
    return f" (the loop: {frame.f_code.co_name} at {frame.f_code.co_filename}:{frame.f_lineno})"


_local = threading.local()


class RunawayGuard:
    """Counts one mock's status reads and one client clock's sleeps; trips at a limit."""

    def __init__(self, limits: LoopLimits | None = None) -> None:
        self.limits = limits or LoopLimits()
        #: The thread the test runs in: a read a live server's thread trips is raised there.
        self.thread_id = threading.get_ident()
        self._reads: dict[str, int] = {}
        self._lock = threading.Lock()
        #: Why the guard tripped, once it has.
        self.tripped: str | None = None
        #: How often it raised since: more than once means the client caught it and went on.
        self.raised = 0

    def disarm(self) -> None:
        """Stop counting and raising: the test is over (a thread it left behind must not have
        the next test's thread raise)."""
        self.limits = LoopLimits(max_job_reads=None, max_sleep=None)
        self.tripped = None

    def set_limits(self, limits: LoopLimits) -> None:
        """Take new limits; what was counted stays counted."""
        self.limits = limits

    # --- what it counts ------------------------------------------------------------------

    def saw_read(self, job: Any, method: str, path: str) -> None:
        """A status read of ``job`` (the service's observer calls this while answering)."""
        limit = self.limits.max_job_reads
        if limit is None:
            return
        with self._lock:
            count = self._reads.get(job.id, 0) + 1
            self._reads[job.id] = count
            if count <= limit or self.tripped is not None:
                return
            in_process = getattr(_local, "calls", 0) > 0
            frame = _client_frame(
                sys._getframe(1) if in_process else sys._current_frames().get(self.thread_id)
            )
            state = "after it had finished" if job.terminal else "while it had not finished"
            self.tripped = (
                f"the client read {job.id} {count:,} times {state} ({job.status}; the last "
                f"read {method} {path}){_where(frame)}: at most {limit:,} status reads of one "
                "job (max_job_reads). A careful client sleeps between polls, stops when a read "
                "shows the job finished, and gives up after a timeout."
            )
        if not in_process:
            self._raise_in_test_thread()

    def saw_sleep(self, seconds: float, total: float) -> None:
        """The code under test is about to sleep ``seconds`` (``total`` with it): raises
        instead when that passes the limit, or the guard has tripped."""
        self.raise_if_tripped()
        limit = self.limits.max_sleep
        if limit is None or total <= limit:
            return
        frame = _client_frame(sys._getframe(2))
        with self._lock:
            self.tripped = (
                f"the client slept {total:,.6g} s of mock time in this test (the last sleep "
                f"{seconds:g} s){_where(frame)}: at most {limit:,.6g} s (max_sleep). A careful "
                "client gives up after a timeout."
            )
        self.raise_if_tripped()

    # --- raising -------------------------------------------------------------------------

    def raise_if_tripped(self) -> None:
        """Raise :class:`ClientNeverStopped` (or, once swallowed too often,
        :class:`RunawayClient`) if the guard has tripped."""
        if self.tripped is None:
            return
        self.raised += 1
        if self.raised > SWALLOWED:
            raise RunawayClient(f"{self.tripped} (and the client swallowed that {SWALLOWED} times)")
        raise ClientNeverStopped(self.tripped)

    def _raise_in_test_thread(self) -> None:
        """Have the test's thread raise at its next step (a live server's thread tripped)."""
        message = self.tripped

        class Stopped(ClientNeverStopped):
            """Raised by the interpreter, which makes it with no arguments: it brings its own."""

            def __init__(self, *args: object) -> None:
                super().__init__(message)

        Stopped.__name__ = Stopped.__qualname__ = ClientNeverStopped.__name__
        self.raised += 1
        ctypes.pythonapi.PyThreadState_SetAsyncExc(
            ctypes.c_ulong(self.thread_id), ctypes.py_object(Stopped)
        )


_guards: weakref.WeakKeyDictionary[Any, RunawayGuard] = weakref.WeakKeyDictionary()


def guard(app: Any, limits: LoopLimits | None = None) -> RunawayGuard:
    """The guard of ``app``'s mock (a fresh one with ``limits`` when given)."""
    found = _guards.get(app)
    if found is None or limits is not None:
        found = _guards[app] = RunawayGuard(limits)
    return found


def guard_of(app: Any) -> RunawayGuard | None:
    """The guard watching ``app``, if any."""
    return _guards.get(app)


@contextmanager
def in_process_call(app: Any) -> Iterator[None]:
    """An in-process request to ``app`` from this thread: a read it makes past the limit is
    raised here once the mock has answered."""
    _local.calls = getattr(_local, "calls", 0) + 1
    try:
        yield
    finally:
        _local.calls -= 1
    found = _guards.get(app)
    if found is not None:
        found.raise_if_tripped()
