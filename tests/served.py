"""``sora-mock serve`` in a subprocess, with its output collected as it arrives."""

from __future__ import annotations

import contextlib
import os
import re
import signal
import subprocess
import sys
import threading
from typing import IO


class Served:
    """A ``sora-mock serve`` process (and any workers it starts) in its own process group."""

    def __init__(self, *args: str) -> None:
        env = {**os.environ, "PYTHONUNBUFFERED": "1"}
        self.process = subprocess.Popen(
            [sys.executable, "-m", "mock_server.cli", "serve", "--port", "0", *args],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            env=env,
            start_new_session=True,
        )
        self.lines: list[str] = []
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
            self.lines.append(line)
            if "progression:" in line:
                self.ready.set()

    def stop(self, signum: int = signal.SIGINT) -> int:
        """Signal the server and wait for it to exit; returns its exit status."""
        self.process.send_signal(signum)
        try:
            code = self.process.wait(timeout=30)
        finally:
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
