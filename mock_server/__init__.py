"""sora-mock: a faithful offline fake of the Sora 2 video-generation APIs."""

from mock_server.app import create_app, replace_state, state_of
from mock_server.settings import Settings

__all__ = ["Settings", "create_app", "replace_state", "state_of"]
