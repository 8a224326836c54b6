"""Assertions over the request journal: what a client sent, and how it read jobs."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from mock_server.dialects.registry import JOB_KINDS

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


class CarelessClientError(AssertionError):
    """A client did not wait, pace, check or give up as a careful client does."""


#: Slack for the clock's arithmetic.
EPSILON = 1e-6


def _seconds(value: float) -> str:
    """Seconds to the millisecond: ``30``, ``1.5``, ``0.004``."""
    return f"{round(value, 3):g}"


def _key(entry: Mapping[str, Any]) -> str:
    headers = entry.get("headers") or {}
    return str(headers.get("authorization") or headers.get("api-key") or "")


def retry_after_ignored(entries: Iterable[Mapping[str, Any]]) -> list[str]:
    """Requests sent sooner than the 429/503 before them (from the same key) asked."""
    lines = []
    waiting: dict[str, Mapping[str, Any]] = {}
    for entry in entries:
        key = _key(entry)
        told = waiting.pop(key, None)
        if told is not None and entry["at"] + EPSILON < told["at"] + told["retry_after"]:
            lines.append(
                f"{_where(entry)} came {_seconds(entry['at'] - told['at'])} s after "
                f"{_where(told)} answered {told['status']} with retry-after "
                f"{told['retry_after']:g} s"
            )
        if entry.get("status") in (429, 503) and entry.get("retry_after") is not None:
            waiting[key] = entry
    return lines


def assert_waited_for_retry_after(entries: Iterable[Mapping[str, Any]]) -> None:
    """Fail if a request followed a 429 or 503 carrying ``retry-after`` (or ``retry-after-ms``)
    sooner than it asked, naming both requests."""
    lines = retry_after_ignored(entries)
    if lines:
        raise CarelessClientError("the client did not wait as told:\n" + "\n".join(lines))


def polls_too_close(
    entries: Iterable[Mapping[str, Any]], min_interval: float | None = None
) -> list[str]:
    """Status reads of one job closer together than ``min_interval`` seconds (by default, the
    previous read's ``openai-poll-after-ms`` hint, else the dialect's advice)."""
    lines = []
    last: dict[str, Mapping[str, Any]] = {}
    for entry in entries:
        job = entry.get("job")
        if job is None or entry.get("terminal") is None or entry.get("method") != "GET":
            continue
        before = last.get(job)
        last[job] = entry
        # Only polls count: a read after an answer that showed the job finished is not one.
        if before is None or _is_create(before) or before.get("terminal"):
            continue
        wanted = min_interval
        if wanted is None:
            hint = before.get("poll_after_ms")
            wanted = hint / 1000 if hint is not None else _poll_advice(entry["dialect"])
        gap = entry["at"] - before["at"]
        if gap + EPSILON < wanted:
            lines.append(
                f"{_where(entry)} read {job} {_seconds(gap)} s after {_where(before)}, "
                f"under the {wanted:g} s between polls"
            )
    return lines


def _poll_advice(dialect: str) -> float:
    """The wait between status reads a dialect's sources advise (its ``JobKind``)."""
    kind = JOB_KINDS.get(dialect)
    return kind.poll_interval if kind is not None else 0.0


def _is_create(entry: Mapping[str, Any]) -> bool:
    return entry.get("method") == "POST"


def assert_polls_paced(
    entries: Iterable[Mapping[str, Any]], min_interval: float | None = None
) -> None:
    """Fail if status reads of one unfinished job came closer together than ``min_interval``
    seconds (default: the ``openai-poll-after-ms`` hint the previous read carried on the native
    and Azure dialects; 5 s on generateTask (seed 004) and Azure's Sora 1 jobs (its docs); 1 s
    on UniAll), naming both reads. A read after an answer that showed the job finished is not a
    poll and is not judged."""
    lines = polls_too_close(entries, min_interval)
    if lines:
        raise CarelessClientError("the client polled too fast:\n" + "\n".join(lines))


def results_used_before_done(entries: Iterable[Mapping[str, Any]]) -> list[str]:
    """Downloads, result-file fetches, remixes, edits and extensions of a job no answer had
    yet shown finished."""
    done: set[str] = set()
    lines = []
    for entry in entries:
        used = entry.get("uses")
        if used is not None and used not in done:
            lines.append(
                f"{_where(entry)} used the results of {used} before any answer showed it "
                f"finished (answered {entry['status']})"
            )
        if entry.get("job") is not None and entry.get("terminal"):
            done.add(entry["job"])
    return lines


def assert_results_used_after_done(entries: Iterable[Mapping[str, Any]]) -> None:
    """Fail if the client downloaded, fetched a result URL (``video_url``, ``resultUrls``,
    a generation's content), remixed, edited or extended a job before a status read (or the
    create) returned it finished, in any dialect; names each such request."""
    lines = results_used_before_done(entries)
    if lines:
        raise CarelessClientError(
            "the client used results before the job was done:\n" + "\n".join(lines)
        )


def kept_polling(entries: Iterable[Mapping[str, Any]], seconds: float) -> list[str]:
    """Status reads of an unfinished job more than ``seconds`` after its create."""
    created: dict[str, float] = {}
    lines = []
    for entry in entries:
        job = entry.get("job")
        if job is None:
            continue
        if _is_create(entry):
            created.setdefault(job, entry["at"])
            continue
        start = created.get(job)
        if start is None or entry.get("terminal") or entry.get("terminal") is None:
            continue
        if entry["at"] - start > seconds + EPSILON:
            lines.append(
                f"{_where(entry)} still polled {job} {_seconds(entry['at'] - start)} s after its "
                "create"
            )
    return lines


def assert_gave_up_within(entries: Iterable[Mapping[str, Any]], seconds: float) -> None:
    """Fail if the client still polled a job that had not finished more than ``seconds`` (of
    mock time) after it created it, naming those reads."""
    lines = kept_polling(entries, seconds)
    if lines:
        raise CarelessClientError(
            f"the client did not give up within {seconds:g} s:\n" + "\n".join(lines)
        )
