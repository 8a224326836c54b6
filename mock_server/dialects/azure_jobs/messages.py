"""How the Sora 1 jobs API words its errors: Azure's words, with its own rules (SPEC 4.2)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from mock_server import catalog
from mock_server.dialects.azure.messages import AZURE_WORDING
from mock_server.dialects.openai.messages import Wording, wording_for
from mock_server.rules.azure_jobs import SIZES_TEXT
from mock_server.rules.registry import RuleViolation
from mock_server.wording import quoted_list

#: Wire names of the neutral fields: inpaint files stand where a reference would.
FIELD_NAMES: Mapping[str, str] = {
    "input_reference": "files",
    "input_reference.url": "files",
}


def _f(v: RuleViolation, key: str) -> Any:
    return v.facts.get(key)


def _size(v: RuleViolation) -> str:
    if _f(v, "missing"):
        return f"Missing required parameter: '{_f(v, 'missing')}'."
    return (
        f"Invalid dimensions {_f(v, 'width')}x{_f(v, 'height')}: width and height are integers "
        f"and form one of the supported sizes (width x height): {SIZES_TEXT}."
    )


def _variants(v: RuleViolation) -> str:
    head = f"Invalid 'n_variants': {_f(v, 'value')}."
    written = str(_f(v, "value"))
    if isinstance(_f(v, "value"), int | str) and written.isascii() and written.isdigit():
        number = int(str(_f(v, "value")))
        if _f(v, "low") <= number <= _f(v, "high"):
            return (
                f"{head} At {_f(v, 'size')} at most {_f(v, 'most')} variant(s) can be "
                "generated; smaller dimensions allow more variants."
            )
    return f"{head} Must be between {_f(v, 'low')} and {_f(v, 'high')}."


def _invalid_value(v: RuleViolation) -> str:
    return (
        f"Invalid value: '{_f(v, 'value')}'. Supported values are: "
        f"{quoted_list(_f(v, 'supported'))}."
    )


WORDING: Mapping[str, Wording] = {
    **wording_for(FIELD_NAMES),
    **AZURE_WORDING,
    "azure_jobs.size": ("invalid_value", _size),
    "azure_jobs.n_seconds": (
        "invalid_value",
        lambda v: (
            f"Invalid 'n_seconds': {_f(v, 'value')}. Must be between {_f(v, 'low')} and "
            f"{_f(v, 'high')} seconds."
        ),
    ),
    "azure_jobs.n_variants": ("invalid_value", _variants),
    "azure_jobs.inpaint_items": (
        "invalid_value",
        lambda v: f"Invalid 'inpaint_items': {_f(v, 'detail')}.",
    ),
    "azure_jobs.input_size": (None, lambda v: catalog.INPUT_SIZE_MISMATCH_MESSAGE),
    "azure_jobs.generation_not_found": (
        None,
        lambda v: f"Generation with id '{_f(v, 'generation_id')}' not found.",
    ),
    "azure_jobs.statuses": ("invalid_value", _invalid_value),
    "azure_jobs.quality": ("invalid_value", _invalid_value),
    "video.not_found": (None, lambda v: f"Job with id '{_f(v, 'job_id')}' not found."),
    "video.delete_unfinished": (
        None,
        lambda v: (
            f"Job '{_f(v, 'job_id')}' is {_f(v, 'status')}; only a finished job can be deleted."
        ),
    ),
    "video.expired": (
        None,
        lambda v: f"The content of job '{_f(v, 'job_id')}' has expired.",
    ),
}
