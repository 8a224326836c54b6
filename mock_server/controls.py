"""Every way a test steers the mock, implemented and checked once.

The control API (``/_mock/``) and the ``SoraMock`` fixture are thin adapters over
:class:`Controls`: each takes its caller's values (JSON from a request body, Python arguments),
hands them here, and reports a :class:`ControlError` in its own way (a 400 or a
``ValueError``). So a value refused by one is refused by the other, with the same sentence.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from mock_server import catalog
from mock_server.backend import history
from mock_server.backend.assets import Asset
from mock_server.backend.faults import Fault
from mock_server.backend.history import Step
from mock_server.state import MockState

#: Fields a queued fault may have.
FAULT_FIELDS = (
    "status",
    "count",
    "method",
    "path",
    "retry_after",
    "retry_after_ms",
    "should_retry",
    "delay_ms",
    "message",
    "headers",
)
#: The kinds of delivery the journal holds.
DELIVERY_KINDS = ("webhook", "callback")
#: The longest delay a fault may add.
MAX_FAULT_DELAY_MS = 60_000


class ControlError(ValueError):
    """A control called with a value it cannot use; the message says which and why."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.message = message
        self.status = status


def _number(value: Any, name: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ControlError(f"'{name}' must be a number.")
    return float(value)


def _optional_number(values: Mapping[str, Any], name: str) -> float | None:
    value = values.get(name)
    return None if value is None else _number(value, name)


def _count(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ControlError("'count' must be a positive integer.")
    return value


def _optional_text(values: Mapping[str, Any], name: str) -> str | None:
    value = values.get(name)
    if value is not None and not isinstance(value, str):
        raise ControlError(f"'{name}' must be a string.")
    return value


class Controls:
    """The controls of one mock state."""

    def __init__(self, state: MockState) -> None:
        self.state = state

    # --- time and progression ------------------------------------------------------------------

    def advance_clock(self, seconds: Any) -> float:
        """Move the clock forward by ``seconds``; timed jobs follow. Returns the new time."""
        amount = _number(seconds, "seconds")
        if amount < 0:
            raise ControlError("'seconds' must not be negative: the mock clock only moves forward.")
        return self.state.advance_clock(amount)

    def set_progression(self, mode: Any, speed: Any = None) -> None:
        """Switch how jobs advance (``speed`` only matters in ``time`` mode)."""
        if mode not in catalog.PROGRESSIONS:
            raise ControlError(f"'mode' must be one of {', '.join(catalog.PROGRESSIONS)}.")
        rate = None if speed is None else _number(speed, "speed")
        if rate is not None and rate <= 0:
            raise ControlError("'speed' must be positive.")
        self.state.set_progression(mode, rate)

    # --- outcomes, histories, faults -----------------------------------------------------------

    def force_outcome(self, outcome: Any, count: Any = 1) -> list[str]:
        """Make the next ``count`` jobs end this way; returns the outcomes now queued."""
        if not isinstance(outcome, str) or outcome not in catalog.OUTCOMES:
            raise ControlError(f"'outcome' must be one of {', '.join(catalog.OUTCOMES)}.")
        self.state.service.force_outcome(catalog.OUTCOMES[outcome], _count(count))
        return self.state.service.forced_outcomes()

    def clear_outcomes(self) -> None:
        """Drop every forced outcome still queued."""
        self.state.service.clear_forced_outcomes()

    def play_history(self, steps: Sequence[Step]) -> int:
        """Script the next job's status reads; returns how many scripts wait for a job."""
        try:
            self.state.service.queue_history(history.check(list(steps)))
        except history.HistoryError as exc:
            raise ControlError(str(exc)) from exc
        return self.state.service.queued_histories()

    def play_history_json(self, raw: Any) -> int:
        """:meth:`play_history` with the steps in their JSON form."""
        try:
            steps = history.from_json(raw)
        except history.HistoryError as exc:
            raise ControlError(str(exc)) from exc
        return self.play_history(steps)

    def queue_fault(self, values: Mapping[str, Any]) -> list[dict[str, Any]]:
        """Queue an HTTP fault (fields of :data:`FAULT_FIELDS`); returns the faults queued."""
        unknown = sorted(set(values) - set(FAULT_FIELDS))
        if unknown:
            raise ControlError(f"Unknown fault fields: {', '.join(unknown)}.")
        status = values.get("status", 0)
        if (
            isinstance(status, bool)
            or not isinstance(status, int)
            or not (status == 0 or 400 <= status <= 599)
        ):
            raise ControlError(
                "'status' must be an HTTP error status (400-599), or 0 for a delay only."
            )
        delay = values.get("delay_ms", 0)
        if (
            isinstance(delay, bool)
            or not isinstance(delay, int)
            or not 0 <= delay <= MAX_FAULT_DELAY_MS
        ):
            raise ControlError(f"'delay_ms' must be an integer between 0 and {MAX_FAULT_DELAY_MS}.")
        if status == 0 and not delay:
            raise ControlError("A fault needs a 'status', a 'delay_ms', or both.")
        headers = values.get("headers") or {}
        if not isinstance(headers, dict) or not all(
            isinstance(k, str) and isinstance(v, str) for k, v in headers.items()
        ):
            raise ControlError("'headers' must map names to strings.")
        should_retry = values.get("should_retry")
        if should_retry is not None and not isinstance(should_retry, bool):
            raise ControlError("'should_retry' must be true or false.")
        retry_after_ms = _optional_number(values, "retry_after_ms")
        fault = Fault(
            status=status,
            count=_count(values.get("count", 1)),
            method=_optional_text(values, "method"),
            path=_optional_text(values, "path"),
            retry_after=_optional_number(values, "retry_after"),
            retry_after_ms=None if retry_after_ms is None else int(retry_after_ms),
            should_retry=should_retry,
            delay_ms=delay,
            message=_optional_text(values, "message"),
            headers=dict(headers),
        )
        self.state.faults.add(fault)
        return self.state.faults.pending()

    def clear_faults(self) -> None:
        """Drop every queued fault."""
        self.state.faults.clear()

    # --- image URLs and assets -----------------------------------------------------------------

    def mark_unreachable(self, *, url: Any = None, host: Any = None) -> dict[str, list[str]]:
        """Make an image URL, or a whole host, impossible to fetch; returns what is marked."""
        for name, value in (("url", url), ("host", host)):
            if value is not None and not isinstance(value, str):
                raise ControlError(f"'{name}' must be a string.")
        if not any(isinstance(value, str) and value.strip() for value in (url, host)):
            raise ControlError("Give a 'url' or a 'host' (a non-empty string).")
        self.state.resolver.mark_unreachable(url=url, host=host)
        return self.state.resolver.unreachable()

    def upload_asset(self, data: bytes, content_type: str, filename: str | None) -> Asset:
        """Store an image on the mock, to be named by ``file_id`` or by its URL."""
        if not data:
            raise ControlError(
                "Send the asset as a multipart part named 'file' or as the raw body."
            )
        return self.state.assets.add(data, content_type, filename, self.state.clock.now())

    # --- deliveries ----------------------------------------------------------------------------

    def deliveries(self, kind: Any = None) -> list[dict[str, Any]]:
        """Webhook and callback deliveries with every attempt, of one ``kind`` if given."""
        if kind is not None and kind not in DELIVERY_KINDS:
            raise ControlError(f"'kind' must be one of {', '.join(DELIVERY_KINDS)}.")
        return self.state.outbox.journal(kind)

    def flush_deliveries(self) -> int:
        """Attempt every due delivery now; returns how many were attempted."""
        self.state.service.settle()
        return self.state.outbox.run_due()
