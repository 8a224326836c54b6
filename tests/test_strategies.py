"""What the project proves about its own strategies, against the mock itself."""

from __future__ import annotations

import inspect
from typing import Any

import httpx
import openai
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument

from mock_server import catalog, contracts, create_app, replace_state, rules, state_of
from mock_server.backend.history import FaultStep, StateStep, Step
from mock_server.controls import Controls
from mock_server.settings import Settings
from sora_testkit import httpx_client, openai_client, strategies
from sora_testkit.generation.common import Mistake
from sora_testkit.generation.requests import DIALECTS, MISTAKES

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

SETTINGS = Settings(
    progression="polls",
    validate_responses="error",
    background_worker=False,
    concurrent_jobs=0,
    generatetask_concurrent_jobs=0,
    generatetask_requests_per_minute=0,
    azure_concurrent_jobs=0,
    azure_requests_per_minute=0,
)
APP = create_app(SETTINGS)
HTTP = httpx_client(APP, headers={"Authorization": "Bearer sk-strategies"})
EXAMPLES = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
GT_STATES = {
    "queued": "pending",
    "in_progress": "processing",
    "completed": "success",
    "failed": "failed",
}
GT_FAIL_CODES = {
    "moderation_blocked": "CONTENT_VIOLATION",
    "internal_error": "GENERATION_FAILED",
    "image_unreachable": "INVALID_IMAGE_URL",
    "invalid_reference_image": "INVALID_IMAGE_URL",
    **{kind.code: kind.code.upper() for kind in catalog.PROVIDER_FAILURES},
}
#: The failures Azure's Sora 1 jobs report as input moderation; any other is internal_error.
SORA_1_MODERATION = ("moderation_blocked", "nsfw_detected")


def fresh() -> None:
    """A fresh mock for each example."""
    replace_state(APP, SETTINGS)


def journal_entry() -> dict[str, Any]:
    return state_of(APP).journal.entries()[-1]


@pytest.mark.parametrize("dialect", DIALECTS)
@EXAMPLES
@given(data=st.data())
def test_every_valid_request_is_accepted(dialect: str, data: st.DataObject) -> None:
    fresh()
    request = data.draw(strategies.create_requests(dialect=dialect))
    response = request.send(HTTP)
    assert response.status_code == 200, response.text
    assert journal_entry()["request_violations"] == []


@pytest.mark.parametrize(
    "strategy",
    [strategies.edit_requests, strategies.extension_requests, strategies.character_requests],
    ids=["edit", "extension", "character"],
)
@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_every_valid_edit_extension_and_character_is_accepted(
    strategy: Any, data: st.DataObject
) -> None:
    fresh()
    request = data.draw(strategy())
    response = request.send(HTTP)
    assert response.status_code == 200, response.text
    assert journal_entry()["request_violations"] == []


@pytest.mark.parametrize("dialect", DIALECTS)
@EXAMPLES
@given(data=st.data())
def test_every_near_miss_is_refused_by_its_rule(dialect: str, data: st.DataObject) -> None:
    fresh()
    near_miss = data.draw(strategies.near_miss_requests(dialect=dialect))
    response = near_miss.request.send(HTTP)
    assert (response.status_code, response.headers.get("x-sora-mock-rule")) == (
        near_miss.status,
        near_miss.rule,
    ), f"{near_miss.mistake}: {response.text[:300]}"


@pytest.mark.parametrize("dialect", DIALECTS)
@EXAMPLES
@given(data=st.data())
def test_hostile_requests_get_200_or_a_clean_4xx(dialect: str, data: st.DataObject) -> None:
    fresh()
    request = data.draw(strategies.hostile_requests(dialect=dialect))
    response = request.send(HTTP)
    assert response.status_code < 500, response.text[:300]
    if response.status_code >= 400:
        assert response.headers["x-sora-mock-rule"]
        error_contract = "generatetask/error" if dialect == "generatetask" else "openai/error"
        assert contracts.violations(error_contract, response.json()) == []


