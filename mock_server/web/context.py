"""Access to the current app's mock state from inside a request."""

from __future__ import annotations

from typing import cast

from flask import current_app, g, request

from mock_server.state import EXTENSION_KEY, MockState


def current_state() -> MockState:
    """The state of the app handling this request."""
    return cast(MockState, current_app.extensions[EXTENSION_KEY])


def owner() -> str:
    """The API key the request was made with (set by the pipeline)."""
    return cast(str, g.get("owner", ""))


def base_url() -> str:
    """The origin clients reach this server at: the configured one, else the request's."""
    return (current_state().settings.public_base_url or request.host_url).rstrip("/")
