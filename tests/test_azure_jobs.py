"""Azure's Sora 1 video generation jobs API (SPEC 4.2): jobs that walk five states,
generations with their own ids and content, lists, deletes, and every rule."""

from __future__ import annotations

import io
import json
import re
from typing import Any

import httpx
import pytest
from flask import Flask
from PIL import Image

from mock_server import catalog, state_of
from mock_server.backend.media import MediaSpec, render_mp4
from sora_testkit import LiveServer, httpx_client
from tests.conftest import AppFactory
from tests.helpers import (
    assert_openai_error,
    image_bytes,
    mp4_shape,
    post_multipart,
    probe_mp4,
)

BASE = "/openai/v1/video/generations"
JOBS = f"{BASE}/jobs"
KEY = {"api-key": "azure-key"}
PREVIEW = {"api-version": "preview"}
NO_LIMITS = {"azure_requests_per_minute": 0, "azure_concurrent_jobs": 0}
JOB_ID = re.compile(r"^task_[0-9a-hjkmnp-tv-z]{26}$")
GEN_ID = re.compile(r"^gen_[0-9a-hjkmnp-tv-z]{26}$")


@pytest.fixture
def app(make_app: AppFactory) -> Flask:
    return make_app(progression="polls", **NO_LIMITS)


@pytest.fixture
def http(app: Flask) -> httpx.Client:
    return httpx_client(app, headers=KEY)


def job_body(**changes: Any) -> dict[str, Any]:
    return {"model": "sora", "prompt": "a cat plays piano", "width": 480, "height": 480, **changes}


def until_done(http: httpx.Client, job_id: str) -> tuple[list[str], dict[str, Any]]:
    """Poll as the docs' client does; the statuses seen and the last job."""
    seen: list[str] = []
    while True:
        job = http.get(f"{JOBS}/{job_id}", params=PREVIEW).json()
        seen.append(job["status"])
        if job["status"] in ("succeeded", "failed", "cancelled"):
            return seen, job


def inpaint(
    http: httpx.Client,
    files: list[tuple[str, bytes, str]],
    items: Any,
    **fields: str,
) -> httpx.Response:
    data = {"model": "sora", "prompt": "x", "width": "480", "height": "480", **fields}
    if items is not None:
        data["inpaint_items"] = items if isinstance(items, str) else json.dumps(items)
    parts = [("files", (name, content, mime)) for name, content, mime in files]
    return http.post(JOBS, params=PREVIEW, data=data, files=parts)


def test_a_job_walks_its_five_states_while_polled(http: httpx.Client) -> None:
    made = http.post(JOBS, params=PREVIEW, json=job_body(n_seconds=3))
    assert made.status_code == 200
    job = made.json()
    assert JOB_ID.match(job["id"]) and job["object"] == "video.generation.job"
    assert (job["status"], job["generations"], job["finished_at"]) == ("queued", [], None)
    assert (job["n_seconds"], job["n_variants"], job["model"]) == (3, 1, "sora")
    seen, done = until_done(http, job["id"])
    assert ["queued", *seen] == ["queued", "preprocessing", "running", "processing", "succeeded"]
    assert done["finished_at"] is not None and done["failure_reason"] is None
    assert done["expires_at"] == done["finished_at"] + catalog.AZURE_LIFETIME_SECONDS


def test_a_generations_content_is_an_mp4_of_the_jobs_size_and_length(http: httpx.Client) -> None:
    job = http.post(JOBS, json=job_body(width=854, height=480, n_seconds=3, n_variants=2)).json()
    _, done = until_done(http, job["id"])
    generations = done["generations"]
    assert len(generations) == 2 and len({g["id"] for g in generations}) == 2
    for generation in generations:
        assert GEN_ID.match(generation["id"]) and generation["job_id"] == job["id"]
        assert http.get(f"{BASE}/{generation['id']}").json() == generation
        video = http.get(f"{BASE}/{generation['id']}/content/video", params=PREVIEW)
        assert video.status_code == 200 and video.headers["content-type"] == "video/mp4"
        assert video.headers["accept-ranges"] == "bytes" and video.headers["last-modified"]
        width, height, seconds = mp4_shape(video.content)
        assert (width, height, round(seconds)) == (854, 480, 3)
    first, second = (http.get(f"{BASE}/{g['id']}/content/video").content for g in generations)
    assert first != second  # each variant is its own video


