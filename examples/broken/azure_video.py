"""A copy of examples/azure_sdk/azure_video.py with a bug planted: it asks every model for
"HD" landscape, 1792x1024, which Azure's sora-2 does not render: the create is accepted and the
job fails later, so nothing looks wrong until a video is wanted."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import openai

#: The sizes each model renders on Azure, by orientation.
SIZES = {
    "sora-2": {"landscape": "1792x1024", "portrait": "720x1280"},  # the bug
    "sora-2-pro": {"landscape": "1792x1024", "portrait": "1024x1792"},
}


class VideoFailed(Exception):
    """Azure finished the job without a video."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code


@dataclass(frozen=True)
class MadeVideo:
    """A video saved to disk."""

    id: str
    path: Path
    size: str


def make_video(
    client: openai.OpenAI,
    prompt: str,
    *,
    deployment: str,
    out_dir: Path,
    model: str = "sora-2",
    orientation: str = "landscape",
    poll_interval: float = 5.0,
    sleep: Callable[[float], None] = time.sleep,
) -> MadeVideo:
    """Create a video on ``deployment`` (which runs ``model``), wait for it, download it."""
    video = client.videos.create(
        model=deployment,
        prompt=prompt,
        size=SIZES[model][orientation],  # type: ignore[arg-type]
        seconds="4",
    )
    while video.status in ("queued", "in_progress"):
        sleep(poll_interval)
        video = client.videos.retrieve(video.id)
    if video.status != "completed":
        error = video.error
        raise VideoFailed(error.code if error else "unknown", error.message if error else "")
    path = out_dir / f"{video.id}.mp4"
    client.videos.download_content(video.id).write_to_file(path)
    return MadeVideo(video.id, path, video.size)
