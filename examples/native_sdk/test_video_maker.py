"""Tests of video_maker, written the way the sora-testkit documentation teaches."""

from __future__ import annotations

import contextlib

import openai
import pytest
from hypothesis import HealthCheck, given, settings
from video_maker import VideoFailed, make_video

from sora_testkit import strategies

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")
fixture_ok = settings(
    suppress_health_check=[HealthCheck.function_scoped_fixture], deadline=None, max_examples=20
)


def no_sleep(_seconds: float) -> None:
    """Polling never waits: the mock moves one step per status read."""


def test_makes_and_saves_a_video(sora_openai, sora_mock, tmp_path):
    made = make_video(sora_openai, "a calico cat", out_dir=tmp_path, sleep=no_sleep)
    assert made.path.read_bytes()[4:8] == b"ftyp"
    sora_mock.assert_requests_met_contracts()
    sora_mock.assert_no_premature_reads()


def test_reports_moderation(sora_openai, sora_mock, tmp_path):
    sora_mock.force_outcome("moderation_blocked")
    with pytest.raises(VideoFailed) as failed:
        make_video(sora_openai, "a calico cat", out_dir=tmp_path, sleep=no_sleep)
    assert failed.value.code == "moderation_blocked"
    sora_mock.assert_no_premature_reads()


@fixture_ok
@given(request=strategies.create_requests(dialect="openai", encodings=("multipart",)))
def test_any_valid_request_makes_a_video(sora_openai, sora_mock, tmp_path, request):
    sora_mock.reset()
    fields = request.sdk_kwargs()
    reference = fields.get("input_reference")
    made = make_video(
        sora_openai,
        fields["prompt"],
        out_dir=tmp_path,
        model=fields.get("model", "sora-2"),
        size=fields.get("size", "720x1280"),
        seconds=fields.get("seconds", "4"),
        reference=reference[1] if reference else None,
        sleep=no_sleep,
    )
    assert made.path.exists()
    sora_mock.assert_requests_met_contracts()
    sora_mock.assert_no_premature_reads()


@fixture_ok
@given(history=strategies.job_histories(fault_statuses=(429, 503)))
def test_survives_any_job_history(sora_openai, sora_mock, tmp_path, history):
    sora_mock.reset()
    sora_mock.play_history(history)
    with contextlib.suppress(VideoFailed, openai.APIStatusError):
        make_video(sora_openai, "a calico cat", out_dir=tmp_path, sleep=no_sleep)
    sora_mock.assert_no_premature_reads()
