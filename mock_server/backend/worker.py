"""A background thread that runs periodic chores: settling timed jobs and sending deliveries."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

log = logging.getLogger("sora_mock.worker")


class BackgroundWorker:
    """Runs its chores when woken and at least every ``interval`` seconds; starts on first wake."""

    def __init__(self, chores: list[Callable[[], object]], interval: float = 0.25) -> None:
        self.chores = chores
        self.interval = interval
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._start_lock = threading.Lock()

    def wake(self) -> None:
        """Ask for a run soon, starting the thread if needed."""
        with self._start_lock:
            if self._stop.is_set():
                return
            if self._thread is None:
                self._thread = threading.Thread(
                    target=self._loop, name="sora-mock-worker", daemon=True
                )
                self._thread.start()
        self._wake.set()

    def _loop(self) -> None:
        while not self._stop.is_set():
            self._wake.wait(self.interval)
            self._wake.clear()
            for chore in self.chores:
                try:
                    chore()
                except Exception:  # a chore must never kill the worker
                    log.exception("background chore failed")

    def stop(self) -> None:
        """Stop the thread and wait for it."""
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
