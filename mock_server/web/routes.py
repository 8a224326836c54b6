"""Which route and which dialect a request belongs to."""

from __future__ import annotations

from flask import g, request

from mock_server import catalog
from mock_server.dialects import registry
from mock_server.dialects.record import Dialect, Route
from mock_server.web import media

CONTROL_PREFIX = catalog.CONTROL_PREFIX

#: Every API route by its Flask endpoint: the dialects', and the result files'.
ROUTES: dict[str, Route] = {
    **{dialect.endpoint(route): route for dialect, route in registry.routes()},
    f"{media.blueprint.name}.{media.MEDIA_ROUTE.endpoint}": media.MEDIA_ROUTE,
}
#: Endpoints anyone may call: result URLs are handed out to be fetched without credentials.
PUBLIC_ENDPOINTS = frozenset(
    {*(endpoint for endpoint, route in ROUTES.items() if route.public), "docs.openapi_document"}
)


def dialect_for_path(path: str) -> Dialect:
    """The dialect whose envelope answers a path (unknown paths included).

    ``/v1/videos/{id}`` belongs to UniAll when the id is a ``gen_`` id; a result URL belongs to
    the dialect of the job it names.
    """
    if path.startswith(media.MEDIA_PREFIX):
        named = registry.for_job_id(path[len(media.MEDIA_PREFIX) :])
        if named is not None:
            return named
    return registry.for_path(path)


def current_dialect() -> Dialect:
    """The dialect of this request: the guard's choice, else the path's."""
    chosen: Dialect | None = g.get("dialect")
    return chosen if chosen is not None else dialect_for_path(request.path)


def is_control(path: str) -> bool:
    """Whether a path belongs to the control API."""
    return path == CONTROL_PREFIX or path.startswith(CONTROL_PREFIX + "/")
