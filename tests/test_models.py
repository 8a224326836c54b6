"""``GET /v1/models``: the models a client can discover, natively and on Azure's surfaces."""

from __future__ import annotations

import httpx
import openai
import pytest
from flask import Flask

from mock_server import catalog, contracts, state_of
from sora_testkit import SoraMock, httpx_client, openai_client, wsgi_transport
from tests.conftest import AUTH, AppFactory
from tests.helpers import assert_openai_error

AZURE_KEY = {"api-key": "k"}


def test_the_sdk_lists_and_retrieves_the_models_a_create_accepts(app: Flask) -> None:
    client = openai_client(app)
    listed = client.models.list()
    assert [model.id for model in listed] == list(catalog.ACCEPTED_MODELS)
    assert {(m.object, m.owned_by, m.shutdown_date) for m in listed} == {
        ("model", "system", "2026-09-24")  # announced in the video guide
    }
    pro = client.models.retrieve("sora-2-pro")
    assert (pro.id, pro.created) == ("sora-2-pro", catalog.MODEL_CREATED["sora-2-pro"])
    snapshot = client.models.retrieve("sora-2-2025-12-08")
    assert snapshot.created == 1765152000  # 2025-12-08, the date in its name
    for model in listed:  # each one listed is one a create takes
        assert client.videos.create(prompt="x", model=model.id).model == model.id
    assert state_of(app).contract_violations == []


def test_an_unknown_model_is_a_404_the_sdk_raises_as_not_found(app: Flask) -> None:
    with httpx_client(app, headers=AUTH) as http:
        response = http.get("/v1/models/sora-3")
    assert_openai_error(
        response,
        404,
        "model.not_found",
        "The model 'sora-3' does not exist.",
        param="model",
        code="model_not_found",
    )
    with pytest.raises(openai.NotFoundError, match="sora-3"):
        openai_client(app).models.retrieve("sora-3")


def test_the_models_need_a_key(app: Flask) -> None:
    with httpx_client(app) as http:
        response = http.get("/v1/models")
    assert response.status_code == 401
    assert response.headers["x-sora-mock-rule"] == "auth.missing"


def test_azure_lists_the_resources_deployments_on_both_surfaces(make_app: AppFactory) -> None:
    mock = SoraMock(
        make_app(
            azure_deployments=("studio=sora-2-pro", "legacy=sora"),
            azure_default_deployments=False,
        )
    )
    plain = openai_client(mock.app, base_path="/openai/v1")
    assert [m.id for m in plain.models.list()] == ["studio", "legacy"]
    azure = openai.AzureOpenAI(  # type: ignore[call-overload]
        api_key="k",
        api_version="2025-04-01-preview",
        azure_endpoint=mock.origin,
        http_client=httpx.Client(transport=wsgi_transport(mock.app)),
    )
    studio = azure.models.retrieve("studio")
    assert (studio.id, studio.created) == ("studio", catalog.MODEL_CREATED["sora-2-pro"])
    assert [(m.id, m.shutdown_date) for m in azure.models.list()] == [
        ("studio", None),
        ("legacy", None),
    ]
    with httpx_client(mock.app, headers=AZURE_KEY) as http:
        gone = http.get("/openai/v1/models/sora-2")
        unversioned = http.get("/openai/models")
    assert_openai_error(
        gone, 404, "model.not_found", "The model 'sora-2' does not exist.",
        param="model", code="model_not_found",
    )  # fmt: skip
    assert_openai_error(
        unversioned,
        400,
        "azure.api_version",
        "The api-version query parameter is missing on this path. Supported values: "
        "'preview', 'YYYY-MM-DD', and 'YYYY-MM-DD-preview'.",
        param="api-version",
        code="BadRequest",
    )
    assert mock.state.contract_violations == []


def test_the_default_deployments_are_the_azure_models(app: Flask) -> None:
    with httpx_client(app, headers=AZURE_KEY) as http:
        listed = http.get("/openai/v1/models").json()
    assert [model["id"] for model in listed["data"]] == list(catalog.AZURE_DEPLOYABLE_MODELS)
    assert contracts.violations("openai/model_list", listed) == []
