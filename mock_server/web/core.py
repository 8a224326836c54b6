"""The app's WSGI core: every API request, from its route to its journal entry, in one pass.

Order for an API request: a request id; the route matched (each dialect's record and the
result files); the dialect chosen; the guard (a queued fault, the key, the dialect's own
checks, the rate window); the view; refusals and failures in the dialect's envelope
(``errors``); then the response held to its contract, labelled, journaled and logged
(``journal``). The control API (``/_mock/``) and ``/openapi.json`` are Flask blueprints: the
core hands them to Flask, with the same request id and log line.

The core answers without Flask's request machinery, which costs more than the mock's own work
on a status read; the views read the request through ``mock_server.wire.context``.
"""

from __future__ import annotations

import functools
import random
import time
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

from flask import Flask, Response
from werkzeug.exceptions import HTTPException, MethodNotAllowed
from werkzeug.routing import Map, MapAdapter, Rule

from mock_server import catalog
from mock_server.backend.database import StorageUnavailable
from mock_server.backend.history import ScriptedFault
from mock_server.dialects import registry
from mock_server.dialects.record import Route
from mock_server.rules.registry import RuleViolation
from mock_server.state import EXTENSION_KEY, MockState
from mock_server.web import errors, media
from mock_server.web.guard import guard
from mock_server.web.journal import finish, log_line, options_answer
from mock_server.web.routes import ROUTES, dialect_for_path, is_control
from mock_server.wire.bodies import count_body
from mock_server.wire.context import Call, begin, end
from mock_server.wire.replies import to_response

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment

#: Paths Flask answers (besides the control API).
FLASK_PATHS = frozenset({"/openapi.json"})
#: Route matches kept (by path and method).
MATCHES_KEPT = 4096


def url_map() -> Map:
    """Every API route: each dialect's, and the result files'."""
    converters: dict[str, Any] = {}
    for dialect in registry.DIALECTS:
        converters.update(dialect.converters)
    rules = [
        Rule(route.rule, endpoint=endpoint, methods=[route.method, "OPTIONS"])
        for endpoint, route in ROUTES.items()
    ]
    # A doubled slash is a path no route has: the dialect's 404, never a redirect.
    return Map(rules, converters=converters, merge_slashes=False)


def emit(
    response: Response, environ: WSGIEnvironment, start_response: StartResponse
) -> Iterable[bytes]:
    """Start a response and hand back its body: a body written in one piece goes out as it
    is (its headers are final), anything else (a stream, a redirect's relative ``Location``, a
    body that must be empty) through Werkzeug's own preparation."""
    body = response.response
    status = response.status_code
    if (
        type(body) is list
        and len(body) == 1
        and status >= 200
        and status not in (204, 304)
        and (status // 100 != 3 or "Location" not in response.headers)
    ):
        start_response(response.status, response.headers.to_wsgi_list())
        return () if environ["REQUEST_METHOD"] == "HEAD" else body
    return response(environ, start_response)


def new_request_id() -> str:
    """A request id in OpenAI's form: 32 hex digits (from the random module, reseeded in every
    forked worker: a label, not a secret, so no system call a request)."""
    return f"{catalog.ID_PREFIX_REQUEST}{random.getrandbits(128):032x}"


class Core:
    """The WSGI application in front of a Flask app (``app.wsgi_app``)."""

    def __init__(self, app: Flask, flask_wsgi: WSGIApplication) -> None:
        self.app = app
        self.flask_wsgi = flask_wsgi
        self.url_map = url_map()
        self.adapter: MapAdapter = self.url_map.bind("localhost")
        self.views: dict[str, Callable[..., Any]] = {
            endpoint: route.view for endpoint, route in ROUTES.items()
        }
        #: The endpoint and arguments of a path and method (a client polling asks the same
        #: path again and again: the last few thousand answers are kept).
        self._matched = functools.lru_cache(maxsize=MATCHES_KEPT)(self.adapter.match)

    def state(self) -> MockState:
        """The app's mock state now (a test may swap in a fresh one between requests)."""
        state = self.app.extensions[EXTENSION_KEY]
        assert isinstance(state, MockState)
        return state

    def may_wait(self, environ: dict[str, Any]) -> bool:
        """Whether a request may take a while (a server then answers it on a thread): a queued
        slow fault, a media file (rendered on first download), the control API."""
        path: str = environ.get("PATH_INFO", "")
        if "/content" in path or path.startswith(media.MEDIA_PREFIX) or is_control(path):
            return True
        return self.state().faults.delays_pending()

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        started = time.perf_counter()
        state = self.state()
        call = Call(environ, state, new_request_id(), started)
        token = begin(call)
        try:
            path = call.path
            if is_control(path) or path in FLASK_PATHS:
                state.sync()
                return self.to_flask(call, environ, start_response)
            count_body(environ)
            try:
                state.sync()
                response = finish(call, self.respond(call, path))
            except Exception as exc:  # a bug past the route's own handling: JSON, never HTML
                response = errors.unexpected(exc)
            return emit(response, environ, start_response)
        finally:
            end(token)

    def respond(self, call: Call, path: str) -> Response:
        """The route's answer, or the refusal or failure in the dialect's envelope."""
        method = call.method
        call.dialect = dialect_for_path(path)
        try:
            endpoint, arguments = self._matched(path, method)  # never changed: shared
        except MethodNotAllowed as exc:
            if method == "OPTIONS":
                return options_answer(sorted(exc.valid_methods or ()))
            return errors.http_error(exc)
        except HTTPException as exc:
            return errors.http_error(exc)
        route: Route = ROUTES[endpoint]
        call.route = route
        try:
            if method == "OPTIONS":
                return options_answer(list(self.adapter.allowed_methods(path)))
            refused = guard(call, route)
            if refused is not None:
                return refused
            return to_response(self.views[endpoint](**arguments))
        except RuleViolation as exc:
            return errors.error_response(exc)
        except ScriptedFault as exc:
            return errors.scripted_fault(exc)
        except StorageUnavailable as exc:
            return errors.storage_unavailable(exc)
        except HTTPException as exc:
            return errors.http_error(exc)
        except Exception as exc:
            return errors.unexpected(exc)

    def to_flask(
        self, call: Call, environ: WSGIEnvironment, start_response: StartResponse
    ) -> Iterable[bytes]:
        """The control API and the OpenAPI document, answered by Flask's blueprints."""
        status_seen: list[int] = []

        def labelled(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
            headers.append(("x-request-id", call.request_id))
            if call.rule is not None:
                headers.append((errors.RULE_HEADER, call.rule))
            status_seen.append(int(status.split(" ", 1)[0]))
            return start_response(status, headers, exc_info)

        body = self.flask_wsgi(environ, labelled)
        elapsed_ms = (time.perf_counter() - call.started) * 1000
        log_line(call, status_seen[0] if status_seen else 500, elapsed_ms)
        return body
