"""After a route ran: the response held to its contract, its headers, the journal, the log."""

from __future__ import annotations

import logging
import time

from flask import Response
from werkzeug.datastructures import Headers

from mock_server import contracts
from mock_server.backend.database import StorageUnavailable
from mock_server.backend.journal import Entry, raw_headers
from mock_server.web import request_log
from mock_server.web.errors import RULE_HEADER
from mock_server.web.routes import current_dialect
from mock_server.wire.bodies import must_close_after
from mock_server.wire.context import Call
from mock_server.wire.replies import body_bytes, json_body, json_response

log = logging.getLogger("sora_mock.requests")


def reset_duration(seconds: float) -> str:
    """A wait in OpenAI's rate-limit header style: ``17ms``, ``1s``, ``6m0s``."""
    millis = max(0, round(seconds * 1000))
    if millis < 1000:
        return f"{millis}ms"
    minutes, rest = divmod(millis / 1000, 60)
    text = f"{rest:.3f}".rstrip("0").rstrip(".")
    return f"{int(minutes)}m{text}s" if minutes else f"{text}s"


def check_contract(call: Call, response: Response) -> Response:
    """Hold the response to its contract, as ``validate_responses`` says."""
    state = call.state
    mode = state.settings.validate_responses
    if mode == "ignore" or call.method in ("OPTIONS", "HEAD"):
        return response
    # The contract it must meet; none for binary or unchecked bodies.
    if response.status_code >= 400:
        name: str | None = current_dialect().error_contract
    else:
        name = None if call.route is None else call.route.response
    if name is None:
        return response
    problems = contracts.message_violations(name, body_bytes(response), json_body(response))
    if not problems:
        return response
    record: dict[str, object] = {
        "method": call.method,
        "path": call.path,
        "contract": name,
        "problems": problems,
    }
    state.contract_violations.append(record)
    log.warning("response breaks contract %s: %s", name, "; ".join(problems))
    if mode == "warn":
        return response
    message = f"Response broke its contract {name}: {problems}"
    return json_response(current_dialect().render_fault(500, message), 500)


def record_entry(call: Call, entry: Entry) -> None:
    """Journal a request; a full disk loses the entry, never the answer."""
    try:
        call.state.journal.record(entry)
    except StorageUnavailable as exc:
        log.warning("request journal not written (%s): %s %s", exc, call.method, call.path)


def options_answer(allowed: list[str]) -> Response:
    """``OPTIONS``: the methods a path serves, with no body."""
    answer = Response(status=204)
    del answer.headers["Content-Type"]
    answer.headers["Allow"] = ", ".join(allowed)
    return answer


def waits_asked(headers: Headers) -> tuple[float | None, int | None]:
    """How long a response asked the client to wait (``retry-after-ms``, else ``retry-after``
    in seconds: the SDK's order; ``None`` when it asked nothing readable) and its
    ``openai-poll-after-ms``, read in one pass over its headers."""
    found: dict[str, str] = {}
    for name, value in headers:  # the (name, value) pairs, without ``items()``'s generator
        lowered = name.lower()
        if lowered in _WAIT_HEADERS:
            found.setdefault(lowered, value)
    if not found:
        return None, None
    retry_after = None
    for name, scale in (("retry-after-ms", 1000.0), ("retry-after", 1.0)):
        if name in found:
            try:
                retry_after = float(found[name]) / scale
                break
            except ValueError:
                continue
    try:
        poll_after = int(found["openai-poll-after-ms"]) if "openai-poll-after-ms" in found else None
    except ValueError:
        poll_after = None
    return retry_after, poll_after


_WAIT_HEADERS = frozenset({"retry-after-ms", "retry-after", "openai-poll-after-ms"})


def finish(call: Call, response: Response) -> Response:
    """Check, label, journal and log a response on its way out."""
    response = check_contract(call, response)
    environ = call.environ
    headers = response.headers
    headers.add("x-request-id", call.request_id)  # added only here: no need to look first
    if must_close_after(environ):
        # Answered before the body was read (an early refusal): what is left of it would be
        # read as the next request, so the connection ends here.
        headers["Connection"] = "close"
    rate = call.rate
    if rate is not None:
        headers.add("x-ratelimit-limit-requests", str(rate.limit))
        headers.add("x-ratelimit-remaining-requests", str(rate.remaining))
        headers.add("x-ratelimit-reset-requests", reset_duration(rate.reset_after))
    rule = call.rule
    if rule is not None:
        headers[RULE_HEADER] = rule
    elapsed_ms = (time.perf_counter() - call.started) * 1000
    retry_after, poll_after = waits_asked(headers)
    status = response.status_code
    record_entry(
        call,
        (  # in ENTRY_FIELDS order
            call.request_id,
            call.state.clock.now(),
            call.method,
            call.path,
            call.request.args.to_dict(flat=False) if environ.get("QUERY_STRING") else {},
            (call.dialect or current_dialect()).name,  # the core's choice, else the path's
            raw_headers(environ),
            environ.get("CONTENT_TYPE"),
            call.body_summary,
            call.request_contract,
            call.request_violations,
            status,
            rule,
            call.fault,
            call.journal_job,
            call.journal_terminal,
            call.journal_uses,
            retry_after,
            poll_after,
            round(elapsed_ms, 3),
        ),
    )
    log_line(call, status, elapsed_ms)
    return response


#: Control characters a decoded path may hold (``%0D%0A``), written escaped in the log so a
#: request cannot forge a line of it.
_CONTROL_ESCAPES = {code: f"\\x{code:02x}" for code in (*range(32), 127)}


def log_line(call: Call, status: int, elapsed_ms: float) -> None:
    """The server's one line per request."""
    if request_log.enabled():
        rule = call.rule
        address = call.environ.get("REMOTE_ADDR") or "-"
        path = call.full_path.translate(_CONTROL_ESCAPES)
        ruled = f" rule={rule}" if rule else ""
        request_log.write(f"{address} {call.method} {path} {status} {elapsed_ms:.1f}ms{ruled}")
