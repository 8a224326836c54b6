"""Every way a test steers the mock, implemented and checked once.

The control API (``/_mock/``) and the ``SoraMock`` fixture are thin adapters over
:class:`Controls`: each hands its caller's values here as the body's JSON form (a request's
body, or the Python arguments), which is checked against its contract in ``contracts/control/``
before anything changes. A :class:`ControlError` carries the sentence the contract gives; the
API answers it as a 400, the fixture raises it (a ``ValueError``). So a value refused by one is
refused by the other, with the same words.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from jsonschema.exceptions import ValidationError

from mock_server import catalog, contracts
from mock_server.backend import history
from mock_server.backend.assets import Asset
from mock_server.backend.faults import Fault
from mock_server.backend.history import Step
from mock_server.backend.service import CancelRefused
from mock_server.state import MockState

#: The kinds of delivery the journal holds.
DELIVERY_KINDS = ("webhook", "callback")


class ControlError(ValueError):
    """A control called with a value it cannot use; the message says which and why."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.message = message
        self.status = status


#: How a contract's types read in a sentence.
_TYPE_WORDS = {
    "number": "a number",
    "integer": "an integer",
    "string": "a string",
    "boolean": "true or false",
    "object": "an object",
    "array": "a list",
}


def _sentence(error: ValidationError) -> str:
    """The first problem of a body, in the words its contract gives (``x-messages`` by
    keyword, else ``x-message``), or in plain words made from the schema."""
    schema = error.schema if isinstance(error.schema, dict) else {}
    path = list(error.absolute_path)
    names = [part for part in path if isinstance(part, str)]
    indexes = [part for part in path if isinstance(part, int)]
    given = error.instance if isinstance(error.instance, dict) else {}
    missing = [name for name in schema.get("required", []) if name not in given]
    facts = {
        "name": names[-1] if names else "body",
        "index": indexes[-1] if indexes else "",
        "value": error.instance,
        "missing": " or ".join(repr(name) for name in missing),
        "names": ", ".join(sorted(set(given) - set(schema.get("properties", {})))),
    }
    keyword = str(error.validator)
    template = schema.get("x-messages", {}).get(keyword) or schema.get("x-message")
    if template is not None:
        text = str(template)
        for key, value in facts.items():  # a template may hold JSON braces of its own
            text = text.replace("{" + key + "}", str(value))
        return text
    if keyword == "enum":
        choices = ", ".join(str(choice) for choice in schema["enum"])
        return f"'{facts['name']}' must be one of {choices}."
    if keyword == "type" and isinstance(schema.get("type"), str):
        return f"'{facts['name']}' must be {_TYPE_WORDS.get(schema['type'], schema['type'])}."
    if keyword == "required":
        return f"Give {facts['missing']}."
    if keyword == "additionalProperties":
        return f"Unknown fields: {facts['names']}."
    return f"{error.json_path}: {error.message}"


def _first_to_tell(error: ValidationError) -> tuple[int, list[str], bool]:
    """Problems near the top first, in field order, a wrong type before what follows from it."""
    path = list(error.absolute_path)
    return len(path), [str(part) for part in path], error.validator != "type"


def check_body(contract: str, body: Any) -> None:
    """Refuse a control body that breaks its contract, with one clear sentence."""
    errors = sorted(contracts.validator(contract).iter_errors(body), key=_first_to_tell)
    if errors:
        raise ControlError(_sentence(errors[0]))


