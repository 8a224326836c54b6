"""Rules of Azure's Sora 1 video generation jobs API (SPEC 4.2, seed 000, seed 002)."""

from __future__ import annotations

import dataclasses
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from mock_server import catalog
from mock_server.domain import ReferenceImage
from mock_server.rules import characters, reference
from mock_server.rules.protocol import check_known_fields, json_type_name
from mock_server.rules.registry import RuleViolation, define

SIZES_TEXT = ", ".join(f"{w}x{h}" for w, h in catalog.AZURE_JOBS_SIZES)

SIZE = define(
    "azure_jobs.size",
    400,
    f"width and height are integers and form one of the nine sizes: {SIZES_TEXT}.",
    "SPEC 4.2, seed 000 [public: Azure docs; choice: wording]",
)
N_SECONDS = define(
    "azure_jobs.n_seconds",
    400,
    "n_seconds is an integer from 1 to 20 (default 5).",
    "SPEC 4.2 [public: Azure REST spec]",
)
N_VARIANTS = define(
    "azure_jobs.n_variants",
    400,
    "n_variants is an integer from 1 to 5 (default 1), and at most 1 at 1080p, 2 at 720p and "
    "4 at smaller sizes.",
    "SPEC 4.2 [public: Azure REST spec and docs]",
)
INPAINT_ITEMS = define(
    "azure_jobs.inpaint_items",
    400,
    "inpaint_items is a JSON list (a string in multipart) of items with frame_index, type "
    "(image or video) and the file_name of an uploaded file, with crop_bounds fractions "
    "between 0 and 1; at most 2 images or 1 video of at most 5 seconds.",
    "SPEC 4.2 [public: Azure REST spec and docs; choice: wording]",
)
INPUT_SIZE = define(
    "azure_jobs.input_size",
    400,
    f"An inpaint image or video has the output's width and height: "
    f"'{catalog.INPUT_SIZE_MISMATCH_MESSAGE}'.",
    "SPEC 4.2, seed 002",
)
GENERATION_NOT_FOUND = define(
    "azure_jobs.generation_not_found",
    404,
    "A generation id names a video of a succeeded job.",
    "SPEC 4.2 [choice: wording]",
)
STATUSES = define(
    "azure_jobs.statuses",
    400,
    "statuses is a comma-separated list of job statuses.",
    "SPEC 4.2 [public: Azure REST spec]",
)
QUALITY = define(
    "azure_jobs.quality", 400, "quality is high or low.", "SPEC 4.2 [public: Azure REST spec]"
)


@dataclass(frozen=True)
class InpaintItem:
    """One checked inpaint item: where it goes, and its file."""

    frame_index: int
    type: str
    file_name: str
    data: bytes
    #: The image, checked (``None`` for a video).
    image: ReferenceImage | None = None


