"""Tests of task_client, written the way the sora-testkit documentation teaches."""

from __future__ import annotations

import contextlib

import pytest
import requests
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from task_client import TaskClient, TaskFailed

from mock_server import catalog
from sora_testkit import strategies

fixture_ok = settings(
    suppress_health_check=[HealthCheck.function_scoped_fixture], deadline=None, max_examples=15
)


def client_for(target) -> TaskClient:
    return TaskClient(target.origin, target.api_key, sleep=lambda _s: None)


def test_text_to_video_end_to_end(sora_requests, sora_mock):
    client = client_for(sora_requests)
    [url] = client.wait(client.submit_text("a lighthouse"))
    assert requests.get(url, timeout=30).headers["content-type"] == "video/mp4"
    sora_mock.assert_requests_met_contracts()


def test_content_violation_is_reported(sora_requests, sora_mock):
    client = client_for(sora_requests)
    sora_mock.force_outcome("moderation_blocked")
    with pytest.raises(TaskFailed) as failed:
        client.wait(client.submit_text("a fight"))
    assert failed.value.code == "CONTENT_VIOLATION"


@fixture_ok
@given(
    size=st.sampled_from(tuple(catalog.GT_SIZES.values())),
    seconds=st.sampled_from(catalog.GT_DURATIONS),
)
def test_every_size_and_length_is_sent_right(sora_requests, sora_mock, size, seconds):
    sora_mock.reset()
    client = client_for(sora_requests)
    client.wait(client.submit_text("a cat", width=size[0], height=size[1], seconds=seconds))
    sora_mock.assert_requests_met_contracts()


@fixture_ok
@given(history=strategies.job_histories())
def test_waiting_survives_any_history(sora_requests, sora_mock, history):
    sora_mock.reset()
    sora_mock.play_history(history)
    client = client_for(sora_requests)
    with contextlib.suppress(TaskFailed):
        client.wait(client.submit_text("a cat"))
