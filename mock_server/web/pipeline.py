"""What happens around every request: ids, faults, auth, rate limits, errors, journal, log.

Order for an API request: a request id is assigned; a queued fault, if one matches, answers
instead; the key is checked; the requests-per-minute window is counted (``guard``); the route
runs. Every response then gets ``x-request-id``, the rate-limit headers when a limit is on, and
``x-sora-mock-rule`` when a rule refused the request; it is journaled and logged in one line
(``journal``). Refusals and failures are answered in the dialect's envelope (``errors``).
"""

from __future__ import annotations

from flask import Flask
from werkzeug.exceptions import HTTPException

from mock_server.backend.database import StorageUnavailable
from mock_server.backend.history import ScriptedFault
from mock_server.rules.registry import RuleViolation
from mock_server.web import errors
from mock_server.web.guard import guard
from mock_server.web.journal import finish


def init_app(app: Flask) -> None:
    """Hook the pipeline into an app."""
    app.before_request(guard)
    app.after_request(finish)
    app.register_error_handler(RuleViolation, errors.error_response)
    app.register_error_handler(ScriptedFault, errors.scripted_fault)
    app.register_error_handler(StorageUnavailable, errors.storage_unavailable)
    app.register_error_handler(HTTPException, errors.http_error)
    app.register_error_handler(Exception, errors.unexpected)
