"""The app factory."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import Flask

from mock_server import settings as settings_module
from mock_server.dialects import registry
from mock_server.state import EXTENSION_KEY, MockState
from mock_server.web import control, docs, pipeline
from mock_server.wire.job_notes import note_job


def create_app(
    config: Mapping[str, Any] | settings_module.Settings | None = None,
    *,
    join_database: bool = False,
) -> Flask:
    """Build a mock server.

    ``config`` overrides the defaults and the ``SORA_MOCK_*`` environment: a
    :class:`~mock_server.settings.Settings`, or a mapping of setting names (any case) to values.
    Keys that name no setting go to ``app.config``. State lives on the app, so two apps in one
    process share nothing, unless they open the same database (``db``): then they behave as
    one server. ``join_database`` says other servers already use it, so this one takes up
    their clock and progression instead of starting its own.
    """
    settings = settings_module.load(config)
    app = Flask("mock_server", static_folder=None)
    app.url_map.merge_slashes = False  # ``/_mock//clock`` is a 404 in JSON, never a redirect
    app.config.update(settings.extra)
    app.json.sort_keys = False  # type: ignore[attr-defined]
    app.extensions[EXTENSION_KEY] = build_state(settings, join=join_database)
    for blueprint in (docs.blueprint, control.blueprint):
        app.register_blueprint(blueprint)
    pipeline.init_app(app)
    return app


def build_state(settings: settings_module.Settings, *, join: bool = False) -> MockState:
    """A fresh mock state with every dialect's listeners wired in."""
    state = MockState(settings, registry.JOB_KINDS, join=join)
    state.service.observer = note_job  # what a request did with jobs, for its journal entry
    registry.wire_publishers(state)
    return state


def replace_state(app: Flask, settings: settings_module.Settings) -> MockState:
    """Swap a fresh state with these settings into a running app.

    The old state is closed; requests from then on see the new one. This is how a long-lived
    app (or live server) gives each test a fresh mock with that test's settings.
    """
    old = state_of(app)
    fresh = build_state(settings)
    app.extensions[EXTENSION_KEY] = fresh
    old.close()
    return fresh


def state_of(app: Flask) -> MockState:
    """The mock state held by an app made by :func:`create_app`."""
    state = app.extensions[EXTENSION_KEY]
    assert isinstance(state, MockState)
    return state