def test_quality_low_is_a_smaller_video_of_the_same_shape(http: httpx.Client) -> None:
    job = http.post(JOBS, json=job_body(width=720, height=720, n_seconds=2)).json()
    generation = until_done(http, job["id"])[1]["generations"][0]["id"]
    high = http.get(f"{BASE}/{generation}/content/video", params={"quality": "high"}).content
    low = http.get(f"{BASE}/{generation}/content/video", params={"quality": "low"}).content
    assert mp4_shape(low)[:2] == mp4_shape(high)[:2] == (720, 720)
    assert len(low) < len(high)


def test_head_gives_the_videos_length_and_no_body(http: httpx.Client) -> None:
    job = http.post(JOBS, json=job_body(n_seconds=1)).json()
    generation = until_done(http, job["id"])[1]["generations"][0]["id"]
    video = http.get(f"{BASE}/{generation}/content/video")
    head = http.head(f"{BASE}/{generation}/content/video")
    assert head.status_code == 200 and head.content == b""
    assert head.headers["content-length"] == str(len(video.content))


def test_a_range_of_the_video_is_a_206_of_those_bytes(http: httpx.Client) -> None:
    job = http.post(JOBS, json=job_body(n_seconds=1)).json()
    generation = until_done(http, job["id"])[1]["generations"][0]["id"]
    whole = http.get(f"{BASE}/{generation}/content/video").content
    part = http.get(f"{BASE}/{generation}/content/video", headers={"Range": "bytes=0-99"})
    assert part.status_code == 206 and part.content == whole[:100]
    assert part.headers["content-range"] == f"bytes 0-99/{len(whole)}"


def test_the_thumbnail_is_a_jpeg_of_the_first_frame(http: httpx.Client) -> None:
    job = http.post(JOBS, json=job_body(n_seconds=1)).json()
    generation = until_done(http, job["id"])[1]["generations"][0]["id"]
    thumbnail = http.get(f"{BASE}/{generation}/content/thumbnail")
    assert thumbnail.status_code == 200 and thumbnail.headers["content-type"] == "image/jpg"
    with Image.open(io.BytesIO(thumbnail.content)) as image:
        assert (image.format, image.size) == ("JPEG", (480, 480))


def test_an_inpaint_image_of_the_output_size_opens_the_video(http: httpx.Client) -> None:
    red = image_bytes(480, 480, color=(220, 20, 20))
    items = [{"frame_index": 0, "type": "image", "file_name": "red.png"}]
    made = inpaint(http, [("red.png", red, "image/png")], items, n_seconds="2")
    assert made.status_code == 200, made.text
    generation = until_done(http, made.json()["id"])[1]["generations"][0]["id"]
    first = probe_mp4(http.get(f"{BASE}/{generation}/content/video").content)["first"]
    red_level, green_level, _ = first.convert("RGB").getpixel((240, 100))
    assert red_level > 150 and green_level < 80


def test_an_inpaint_image_of_another_size_must_match_the_output(http: httpx.Client) -> None:
    items = [{"frame_index": 0, "type": "image", "file_name": "a.png"}]
    response = inpaint(http, [("a.png", image_bytes(640, 480), "image/png")], items)
    assert_openai_error(
        response,
        400,
        "azure_jobs.input_size",
        "Input must match the output size",
        param="inpaint_items",
    )


