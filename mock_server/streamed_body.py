"""A request body that arrives on the event loop while the app reads it on another thread."""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Callable, Iterator

#: Bytes held for a reader before the connection stops reading from its socket.
HIGH_WATER = 1 << 20


class StreamedBody:
    """``wsgi.input`` for a request answered on a worker thread.

    The loop ``feed``\\ s chunks as they arrive and ``finish``\\ es the body at its end (or
    ``fail``\\ s it: a read timeout); the app's thread reads, waiting for what has not come
    yet. :attr:`wants_pause` says the loop should stop reading the socket: more than
    :data:`HIGH_WATER` bytes wait and no reader is waiting for more. ``on_change`` runs
    whenever that may have changed (from either thread): the loop then reads it again.
    ``on_first_read`` runs once, as the app starts reading (``Expect: 100-continue`` is
    answered then).
    """

    def __init__(
        self,
        on_change: Callable[[], None] | None = None,
        on_first_read: Callable[[], None] | None = None,
    ) -> None:
        self._chunks: deque[bytes] = deque()
        self._held = 0
        self._ended = False
        self._error: BaseException | None = None
        self._waiting = False
        self._reported = False
        self._changed = threading.Condition()
        self._on_change = on_change
        self._on_first_read = on_first_read

    @property
    def wants_pause(self) -> bool:
        """Whether the loop should stop reading the socket for now."""
        return self._held > HIGH_WATER and not self._waiting

    def _report(self) -> bool:
        """Whether :attr:`wants_pause` flipped since last said (call with the lock held)."""
        now = self.wants_pause
        flipped = now != self._reported
        self._reported = now
        return flipped and self._on_change is not None

    def _tell(self) -> None:
        if self._on_change is not None:
            self._on_change()

    # The loop's side.

    def feed(self, data: bytes) -> None:
        """Add a chunk that arrived."""
        with self._changed:
            self._chunks.append(data)
            self._held += len(data)
            flipped = self._report()
            self._changed.notify_all()
        if flipped:
            self._tell()

    def finish(self) -> None:
        """The body is complete (or the client has stopped sending: a read gets what came)."""
        with self._changed:
            self._ended = True
            self._changed.notify_all()

    def fail(self, error: BaseException) -> None:
        """The body will not complete: a read past what arrived raises ``error``."""
        with self._changed:
            self._error = error
            self._changed.notify_all()

    # The app's side.

    def _ready(self, size: int) -> bool:
        if self._ended or self._error is not None:
            return True
        return size >= 0 and self._held >= size

    def _take(self, size: int) -> bytes:
        """Up to ``size`` bytes (all there will be when negative), waiting for them."""
        if self._on_first_read is not None:
            first, self._on_first_read = self._on_first_read, None
            first()
        with self._changed:
            waits = not self._ready(size)
            self._waiting = waits
            flipped = waits and self._report()
        if flipped:
            self._tell()  # a paused socket must be read again: this read waits for it
        with self._changed:
            while not self._ready(size):
                self._changed.wait()
            self._waiting = False
            short = size < 0 or self._held < size
            if short and self._error is not None and not self._ended:
                raise self._error  # as a socket read that timed out: nothing is returned
            data = self._pop(size if size >= 0 else self._held)
            flipped = self._report()
        if flipped:
            self._tell()
        return data

    def _pop(self, size: int) -> bytes:
        parts: list[bytes] = []
        wanted = min(size, self._held)
        while wanted:
            chunk = self._chunks.popleft()
            if len(chunk) > wanted:
                self._chunks.appendleft(chunk[wanted:])
                chunk = chunk[:wanted]
            parts.append(chunk)
            wanted -= len(chunk)
            self._held -= len(chunk)
        return b"".join(parts)

    def read(self, size: int | None = -1) -> bytes:
        """Read ``size`` bytes, or to the end."""
        return self._take(-1 if size is None else size)

    def readinto(self, buffer: bytearray | memoryview) -> int:
        """Fill ``buffer`` with what there is, up to its size."""
        view = memoryview(buffer).cast("B")
        data = self._take(len(view)) if len(view) else b""
        view[: len(data)] = data
        return len(data)

    def readline(self, size: int | None = -1) -> bytes:
        """One line, up to ``size`` bytes."""
        line = bytearray()
        limit = -1 if size is None else size
        while limit < 0 or len(line) < limit:
            byte = self._take(1)
            if not byte:
                break
            line += byte
            if byte == b"\n":
                break
        return bytes(line)

    def __iter__(self) -> Iterator[bytes]:
        while line := self.readline():
            yield line
