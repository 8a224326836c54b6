"""Reading request bodies within limits, while they stream in.

A file part that grows past the reference limit stops the parse at that point: the rest of the
body (itself bounded) is read and thrown away so the client gets its 400 instead of a reset
connection. Malformed JSON or multipart, wrong content types and bad UTF-8 become rule
violations, never a 500.
"""

from __future__ import annotations

import codecs
import io
import json
import zlib
from dataclasses import dataclass, field
from typing import IO, Any, cast

from werkzeug.datastructures import FileStorage, Headers, MultiDict
from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.formparser import MultiPartParser
from werkzeug.wrappers import Request

from mock_server import catalog
from mock_server.rules import protocol, reference
from mock_server.rules.registry import RuleViolation
from mock_server.wire.excerpt import excerpt

JSON_TYPES = ("application/json",)
MULTIPART_TYPES = ("multipart/form-data",)
MAX_FORM_FIELD_BYTES = catalog.MULTIPART_MAX_FIELD_BYTES
MAX_FORM_PARTS = catalog.MULTIPART_MAX_PARTS
_DRAIN_CHUNK = 1024 * 1024


class FilePartTooLarge(Exception):
    """A multipart file part passed its limit while streaming in."""

    def __init__(self, seen: int) -> None:
        super().__init__(seen)
        self.seen = seen


class LimitedBuffer(io.RawIOBase):
    """An in-memory file that refuses to grow past ``limit`` bytes.

    Chunks are kept as they arrive and joined once, when first read: growing one buffer
    chunk by chunk copies a 19 MB upload over and over.
    """

    def __init__(self, limit: int) -> None:
        super().__init__()
        self.limit = limit
        self._chunks: list[bytes] = []
        self._size = 0
        self._joined: bytes | None = None
        self._position = 0

    def writable(self) -> bool:
        return True

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def write(self, data: Any) -> int:
        size = len(data)
        if self._size + size > self.limit:
            raise FilePartTooLarge(self._size + size)
        self._chunks.append(bytes(data))
        self._size += size
        self._joined = None
        return size

    def getvalue(self) -> bytes:
        """Everything written, as one bytes object."""
        if self._joined is None:
            self._joined = b"".join(self._chunks)
            self._chunks = [self._joined]
        return self._joined

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        base = {io.SEEK_SET: 0, io.SEEK_CUR: self._position, io.SEEK_END: self._size}[whence]
        self._position = max(0, base + offset)
        return self._position

    def tell(self) -> int:
        return self._position

    def read(self, size: int | None = -1) -> bytes:
        data = self.getvalue()
        end = self._size if size is None or size < 0 else min(self._size, self._position + size)
        chunk = data[self._position : end]
        self._position = end
        return chunk

    def readinto(self, buffer: Any) -> int:
        chunk = self.read(len(buffer))
        buffer[: len(chunk)] = chunk
        return len(chunk)


@dataclass
class ParsedBody:
    """A body as fields and files, with a summary fit for the request journal."""

    fields: MultiDict[str, Any]
    files: MultiDict[str, FileStorage] = field(default_factory=MultiDict)
    multipart: bool = False
    summary: Any = None
    #: The body as a JSON value for its request contract: a multipart body as an object of its
    #: text fields, each file part as a string naming it, bracket keys (``a[b]``) nested.
    instance: Any = None


def max_body_bytes(max_reference_bytes: int) -> int:
    """The largest body accepted: a base64 data URL of the largest reference, plus overhead."""
    return max_reference_bytes * 4 // 3 + catalog.BODY_OVERHEAD_BYTES


def drain(stream: IO[bytes]) -> None:
    """Read and discard what is left of a (bounded) request stream."""
    while stream.read(_DRAIN_CHUNK):
        pass


def _too_large(request: Request, limit: int) -> RuleViolation:
    return RuleViolation(protocol.BODY_TOO_LARGE, size=request.content_length, limit=limit)


class _JsonTooComplex(ValueError):
    """A JSON text past the depth or number limits."""


def _number(kind: type[int] | type[float]) -> Any:
    def parse(text: str) -> int | float:
        if len(text) > catalog.JSON_MAX_NUMBER_CHARS:
            raise _JsonTooComplex(f"a number of {len(text)} characters")
        return kind(text)

    return parse


def _not_json(name: str) -> Any:
    raise json.JSONDecodeError(f"{name} is not JSON", name, 0)


