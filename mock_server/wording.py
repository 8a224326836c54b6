"""Helpers for wording messages the way the APIs do."""

from __future__ import annotations

from collections.abc import Iterable


def quoted_list(values: Iterable[object], conjunction: str = "and") -> str:
    """``'a'``, ``'a' and 'b'``, ``'a', 'b', and 'c'``: OpenAI's list style."""
    items = [f"'{value}'" for value in values]
    if len(items) <= 1:
        return "".join(items)
    if len(items) == 2:
        return f"{items[0]} {conjunction} {items[1]}"
    return ", ".join(items[:-1]) + f", {conjunction} {items[-1]}"


def plain_list(values: Iterable[object], conjunction: str = "or") -> str:
    """``a``, ``a or b``, ``a, b or c``: a list in running text, unquoted."""
    items = [str(value) for value in values]
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + f" {conjunction} {items[-1]}"


def megabytes(size: int) -> str:
    """A byte count in MB with one decimal."""
    return f"{size / (1024 * 1024):.1f} MB"
