"""sora-mock: a faithful offline fake of the Sora 2 video-generation APIs.

The names below are imported on first use, so that importing a light module of the package
(``mock_server.catalog``) does not load the whole app.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from mock_server.lazy import lazy_attributes
from mock_server.version import __version__ as __version__

if TYPE_CHECKING:
    from mock_server.app import create_app, replace_state, state_of
    from mock_server.settings import Settings

__all__ = ["Settings", "create_app", "replace_state", "state_of"]

#: Where each public name lives.
_HOMES = {
    "Settings": "mock_server.settings",
    "create_app": "mock_server.app",
    "replace_state": "mock_server.app",
    "state_of": "mock_server.app",
}


__getattr__ = lazy_attributes(__name__, _HOMES)
