"""A stop asked of a ``sora-mock serve`` worker before its event loop listens for one."""

from __future__ import annotations

import multiprocessing
import os
import signal
from typing import Any


class EarlyStop:
    """A stop asked before a worker's event loop listens for one, passed on once it does.

    A worker can miss a SIGTERM or SIGINT that comes early: one sent right after the fork
    is cleared by Python's own after-fork reset; while the worker builds its app it still
    has the master's handler; and between granian giving the loop its handlers and the loop
    running, uvloop drops what comes (it listens only once it runs). So the master also
    marks a stop in memory it shares with its workers before it signals them, a worker
    notes any signal it gets early, and once its loop listens a worker that was asked
    signals itself again: a stop right after the banner is as quick as any other.
    """

    SIGNALS = (signal.SIGTERM, signal.SIGINT)

    def __init__(self) -> None:
        self.noted = False
        self.master_stopping: Any = None

    def share(self) -> None:
        """In the master, before it starts any worker: the mark its workers will read."""
        self.master_stopping = multiprocessing.RawValue("b", 0)

    def mark(self) -> None:
        """In the master, when told to stop (before it signals the workers)."""
        if self.master_stopping is not None:
            self.master_stopping.value = 1

    def note(self, *_: Any) -> None:
        """A worker's early signal handler: a stop was asked."""
        self.noted = True

    def asked(self) -> bool:
        """Whether this worker was asked to stop, by a signal or by the master's mark."""
        return self.noted or bool(self.master_stopping and self.master_stopping.value)

    def hold(self, loop: Any) -> None:
        """In a worker whose loop is about to run: pass on a stop asked until it listens."""
        previous = {signum: signal.getsignal(signum) for signum in self.SIGNALS}
        listening = signal.set_wakeup_fd(-1)
        signal.set_wakeup_fd(listening)
        if listening == -1:  # the loop listens only once it runs: note what comes before
            for signum in self.SIGNALS:
                signal.signal(signum, self.note)

        def pass_on() -> None:
            if listening == -1:
                for signum, handler in previous.items():
                    signal.signal(signum, handler)
            if self.asked():
                os.kill(os.getpid(), signal.SIGTERM)

        loop.call_soon(pass_on)


#: The worker's early stop (each worker process has its own copy).
early_stop = EarlyStop()
