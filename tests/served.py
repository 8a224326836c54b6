"""``sora-mock serve`` in a subprocess, with its output collected as it arrives."""

from __future__ import annotations

import contextlib
import os
import re
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from typing import IO

import httpx


def _ignore_sigint() -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)


class Served:
    """A ``sora-mock serve`` process (and any workers it starts) in its own process group."""

    def __init__(
        self,
        *args: str,
        sigint_ignored: bool = False,
    ) -> None:
        env = {**os.environ, "PYTHONUNBUFFERED": "1"}
        self.process = subprocess.Popen(
            [sys.executable, "-m", "mock_server.cli", "serve", "--port", "0", *args],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            env=env,
            start_new_session=True,
            # As a script's background job starts: SIGINT inherited as ignored.
            preexec_fn=_ignore_sigint if sigint_ignored else None,
        )
        self.lines: list[str] = []
        self._printed = threading.Condition()
        self.ready = threading.Event()
        assert self.process.stdout is not None
        self._reader = threading.Thread(target=self._read, args=(self.process.stdout,), daemon=True)
        self._reader.start()
        if not self.ready.wait(timeout=60):
            self.kill()
            raise AssertionError(f"the server did not start: {''.join(self.lines)}")
        match = re.search(r"serving on (http://\S+)", "".join(self.lines))
        assert match, self.lines
        self.url = match.group(1)

    @property
    def port(self) -> int:
        """The port it listens on."""
        return int(self.url.rsplit(":", 1)[1])

    def _read(self, stream: IO[str]) -> None:
        for line in stream:
            with self._printed:
                self.lines.append(line)
                self._printed.notify_all()
            if "progression:" in line:
                self.ready.set()

    def wait_for_line(self, text: str, timeout: float = 30) -> bool:
        """Wait until the server has printed a line containing ``text``."""
        with self._printed:
            return self._printed.wait_for(
                lambda: any(text in line for line in self.lines), timeout=timeout
            )

    def stop(self, signum: int = signal.SIGINT) -> int:
        """Signal the server and wait for it to exit; returns its exit status."""
        self.process.send_signal(signum)
        try:
            code = self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.kill()
            raise AssertionError(
                f"the server ignored signal {signum}: {''.join(self.lines)}"
            ) from None
        self._close()
        return code

    def kill(self) -> None:
        """``kill -9`` the whole process group: the server and every worker."""
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=15)
        self._close()

    def _close(self) -> None:
        self._reader.join(timeout=5)
        assert self.process.stdout is not None
        self.process.stdout.close()


def quiet_server(read_timeout: float) -> Iterator[Served]:
    """A quiet ``sora-mock serve`` for a module's tests, stopped cleanly and without a
    traceback at the end."""
    server = Served("--read-timeout", str(read_timeout), "--quiet")
    yield server
    assert server.stop() == 0
    assert not any("Traceback" in line for line in server.lines)


def wait_until_faults_taken(url: str, timeout: float = 10) -> None:
    """Wait until the requests sent have taken every queued fault (a slow one holds its
    request from then on)."""
    deadline = time.monotonic() + timeout
    while httpx.get(f"{url}/_mock/faults").json()["faults"]:
        assert time.monotonic() < deadline, "the slow request never started"
        time.sleep(0.01)
