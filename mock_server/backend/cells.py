"""Cells: one named JSON value, read and changed atomically, in memory or in a shared file.

The control state a test sets (faults, forced outcomes, histories, unreachable hosts, rate
windows) lives in cells. In memory a cell is a value behind a lock; on a SQLite database it is
a row that every process sharing the file sees, changed inside ``BEGIN IMMEDIATE``, so that
``sora-mock serve --workers N`` behaves as one server.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

if TYPE_CHECKING:
    from mock_server.backend.sqlite_store import SqliteDatabase

Result = TypeVar("Result")


class Cell(Protocol):
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


CellFactory = Callable[[str, Callable[[], Any]], Cell]


class MemoryCell:
    """A cell in this process only."""

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


class SqliteCell:
    """A cell kept in the database's ``meta`` table under ``cell:<name>``."""

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


def memory_cells(name: str, empty: Callable[[], Any]) -> Cell:
    """A :data:`CellFactory` for cells in memory."""
    return MemoryCell(empty)


def sqlite_cells(database: SqliteDatabase) -> CellFactory:
    """A :data:`CellFactory` for cells in ``database``."""

    def make(name: str, empty: Callable[[], Any]) -> Cell:
        return SqliteCell(database, name, empty)

    return make
