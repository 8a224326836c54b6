"""Rules about jobs that exist, their state, their content and the list (SPEC 1.4)."""

from __future__ import annotations

from typing import Any

from mock_server import catalog
from mock_server.rules.protocol import json_type_name
from mock_server.rules.registry import RuleViolation, define

NOT_FOUND = define(
    "video.not_found", 404, "The id names a job that exists and was not deleted.", "SPEC 1.4"
)
NOT_READY = define(
    "video.not_ready",
    404,
    "Content is served once the job is completed.",
    "SPEC 1.4 [public prefix]",
)
FAILED_NO_CONTENT = define(
    "video.failed_no_content", 404, "A failed job has no content.", "SPEC 1.4"
)
EXPIRED = define(
    "video.expired", 404, "Content is served until expires_at.", "SPEC 1.4 [choice: 404]"
)
DELETE_UNFINISHED = define(
    "video.delete_unfinished",
    400,
    "Only a completed or failed job can be deleted.",
    "SPEC 1.4 [choice; public summary]",
)
REMIX_UNFINISHED = define(
    "video.remix_unfinished", 400, "Only a completed job can be remixed.", "SPEC 1.4 [choice]"
)
SOURCE_UNFINISHED = define(
    "video.source_unfinished",
    400,
    "A video given by id to edit or extend has completed.",
    "SPEC 1.7 [choice: as remix]",
)
VARIANT_UNSUPPORTED = define(
    "content.variant",
    400,
    "variant is video, thumbnail or spritesheet.",
    "SPEC 1.1 [public]",
)
MEDIA_EXPIRED = define(
    "media.expired",
    410,
    "A result URL is served until the job's results expire (15 days on generateTask).",
    "SPEC 3, seed 004 [choice: 410]",
)
MEDIA_NOT_FOUND = define(
    "media.not_found", 404, "A result URL names a job and a file it has.", "SPEC 2, 3 [choice]"
)
LIST_LIMIT_TYPE = define("list.limit_type", 400, "limit is an integer.", "SPEC 1.1 [public]")
LIST_LIMIT_RANGE = define("list.limit_range", 400, "limit is between 0 and 100.", "SPEC 1.1")
LIST_ORDER = define("list.order", 400, "order is asc or desc.", "SPEC 1.1 [public]")
LIST_AFTER_UNKNOWN = define(
    "list.after_unknown", 400, "after names a job that exists.", "SPEC 1.1 [choice]"
)


def not_found(job_id: str) -> RuleViolation:
    """The violation for an id that names no job."""
    return RuleViolation(NOT_FOUND, job_id=job_id)


def check_content_ready(job_id: str, status: str, expired: bool) -> None:
    """Content exists for a completed job until it expires."""
    if status == catalog.FAILED:
        raise RuleViolation(FAILED_NO_CONTENT, job_id=job_id)
    if status != catalog.COMPLETED:
        raise RuleViolation(NOT_READY, job_id=job_id, status=status)
    if expired:
        raise RuleViolation(EXPIRED, job_id=job_id)


def check_deletable(job_id: str, status: str) -> None:
    """A job is deleted once it is terminal."""
    if status not in catalog.TERMINAL_STATUSES:
        raise RuleViolation(DELETE_UNFINISHED, job_id=job_id, status=status)


def check_remixable(job_id: str, status: str) -> None:
    """A job is remixed once it is completed."""
    if status != catalog.COMPLETED:
        raise RuleViolation(REMIX_UNFINISHED, job_id=job_id, status=status)


def check_variant(value: str | None) -> str:
    """The content variant, defaulting to the video."""
    if value is None:
        return catalog.DEFAULT_VARIANT
    if value not in catalog.CONTENT_VARIANTS:
        raise RuleViolation(
            VARIANT_UNSUPPORTED,
            param="variant",
            value=value,
            supported=tuple(catalog.CONTENT_VARIANTS),
        )
    return value


def check_limit(raw: Any, default: int = catalog.LIST_DEFAULT_LIMIT) -> int:
    """The page size: an integer between 0 and 100, ``default`` when absent."""
    if raw is None:
        return default
    try:
        value = int(raw, 10) if isinstance(raw, str) else raw
    except ValueError:
        value = None
    if not isinstance(value, int) or isinstance(value, bool):
        raise RuleViolation(LIST_LIMIT_TYPE, param="limit", got=json_type_name(raw))
    if not 0 <= value <= catalog.LIST_MAX_LIMIT:
        raise RuleViolation(
            LIST_LIMIT_RANGE,
            param="limit",
            value=value,
            minimum=0,
            maximum=catalog.LIST_MAX_LIMIT,
        )
    return value


def check_order(raw: str | None) -> str:
    """The sort order: asc or desc, default desc."""
    if raw is None:
        return catalog.LIST_DEFAULT_ORDER
    if raw not in catalog.LIST_ORDERS:
        raise RuleViolation(LIST_ORDER, param="order", value=raw, supported=catalog.LIST_ORDERS)
    return raw


def after_unknown(job_id: str) -> RuleViolation:
    """The violation for a cursor that names no job."""
    return RuleViolation(LIST_AFTER_UNKNOWN, param="after", job_id=job_id)


def check_source_ready(job_id: str, status: str) -> None:
    """Only a completed video can be edited or extended."""
    if status != catalog.COMPLETED:
        raise RuleViolation(SOURCE_UNFINISHED, param="video", job_id=job_id, status=status)
