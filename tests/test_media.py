"""The rendered media: every frame decodes, and the overlay shows where the video is."""

from __future__ import annotations

import io

import av
import pytest
from PIL import Image

from mock_server import catalog
from mock_server.backend import media

BAR = (230, 230, 230)


def decoded(spec: media.MediaSpec) -> list[Image.Image]:
    with av.open(io.BytesIO(media.render_mp4(spec)), "r") as container:
        return [frame.to_image() for frame in container.decode(video=0)]  # type: ignore[no-untyped-call]


def close(pixel: object, expected: tuple[int, ...], tolerance: int = 24) -> bool:
    assert isinstance(pixel, tuple)
    return all(abs(a - b) <= tolerance for a, b in zip(pixel, expected, strict=True))


@pytest.mark.parametrize(("width", "height", "seconds"), [(1280, 720, 4), (720, 1280, 8)])
def test_the_progress_bar_grows_one_step_a_second(width: int, height: int, seconds: int) -> None:
    reference = Image.new("RGB", (width, height), (20, 40, 160))
    out = io.BytesIO()
    reference.save(out, "PNG")
    frames = decoded(media.MediaSpec(width, height, seconds, "x", out.getvalue()))
    assert len(frames) == catalog.VIDEO_FPS * seconds
    assert close(frames[0].getpixel((5, height - 2)), (20, 40, 160))
    for second in range(seconds):
        frame = frames[second * catalog.VIDEO_FPS + 5]
        reach = width * (second + 1) // seconds
        assert close(frame.getpixel((5, height - 2)), BAR), second
        if reach < width - 8:
            assert close(frame.getpixel((reach + 6, height - 2)), (20, 40, 160)), second
        assert close(frame.getpixel((width // 2, height // 3)), (20, 40, 160)), second


def test_spritesheet_tiles_share_the_overlay() -> None:
    base = Image.new("RGB", (1280, 720), (20, 40, 160))
    whole = media._second_frame(base, 1, 4)
    strip, top = media._overlay_strip(base, 1, 4)
    assert whole.crop((0, top, 1280, 720)).tobytes() == strip.tobytes()
    assert whole.crop((0, 0, 1280, top)).tobytes() == base.crop((0, 0, 1280, top)).tobytes()


def test_a_plane_copies_across_different_row_paddings() -> None:
    """PyAV 18.1.1 pads a converted frame's rows to 64 bytes and a new frame's to 32: the
    overlay copies each row's pixels, not the buffer whole."""
    from mock_server.backend.media import _copy_plane

    width, height = 5, 3
    source = bytearray(b"".join(bytes([row] * width) + b"\xee" * 3 for row in range(height)))
    target = bytearray(height * 6)
    _copy_plane(memoryview(target), 6, memoryview(source), 8, height)
    assert bytes(target) == b"".join(bytes([row] * width) + b"\xee" for row in range(height))
    same = bytearray(len(source))
    _copy_plane(memoryview(same), 8, memoryview(source), 8, height)
    assert same == source
