"""Assertions over the request journal: what a client sent, and how it read jobs."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

#: Refusals that mean the client treated a job as finished before it was.
PREMATURE_RULES = frozenset(
    {"video.not_ready", "video.failed_no_content", "video.remix_unfinished"}
)


class ContractViolationError(AssertionError):
    """Requests a client sent broke their contracts."""


class PrematureReadError(AssertionError):
    """A client read a job as finished before it was."""


def _where(entry: Mapping[str, Any]) -> str:
    return f"{entry['method']} {entry['path']} ({entry['id']})"


def contract_failures(entries: Iterable[Mapping[str, Any]]) -> list[str]:
    """One line per violation: the request, the JSON path and message, the rule the mock used."""
    lines = []
    for entry in entries:
        for violation in entry.get("request_violations") or []:
            answered = f"rule {entry['rule']}" if entry.get("rule") else "no rule fired"
            lines.append(
                f"{_where(entry)}: {violation} [{entry['request_contract']}; "
                f"the mock answered {entry['status']}, {answered}]"
            )
    return lines


def assert_requests_met_contracts(entries: Iterable[Mapping[str, Any]]) -> None:
    """Fail, listing every violation, if any request body broke its contract."""
    lines = contract_failures(entries)
    if lines:
        raise ContractViolationError(
            f"{len(lines)} request contract violation(s):\n" + "\n".join(lines)
        )


def premature_reads(entries: Iterable[Mapping[str, Any]]) -> list[str]:
    """Requests that treated an unfinished (or failed) job as done."""
    return [
        f"{_where(entry)}: refused with {entry['rule']} ({entry['status']})"
        for entry in entries
        if entry.get("rule") in PREMATURE_RULES
    ]


def assert_no_premature_reads(entries: Iterable[Mapping[str, Any]]) -> None:
    """Fail if the client downloaded or remixed a job before it had finished."""
    lines = premature_reads(entries)
    if lines:
        raise PrematureReadError(
            "the client read a job as finished before it was:\n" + "\n".join(lines)
        )