def _depth(value: Any) -> int:
    """How deeply a parsed value nests (iteratively: any depth can be measured; only the
    objects and arrays are visited one by one)."""
    if not isinstance(value, dict | list):
        return 0
    deepest, stack = 0, [(value, 1)]
    while stack:
        node, level = stack.pop()
        deepest = max(deepest, level)
        if level > catalog.JSON_MAX_DEPTH:
            break
        children = node.values() if isinstance(node, dict) else node
        stack.extend((child, level + 1) for child in children if isinstance(child, dict | list))
    return deepest


#: The one decoder every body is parsed with (``json.loads`` with hooks makes a new one a call).
_DECODER = json.JSONDecoder(
    parse_int=_number(int), parse_float=_number(float), parse_constant=_not_json
)


def load_json(text: str) -> Any:
    """Parse JSON within the limits: valid JSON only (no ``NaN``), bounded depth and numbers.

    Raises a rule violation, never ``RecursionError``, ``ValueError`` or ``OverflowError``.
    """
    try:
        if text.startswith("\ufeff"):  # as ``json.loads`` refuses it
            raise json.JSONDecodeError("Unexpected UTF-8 BOM (decode using utf-8-sig)", text, 0)
        value = _DECODER.decode(text)
    except json.JSONDecodeError as exc:
        raise RuleViolation(protocol.MALFORMED_JSON, detail=str(exc)) from exc
    except _JsonTooComplex as exc:
        raise RuleViolation(protocol.JSON_LIMITS, detail=str(exc)) from exc
    except RecursionError as exc:
        raise RuleViolation(protocol.JSON_LIMITS, detail="nesting too deep to parse") from exc
    depth = _depth(value)
    if depth > catalog.JSON_MAX_DEPTH:
        raise RuleViolation(
            protocol.JSON_LIMITS, detail=f"nesting more than {catalog.JSON_MAX_DEPTH} levels deep"
        )
    return value


#: Where the request's environ keeps its :class:`CountedInput`.
COUNTED_INPUT = "sora_mock.counted_input"


class CountedInput:
    """The request body's stream, counting what is left of its ``Content-Length``, so the
    server can tell a request answered before its body was read (its connection must end)."""

    def __init__(self, stream: Any, length: int) -> None:
        self._stream = stream
        self.left = length

    def read(self, size: int | None = -1) -> bytes:
        data: bytes = self._stream.read() if size is None or size < 0 else self._stream.read(size)
        self.left -= len(data)
        return data

    def readline(self, size: int | None = -1) -> bytes:
        data: bytes = self._stream.readline(-1 if size is None else size)
        self.left -= len(data)
        return data

    def readinto(self, buffer: Any) -> int:
        count: int = self._stream.readinto(buffer) or 0
        self.left -= count
        return count

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stream, name)


