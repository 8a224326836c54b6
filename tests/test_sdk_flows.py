"""What a user does with the official SDK, in-process, sync and async (issue: user story)."""

from __future__ import annotations

import io
from typing import Any

import openai
import pytest
from flask import Flask
from PIL import Image, ImageChops, ImageStat

from sora_testkit import async_openai_client, openai_client
from tests.helpers import image_bytes, named_file, probe_mp4

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


def reference_picture(width: int, height: int) -> bytes:
    """A reference with structure (quadrants) so a wrong first frame cannot pass by chance."""
    picture = Image.new("RGB", (width, height), (220, 30, 30))
    picture.paste((30, 200, 60), (width // 2, 0, width, height // 2))
    picture.paste((40, 60, 220), (0, height // 2, width // 2, height))
    out = io.BytesIO()
    picture.save(out, "PNG")
    return out.getvalue()


def mean_difference(a: Image.Image, b: Image.Image) -> float:
    return sum(ImageStat.Stat(ImageChops.difference(a.convert("RGB"), b.convert("RGB"))).mean) / 3


def test_create_and_poll_then_download_the_real_mp4(sdk: openai.OpenAI) -> None:
    ref = reference_picture(1792, 1024)
    video = sdk.videos.create_and_poll(
        prompt="a lighthouse at dusk",
        model="sora-2-pro",
        size="1792x1024",
        seconds="8",
        input_reference=named_file(ref, "ref.png"),
    )
    assert video.status == "completed"
    assert video.progress == 100
    assert video.completed_at is not None
    assert video.expires_at == video.completed_at + 86400
    assert (video.size, video.seconds, video.model) == ("1792x1024", "8", "sora-2-pro")

    content = sdk.videos.download_content(video.id)
    assert content.response.headers["content-type"] == "video/mp4"
    info = probe_mp4(content.content)
    assert (info["width"], info["height"], info["seconds"]) == (1792, 1024, 8.0)
    assert info["codec"] == "h264"
    assert "mp4" in info["format"]
    with Image.open(io.BytesIO(ref)) as original:
        assert mean_difference(info["first"], original) < 4


def test_first_frame_follows_the_reference_not_a_constant(sdk: openai.OpenAI) -> None:
    plain = Image.new("RGB", (720, 1280), (10, 200, 200))
    out = io.BytesIO()
    plain.save(out, "JPEG", quality=95)
    video = sdk.videos.create_and_poll(
        prompt="x", input_reference=named_file(out.getvalue(), "ref.jpg")
    )
    first = probe_mp4(sdk.videos.download_content(video.id).content)["first"]
    assert mean_difference(first, plain) < 4
    assert mean_difference(first, Image.open(io.BytesIO(reference_picture(720, 1280)))) > 40


@pytest.mark.parametrize(
    ("model", "size", "seconds"),
    [("sora-2", "720x1280", "4"), ("sora-2", "1280x720", "12"), ("sora-2-pro", "1024x1792", "4")],
)
def test_mp4_has_the_jobs_size_and_length(
    sdk: openai.OpenAI, model: str, size: str, seconds: str
) -> None:
    video = sdk.videos.create_and_poll(prompt="waves", model=model, size=size, seconds=seconds)  # type: ignore[arg-type]
    info = probe_mp4(sdk.videos.download_content(video.id).content)
    width, height = (int(v) for v in size.split("x"))
    assert (info["width"], info["height"], info["seconds"]) == (width, height, float(seconds))


def test_thumbnail_is_webp_and_spritesheet_is_jpeg_of_the_same_aspect(
    sdk: openai.OpenAI,
) -> None:
    video = sdk.videos.create_and_poll(prompt="x", model="sora-2-pro", size="1792x1024")
    thumb = sdk.videos.download_content(video.id, variant="thumbnail")
    sheet = sdk.videos.download_content(video.id, variant="spritesheet")
    assert thumb.response.headers["content-type"] == "image/webp"
    assert sheet.response.headers["content-type"] == "image/jpeg"
    with Image.open(io.BytesIO(thumb.content)) as t, Image.open(io.BytesIO(sheet.content)) as s:
        assert (t.format, s.format) == ("WEBP", "JPEG")
        for width, height in (t.size, s.size):
            assert abs(width / height - 1792 / 1024) < 0.02


def test_media_is_rendered_on_first_download_and_cached(app: Flask, sdk: openai.OpenAI) -> None:
    from mock_server import state_of

    media = state_of(app).media
    video = sdk.videos.create_and_poll(prompt="x")
    assert media.renders == 0
    first = sdk.videos.download_content(video.id).content
    second = sdk.videos.download_content(video.id).content
    assert first == second
    assert media.renders == 1


def test_list_pages_through_hundreds_of_videos(make_app: Any) -> None:
    sdk = openai_client(make_app(progression="instant", concurrent_jobs=0))
    created = [sdk.videos.create(prompt=f"video {n}").id for n in range(230)]

    newest_first = [video.id for video in sdk.videos.list(limit=25)]
    assert newest_first == list(reversed(created))

    oldest_first = [video.id for video in sdk.videos.list(limit=100, order="asc")]
    assert oldest_first == created

    page = sdk.videos.list(limit=7, order="asc", after=created[9])
    assert [v.id for v in page.data] == created[10:17]
    assert page.has_more is True
    assert page.last_id == created[16]

    last = sdk.videos.list(limit=100, order="asc", after=created[200])
    assert [v.id for v in last.data] == created[201:]
    assert last.has_more is False


def test_an_empty_page_never_claims_more(make_app: Any) -> None:
    """``limit=0`` gives no ``last_id`` to page on, so it cannot promise a next page."""
    sdk = openai_client(make_app(progression="instant"))
    sdk.videos.create(prompt="one")
    page = sdk.videos.list(limit=0).model_dump()
    assert (page["data"], page["first_id"], page["last_id"], page["has_more"]) == (
        [],
        None,
        None,
        False,
    )
    assert list(sdk.videos.list(limit=0)) == []  # the SDK's auto-paging stops at once


def test_default_page_is_20_newest_first(make_app: Any) -> None:
    sdk = openai_client(make_app(progression="instant", concurrent_jobs=0))
    created = [sdk.videos.create(prompt=f"v{n}").id for n in range(25)]
    page = sdk.videos.list()
    assert [v.id for v in page.data] == list(reversed(created))[:20]
    assert page.has_more is True
    assert page.model_extra is not None
    assert page.model_extra["first_id"] == created[-1]


def test_empty_list(sdk: openai.OpenAI) -> None:
    page = sdk.videos.list()
    assert page.data == []
    assert page.has_more is False
    assert page.last_id is None


def test_delete_removes_the_video_everywhere(sdk: openai.OpenAI) -> None:
    video = sdk.videos.create_and_poll(prompt="x")
    deleted = sdk.videos.delete(video.id)
    assert (deleted.id, deleted.object, deleted.deleted) == (video.id, "video.deleted", True)
    with pytest.raises(openai.NotFoundError):
        sdk.videos.retrieve(video.id)
    with pytest.raises(openai.NotFoundError):
        sdk.videos.download_content(video.id)
    assert sdk.videos.list().data == []


def test_remix_keeps_model_size_and_seconds(sdk: openai.OpenAI) -> None:
    source = sdk.videos.create_and_poll(
        prompt="a cat", model="sora-2-pro", size="1024x1792", seconds="12"
    )
    remix = sdk.videos.remix(source.id, prompt="the cat, now blue")
    assert remix.remixed_from_video_id == source.id
    assert remix.status == "queued"
    assert (remix.model, remix.size, remix.seconds) == ("sora-2-pro", "1024x1792", "12")
    assert remix.prompt == "the cat, now blue"
    finished = sdk.videos.poll(remix.id)
    assert finished.status == "completed"
    assert probe_mp4(sdk.videos.download_content(remix.id).content)["seconds"] == 12.0


def test_remix_keeps_the_source_reference_as_first_frame(sdk: openai.OpenAI) -> None:
    ref = reference_picture(720, 1280)
    source = sdk.videos.create_and_poll(prompt="x", input_reference=named_file(ref, "r.png"))
    remix = sdk.videos.poll(sdk.videos.remix(source.id, prompt="y").id)
    first = probe_mp4(sdk.videos.download_content(remix.id).content)["first"]
    assert mean_difference(first, Image.open(io.BytesIO(ref))) < 4


def test_create_and_poll_returns_a_failed_video_without_raising(sdk: openai.OpenAI) -> None:
    video = sdk.videos.create_and_poll(prompt="a cat [mock:moderation_blocked]")
    assert video.status == "failed"
    assert video.error is not None
    assert video.error.code == "moderation_blocked"
    assert video.error.message == "Your request was blocked by our moderation system."


def test_polling_really_loops_in_polls_mode(app: Flask, sdk: openai.OpenAI) -> None:
    from mock_server import state_of

    video = sdk.videos.create(prompt="x")
    seen = [video.status]
    progress = [video.progress]
    while video.status not in ("completed", "failed"):
        video = sdk.videos.retrieve(video.id)
        seen.append(video.status)
        progress.append(video.progress)
    assert seen == ["queued", "in_progress", "in_progress", "in_progress", "completed"]
    assert progress == sorted(progress)
    assert progress[0] == 0 and progress[-1] == 100
    assert all(0 < p < 100 for p in progress[1:-1])
    assert state_of(app).journal.entries()[-1]["path"] == f"/v1/videos/{video.id}"


@pytest.mark.anyio
async def test_async_client_works_the_same(app: Flask) -> None:
    client = async_openai_client(app)
    ref = image_bytes(1280, 720, "JPEG")
    video = await client.videos.create_and_poll(
        prompt="async cat", size="1280x720", seconds="4", input_reference=named_file(ref, "r.jpg")
    )
    assert video.status == "completed"
    content = await client.videos.download_content(video.id)
    info = probe_mp4(content.content)
    assert (info["width"], info["height"], info["seconds"]) == (1280, 720, 4.0)
    thumb = await client.videos.download_content(video.id, variant="thumbnail")
    assert thumb.content[:4] == b"RIFF"
    page = await client.videos.list()
    assert [v.id for v in page.data] == [video.id]
    remix = await client.videos.remix(video.id, prompt="again")
    assert remix.remixed_from_video_id == video.id
    with pytest.raises(openai.BadRequestError):
        await client.videos.delete(remix.id)
    await client.videos.poll(remix.id)
    assert (await client.videos.delete(remix.id)).deleted is True
    with pytest.raises(openai.NotFoundError):
        await client.videos.retrieve("video_" + "0" * 32)