def test_an_inpaint_video_must_match_too_and_last_at_most_five_seconds(
    http: httpx.Client,
) -> None:
    items = [{"frame_index": 0, "type": "video", "file_name": "clip.mp4"}]
    small = render_mp4(MediaSpec(320, 240, 1, "clip"))
    long = render_mp4(MediaSpec(480, 480, 6, "clip"))
    fits = render_mp4(MediaSpec(480, 480, 2, "clip"))
    wrong = inpaint(http, [("clip.mp4", small, "video/mp4")], items)
    assert wrong.headers["x-sora-mock-rule"] == "azure_jobs.input_size"
    too_long = inpaint(http, [("clip.mp4", long, "video/mp4")], items)
    assert_openai_error(
        too_long,
        400,
        "azure_jobs.inpaint_items",
        "Invalid 'inpaint_items': an input video lasts at most 5 seconds.",
        param="inpaint_items",
        code="invalid_value",
    )
    assert inpaint(http, [("clip.mp4", fits, "video/mp4")], items).status_code == 200


@pytest.mark.parametrize(
    ("items", "detail"),
    [
        ("not json", "it is not valid JSON"),
        ('{"type": "image"}', "it is not a list of objects"),
        ([{"type": "image"}], "an item has no file_name"),
        ([{"type": "image", "file_name": "b.png"}], "file_name 'b.png' names no uploaded file"),
        ([{"type": "audio", "file_name": "a.png"}], "type is image or video"),
        (
            [{"type": "image", "file_name": "a.png", "frame_index": -1}],
            "frame_index is an integer of at least 0",
        ),
        ([{"type": "image", "file_name": "a.png", "mask": 1}], "unknown item field 'mask'"),
        (
            [{"type": "image", "file_name": "a.png", "crop_bounds": {"left_fraction": 2}}],
            "each crop_bounds fraction is a number from 0 to 1",
        ),
        (
            [
                {
                    "type": "image",
                    "file_name": "a.png",
                    "crop_bounds": {"left_fraction": 0.8, "right_fraction": 0.2},
                }
            ],
            "crop_bounds has its left before its right and top above bottom",
        ),
        ([{"type": "image", "file_name": "a.png"}] * 3, "at most 2 images or 1 video"),
    ],
)
def test_inpaint_items_are_checked(http: httpx.Client, items: Any, detail: str) -> None:
    response = inpaint(http, [("a.png", image_bytes(480, 480), "image/png")], items)
    assert_openai_error(
        response,
        400,
        "azure_jobs.inpaint_items",
        f"Invalid 'inpaint_items': {detail}.",
        param="inpaint_items",
        code="invalid_value",
    )


@pytest.mark.parametrize(
    ("changes", "message", "param"),
    [
        (
            {"width": 500},
            "Invalid dimensions 500x480: width and height are integers and form one of the "
            "supported sizes (width x height): 480x480, 480x854, 854x480, 720x720, 720x1280, "
            "1280x720, 1080x1080, 1080x1920, 1920x1080.",
            "width",
        ),
        (
            {"height": "tall"},
            "Invalid dimensions 480xtall: width and height are integers and form one of the "
            "supported sizes (width x height): 480x480, 480x854, 854x480, 720x720, 720x1280, "
            "1280x720, 1080x1080, 1080x1920, 1920x1080.",
            "height",
        ),
        ({"width": None}, "Missing required parameter: 'width'.", "width"),
        # Digits Python's str.isdigit takes but int refuses (once a 500), or reads as 12.
        *(
            (
                {"height": digits},
                f"Invalid dimensions 480x{digits}: width and height are integers and form one "
                "of the supported sizes (width x height): 480x480, 480x854, 854x480, 720x720, "
                "720x1280, 1280x720, 1080x1080, 1080x1920, 1920x1080.",
                "height",
            )
            for digits in ("\u00b2", "\u0661\u0662")
        ),
    ],
)
def test_the_size_is_one_of_the_nine(
    http: httpx.Client, changes: dict[str, Any], message: str, param: str
) -> None:
    body = {k: v for k, v in job_body(**changes).items() if v is not None}
    response = http.post(JOBS, json=body)
    assert_openai_error(
        response, 400, "azure_jobs.size", message, param=param, code="invalid_value"
    )


@pytest.mark.parametrize("value", [0, 21, "five", 2.5])
def test_n_seconds_is_1_to_20(http: httpx.Client, value: Any) -> None:
    response = http.post(JOBS, json=job_body(n_seconds=value))
    assert_openai_error(
        response,
        400,
        "azure_jobs.n_seconds",
        f"Invalid 'n_seconds': {value}. Must be between 1 and 20 seconds.",
        param="n_seconds",
        code="invalid_value",
    )