def count_body(environ: dict[str, Any]) -> None:
    """Put a :class:`CountedInput` on a request with a body, before anything reads it."""
    try:
        length = int(environ.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return
    if length > 0:
        counted = CountedInput(environ["wsgi.input"], length)
        environ["wsgi.input"] = environ[COUNTED_INPUT] = counted


def must_close_after(environ: dict[str, Any]) -> bool:
    """Whether the connection must end after this response, because the request was answered
    before its body was read: a short rest is read and dropped (the connection stays open for
    the next request); a long one is not read at all."""
    counted: CountedInput | None = environ.get(COUNTED_INPUT)
    if counted is None or counted.left <= 0:
        return False
    if counted.left > catalog.UNREAD_BODY_DRAIN_BYTES:
        return True
    try:
        while counted.left > 0 and counted.read(min(counted.left, catalog.UNREAD_BODY_DRAIN_BYTES)):
            pass
    except (OSError, ValueError):
        return True
    return counted.left > 0


def read_json(request: Request, limit: int) -> ParsedBody:
    """Parse a JSON object body of at most ``limit`` bytes."""
    length = request.content_length
    if length is not None and length > limit:
        raise _too_large(request, limit)
    # Ask for what the body holds: a read of the whole limit sets aside the whole limit.
    raw = request.stream.read(limit + 1 if length is None else length)
    if len(raw) > limit:
        raise _too_large(request, limit)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise RuleViolation(protocol.INVALID_ENCODING, detail=str(exc)) from exc
    body = load_json(text)
    fields = protocol.check_object_body(body)
    return ParsedBody(MultiDict(list(fields.items())), summary=excerpt(fields), instance=fields)


STRICT_UTF8 = "sora_mock_strict_utf_8"


def _strict_codec(name: str) -> codecs.CodecInfo | None:
    """A UTF-8 codec that refuses bad bytes whatever error handler it is asked for."""
    if name != STRICT_UTF8:
        return None
    utf8 = codecs.lookup("utf-8")

    def decode(data: Any, errors: str = "strict") -> tuple[str, int]:
        return utf8.decode(data, "strict")

    return codecs.CodecInfo(utf8.encode, decode, name=STRICT_UTF8)


codecs.register(_strict_codec)


class StrictMultiPartParser(MultiPartParser):
    """Werkzeug's multipart parser, but text parts in UTF-8 must be valid UTF-8.

    Werkzeug decodes text parts with ``"replace"``, which would turn a client's bad bytes
    into U+FFFD and accept them; here they raise ``UnicodeDecodeError`` instead.
    """

    def get_part_charset(self, headers: Headers) -> str:
        charset = super().get_part_charset(headers)
        return STRICT_UTF8 if charset == "utf-8" else charset


def read_multipart(request: Request, *, file_limit: int, body_limit: int) -> ParsedBody:
    """Parse a multipart body, stopping a file part at ``file_limit`` bytes."""
    boundary = request.mimetype_params.get("boundary", "")
    if not boundary:
        raise RuleViolation(protocol.MALFORMED_MULTIPART, detail="Missing boundary")
    if request.content_length is not None and request.content_length > body_limit:
        raise _too_large(request, body_limit)
    parser = StrictMultiPartParser(
        stream_factory=lambda *_args, **_kwargs: cast(IO[bytes], LimitedBuffer(file_limit)),
        max_form_memory_size=MAX_FORM_FIELD_BYTES,
        max_form_parts=MAX_FORM_PARTS,
        cls=MultiDict,
    )
    stream = request.stream
    try:
        form, files = parser.parse(stream, boundary.encode("ascii"), request.content_length)
    except FilePartTooLarge as exc:
        drain(stream)
        raise RuleViolation(
            reference.TOO_LARGE, param=reference.PARAM, size=exc.seen, limit=file_limit
        ) from exc
    except RequestEntityTooLarge as exc:
        drain(stream)
        raise RuleViolation(
            protocol.FORM_LIMITS, parts=MAX_FORM_PARTS, field_bytes=MAX_FORM_FIELD_BYTES
        ) from exc
    except UnicodeDecodeError as exc:
        raise RuleViolation(protocol.INVALID_ENCODING, detail=str(exc)) from exc
    except ValueError as exc:
        raise RuleViolation(protocol.MALFORMED_MULTIPART, detail=str(exc) or "unreadable") from exc
    if None in form or None in files:
        raise RuleViolation(protocol.MALFORMED_MULTIPART, detail="a part has no name")
    summary: dict[str, Any] = excerpt(dict(form.items(multi=True)))
    instance: dict[str, Any] = {}
    for key, value in form.items(multi=True):
        outer, bracket, inner = key.partition("[")
        if bracket and inner.endswith("]"):
            nested = instance.setdefault(outer, {})
            if isinstance(nested, dict):
                nested[inner[:-1]] = value
        else:
            instance.setdefault(key, value)
    for name, upload in files.items(multi=True):
        data = file_bytes(upload)
        summary[name] = {
            "filename": upload.filename,
            "content_type": upload.content_type,
            "bytes": len(data),
            "crc32": f"{zlib.crc32(data):08x}",
        }
        instance.setdefault(name, f"<file {upload.filename or ''}: {len(data)} bytes>")
    return ParsedBody(form, files, multipart=True, summary=summary, instance=instance)


def read_body(
    request: Request,
    *,
    file_limit: int,
    accept: tuple[str, ...] = JSON_TYPES + MULTIPART_TYPES,
) -> ParsedBody:
    """Parse a JSON or multipart body, as far as ``accept`` allows; anything else is refused."""
    protocol.check_identity_encoding(request.headers.get("Content-Encoding"))
    body_limit = max_body_bytes(file_limit)
    mimetype = request.mimetype
    try:
        if mimetype in JSON_TYPES and mimetype in accept:
            return read_json(request, body_limit)
        if mimetype in MULTIPART_TYPES and mimetype in accept:
            return read_multipart(request, file_limit=file_limit, body_limit=body_limit)
    except TimeoutError as exc:
        raise RuleViolation(protocol.READ_TIMEOUT) from exc
    raise RuleViolation(
        protocol.UNSUPPORTED_CONTENT_TYPE,
        content_type=request.content_type or "",
        supported=accept,
    )


def file_bytes(upload: FileStorage) -> bytes:
    """The bytes of a parsed file part."""
    stream = upload.stream
    if isinstance(stream, LimitedBuffer | io.BytesIO):
        return stream.getvalue()
    data: bytes = stream.read()
    return data
