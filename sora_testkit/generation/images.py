"""Real images, made by Pillow, for reference-image strategies."""

from __future__ import annotations

import base64
import functools
import io

from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument
from PIL import Image

#: Formats the APIs accept, and the Pillow names and content types of every format drawn.
ACCEPTED_FORMATS = ("jpeg", "png", "webp")
REFUSED_FORMATS = ("gif", "bmp", "tiff")
_PILLOW = {"jpeg": "JPEG", "png": "PNG", "webp": "WEBP", "gif": "GIF", "bmp": "BMP", "tiff": "TIFF"}
CONTENT_TYPES = {
    "jpeg": "image/jpeg",
    "png": "image/png",
    "webp": "image/webp",
    "gif": "image/gif",
    "bmp": "image/bmp",
    "tiff": "image/tiff",
}
EXTENSIONS = {
    "jpeg": "jpg",
    "png": "png",
    "webp": "webp",
    "gif": "gif",
    "bmp": "bmp",
    "tiff": "tif",
}
#: A small palette keeps generated images cacheable; the first colour is where shrinking goes.
PALETTE = ((128, 128, 128), (220, 40, 40), (40, 200, 90), (30, 60, 220), (250, 250, 250))


@functools.lru_cache(maxsize=64)
def render_image(width: int, height: int, image_format: str, color: tuple[int, int, int]) -> bytes:
    """An image of this size, format and colour, with a block of contrast in one corner."""
    image = Image.new("RGB", (width, height), color)
    image.paste((0, 0, 0), (0, 0, max(1, width // 4), max(1, height // 4)))
    out = io.BytesIO()
    options = {"quality": 85} if image_format in ("jpeg", "webp") else {}
    image.save(out, _PILLOW[image_format], **options)
    return out.getvalue()


def data_url(data: bytes, image_format: str) -> str:
    """A base64 ``data:`` URL of an image."""
    return f"data:{CONTENT_TYPES[image_format]};base64," + base64.b64encode(data).decode()


Dimension = int | st.SearchStrategy[int]


def _drawn(draw: st.DrawFn, value: Dimension) -> int:
    """An integer given as it is, or drawn from a strategy."""
    return draw(value) if isinstance(value, st.SearchStrategy) else value


@st.composite
def _images(
    draw: st.DrawFn, width: Dimension, height: Dimension, formats: tuple[str, ...]
) -> tuple[bytes, str]:
    unknown = sorted(set(formats) - set(_PILLOW))
    if unknown or not formats:
        raise InvalidArgument(f"formats must be some of {sorted(_PILLOW)}, not {formats!r}")
    width, height = _drawn(draw, width), _drawn(draw, height)
    if width < 1 or height < 1:
        raise InvalidArgument(f"width and height must be positive, not {width}x{height}")
    image_format = draw(st.sampled_from(formats))
    color = draw(st.sampled_from(PALETTE))
    return render_image(width, height, image_format, color), image_format


def reference_images(
    *, width: Dimension, height: Dimension, formats: tuple[str, ...] = ACCEPTED_FORMATS
) -> st.SearchStrategy[tuple[bytes, str]]:
    """Real images of exactly ``width`` x ``height``: ``(bytes, format)`` pairs. Each of
    ``width`` and ``height`` is an integer or a strategy of integers
    (``st.integers(1, 64)``).

    The format is drawn from ``formats`` (``jpeg``, ``png``, ``webp``, and for near misses
    ``gif``, ``bmp``, ``tiff``); the colour from a small palette. Shrinks towards the first
    format and a grey image.
    """
    return _images(width, height, tuple(formats))
