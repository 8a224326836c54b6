"""Which route and which dialect a request belongs to."""

from __future__ import annotations

import functools

from mock_server import catalog
from mock_server.dialects import registry
from mock_server.dialects.record import Dialect, Route
from mock_server.web import media
from mock_server.wire.context import current_call

CONTROL_PREFIX = catalog.CONTROL_PREFIX

#: Every API route by its endpoint: the dialects', and the result files'.
ROUTES: dict[str, Route] = {
    **{dialect.endpoint(route): route for dialect, route in registry.routes()},
    f"{media.ENDPOINT_PREFIX}.{media.MEDIA_ROUTE.endpoint}": media.MEDIA_ROUTE,
}


@functools.lru_cache(maxsize=4096)
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
    """The dialect of this request: the core's choice, else the path's."""
    call = current_call()
    chosen: Dialect | None = call.dialect
    return chosen if chosen is not None else dialect_for_path(call.path)


def is_control(path: str) -> bool:
    """Whether a path belongs to the control API."""
    return path == CONTROL_PREFIX or path.startswith(CONTROL_PREFIX + "/")
