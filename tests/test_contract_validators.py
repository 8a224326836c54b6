"""The compiled validators (``jsonschema_rs``) and ``jsonschema`` give every instance the same
verdict, so the fast check in front of the messages never lets a violation through."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mock_server import contracts, create_app
from mock_server.dialects import registry
from mock_server.web.pipeline import core_of
from mock_server.web.routes import ROUTES
from sora_testkit import httpx_client, strategies

AUTH = {"Authorization": "Bearer sk-differential"}

JSON_VALUES = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-3, max_value=5000)
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.sampled_from(["", "x", "queued", "sora-2", "720x1280", "4", "video_" + "0" * 32])
    | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=8), children, max_size=3)
    ),
    max_leaves=6,
)


def same_verdict(name: str, instance: Any) -> None:
    errors = list(contracts.validator(name).iter_errors(instance))
    assert contracts.compiled(name).is_valid(instance) == (not errors), (name, instance, errors)


APP = create_app({"background_worker": False, "progression": "instant", "concurrent_jobs": 0})
DIALECTS = ("openai", "uniall", "generatetask", "azure", "azure_jobs")


def response_contract(method: str, path: str, status: int) -> str:
    """The contract a response of the mock follows."""
    endpoint, _ = core_of(APP).adapter.match(path, method)
    route = ROUTES[endpoint]
    if status >= 400:
        return registry.BY_NAME[endpoint.split(".")[0]].error_contract
    assert route.response is not None
    return route.response


def mutated(instance: Any, data: st.DataObject) -> Any:
    """The instance with one value somewhere replaced, removed, or a key added."""
    if isinstance(instance, dict) and instance:
        key = data.draw(st.sampled_from(sorted(instance)))
        action = data.draw(st.sampled_from(["replace", "remove", "add", "descend"]))
        copy = dict(instance)
        if action == "remove":
            del copy[key]
        elif action == "add":
            copy[data.draw(st.text(max_size=8))] = data.draw(JSON_VALUES)
        elif action == "descend":
            copy[key] = mutated(copy[key], data)
        else:
            copy[key] = data.draw(JSON_VALUES)
        return copy
    if isinstance(instance, list) and instance:
        index = data.draw(st.integers(0, len(instance) - 1))
        items = list(instance)
        items[index] = mutated(items[index], data)
        return items
    return data.draw(JSON_VALUES)


@pytest.mark.parametrize("dialect", DIALECTS)
@settings(max_examples=40, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(data=st.data())
def test_compiled_and_jsonschema_agree_on_near_misses(dialect: str, data: Any) -> None:
    """Real requests and the mock's answers to them, each changed in one place."""
    request = data.draw(strategies.create_requests(dialect=dialect))
    with httpx_client(APP, headers=AUTH) as http:
        answer = request.send(http)
    if isinstance(request.json, dict):
        contract = f"{dialect}/create_request"
        same_verdict(contract, request.json)
        same_verdict(contract, mutated(request.json, data))
    path = answer.request.url.path
    contract = response_contract(request.method, path, answer.status_code)
    same_verdict(contract, answer.json())
    same_verdict(contract, mutated(answer.json(), data))


@pytest.mark.parametrize("name", sorted(contracts.load()))
@settings(max_examples=10, deadline=None)
@given(instance=JSON_VALUES)
def test_compiled_and_jsonschema_agree_on_any_json(name: str, instance: Any) -> None:
    same_verdict(name, instance)


def test_violations_still_name_every_problem() -> None:
    """The fast check only decides whether to look: an invalid body gets jsonschema's lines."""
    with httpx_client(APP, headers=AUTH) as http:
        video = http.post("/v1/videos", json={"prompt": "checked"}).json()
    broken = {**video, "status": "bogus", "progress": "ten"}
    assert contracts.violations("openai/video", broken) == [
        "$.progress: 'ten' is not of type 'integer'",
        "$.status: 'bogus' is not one of ['queued', 'in_progress', 'completed', 'failed']",
    ]
    assert contracts.violations("openai/video", video) == []


def test_without_a_usable_compiler_jsonschema_decides_alone(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A platform without jsonschema_rs's wheel, or a release with another API: the same
    verdicts and messages, from jsonschema."""
    monkeypatch.setattr(contracts, "compiled", lambda name: None)
    with httpx_client(APP, headers=AUTH) as http:
        video = http.post("/v1/videos", json={"prompt": "checked alone"}).json()
    assert contracts.is_valid("openai/video", video)
    assert contracts.violations("openai/video", {**video, "status": "bogus"}) == [
        "$.status: 'bogus' is not one of ['queued', 'in_progress', 'completed', 'failed']"
    ]
