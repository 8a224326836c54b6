"""The server's one line a request.

``sora-mock serve`` writes each line straight to its output (:func:`write_to`); anywhere else
(a server in a test's thread, an app a program serves itself) the line goes through the
``sora_mock.requests`` logger at INFO, where ``caplog`` and a program's own logging see it.
Written straight, a line costs a status read about a fifth of what a log record does: stdlib
logging builds a record (the time, the caller's file name, the thread), takes two locks and
formats it, for a line that is its message alone.
"""

from __future__ import annotations

import logging
import threading
from typing import TextIO

log = logging.getLogger("sora_mock.requests")

_output: TextIO | None = None
_lock = threading.Lock()


def write_to(stream: TextIO | None) -> None:
    """Write the request lines straight to ``stream``, flushed at once (``None``: through the
    logger again)."""
    global _output
    _output = stream


def enabled() -> bool:
    """Whether a request line is written at all (building one is then worth it)."""
    return _output is not None or log.isEnabledFor(logging.INFO)


def write(line: str) -> None:
    """Write one request line."""
    output = _output
    if output is None:
        log.info("%s", line)
        return
    with _lock:
        output.write(line + "\n")
        output.flush()
