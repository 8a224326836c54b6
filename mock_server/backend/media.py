"""Real media for finished jobs: an H.264 MP4, a WebP thumbnail and a JPEG spritesheet.

The MP4 has the job's width, height and duration at :data:`catalog.VIDEO_FPS`. Its first frame is
the reference image, untouched, when one was given; after it, one distinct frame per second (a
time code and a progress bar over the base picture), each converted to YUV once and repeated,
so a 12-second 1792x1024 video encodes in a fraction of a second.
"""

from __future__ import annotations

import functools
import io
import threading
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

import av
from PIL import Image, ImageDraw, ImageFont, ImageOps, UnidentifiedImageError

from mock_server import catalog


@dataclass(frozen=True)
class MediaSpec:
    """What a video must look like."""

    width: int
    height: int
    seconds: int
    prompt: str
    reference: bytes | None = None
    #: The video this one extends: its seconds come first, with its pictures.
    prefix: MediaSpec | None = None
    #: Which of a job's videos this is (Azure's variants): shown on the title card.
    take: int = 0

    def pictures(self) -> list[tuple[MediaSpec, int]]:
        """Which spec's picture shows for how many seconds, in order (an extension's sources
        first, then its own)."""
        if self.prefix is None or self.prefix.seconds >= self.seconds:
            return [(self, self.seconds)]
        return [*self.prefix.pictures(), (self, self.seconds - self.prefix.seconds)]


@functools.lru_cache(maxsize=16)
def _font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    """Pillow's built-in font at a size, loaded once."""
    return ImageFont.load_default(size=size)


