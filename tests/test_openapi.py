"""The OpenAPI document, and Schemathesis against the in-process app (positive and negative)."""

from __future__ import annotations

import json
import os
import re
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from openapi_spec_validator import validate
from schemathesis.checks import not_a_server_error
from schemathesis.generation import GenerationMode
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from mock_server import create_app, openapi
from mock_server.web.pipeline import core_of
from tests.conftest import AUTH

APP = create_app(
    {
        "progression": "instant",
        "background_worker": False,
        "validate_responses": "error",
        "concurrent_jobs": 0,
        "generatetask_concurrent_jobs": 0,
        "generatetask_requests_per_minute": 0,
        "azure_concurrent_jobs": 0,
        "azure_requests_per_minute": 0,
    }
)
SCHEMA = schemathesis.openapi.from_wsgi("/openapi.json", APP)
#: Examples per operation and mode; set SORA_SCHEMATHESIS_EXAMPLES higher for a longer hunt.
EXAMPLES = int(os.environ.get("SORA_SCHEMATHESIS_EXAMPLES", "60"))
SCHEMA.config.generation.update(
    modes=[GenerationMode.POSITIVE, GenerationMode.NEGATIVE],
    max_examples=EXAMPLES,
    deterministic=bool(os.environ.get("CI")),
)
CHECKS = [
    not_a_server_error,
    response_schema_conformance,
    content_type_conformance,
    status_code_conformance,
]


def test_document_is_valid_openapi_3_1() -> None:
    validate(openapi.fresh_document())


def test_document_covers_every_public_route() -> None:
    documented = set(openapi.document()["paths"])
    served = {
        re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", str(rule.rule))
        for rule in core_of(APP).url_map.iter_rules()
    }
    assert served == documented


def test_every_body_taking_operation_names_its_request_contracts() -> None:
    components = openapi.document()["components"]["schemas"]
    for path, item in openapi.document()["paths"].items():
        for method, operation in item.items():
            if method == "post":
                content = operation["requestBody"]["content"]
                refs = [media["schema"]["$ref"].rsplit("/", 1)[-1] for media in content.values()]
                assert refs and all(ref in components for ref in refs), path


def test_the_document_and_the_help_cite_no_internal_source(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """What a user reads (the OpenAPI document, ``sora-mock serve --help``) names public pages
    or nothing, never a section of the project's specification or one of its seed documents."""
    from mock_server.cli import main

    with pytest.raises(SystemExit):
        main(["serve", "--help"])
    help_text = capsys.readouterr().out
    assert "--generatetask-result-lifetime" in help_text
    internal = re.compile(r"SPEC \d|\bseeds? \d{3}|\[choice")
    for text in (json.dumps(openapi.document()), help_text):
        assert not internal.findall(text)


def test_document_is_served_without_credentials() -> None:
    response = APP.test_client().get("/openapi.json")
    assert response.status_code == 200
    assert response.get_json()["openapi"] == "3.1.0"


@SCHEMA.parametrize()
@settings(deadline=None, suppress_health_check=list(HealthCheck))
def test_schemathesis_finds_no_server_error_and_no_broken_response(case: Any) -> None:
    case.call_and_validate(headers=AUTH, checks=CHECKS)


def test_result_url_errors_may_come_in_either_provider_envelope() -> None:
    client = APP.test_client()
    media = openapi.document()["paths"]["/media/{job_id}/{name}"]["get"]["responses"]["default"]
    schema = media["content"]["application/json"]["schema"]
    names = sorted(ref["$ref"].rsplit("/", 1)[-1] for ref in schema["anyOf"])
    assert names == ["generatetask.error", "openai.error", "uniall.error"]
    task_error = client.get("/media/task_/anything").get_json()
    video_error = client.get("/media/gen_x/video.mp4").get_json()
    assert set(task_error) == {"code", "message", "data"}
    assert set(video_error) == {"error"}