def _integer(value: Any) -> int | None:
    """An integer from JSON, or a string of digits from multipart; ``None`` otherwise."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and _DIGITS.fullmatch(value.strip()):
        return int(value)
    return None


#: An integer as a form field writes it: ASCII digits only (``"²".isdigit()`` is true, and
#: ``int`` refuses it; ``int`` takes Arabic-Indic digits, which no .NET service reads).
_DIGITS = re.compile(r"-?[0-9]+")


def check_fields(names: list[str], *, multipart: bool) -> None:
    """Only the fields the body defines."""
    allowed = catalog.AZURE_JOBS_MULTIPART_FIELDS if multipart else catalog.AZURE_JOBS_FIELDS
    check_known_fields(names, allowed)


def check_size(width: Any, height: Any) -> tuple[int, int]:
    """Both given, integers, and one of the nine sizes."""
    size = (_integer(width), _integer(height))
    if size not in catalog.AZURE_JOBS_SIZES:
        missing = "width" if width is None else "height" if height is None else None
        widths = {w for w, _ in catalog.AZURE_JOBS_SIZES}
        raise RuleViolation(
            SIZE,
            param=missing or ("width" if _integer(width) not in widths else "height"),
            width=width,
            height=height,
            missing=missing,
            got=f"{json_type_name(width)}, {json_type_name(height)}",
        )
    return size


def check_seconds(value: Any) -> int:
    """1 to 20, 5 when absent."""
    if value is None:
        return catalog.AZURE_JOBS_DEFAULT_SECONDS
    seconds = _integer(value)
    low, high = catalog.AZURE_JOBS_SECONDS_RANGE
    if seconds is None or not low <= seconds <= high:
        raise RuleViolation(N_SECONDS, param="n_seconds", value=value, low=low, high=high)
    return seconds


def check_variants(value: Any, width: int, height: int) -> int:
    """1 to 5, 1 when absent, and no more than the size allows."""
    if value is None:
        return catalog.AZURE_JOBS_DEFAULT_VARIANTS
    variants = _integer(value)
    low, high = catalog.AZURE_JOBS_VARIANTS_RANGE
    most = catalog.azure_jobs_max_variants(width, height)
    if variants is None or not low <= variants <= min(high, most):
        raise RuleViolation(
            N_VARIANTS,
            param="n_variants",
            value=value,
            low=low,
            high=high,
            most=most,
            size=f"{width}x{height}",
        )
    return variants


def _invalid_items(detail: str) -> RuleViolation:
    return RuleViolation(INPAINT_ITEMS, param="inpaint_items", detail=detail)


def _crop(value: Any) -> None:
    if value is None:
        return
    if not isinstance(value, dict) or set(value) - set(catalog.AZURE_CROP_FIELDS):
        raise _invalid_items(f"crop_bounds takes {', '.join(catalog.AZURE_CROP_FIELDS)}")
    defaults = {"left_fraction": 0, "top_fraction": 0, "right_fraction": 1, "bottom_fraction": 1}
    bounds = {**defaults, **value}
    numbers = all(
        isinstance(v, int | float) and not isinstance(v, bool) and 0 <= v <= 1
        for v in bounds.values()
    )
    if not numbers:
        raise _invalid_items("each crop_bounds fraction is a number from 0 to 1")
    if not (
        bounds["left_fraction"] < bounds["right_fraction"]
        and bounds["top_fraction"] < bounds["bottom_fraction"]
    ):
        raise _invalid_items("crop_bounds has its left before its right and top above bottom")


def parse_items(raw: Any) -> list[dict[str, Any]]:
    """``inpaint_items``: a JSON string of a list of item objects."""
    if raw is None:
        return []
    if isinstance(raw, str):
        try:
            raw = json.loads(raw)
        except ValueError as exc:
            raise _invalid_items("it is not valid JSON") from exc
    if not isinstance(raw, list) or not all(isinstance(item, dict) for item in raw):
        raise _invalid_items("it is not a list of objects")
    return raw


def check_items(
    items: list[dict[str, Any]], files: Mapping[str, bytes], width: int, height: int
) -> list[InpaintItem]:
    """Each item well formed and naming an uploaded file of the output's size."""
    checked: list[InpaintItem] = []
    for item in items:
        check_item_fields(item)
        frame = item.get("frame_index", 0)
        kind, name = item.get("type"), item.get("file_name")
        if not isinstance(frame, int) or isinstance(frame, bool) or frame < 0:
            raise _invalid_items("frame_index is an integer of at least 0")
        if kind not in catalog.AZURE_INPAINT_TYPES:
            raise _invalid_items("type is image or video")
        if not isinstance(name, str) or name not in files:
            raise _invalid_items(f"file_name {name!r} names no uploaded file")
        _crop(item.get("crop_bounds"))
        checked.append(InpaintItem(frame, kind, name, files[name]))
    images = [item for item in checked if item.type == "image"]
    videos = [item for item in checked if item.type == "video"]
    if len(images) > catalog.AZURE_INPAINT_MAX_IMAGES or len(videos) > 1 or (images and videos):
        raise _invalid_items("at most 2 images or 1 video")
    return [dataclasses.replace(item, image=check_input(item, width, height)) for item in checked]


def check_item_fields(item: dict[str, Any]) -> None:
    """An item carries only the fields an inpaint item defines, and the required ones."""
    unknown = set(item) - set(catalog.AZURE_INPAINT_FIELDS)
    if unknown:
        raise _invalid_items(f"unknown item field {sorted(unknown)[0]!r}")
    for name in ("type", "file_name"):
        if name not in item:
            raise _invalid_items(f"an item has no {name}")


def check_input(item: InpaintItem, width: int, height: int) -> ReferenceImage | None:
    """The item's file: an image or video it claims to be, of the output's size."""
    if item.type == "image":
        image = reference.check_image(item.data, catalog.REFERENCE_MAX_BYTES)
        size = (image.width, image.height)
        found: ReferenceImage | None = image
    else:
        header = characters.check_video(item.data)
        if header.seconds > catalog.AZURE_INPAINT_MAX_VIDEO_SECONDS:
            raise _invalid_items("an input video lasts at most 5 seconds")
        size, found = (header.width, header.height), None
    if size != (width, height):
        raise RuleViolation(
            INPUT_SIZE,
            param="inpaint_items",
            got=f"{size[0]}x{size[1]}",
            expected=f"{width}x{height}",
        )
    return found


def check_statuses(raw: str | None) -> tuple[str, ...]:
    """``statuses``: comma-separated job statuses; none means every one."""
    if raw is None or not raw.strip():
        return ()
    found = tuple(part.strip() for part in raw.split(","))
    unknown = [status for status in found if status not in catalog.AZURE_JOB_STATUSES]
    if unknown:
        raise RuleViolation(
            STATUSES, param="statuses", value=unknown[0], supported=catalog.AZURE_JOB_STATUSES
        )
    return found


def check_quality(raw: str | None) -> str:
    """``quality``: high (default) or low."""
    if raw is None:
        return catalog.AZURE_DEFAULT_QUALITY
    if raw not in catalog.AZURE_VIDEO_QUALITIES:
        raise RuleViolation(
            QUALITY, param="quality", value=raw, supported=tuple(catalog.AZURE_VIDEO_QUALITIES)
        )
    return raw
