"""Characters made on the mock: kept by id, shared between processes like the control state."""

from __future__ import annotations

import secrets
from typing import Any

from mock_server import catalog
from mock_server.backend.shared_values import SharedValue


class CharacterStore:
    """``{id: {"id", "name", "created_at"}}`` in one shared value (characters are few)."""

    def __init__(self, value: SharedValue) -> None:
        self._value = value

    def add(self, name: str, now: float) -> dict[str, Any]:
        """Make a character; returns its record."""
        record = {
            "id": catalog.ID_PREFIX_CHARACTER + secrets.token_hex(catalog.ID_HEX_CHARACTER // 2),
            "name": name,
            "created_at": int(now),
        }
        self._value.update(lambda characters: characters.__setitem__(record["id"], record))
        return dict(record)

    def get(self, character_id: str) -> dict[str, Any] | None:
        """A character's record, or ``None``."""
        found = self._value.read().get(character_id)
        return None if found is None else dict(found)

    def clear(self) -> None:
        """Forget every character."""
        self._value.reset()
