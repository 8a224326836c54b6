"""A small client that makes one Sora video with the official SDK and saves it to disk."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import openai


class VideoFailed(Exception):
    """The API finished the job without a video."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code


@dataclass(frozen=True)
class MadeVideo:
    """A video saved to disk."""

    id: str
    path: Path
    size: str
    seconds: str


def make_video(
    client: openai.OpenAI,
    prompt: str,
    *,
    out_dir: Path,
    model: str = "sora-2",
    size: str = "720x1280",
    seconds: str = "4",
    reference: bytes | None = None,
    poll_interval: float = 5.0,
    sleep: Callable[[float], None] = time.sleep,
) -> MadeVideo:
    """Create a video, wait until it is done, download it to ``out_dir``."""
    video = client.videos.create(
        prompt=prompt,
        model=model,
        size=size,  # type: ignore[arg-type]
        seconds=seconds,  # type: ignore[arg-type]
        **({"input_reference": ("reference.png", reference, "image/png")} if reference else {}),
    )
    while video.status in ("queued", "in_progress"):
        sleep(poll_interval)
        video = client.videos.retrieve(video.id)
    if video.status != "completed":
        error = video.error
        raise VideoFailed(error.code if error else "unknown", error.message if error else "")
    path = out_dir / f"{video.id}.mp4"
    client.videos.download_content(video.id).write_to_file(path)
    return MadeVideo(video.id, path, video.size, video.seconds)
