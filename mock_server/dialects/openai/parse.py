"""Reading OpenAI-native create and remix bodies into neutral values (SPEC 1.1, 1.2)."""

from __future__ import annotations

import re
from typing import Any

from werkzeug.datastructures import FileStorage

from mock_server import catalog
from mock_server.domain import FileRef, ImageUrl, RawCreate, ReferenceSource, UploadedFile
from mock_server.rules import create, derived, protocol, reference
from mock_server.rules.registry import RuleViolation
from mock_server.wire.bodies import ParsedBody, file_bytes

REFERENCE = "input_reference"
#: Bracket keys a form encoder makes of ``input_reference={"image_url": ...}``.
BRACKET_KEYS = {f"{REFERENCE}[image_url]": "image_url", f"{REFERENCE}[file_id]": "file_id"}
VIDEO_ID_KEY = "video[id]"
CHARACTERS = "characters"
#: The keys a form encoder makes of ``characters=[{"id": ...}, ...]``.
#: (The SDK writes ``characters[][id]`` once per character; other encoders number them.)
CHARACTER_KEY = re.compile(r"^characters\[(\d{0,2})\]\[id\]$")


def _invalid_reference() -> RuleViolation:
    return RuleViolation(reference.INVALID_SHAPE, param=REFERENCE)


def reference_from_object(value: Any) -> ReferenceSource:
    """``{"image_url": ...}`` or ``{"file_id": ...}``: exactly one, as a string."""
    if not isinstance(value, dict) or set(value) - {"image_url", "file_id"}:
        raise _invalid_reference()
    present = [(key, value[key]) for key in ("image_url", "file_id") if value.get(key) is not None]
    if len(present) != 1 or not isinstance(present[0][1], str) or not present[0][1]:
        raise _invalid_reference()
    key, text = present[0]
    return ImageUrl(text) if key == "image_url" else FileRef(text)


def _reference_from_upload(upload: FileStorage) -> UploadedFile:
    return UploadedFile(file_bytes(upload), upload.filename or None, upload.mimetype or None)


def _multipart_reference(body: ParsedBody) -> ReferenceSource | None:
    uploads = body.files.getlist(REFERENCE)
    if uploads:
        return _reference_from_upload(uploads[0])
    if REFERENCE in body.fields:
        raise _invalid_reference()
    brackets = {
        inner: body.fields[key] for key, inner in BRACKET_KEYS.items() if key in body.fields
    }
    return reference_from_object(brackets) if brackets else None


def _multipart_characters(body: ParsedBody) -> list[dict[str, str]] | None:
    """``characters[][id]`` (as often as there are characters) or ``characters[0][id]``,
    ``characters[1][id]``: the list they stand for, in order."""
    found: list[tuple[int, int, str]] = []
    for position, (key, value) in enumerate(body.fields.items(multi=True)):
        match = CHARACTER_KEY.match(key)
        if match:
            found.append((int(match.group(1) or position), position, value))
    return [{"id": value} for _, _, value in sorted(found)] if found else None


def _bracketed(key: str) -> bool:
    """Whether a multipart key is a bracket key standing for part of an object field."""
    return key in BRACKET_KEYS or key == VIDEO_ID_KEY or bool(CHARACTER_KEY.match(key))


def _field_names(body: ParsedBody) -> list[str]:
    names = [key for key in body.fields if not _bracketed(key)]
    if VIDEO_ID_KEY in body.fields and "video" not in names:
        names.append("video")
    if any(CHARACTER_KEY.match(key) for key in body.fields) and CHARACTERS not in names:
        names.append(CHARACTERS)
    names += [key for key in body.files if key not in names]
    if any(key in body.fields for key in BRACKET_KEYS) and REFERENCE not in names:
        names.append(REFERENCE)
    return names


#: The rule a text field breaks when it arrives as a file part.
TEXT_FIELD_TYPES = {
    "prompt": create.PROMPT_TYPE,
    "model": create.MODEL_TYPE,
    "seconds": create.SECONDS_TYPE,
    "size": create.SIZE_TYPE,
}


def _check_fields(body: ParsedBody, allowed: tuple[str, ...]) -> dict[str, Any]:
    """Refuse unknown and repeated fields, and text fields sent as files; one value per field."""
    names = _field_names(body)
    protocol.check_known_fields(names, allowed)
    if body.multipart:
        protocol.check_single_values(
            {key: body.fields.getlist(key) + body.files.getlist(key) for key in names}
        )
        for name in body.files:
            if name in TEXT_FIELD_TYPES:
                raise RuleViolation(
                    TEXT_FIELD_TYPES[name],
                    param=name,
                    got="a file",
                    supported=catalog.SECONDS_VALUES,
                )
    return {key: body.fields[key] for key in body.fields if not _bracketed(key)}


def create_request(body: ParsedBody) -> RawCreate:
    """A create body as neutral fields plus a reference source."""
    fields = _check_fields(body, catalog.CREATE_FIELDS)
    if body.multipart:
        source = _multipart_reference(body)
        characters = _multipart_characters(body)
        if characters is not None:
            fields[CHARACTERS] = characters
    else:
        raw = fields.pop(REFERENCE, None)
        source = None if raw is None else reference_from_object(raw)
    fields.pop(REFERENCE, None)
    return RawCreate(fields, source, body.multipart)


def remix_fields(body: ParsedBody) -> dict[str, Any]:
    """A remix body: only ``prompt``."""
    return _check_fields(body, catalog.REMIX_FIELDS)


def character_fields(body: ParsedBody) -> tuple[Any, bytes | None]:
    """The character body's name and video bytes (``None`` when no file part came)."""
    _check_fields(body, catalog.CHARACTER_FIELDS)
    uploads = body.files.getlist("video")
    return body.fields.get("name"), (file_bytes(uploads[0]) if uploads else None)


def derived_request(body: ParsedBody, allowed: tuple[str, ...]) -> tuple[dict[str, Any], Any]:
    """An edit or extension body: its text fields, and its source video: an id (``str``), the
    uploaded bytes (``bytes``), or ``None`` when none was given."""
    fields = _check_fields(body, allowed)
    if body.multipart:
        uploads = body.files.getlist("video")
        given = [*uploads, *([body.fields[VIDEO_ID_KEY]] if VIDEO_ID_KEY in body.fields else [])]
        if "video" in fields or len(given) > 1:
            raise RuleViolation(derived.VIDEO_INVALID, param="video")
        if uploads:
            return fields, file_bytes(uploads[0])
        return fields, _video_id(body.fields.get(VIDEO_ID_KEY))
    value = fields.pop("video", None)
    if value is None:
        return fields, None
    if not isinstance(value, dict) or set(value) != {"id"}:
        raise RuleViolation(derived.VIDEO_INVALID, param="video")
    return fields, _video_id(value["id"])


def _video_id(value: Any) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str) or not value:
        raise RuleViolation(derived.VIDEO_INVALID, param="video")
    return value
