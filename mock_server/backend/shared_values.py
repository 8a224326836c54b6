"""Shared values: one named JSON value, read and changed atomically, in memory or in a file.

The control state a test sets (faults, forced outcomes, histories, unreachable hosts, rate
windows) lives in shared values. In memory one is a value behind a lock; on a SQLite database it is
a row that every process sharing the file sees, changed inside ``BEGIN IMMEDIATE``, so that
``sora-mock serve --workers N`` behaves as one server.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

if TYPE_CHECKING:
    from mock_server.backend.database import SqliteDatabase

Result = TypeVar("Result")


class SharedValue(Protocol):
    """A JSON value (list or dict) with atomic read-modify-write."""

    def read(self) -> Any:
        """The current value; callers must not change it."""
        ...

    def update(self, change: Callable[[Any], Result]) -> Result:
        """Run ``change`` on the value, which it may mutate in place, and keep the result."""
        ...

    def reset(self) -> None:
        """Back to the empty value."""
        ...


SharedValueFactory = Callable[[str, Callable[[], Any]], SharedValue]


class MemoryValue:
    """A shared value in this process only."""

    def __init__(self, empty: Callable[[], Any]) -> None:
        self._empty = empty
        self._value = empty()
        self._lock = threading.RLock()

    def read(self) -> Any:
        return self._value

    def update(self, change: Callable[[Any], Result]) -> Result:
        with self._lock:
            return change(self._value)

    def reset(self) -> None:
        with self._lock:
            self._value = self._empty()


class SqliteValue:
    """A value kept in the database's ``meta`` table under ``cell:<name>`` (the key older
    database files use)."""

    def __init__(self, database: SqliteDatabase, name: str, empty: Callable[[], Any]) -> None:
        self.database = database
        self.key = f"cell:{name}"
        self._empty = empty

    def read(self) -> Any:
        value = self.database.get_meta(self.key)
        return self._empty() if value is None else value

    def update(self, change: Callable[[Any], Result]) -> Result:
        with self.database.transaction():
            value = self.read()
            result = change(value)
            self.database.set_meta(self.key, value)
            return result

    def reset(self) -> None:
        self.database.set_meta(self.key, self._empty())


def memory_values(name: str, empty: Callable[[], Any]) -> SharedValue:
    """A :data:`SharedValueFactory` for values in memory."""
    return MemoryValue(empty)


def sqlite_values(database: SqliteDatabase) -> SharedValueFactory:
    """A :data:`SharedValueFactory` for values in ``database``."""

    def make(name: str, empty: Callable[[], Any]) -> SharedValue:
        return SqliteValue(database, name, empty)

    return make