AZURE_JOBS = "/openai/v1/video/generations/jobs"
CREATES = {
    "openai": ("/v1/videos", {"prompt": "x"}),
    "uniall": ("/v1/video/generations", {"model": "sora2-landscape-4s", "prompt": "x"}),
    "generatetask": (
        "/api/v1/generateTask/sora-2-pro",
        {"input": {"mode": "text-to-video", "prompt": "x"}},
    ),
    "azure": ("/openai/v1/videos", {"model": "sora-2", "prompt": "x"}),
    "azure_jobs": (AZURE_JOBS, {"model": "sora", "prompt": "x", "width": 480, "height": 480}),
}
READS = {
    "openai": "/v1/videos/{}",
    "uniall": "/v1/videos/{}",
    "generatetask": "/api/v1/statusTask/sora-2-pro?taskId={}",
    "azure": "/openai/v1/videos/{}",
    "azure_jobs": AZURE_JOBS + "/{}",
}
#: A Sora 1 job's status for each neutral state (in progress: by how far along it is).
SORA_1_STATES = {"queued": "queued", "completed": "succeeded", "failed": "failed"}


def _create(dialect: str) -> str:
    path, body = CREATES[dialect]
    created = HTTP.post(path, json=body).json()
    job_id: str = created["data"]["taskId"] if dialect == "generatetask" else created["id"]
    return job_id


def _read(dialect: str, job_id: str) -> httpx.Response:
    return HTTP.get(READS[dialect].format(job_id))


def _seen(dialect: str, response: httpx.Response) -> tuple[Any, ...]:
    body = response.json()
    if dialect == "generatetask":
        data = body["data"]
        return (data["state"], data.get("failCode"))
    if dialect == "azure_jobs":
        return (body["status"], body["failure_reason"])
    return (body["status"], body["progress"], (body["error"] or {}).get("code"))


def _sora_1_status(step: StateStep) -> str:
    if step.status in SORA_1_STATES:
        return SORA_1_STATES[step.status]
    return [name for name, at in catalog.AZURE_JOB_WALK if step.progress / 100 >= at][-1]


def _expected(dialect: str, step: StateStep) -> tuple[Any, ...]:
    if dialect == "generatetask":
        return (GT_STATES[step.status], GT_FAIL_CODES.get(step.failure or ""))
    if dialect == "azure_jobs":
        reason = None
        if step.status == "failed":
            reason = "input_moderation" if step.failure in SORA_1_MODERATION else "internal_error"
        return (_sora_1_status(step), reason)
    return (step.status, step.progress, step.failure)


@pytest.mark.parametrize("dialect", DIALECTS)
@EXAMPLES
@given(history=strategies.job_histories())
def test_every_history_plays_back_and_conforms(dialect: str, history: list[Step]) -> None:
    fresh()
    state_of(APP).service.queue_history(history)
    job_id = _create(dialect)
    for step in history:
        response = _read(dialect, job_id)
        if isinstance(step, FaultStep):
            assert response.status_code == step.status
            assert response.headers["retry-after-ms"] == str(step.retry_after_ms)
        else:
            assert response.status_code == 200, response.text
            assert _seen(dialect, response) == _expected(dialect, step)
    final = history[-1]
    assert isinstance(final, StateStep)
    assert _seen(dialect, _read(dialect, job_id)) == _expected(dialect, final)
    assert state_of(APP).contract_violations == []


@settings(max_examples=25, deadline=None)
@given(history=strategies.job_histories(fault_statuses=(429, 503)))
def test_the_official_sdk_polls_through_any_history(history: list[Step]) -> None:
    """The SDK retries each fault twice: a run of three faults in a row is the only way out."""
    fresh()
    state_of(APP).service.queue_history(history)
    sdk = openai_client(APP, api_key="sk-sdk")
    video = sdk.videos.create(prompt="x")
    longest_fault_run, run = 0, 0
    for step in history:
        run = run + 1 if isinstance(step, FaultStep) else 0
        longest_fault_run = max(longest_fault_run, run)
    final = history[-1]
    assert isinstance(final, StateStep)
    if longest_fault_run >= 3:
        with pytest.raises(openai.APIStatusError):
            sdk.videos.poll(video.id, poll_interval_ms=1)
    else:
        polled = sdk.videos.poll(video.id, poll_interval_ms=1)
        assert (polled.status, polled.progress) == (final.status, final.progress)


def test_strategies_reexports_everything_public() -> None:
    public = {
        name
        for name, value in vars(strategies).items()
        if not name.startswith("_") and (inspect.isfunction(value) or inspect.isclass(value))
    }
    assert set(strategies.__all__) == public
    assert all(hasattr(strategies, name) for name in strategies.__all__)


