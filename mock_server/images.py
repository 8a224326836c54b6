"""Reading what an image is from its first bytes and its structure, without decoding pixels."""

from __future__ import annotations

import io
import struct
from dataclasses import dataclass

from PIL import Image, UnidentifiedImageError

#: EXIF orientations that turn the picture a quarter: its displayed width and height swap.
QUARTER_TURNS = frozenset({5, 6, 7, 8})
_ORIENTATION_TAG = 0x0112

#: Signatures of formats a client might send, accepted or not.
_SIGNATURES: tuple[tuple[int, bytes, str], ...] = (
    (0, b"\x89PNG\r\n\x1a\n", "png"),
    (0, b"\xff\xd8\xff", "jpeg"),
    (0, b"GIF87a", "gif"),
    (0, b"GIF89a", "gif"),
    (0, b"BM", "bmp"),
    (0, b"II*\x00", "tiff"),
    (0, b"MM\x00*", "tiff"),
    (0, b"%PDF", "pdf"),
    (0, b"\x00\x00\x01\x00", "ico"),
)
_HEIF_BRANDS = {b"heic": "heic", b"heix": "heic", b"mif1": "heif", b"avif": "avif"}
_PILLOW_FORMATS = {"png": "PNG", "jpeg": "JPEG", "webp": "WEBP"}


class ImageHeaderError(Exception):
    """The bytes claim a format but its header cannot be read."""


class ImageTooManyPixels(Exception):
    """The header claims more pixels than is safe to decode."""

    def __init__(self, width: int | None, height: int | None) -> None:
        super().__init__(f"{width}x{height}")
        self.width = width
        self.height = height


@dataclass(frozen=True)
class ImageHeader:
    """What an image's header says: its format, and its size as displayed (EXIF applied)."""

    format: str
    width: int
    height: int
    #: The EXIF orientation (1 when there is none).
    orientation: int = 1


def sniff_format(data: bytes) -> str | None:
    """Name the image format the bytes start with, or ``None`` when nothing matches."""
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "webp"
    if data[4:8] == b"ftyp" and data[8:12] in _HEIF_BRANDS:
        return _HEIF_BRANDS[data[8:12]]
    for offset, signature, name in _SIGNATURES:
        if data[offset : offset + len(signature)] == signature:
            return name
    return None


def read_header(data: bytes, image_format: str, max_pixels: int) -> ImageHeader:
    """Read the size of a PNG, JPEG or WebP image from its header only.

    Pillow's ``Image.open`` is lazy: it parses the header and stops. Its own decompression-bomb
    guard may fire on the way (as an error, or as a warning turned into one); both, and any
    header that claims more than ``max_pixels``, become :class:`ImageTooManyPixels`.
    """
    try:
        with Image.open(io.BytesIO(data), formats=[_PILLOW_FORMATS[image_format]]) as image:
            width, height = image.size
            orientation = _orientation(image)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise ImageTooManyPixels(None, None) from exc
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError) as exc:
        raise ImageHeaderError(str(exc) or type(exc).__name__) from exc
    if width <= 0 or height <= 0:
        raise ImageHeaderError(f"the header claims a size of {width}x{height}")
    if width * height > max_pixels:
        raise ImageTooManyPixels(width, height)
    check_whole(data, image_format)
    if orientation in QUARTER_TURNS:
        width, height = height, width
    return ImageHeader(image_format, width, height, orientation)


def _orientation(image: Image.Image) -> int:
    """The EXIF orientation a lazily opened image declares (1 when none, or unreadable).

    Read from the EXIF block its header carries (JPEG's APP1, WebP's and PNG's chunk before
    the image data): ``Image.getexif`` would decode a PNG's pixels to look further.
    """
    raw = image.info.get("exif")
    if not raw:
        return 1
    exif = Image.Exif()
    try:
        exif.load(raw)
        value = exif.get(_ORIENTATION_TAG, 1)
    except (OSError, SyntaxError, ValueError, struct.error):
        return 1
    return value if isinstance(value, int) and 1 <= value <= 8 else 1


def check_whole(data: bytes, image_format: str) -> None:
    """Refuse a file cut short, from its structure alone: PNG chunks up to ``IEND``, JPEG
    segments up to the scan and its end marker, WebP's RIFF size."""
    problem = {"png": _png_problem, "jpeg": _jpeg_problem, "webp": _webp_problem}[image_format](
        data
    )
    if problem is not None:
        raise ImageHeaderError(f"the file is cut short or broken: {problem}")


def _png_problem(data: bytes) -> str | None:
    position = 8
    while position + 8 <= len(data):
        length, kind = struct.unpack(">I4s", data[position : position + 8])
        end = position + 12 + length
        if end > len(data):
            return f"the {kind.decode('latin-1')} chunk needs {end - len(data)} more bytes"
        if kind == b"IEND":
            return None
        position = end
    return "it has no IEND chunk"


def _jpeg_problem(data: bytes) -> str | None:
    position = 2
    while position + 4 <= len(data):
        if data[position] != 0xFF:
            return f"no marker at byte {position}"
        marker = data[position + 1]
        if marker == 0xFF:  # fill byte
            position += 1
            continue
        if marker in (0xD8, 0x01) or 0xD0 <= marker <= 0xD7:
            position += 2
            continue
        (length,) = struct.unpack(">H", data[position + 2 : position + 4])
        if marker == 0xDA:  # start of scan: the entropy-coded data runs to the end marker
            return None if data.rfind(b"\xff\xd9", position + 2 + length) >= 0 else "no end marker"
        position += 2 + length
    return "it ends before its image data"


def _webp_problem(data: bytes) -> str | None:
    (size,) = struct.unpack("<I", data[4:8])
    if len(data) < size + 8:
        return f"its RIFF header promises {size + 8} bytes, {len(data)} came"
    return None
