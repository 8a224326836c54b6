"""The contracts: complete, valid, equal to the catalog, and enforced on responses."""

from __future__ import annotations

import dataclasses
import json
import re
from typing import Any

import httpx
import pytest
from jsonschema import Draft202012Validator

from mock_server import catalog, contracts, create_app, state_of
from mock_server.backend.faults import Fault
from mock_server.dialects import registry
from mock_server.dialects.openai import render
from mock_server.web.pipeline import core_of
from mock_server.web.routes import ROUTES
from sora_testkit import httpx_client
from tests.conftest import AUTH


def test_every_contract_has_its_schema_a_stable_id_and_refs_that_resolve() -> None:
    """A reference points inside its contract (``#/...``) or at another contract
    (``../dialect/name.json#/...``), which the registry and the OpenAPI document both hold."""
    loaded = contracts.load()
    for name, document in loaded.items():
        assert document["$schema"] == "https://json-schema.org/draft/2020-12/schema"
        assert document["$id"] == f"https://contracts.sora-testkit.dev/{name}.json"
        Draft202012Validator.check_schema(document)
        refs = [ref.split('"')[1] for ref in json.dumps(document).split('"$ref": ')[1:]]
        for ref in refs:
            target, _, _ = ref.partition("#")
            assert ref.startswith("#/") or (
                ref.startswith("../") and target[3:].removesuffix(".json") in loaded
            ), f"{name}: {ref}"


def test_every_api_route_has_a_response_contract() -> None:
    app = create_app({"background_worker": False})
    api_endpoints = {rule.endpoint for rule in core_of(app).url_map.iter_rules()}
    assert api_endpoints == set(ROUTES)
    flask_endpoints = {rule.endpoint for rule in app.url_map.iter_rules()}
    assert {e for e in flask_endpoints if not e.startswith("control.")} == {"docs.openapi_document"}
    for route in ROUTES.values():
        if route.status == 204 or route.binary:
            assert route.response is None  # no body, or a binary one
        else:
            assert route.response in contracts.load()
        assert all(name in contracts.load() for name in route.request.values())
    for dialect in registry.DIALECTS:
        assert dialect.error_contract in contracts.load()


def _enum(name: str, *path: str) -> list[Any]:
    node: Any = contracts.load()[name]
    for key in path:
        node = node[key]
    return list(node["enum"])


def test_catalog_and_contract_enums_are_equal() -> None:
    assert _enum("openai/video", "properties", "status") == list(catalog.JOB_STATUSES)
    assert _enum("openai/video", "properties", "size") == list(catalog.ALL_SIZES)
    seconds = contracts.load()["openai/video"]["properties"]["seconds"]
    assert all(re.fullmatch(seconds["pattern"], value) for value in catalog.SECONDS_VALUES)
    assert re.fullmatch(seconds["pattern"], str(catalog.EXTENDED_MAX_SECONDS))
    assert _enum("openai/video", "properties", "model") == list(catalog.ACCEPTED_MODELS)
    assert _enum("openai/create_request", "properties", "model") == list(catalog.ACCEPTED_MODELS)
    assert _enum("openai/create_request", "properties", "size") == list(catalog.ALL_SIZES)
    assert _enum("openai/create_request", "properties", "seconds") == list(catalog.SECONDS_VALUES)
    assert _enum("openai/webhook_event", "properties", "type") == list(
        catalog.WEBHOOK_EVENT_BY_STATUS.values()
    )
    prompt = contracts.load()["openai/create_request"]["properties"]["prompt"]
    assert prompt["maxLength"] == catalog.PROMPT_MAX_CHARS
    assert _enum("control/progression_request", "properties", "mode") == list(catalog.PROGRESSIONS)
    assert _enum("control/outcome_request", "properties", "outcome") == list(catalog.OUTCOMES)
    state = ("$defs", "step", "else", "properties")
    assert _enum("control/history_request", *state, "status") == list(catalog.SCRIPTABLE_STATUSES)
    fault = contracts.load()["control/fault_request"]["properties"]
    assert fault["delay_ms"]["maximum"] == 60_000
    assert set(fault) == {f.name for f in dataclasses.fields(Fault)}


@pytest.mark.parametrize(
    ("body", "accepted"),
    [
        ({"prompt": "x"}, True),
        ({"prompt": "x", "model": "sora-2-pro", "size": "1792x1024", "seconds": "12"}, True),
        ({"prompt": "x", "input_reference": {"image_url": "https://example.com/a.png"}}, True),
        ({"model": "sora-2"}, False),
        ({"prompt": "x", "seconds": 8}, False),
        ({"prompt": "x", "size": "1280*720"}, False),
        ({"prompt": "x", "aspect_ratio": "16:9"}, False),
        ({"prompt": "x", "input_reference": {"image_url": "a", "file_id": "b"}}, False),
    ],
)
def test_the_create_contract_agrees_with_the_server(
    http: httpx.Client, body: dict[str, Any], accepted: bool
) -> None:
    assert (contracts.violations("openai/create_request", body) == []) is accepted
    assert (http.post("/v1/videos", json=body).status_code == 200) is accepted


