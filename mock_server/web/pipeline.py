"""What happens around every request, wired into an app.

API requests go through the core (``web/core.py``): ids, faults, auth, rate limits, the route,
errors in the dialect's envelope, the contract check, the journal and the log line. The control
API and the OpenAPI document are Flask blueprints behind it; their refusals and failures are
answered by the same error functions, in JSON.
"""

from __future__ import annotations

from flask import Flask
from werkzeug.exceptions import HTTPException

from mock_server.rules.registry import RuleViolation
from mock_server.web import errors
from mock_server.web.core import Core


def init_app(app: Flask) -> None:
    """Put the core in front of an app's blueprints."""
    app.register_error_handler(RuleViolation, errors.error_response)
    app.register_error_handler(HTTPException, errors.http_error)
    app.register_error_handler(Exception, errors.unexpected)
    app.wsgi_app = Core(app, app.wsgi_app)  # type: ignore[method-assign]


def core_of(app: Flask) -> Core:
    """The core in front of an app made by ``create_app``."""
    core = app.wsgi_app
    assert isinstance(core, Core)
    return core