def _title_card(spec: MediaSpec) -> Image.Image:
    """A base picture for a job without a reference: a gradient with the prompt on it."""
    image = Image.linear_gradient("L").resize((spec.width, spec.height))
    card = Image.merge(
        "RGB", (image.point(lambda v: 40 + v // 3), image, image.point(lambda v: 90))
    )
    draw = ImageDraw.Draw(card)
    font = _font(max(16, spec.width // 40))
    text = spec.prompt[:80] if not spec.take else f"{spec.prompt[:72]} (#{spec.take + 1})"
    draw.text((spec.width // 20, spec.height // 20), text, fill="white", font=font)
    return card


def base_picture(spec: MediaSpec) -> Image.Image:
    """The first frame: the source's first frame for an extension, else the reference image
    when it decodes, else a title card."""
    if spec.prefix is not None:
        return base_picture(spec.prefix).resize((spec.width, spec.height))
    if spec.reference is not None:
        try:
            with Image.open(io.BytesIO(spec.reference)) as reference:
                # As displayed: a reference is judged by its EXIF-rotated size, so it is shown so.
                picture = ImageOps.exif_transpose(reference).convert("RGB")
            if picture.size == (spec.width, spec.height):
                return picture
            return picture.resize((spec.width, spec.height))
        except (UnidentifiedImageError, OSError, ValueError, SyntaxError):
            pass
    return _title_card(spec)


def _strip_top(height: int) -> int:
    """The first row of the overlay strip: even, so 4:2:0 chroma rows line up."""
    top = height - _bar_height(height) * 7
    return top - top % 2


def _bar_height(height: int) -> int:
    return max(4, height // 100)


def _overlay_strip(base: Image.Image, second: int, total: int) -> tuple[Image.Image, int]:
    """The bottom strip of the picture shown during ``second``: a progress bar and a time code.

    Returns the strip and the row it starts at.
    """
    width, height = base.size
    top = _strip_top(height)
    bar = _bar_height(height)
    strip = base.crop((0, top, width, height))
    draw = ImageDraw.Draw(strip)
    bottom = height - top
    draw.rectangle((0, bottom - bar, width * (second + 1) // total, bottom), fill=(230, 230, 230))
    font = _font(max(14, width // 50))
    draw.text(
        (width // 40, bottom - bar * 6), f"{second + 1:02d}/{total:02d}s", fill="white", font=font
    )
    return strip, top


def _second_frame(base: Image.Image, second: int, total: int) -> Image.Image:
    """The whole picture shown during ``second``: the base with its overlay strip."""
    frame = base.copy()
    strip, top = _overlay_strip(base, second, total)
    frame.paste(strip, (0, top))
    return frame


def _copy_plane(
    target: memoryview, target_line: int, source: memoryview, source_line: int, height: int
) -> None:
    """Copy a plane's rows. Frames may pad their rows differently (PyAV 18.1.1 aligns a
    converted frame's rows to 64 bytes, a new frame's to 32): then row by row."""
    if target_line == source_line and len(target) == len(source):
        target[:] = source
        return
    width = min(target_line, source_line)
    for row in range(height):
        to, at = row * target_line, row * source_line
        target[to : to + width] = source[at : at + width]


def _patched(base: Any, strip: Any, top: int) -> Any:
    """A copy of a YUV 4:2:0 frame with ``strip`` (a frame as wide) written from row ``top``.

    Converting only the strip, and copying planes, costs a fraction of converting each picture.
    """
    frame = av.VideoFrame(base.width, base.height, "yuv420p")
    for index, (target, source, patch) in enumerate(
        zip(frame.planes, base.planes, strip.planes, strict=True)
    ):
        view, rows = memoryview(target), memoryview(patch)
        _copy_plane(view, target.line_size, memoryview(source), source.line_size, target.height)
        first = top if index == 0 else top // 2
        for row in range(patch.height):
            start = (first + row) * target.line_size
            offset = row * patch.line_size
            view[start : start + patch.width] = rows[offset : offset + patch.width]
    return frame


def _yuv_frame(picture: Image.Image) -> Any:
    """A picture as a YUV 4:2:0 video frame, converted once so repeats cost nothing."""
    frame = av.VideoFrame.from_image(picture)  # type: ignore[no-untyped-call]
    return frame.reformat(format="yuv420p")


def _own_picture(shown: MediaSpec, spec: MediaSpec) -> Image.Image:
    """A segment's picture, its prefix set aside, at the video's size."""
    own = MediaSpec(shown.width, shown.height, shown.seconds, shown.prompt, shown.reference)
    return base_picture(own).resize((spec.width, spec.height))


def render_mp4(spec: MediaSpec, crf: int = 32) -> bytes:
    """Encode the video (``crf``: x264's constant rate factor; higher is smaller and worse)."""
    base = base_picture(spec)
    buffer = io.BytesIO()
    fps = catalog.VIDEO_FPS
    with av.open(buffer, "w", format="mp4") as container:
        stream = container.add_stream("libx264", rate=fps)
        stream.width, stream.height, stream.pix_fmt = spec.width, spec.height, "yuv420p"
        stream.options = {
            "preset": "ultrafast",
            "crf": str(crf),
            # A mock's picture quality does not matter; its speed does: no B-frames, no
            # lookahead, no deblocking, no adaptive quantisation.
            "x264-params": (
                f"keyint={fps * spec.seconds}:scenecut=0:bframes=0:rc-lookahead=0:"
                "sync-lookahead=0:no-deblock=1:aq-mode=0"
            ),
        }
        index = 0
        for shown, seconds in spec.pictures():
            # Each segment's own picture (an extension's source comes first), at this size.
            picture = base if shown is spec.pictures()[0][0] else _own_picture(shown, spec)
            first = _yuv_frame(picture)
            for _ in range(fps * seconds):
                second = index // fps
                if index % fps == 0 or index == 1:
                    strip, top = _overlay_strip(picture, second, spec.seconds)
                    frame = _patched(first, _yuv_frame(strip), top) if index else first
                frame.pts = index
                for packet in stream.encode(frame):
                    container.mux(packet)
                index += 1
        for packet in stream.encode():
            container.mux(packet)
    return buffer.getvalue()


def _still(spec: MediaSpec, image_format: str) -> bytes:
    """The first frame, at most :data:`catalog.THUMBNAIL_MAX_SIDE` on its long side."""
    picture = base_picture(spec)
    picture.thumbnail((catalog.THUMBNAIL_MAX_SIDE, catalog.THUMBNAIL_MAX_SIDE))
    out = io.BytesIO()
    picture.save(out, image_format, quality=80)
    return out.getvalue()


def render_thumbnail(spec: MediaSpec) -> bytes:
    """A WebP of the first frame (OpenAI's ``variant=thumbnail``)."""
    return _still(spec, "WEBP")


def render_jpeg_thumbnail(spec: MediaSpec) -> bytes:
    """A JPEG of the first frame (Azure's Sora 1 thumbnail)."""
    return _still(spec, "JPEG")


def render_spritesheet(spec: MediaSpec) -> bytes:
    """A JPEG grid of frames spread over the video, with the video's aspect ratio."""
    columns, rows = catalog.SPRITESHEET_GRID
    tile_w = catalog.SPRITESHEET_TILE_WIDTH
    tile_h = max(1, round(tile_w * spec.height / spec.width))
    base = base_picture(spec)
    sheet = Image.new("RGB", (tile_w * columns, tile_h * rows))
    count = columns * rows
    for index in range(count):
        second = min(spec.seconds - 1, index * spec.seconds // count)
        frame = base if index == 0 else _second_frame(base, second, spec.seconds)
        sheet.paste(
            frame.resize((tile_w, tile_h)),
            ((index % columns) * tile_w, (index // columns) * tile_h),
        )
    out = io.BytesIO()
    sheet.save(out, "JPEG", quality=80)
    return out.getvalue()


def render_low_mp4(spec: MediaSpec) -> bytes:
    """The video at a lower quality: same size and length, fewer bytes."""
    return render_mp4(spec, crf=catalog.LOW_QUALITY_CRF)


RENDERERS = {
    "video": render_mp4,
    "video_low": render_low_mp4,
    "thumbnail": render_thumbnail,
    "thumbnail_jpeg": render_jpeg_thumbnail,
    "spritesheet": render_spritesheet,
}


class MediaCache:
    """Rendered media by (job id, variant): rendered on first request, kept up to a byte budget."""

    def __init__(self, max_bytes: int = 256 * 1024 * 1024) -> None:
        self.max_bytes = max_bytes
        self._lock = threading.Lock()
        self._items: OrderedDict[tuple[str, str], bytes] = OrderedDict()
        self._rendering: dict[tuple[str, str], threading.Lock] = {}
        self._size = 0
        self.renders = 0

    def __len__(self) -> int:
        """How many rendered files are kept."""
        with self._lock:
            return len(self._items)

    def get(self, job_id: str, variant: str, spec: MediaSpec) -> bytes:
        """The media for a job, rendering it once even under concurrent requests."""
        key = (job_id, variant if not spec.take else f"{variant}#{spec.take}")
        with self._lock:
            if key in self._items:
                self._items.move_to_end(key)
                return self._items[key]
            gate = self._rendering.setdefault(key, threading.Lock())
        with gate:
            with self._lock:
                if key in self._items:
                    return self._items[key]
            data = RENDERERS[variant](spec)
            with self._lock:
                self.renders += 1
                self._items[key] = data
                self._size += len(data)
                self._rendering.pop(key, None)
                while self._size > self.max_bytes and len(self._items) > 1:
                    _, dropped = self._items.popitem(last=False)
                    self._size -= len(dropped)
            return data

    def forget(self, job_id: str) -> None:
        """Drop every variant of a job."""
        with self._lock:
            for key in [k for k in self._items if k[0] == job_id]:
                self._size -= len(self._items.pop(key))

    def clear(self) -> None:
        """Drop everything."""
        with self._lock:
            self._items.clear()
            self._size = 0
