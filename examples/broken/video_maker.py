"""A copy of examples/native_sdk/video_maker.py with a bug planted: it downloads as soon as the
job leaves the queue, and papers over the 404s by retrying, so its happy path still works."""

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
    while video.status == "queued":  # the bug: in_progress is taken for done
        sleep(poll_interval)
        video = client.videos.retrieve(video.id)
    path = out_dir / f"{video.id}.mp4"
    while True:
        try:
            client.videos.download_content(video.id).write_to_file(path)
            break
        except openai.NotFoundError:
            video = client.videos.retrieve(video.id)
            if video.status == "failed":
                error = video.error
                raise VideoFailed(error.code if error else "unknown", "") from None
            sleep(poll_interval)
    return MadeVideo(video.id, path, video.size, video.seconds)
