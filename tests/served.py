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
from typing import IO

import httpx

WITHOUT_GUNICORN = (
    "import sys; from mock_server import cli, gunicorn_server; "
    "gunicorn_server.available = lambda: False; sys.exit(cli.main(sys.argv[1:]))"
)
WITHOUT_HTTPTOOLS = (
    "import sys; from mock_server import cli, gunicorn_server; "
    "gunicorn_server.event_worker_available = lambda: False; sys.exit(cli.main(sys.argv[1:]))"
)


def _ignore_sigint() -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)


class Served:
    """A ``sora-mock serve`` process (and any workers it starts) in its own process group."""

    def __init__(
        self,
        *args: str,
        sigint_ignored: bool = False,
        gunicorn: bool = True,
        httptools: bool = True,
    ) -> None:
        env = {**os.environ, "PYTHONUNBUFFERED": "1"}
        # ``gunicorn=False``: serve as on a machine without gunicorn (Windows);
        # ``httptools=False``: gunicorn's threaded worker, where llhttp's binding is missing.
        start = ["-m", "mock_server.cli"]
        if not gunicorn:
            start = ["-c", WITHOUT_GUNICORN]
        elif not httptools:
            start = ["-c", WITHOUT_HTTPTOOLS]
        self.process = subprocess.Popen(
            [sys.executable, *start, "serve", "--port", "0", *args],
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


def wait_until_faults_taken(url: str, timeout: float = 10) -> None:
    """Wait until the requests sent have taken every queued fault (a slow one holds its
    request from then on)."""
    deadline = time.monotonic() + timeout
    while httpx.get(f"{url}/_mock/faults").json()["faults"]:
        assert time.monotonic() < deadline, "the slow request never started"
        time.sleep(0.01)
