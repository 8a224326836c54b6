"""The record a dialect declares: its routes, its jobs, its envelopes and its events.

Everything outside a dialect's own package learns about the dialect from this record alone:
the web layer registers its routes and renders its errors, the OpenAPI document lists its
operations, the state counts its limits and wires its publishers.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from werkzeug.routing import BaseConverter
from werkzeug.wrappers import Request

from mock_server.backend.job import Job
from mock_server.backend.kinds import JobKind
from mock_server.rules.registry import RuleViolation
from mock_server.wire.replies import ViewResult

if TYPE_CHECKING:
    from mock_server.state import MockState

JSON = "application/json"
MULTIPART = "multipart/form-data"

ErrorRenderer = Callable[[RuleViolation], dict[str, Any]]
FaultRenderer = Callable[[int, str | None], dict[str, Any]]
#: Called when a job of the dialect turns terminal.
JobListener = Callable[[Job], None]
#: Builds a listener on a mock state (webhooks, callbacks).
Publisher = Callable[["MockState"], JobListener]


def query(name: str, schema: dict[str, Any], *, required: bool = False) -> dict[str, Any]:
    """An OpenAPI query parameter."""
    parameter: dict[str, Any] = {"name": name, "in": "query", "schema": schema}
    if required:
        parameter["required"] = True
    return parameter


@dataclass(frozen=True)
class Route:
    """One operation: where it is served, what runs it, and the contracts of its bodies."""

    method: str
    #: A Werkzeug URL rule (``/v1/videos/<video_id>``).
    rule: str
    view: Callable[..., ViewResult]
    operation_id: str
    #: The request contract of each media type the body may come in.
    request: Mapping[str, str] = field(default_factory=dict)
    #: The contract of a success body; ``None`` when it is binary (see ``binary``).
    response: str | None = None
    #: Media types of a binary success body.
    binary: tuple[str, ...] = ()
    #: OpenAPI query parameters.
    parameters: tuple[dict[str, Any], ...] = ()
    #: What each path parameter is, for the OpenAPI document.
    path_parameters: Mapping[str, str] = field(default_factory=dict)
    #: Served without credentials.
    public: bool = False
    #: The success status; 204 has no body (and neither contract nor media type).
    status: int = 200
    #: It makes a job (counted by limits that count creates only).
    creates_job: bool = False
    #: The endpoint's name when the view serves several routes of one dialect.
    name: str | None = None

    @property
    def endpoint(self) -> str:
        """The route's name (by default its view's), unique within its dialect."""
        return self.name or self.view.__name__


@dataclass(frozen=True)
class Dialect:
    """One wire format of the product."""

    name: str
    #: A line for people: what it is and where it comes from.
    title: str
    routes: tuple[Route, ...]
    jobs: JobKind
    #: The contract every error body follows.
    error_contract: str
    render_error: ErrorRenderer
    #: An injected fault or a server error, in the dialect's envelope.
    render_fault: FaultRenderer
    #: Path prefixes whose unknown routes answer in this dialect's envelope (the longest wins).
    path_prefixes: tuple[str, ...] = ()
    #: URL converters its rules use, by name.
    converters: Mapping[str, type[BaseConverter]] = field(default_factory=dict)
    #: Publishers of its events; each sees the dialect's own jobs only.
    publishers: tuple[Publisher, ...] = ()
    #: Checks every request of its routes once the key is known (raises ``RuleViolation``).
    check_request: Callable[[Request], None] | None = None

    def endpoint(self, route: Route) -> str:
        """The endpoint of one of its routes."""
        return f"{self.name}.{route.endpoint}"