@pytest.mark.parametrize(
    ("size", "variants", "message"),
    [
        ((480, 480), 6, "Invalid 'n_variants': 6. Must be between 1 and 5."),
        (
            (480, 480),
            5,
            "Invalid 'n_variants': 5. At 480x480 at most 4 variant(s) can be generated; "
            "smaller dimensions allow more variants.",
        ),
        (
            (1280, 720),
            3,
            "Invalid 'n_variants': 3. At 1280x720 at most 2 variant(s) can be generated; "
            "smaller dimensions allow more variants.",
        ),
        (
            (1920, 1080),
            2,
            "Invalid 'n_variants': 2. At 1920x1080 at most 1 variant(s) can be generated; "
            "smaller dimensions allow more variants.",
        ),
    ],
)
def test_variants_are_limited_by_resolution(
    http: httpx.Client, size: tuple[int, int], variants: int, message: str
) -> None:
    body = job_body(width=size[0], height=size[1], n_variants=variants)
    response = http.post(JOBS, json=body)
    assert_openai_error(
        response, 400, "azure_jobs.n_variants", message, param="n_variants", code="invalid_value"
    )


def test_multipart_values_are_strings_and_fields_are_known(http: httpx.Client) -> None:
    fields = {"model": "sora", "prompt": "x", "width": "720", "height": "1280"}
    ok = post_multipart(http, JOBS, fields)
    assert ok.status_code == 200 and (ok.json()["width"], ok.json()["height"]) == (720, 1280)
    unknown = http.post(JOBS, json=job_body(size="480x480"))
    assert_openai_error(
        unknown,
        400,
        "request.unknown_parameter",
        "Unrecognized request argument supplied: size",
        param="size",
        code="unknown_parameter",
    )


def test_a_sora_2_deployment_does_not_serve_jobs(http: httpx.Client) -> None:
    response = http.post(JOBS, json=job_body(model="sora-2"))
    assert_openai_error(
        response,
        400,
        "azure.deployment_model",
        "The deployment 'sora-2' runs sora-2, which this API does not serve; use a deployment "
        "of 'sora'.",
        param="model",
        code="invalid_value",
    )


def test_a_generation_id_names_a_video_of_a_succeeded_job(http: httpx.Client) -> None:
    job = http.post(JOBS, json=job_body()).json()
    unborn = "gen_" + job["id"][len("task_") :]
    for generation in (unborn, "gen_nothing", "gen_" + "0" * 26):
        response = http.get(f"{BASE}/{generation}")
        assert_openai_error(
            response,
            404,
            "azure_jobs.generation_not_found",
            f"Generation with id '{generation}' not found.",
        )
    until_done(http, job["id"])
    assert http.get(f"{BASE}/{unborn}").status_code == 200
    second = unborn[:-1] + "1"  # only one variant
    assert http.get(f"{BASE}/{second}/content/video").status_code == 404


def test_a_failed_job_names_its_failure_reason(app: Flask, http: httpx.Client) -> None:
    blocked = http.post(JOBS, json=job_body(prompt="x [mock:moderation_blocked]")).json()
    state_of(app).service.force_outcome(catalog.OUTCOMES["internal_error"])
    broken = http.post(JOBS, json=job_body()).json()
    reasons = [until_done(http, job["id"])[1]["failure_reason"] for job in (blocked, broken)]
    assert reasons == ["input_moderation", "internal_error"]


