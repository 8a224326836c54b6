"""Reading what an image is from its first bytes, without decoding its pixels."""

from __future__ import annotations

import io
from dataclasses import dataclass

from PIL import Image, UnidentifiedImageError

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
    """What an image's header says."""

    format: str
    width: int
    height: int


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
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise ImageTooManyPixels(None, None) from exc
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError) as exc:
        raise ImageHeaderError(str(exc) or type(exc).__name__) from exc
    if width <= 0 or height <= 0:
        raise ImageHeaderError(f"the header claims a size of {width}x{height}")
    if width * height > max_pixels:
        raise ImageTooManyPixels(width, height)
    return ImageHeader(image_format, width, height)
