"""Tests of azure_video, written the way the sora-testkit documentation teaches."""

from __future__ import annotations

import contextlib

import openai
import pytest
from azure_video import VideoFailed, make_video
from hypothesis import HealthCheck, given, settings

from sora_testkit import strategies

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")
fixture_ok = settings(
    suppress_health_check=[HealthCheck.function_scoped_fixture], deadline=None, max_examples=20
)


def no_sleep(_seconds: float) -> None:
    """Polling never waits: the mock moves one step per status read."""


def test_makes_a_landscape_video_on_sora_2(sora_azure_openai, sora_mock, tmp_path):
    made = make_video(
        sora_azure_openai, "a fox", deployment="sora-2", out_dir=tmp_path, sleep=no_sleep
    )
    assert made.size == "1280x720"
    assert made.path.read_bytes()[4:8] == b"ftyp"
    sora_mock.assert_requests_met_contracts()
    sora_mock.assert_no_premature_reads()


@pytest.mark.sora_mock(azure_deployments=["studio=sora-2-pro"])
def test_makes_a_pro_portrait_on_a_named_deployment(sora_azure_v1_openai, sora_mock, tmp_path):
    made = make_video(
        sora_azure_v1_openai,
        "a lighthouse",
        deployment="studio",
        model="sora-2-pro",
        orientation="portrait",
        out_dir=tmp_path,
        sleep=no_sleep,
    )
    assert made.size == "1024x1792"
    sora_mock.assert_no_premature_reads()


def test_reports_moderation(sora_azure_openai, sora_mock, tmp_path):
    sora_mock.force_outcome("moderation_blocked")
    with pytest.raises(VideoFailed) as failed:
        make_video(
            sora_azure_openai, "a fox", deployment="sora-2", out_dir=tmp_path, sleep=no_sleep
        )
    assert failed.value.code == "moderation_blocked"
    sora_mock.assert_no_premature_reads()


@fixture_ok
@given(history=strategies.job_histories(fault_statuses=(429, 503)))
def test_survives_any_job_history(sora_azure_openai, sora_mock, tmp_path, history):
    sora_mock.reset()
    sora_mock.play_history(history)
    with contextlib.suppress(VideoFailed, openai.APIStatusError):
        make_video(
            sora_azure_openai, "a fox", deployment="sora-2", out_dir=tmp_path, sleep=no_sleep
        )
    sora_mock.assert_no_premature_reads()