def test_list_pages_and_filters_by_status(http: httpx.Client) -> None:
    made = [http.post(JOBS, json=job_body(prompt=f"n{i}")).json()["id"] for i in range(4)]
    until_done(http, made[0])
    until_done(http, made[2])
    page = http.get(JOBS, params={"limit": 2}).json()
    assert [job["id"] for job in page["data"]] == [made[3], made[2]] and page["has_more"]
    after = http.get(JOBS, params={"limit": 2, "after": made[2]}).json()
    assert [job["id"] for job in after["data"]] == [made[1], made[0]]
    before = http.get(JOBS, params={"before": made[1]}).json()
    assert [job["id"] for job in before["data"]] == [made[3], made[2]]
    done = http.get(JOBS, params={"statuses": "succeeded"}).json()
    assert [job["id"] for job in done["data"]] == [made[2], made[0]]
    waiting = http.get(JOBS, params={"statuses": "queued,failed", "limit": 1}).json()
    assert [job["id"] for job in waiting["data"]] == [made[3]] and waiting["has_more"]
    default = http.get(JOBS).json()
    assert len(default["data"]) == 4 and not default["has_more"]


def test_statuses_and_quality_are_checked(http: httpx.Client) -> None:
    response = http.get(JOBS, params={"statuses": "queued,done"})
    assert_openai_error(
        response,
        400,
        "azure_jobs.statuses",
        "Invalid value: 'done'. Supported values are: 'queued', 'preprocessing', 'running', "
        "'processing', 'succeeded', 'failed', and 'cancelled'.",
        param="statuses",
        code="invalid_value",
    )
    job = http.post(JOBS, json=job_body(n_seconds=1)).json()
    generation = until_done(http, job["id"])[1]["generations"][0]["id"]
    bad = http.get(f"{BASE}/{generation}/content/video", params={"quality": "best"})
    assert_openai_error(
        bad,
        400,
        "azure_jobs.quality",
        "Invalid value: 'best'. Supported values are: 'high' and 'low'.",
        param="quality",
        code="invalid_value",
    )


def test_delete_is_a_204_and_the_job_is_gone(http: httpx.Client) -> None:
    job = http.post(JOBS, json=job_body()).json()
    early = http.delete(f"{JOBS}/{job['id']}")
    assert_openai_error(
        early,
        400,
        "video.delete_unfinished",
        f"Job '{job['id']}' is queued; only a finished job can be deleted.",
    )
    until_done(http, job["id"])
    gone = http.delete(f"{JOBS}/{job['id']}")
    assert (gone.status_code, gone.content) == (204, b"")
    assert_openai_error(
        http.get(f"{JOBS}/{job['id']}"),
        404,
        "video.not_found",
        f"Job with id '{job['id']}' not found.",
    )


def test_content_expires_after_24_hours(app: Flask, http: httpx.Client) -> None:
    job = http.post(JOBS, json=job_body(n_seconds=1)).json()
    generation = until_done(http, job["id"])[1]["generations"][0]["id"]
    state_of(app).clock.advance(catalog.AZURE_LIFETIME_SECONDS)
    assert_openai_error(
        http.get(f"{BASE}/{generation}/content/video"),
        404,
        "video.expired",
        f"The content of job '{job['id']}' has expired.",
    )


def test_histories_play_back_in_the_jobs_api(app: Flask, http: httpx.Client) -> None:
    from mock_server.backend.history import StateStep

    state_of(app).service.queue_history([StateStep("in_progress", 50), StateStep("completed", 100)])
    job = http.post(JOBS, json=job_body()).json()
    seen, _ = until_done(http, job["id"])
    assert seen == ["running", "succeeded"]


def test_the_jobs_api_over_a_live_server_with_requests(make_app: AppFactory) -> None:
    import requests

    app = make_app(progression="polls", background_worker=True, **NO_LIMITS)
    with LiveServer(app) as server:
        url = f"{server.url}{JOBS}"
        made = requests.post(url, params=PREVIEW, headers=KEY, json=job_body(), timeout=10)
        job_id = made.json()["id"]
        status = made.json()["status"]
        while status not in ("succeeded", "failed"):
            status = requests.get(
                f"{url}/{job_id}", params=PREVIEW, headers=KEY, timeout=10
            ).json()["status"]
        job = requests.get(f"{url}/{job_id}", headers=KEY, timeout=10).json()
        generation = job["generations"][0]["id"]
        video = requests.get(
            f"{server.url}{BASE}/{generation}/content/video",
            params=PREVIEW,
            headers=KEY,
            timeout=10,
        )
        assert mp4_shape(video.content)[:2] == (480, 480)