class Controls:
    """The controls of one mock state. Each takes its body in JSON form and checks it against
    the body's contract (``contracts/control/``) before it acts."""

    def __init__(self, state: MockState) -> None:
        self.state = state

    # --- time and progression ------------------------------------------------------------------

    def advance_clock(self, body: Any) -> float:
        """``{"seconds": 90}``: move the clock forward; timed jobs follow. Returns the new time."""
        check_body("control/clock_advance_request", body)
        return self.state.advance_clock(float(body["seconds"]))

    def set_progression(self, body: Any) -> None:
        """``{"mode": "time", "speed": 60}``: switch how jobs advance (jobs never move back)."""
        check_body("control/progression_request", body)
        speed = body.get("speed")
        self.state.set_progression(body["mode"], None if speed is None else float(speed))

    # --- outcomes, histories, faults -----------------------------------------------------------

    def force_outcome(self, body: Any) -> list[str]:
        """``{"outcome": "moderation_blocked", "count": 1}``: make the next jobs end this way;
        returns the outcomes now queued."""
        check_body("control/outcome_request", body)
        outcome = catalog.OUTCOMES[body["outcome"]]
        self.state.service.force_outcome(outcome, body.get("count", 1))
        return self.state.service.forced_outcomes()

    def clear_outcomes(self) -> None:
        """Drop every forced outcome still queued, and nothing else."""
        self.state.service.clear_forced_outcomes()

    def cancel_job(self, job_id: str) -> dict[str, Any]:
        """Cancel an unfinished job of Azure's Sora 1 jobs API, the one API that shows a
        cancelled job; returns its state."""
        try:
            job = self.state.service.cancel(job_id)
        except LookupError:
            raise ControlError(f"No job with id '{job_id}'.", 404) from None
        except CancelRefused as exc:
            raise ControlError(str(exc), exc.status) from None
        return {"id": job.id, "dialect": job.dialect, "status": job.status}

    def play_history(self, steps: Sequence[Step]) -> int:
        """Script the next job's status reads; returns how many scripts wait for a job."""
        try:
            self.state.service.queue_history(history.check(list(steps)))
        except history.HistoryError as exc:
            raise ControlError(str(exc)) from exc
        return self.state.service.queued_histories()

    def play_history_json(self, body: Any) -> int:
        """``{"steps": [...]}``: :meth:`play_history` with the steps in their JSON form."""
        check_body("control/history_request", body)
        return self.play_history([history.step_from_dict(step) for step in body["steps"]])

    def queue_fault(self, body: Any) -> list[dict[str, Any]]:
        """``{"status": 429, "retry_after": 0.01, "count": 2}``: answer the next matching
        requests with an HTTP error (or a delay) instead; returns the faults queued."""
        check_body("control/fault_request", body)
        if not body.get("status") and not body.get("delay_ms"):
            raise ControlError("A fault needs a 'status', a 'delay_ms', or both.")
        self.state.faults.add(Fault(**{"status": 0, **body}))
        return self.state.faults.pending()

    def clear_faults(self) -> None:
        """Drop every queued fault."""
        self.state.faults.clear()

    # --- image URLs and assets -----------------------------------------------------------------

    def mark_unreachable(self, body: Any) -> dict[str, list[str]]:
        """``{"url": ...}`` or ``{"host": ...}``: make an image URL, or a whole host, impossible
        to fetch; returns what is marked."""
        check_body("control/unreachable_request", body)
        self.state.resolver.mark_unreachable(url=body.get("url"), host=body.get("host"))
        return self.state.resolver.unreachable()

    def upload_asset(self, data: bytes, content_type: str, filename: str | None) -> Asset:
        """Store an image on the mock, to be named by ``file_id`` or by its URL."""
        if not data:
            raise ControlError(
                "Send the asset as a multipart part named 'file' or as the raw body."
            )
        return self.state.assets.add(data, content_type, filename, self.state.clock.now())

    # --- deliveries ----------------------------------------------------------------------------

    def deliveries(self, kind: str | None = None) -> list[dict[str, Any]]:
        """Webhook and callback deliveries with every attempt, of one ``kind`` if given."""
        if kind is not None and kind not in DELIVERY_KINDS:
            raise ControlError(f"'kind' must be one of {', '.join(DELIVERY_KINDS)}.")
        return self.state.outbox.journal(kind)

    def flush_deliveries(self) -> int:
        """Attempt every due delivery now; returns how many were attempted."""
        self.state.service.settle()
        return self.state.outbox.flush()