def test_a_response_that_breaks_its_contract_becomes_a_500_in_error_mode(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def broken(job: Any) -> dict[str, Any]:
        return {"id": job.id, "object": "video"}

    monkeypatch.setattr(render, "video", broken)
    app = create_app({"background_worker": False, "validate_responses": "error"})
    with httpx_client(app, headers=AUTH) as http:
        response = http.post("/v1/videos", json={"prompt": "x"})
    assert response.status_code == 500
    assert "openai/video" in response.json()["error"]["message"]
    [record] = state_of(app).contract_violations
    assert record["contract"] == "openai/video"
    assert "$: 'model' is a required property" in record["problems"]  # type: ignore[operator]


def test_warn_mode_records_and_passes_the_response_through(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(render, "video", lambda job: {"id": job.id})
    app = create_app({"background_worker": False, "validate_responses": "warn"})
    with httpx_client(app, headers=AUTH) as http:
        assert http.post("/v1/videos", json={"prompt": "x"}).status_code == 200
    assert len(state_of(app).contract_violations) == 1


def test_ignore_mode_is_the_server_default() -> None:
    app = create_app({"background_worker": False})
    assert state_of(app).settings.validate_responses == "ignore"


def test_provider_format_enums_equal_the_catalog() -> None:
    assert _enum("uniall/create_request", "properties", "model") == list(catalog.UNIALL_MODELS)
    assert _enum("uniall/task", "properties", "model") == list(catalog.UNIALL_MODELS)
    assert _enum("uniall/create_request", "properties", "aspect_ratio") == list(
        catalog.ORIENTATION_BY_ASPECT
    )
    gt_input = contracts.load()["generatetask/create_request"]["properties"]["input"]
    assert gt_input["properties"]["size"]["enum"] == list(catalog.GT_SIZES)
    assert gt_input["properties"]["mode"]["enum"] == list(catalog.GT_MODES)
    assert gt_input["properties"]["resolution"]["enum"] == list(catalog.GT_RESOLUTIONS)
    assert gt_input["properties"]["prompt"]["maxLength"] == catalog.GT_PROMPT_MAX_CHARS
    durations = gt_input["properties"]["duration"]["oneOf"][0]["enum"]
    assert durations == list(catalog.GT_DURATIONS)
    uniall_durations = contracts.load()["uniall/create_request"]["properties"]["duration"]
    assert uniall_durations["oneOf"][0]["enum"] == list(catalog.UNIALL_DURATIONS)
    assert _enum("generatetask/create_request", "properties", "provider") == list(
        catalog.GT_PROVIDERS
    )


@pytest.mark.parametrize(
    ("path", "body", "accepted"),
    [
        ("/v1/video/generations", {"model": "sora2-portrait-12s", "prompt": "x"}, True),
        ("/v1/video/generations", {"model": "sora2-pro-720p", "prompt": "x", "duration": "16", "aspect_ratio": "9:16"}, True),
        ("/v1/video/generations", {"model": "sora2-pro-720p", "prompt": "x", "size": "720x1280"}, False),
        ("/v1/video/generations", {"prompt": "x"}, False),
        ("/api/v1/generateTask/sora-2-pro", {"input": {"mode": "text-to-video", "prompt": "x", "size": "1280*720"}}, True),
        ("/api/v1/generateTask/sora-2-pro", {"input": {"mode": "image-to-video", "prompt": "x", "image_urls": ["https://e.com/a.png"]}}, True),
        ("/api/v1/generateTask/sora-2-pro", {"input": {"mode": "text-to-video", "prompt": "x", "size": "1280x720"}}, False),
        ("/api/v1/generateTask/sora-2-pro", {"input": {"mode": "image-to-video", "prompt": "x"}}, False),
        ("/api/v1/generateTask/sora-2-pro", {"request_type": "callback", "input": {"mode": "text-to-video", "prompt": "x"}}, False),
    ],
)  # fmt: skip
def test_provider_create_contracts_agree_with_the_server(
    http: httpx.Client, path: str, body: dict[str, Any], accepted: bool
) -> None:
    name = "uniall/create_request" if "generations" in path else "generatetask/create_request"
    assert (contracts.violations(name, body) == []) is accepted
    assert (http.post(path, json=body).status_code == 200) is accepted
