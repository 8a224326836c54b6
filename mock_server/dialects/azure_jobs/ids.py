"""Job and generation ids: ``task_`` and ``gen_`` + 26 lowercase Crockford base32 characters.

A job's id ends in ``0``; generation N's id is the job's with N's character in its place, so a
generation id names its job without a lookup (SPEC 4.2 [choice]).
"""

from __future__ import annotations

import secrets
import time

from mock_server import catalog

ALPHABET = catalog.AZURE_ID_ALPHABET
LENGTH = catalog.AZURE_ID_LENGTH
JOB = catalog.AZURE_JOB_ID_PREFIX
GENERATION = catalog.AZURE_GENERATION_ID_PREFIX


def job_suffix() -> str:
    """A ULID-like suffix (10 characters of milliseconds, then random), ending in ``0``."""
    millis = int(time.time() * 1000)
    head = "".join(ALPHABET[(millis >> shift) & 31] for shift in range(45, -1, -5))
    tail = "".join(secrets.choice(ALPHABET) for _ in range(LENGTH - len(head) - 1))
    return head + tail + ALPHABET[0]


def generation_id(job_id: str, index: int) -> str:
    """The id of a job's generation ``index``."""
    return GENERATION + job_id[len(JOB) : -1] + ALPHABET[index]


def parse_generation_id(generation: str) -> tuple[str, int] | None:
    """The job id and index a generation id names, or ``None`` when it names none."""
    suffix = generation[len(GENERATION) :]
    if not generation.startswith(GENERATION) or len(suffix) != LENGTH:
        return None
    if any(char not in ALPHABET for char in suffix):
        return None
    return JOB + suffix[:-1] + ALPHABET[0], ALPHABET.index(suffix[-1])
