"""Reading what an uploaded video is from its container header, without decoding frames."""

from __future__ import annotations

import io
from dataclasses import dataclass

import av

#: ``ftyp`` brands of QuickTime; every other brand is an MP4 (ISO base media) file.
_QUICKTIME_BRANDS = {b"qt  "}


class VideoHeaderError(Exception):
    """The bytes claim a video container whose header cannot be read."""


@dataclass(frozen=True)
class VideoHeader:
    """What a video's header says."""

    format: str
    width: int
    height: int
    seconds: float


def sniff_format(data: bytes) -> str | None:
    """``mp4`` or ``quicktime`` when the bytes open with an ``ftyp`` box, else ``None``."""
    if data[4:8] != b"ftyp":
        return None
    return "quicktime" if data[8:12] in _QUICKTIME_BRANDS else "mp4"


def read_header(data: bytes, video_format: str) -> VideoHeader:
    """The size and length of the first video stream, from the container's header only."""
    try:
        with av.open(io.BytesIO(data), "r") as container:
            streams = container.streams.video
            if not streams:
                raise VideoHeaderError("it has no video stream")
            stream = streams[0]
            width, height = stream.codec_context.width, stream.codec_context.height
            if stream.duration is not None and stream.time_base is not None:
                seconds = float(stream.duration * stream.time_base)
            else:
                seconds = (container.duration or 0) / av.time_base
    except VideoHeaderError:
        raise
    except (av.FFmpegError, OSError, ValueError, IndexError) as exc:
        raise VideoHeaderError(str(exc) or type(exc).__name__) from exc
    if width <= 0 or height <= 0:
        raise VideoHeaderError(f"the header claims a size of {width}x{height}")
    return VideoHeader(video_format, width, height, seconds)
