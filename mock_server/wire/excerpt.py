"""The journal's excerpt of a body: bounded whatever the body's shape.

A client may send a prompt of a megabyte, an object of a hundred thousand keys or an array
of a million numbers. The journal keeps of each what a reader needs to see what was sent:
a long string's start, length and digest; an object's or an array's first members and how
many more there were; and never more than :data:`~mock_server.catalog.JOURNAL_VALUES`
values in all.
"""

from __future__ import annotations

import hashlib
from typing import Any

from mock_server import catalog

#: The key under which an object's excerpt says how many members it left out.
MORE_KEY = "..."


def short_string(value: str) -> str:
    """A string as the journal keeps it: whole when short, else its start, length and digest."""
    if len(value) <= catalog.JOURNAL_STRING_CHARS:
        return value
    digest = hashlib.sha256(value.encode("utf-8", "replace")).hexdigest()[:16]
    return f"{value[:64]}...<{len(value)} characters, sha256 {digest}>"


class _Budget:
    """How many more values the excerpt may hold."""

    def __init__(self, values: int) -> None:
        self.left = values

    def take(self) -> bool:
        if self.left <= 0:
            return False
        self.left -= 1
        return True


def excerpt(value: Any) -> Any:
    """The journal's bounded view of a parsed body (or any JSON value)."""
    return _excerpt(value, _Budget(catalog.JOURNAL_VALUES))


def _excerpt(value: Any, budget: _Budget) -> Any:
    if isinstance(value, str):
        return short_string(value)
    if isinstance(value, dict):
        kept: dict[str, Any] = {}
        for count, (key, member) in enumerate(value.items()):
            if count >= catalog.JOURNAL_MEMBERS or not budget.take():
                kept[MORE_KEY] = f"<{len(value) - count} more keys>"
                break
            kept[short_string(str(key))] = _excerpt(member, budget)
        return kept
    if isinstance(value, list):
        items: list[Any] = []
        for count, member in enumerate(value):
            if count >= catalog.JOURNAL_MEMBERS or not budget.take():
                items.append(f"...<{len(value) - count} more items>")
                break
            items.append(_excerpt(member, budget))
        return items
    return value