@pytest.mark.parametrize(
    "strategy",
    [
        lambda: strategies.create_requests(dialect="azure-openai"),
        lambda: strategies.forced_outcomes(effects=("explode",)),
        lambda: strategies.create_requests(encodings=("xml",)),
        lambda: strategies.near_miss_requests(dialect="sora3"),
        lambda: strategies.hostile_requests(dialect=""),
        lambda: strategies.reference_images(width=0, height=10),
        lambda: strategies.reference_images(width=10, height=10, formats=("heic",)),
        lambda: strategies.job_histories(max_reads=0),
    ],
)
def test_bad_arguments_raise_invalid_argument_when_drawn(strategy: Any) -> None:
    built = strategy()

    @given(built)
    def draw(_value: Any) -> None:
        pass

    with pytest.raises(InvalidArgument):
        draw()


@pytest.mark.parametrize(
    ("dialect", "mistake"),
    [(dialect, mistake) for dialect in DIALECTS for mistake in MISTAKES[dialect]],
    ids=lambda value: value if isinstance(value, str) else value.name,
)
def test_each_listed_mistake_is_refused_by_its_rule(dialect: str, mistake: Mistake) -> None:
    """Every mistake of the table, drawn on its own: coverage by enumeration, not by luck."""
    seen: list[str] = []

    @settings(max_examples=3, database=None, deadline=None)
    @given(strategies.near_miss_requests(dialect=dialect, mistakes=[mistake.name]))
    def refused(near_miss: strategies.NearMiss) -> None:
        assert (near_miss.mistake, near_miss.rule) == (mistake.name, mistake.rule)
        response = near_miss.request.send(HTTP)
        assert (response.status_code, response.headers.get("x-sora-mock-rule")) == (
            near_miss.status,
            mistake.rule,
        ), response.text[:300]
        seen.append(near_miss.mistake)

    refused()
    assert seen


def test_mistakes_can_only_name_listed_mistakes() -> None:
    @given(strategies.near_miss_requests(dialect="uniall", mistakes=["size written with x"]))
    def draw(_value: Any) -> None:
        pass

    with pytest.raises(InvalidArgument, match="mistakes must be some of the uniall mistakes"):
        draw()


def _finish(dialect: str, job_id: str) -> httpx.Response:
    """Read a job until its status is terminal in its dialect's words."""
    done = {"success", "failed", "completed", "succeeded"}
    while True:
        response = _read(dialect, job_id)
        body = response.json()
        status = body["data"]["state"] if dialect == "generatetask" else body["status"]
        if status in done:
            return response


@pytest.mark.parametrize("dialect", DIALECTS)
@settings(max_examples=25, deadline=None)
@given(outcome=strategies.forced_outcomes())
def test_every_forced_outcome_answers_as_documented(dialect: str, outcome: str) -> None:
    fresh()
    kind = catalog.OUTCOMES[outcome]
    Controls(state_of(APP)).force_outcome({"outcome": outcome})
    path, body = CREATES[dialect]
    created = HTTP.post(path, json=body)
    if kind.reject_rule is not None or kind.refuse_status is not None:
        expected = rules.get(kind.reject_rule).status if kind.reject_rule else kind.refuse_status
        assert created.status_code == expected
        error_contract = "generatetask/error" if dialect == "generatetask" else "openai/error"
        assert contracts.violations(error_contract, created.json()) == []
        return
    assert created.status_code == 200, created.text
    data = created.json()
    job_id = data["data"]["taskId"] if dialect == "generatetask" else data["id"]
    final = _finish(dialect, job_id).json()
    if kind.failure is None:
        return
    if dialect == "generatetask":
        assert final["data"]["failCode"] == GT_FAIL_CODES[kind.failure]
    elif dialect == "azure_jobs":
        assert final["failure_reason"] in ("input_moderation", "internal_error")
    else:
        assert final["error"]["code"] == kind.failure
    assert state_of(APP).contract_violations == []


def test_forced_outcomes_can_keep_to_some_effects() -> None:
    @settings(max_examples=30)
    @given(strategies.forced_outcomes(effects=("refusal",), with_reference=True))
    def check(name: str) -> None:
        outcome = catalog.OUTCOMES[name]
        assert outcome.reject_rule is not None or outcome.refuse_status is not None

    check()


def test_reference_images_take_strategies_for_their_size() -> None:
    from io import BytesIO

    from PIL import Image

    @settings(max_examples=15, deadline=None)
    @given(strategies.reference_images(width=st.integers(3, 9), height=st.just(5)))
    def check(image: tuple[bytes, str]) -> None:
        data, _ = image
        with Image.open(BytesIO(data)) as opened:
            assert 3 <= opened.width <= 9 and opened.height == 5

    check()
