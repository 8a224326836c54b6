"""``GET /v1/models`` and ``GET /v1/models/{model}``: the models a client can discover.

Natively these are the model ids a create accepts; on Azure's surfaces, the resource's
deployments (the names a create gives as ``model``), each with the model it runs.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

from mock_server import catalog
from mock_server.dialects.openai import render
from mock_server.dialects.record import Route
from mock_server.rules import models
from mock_server.wire.replies import ViewResult

#: The native models: each id a create accepts, and the model it runs.
NATIVE_MODELS: Mapping[str, str] = MappingProxyType(
    {name: catalog.MODEL_SNAPSHOTS.get(name, name) for name in catalog.ACCEPTED_MODELS}
)


@dataclass(frozen=True)
class ModelViews:
    """The models API over a source of served models (name -> the model it runs)."""

    served: Callable[[], Mapping[str, str]]
    #: The ``shutdown_date`` the models carry, where the provider announced one.
    shutdown_date: str | None = None

    def list_models(self) -> ViewResult:
        """Every served model."""
        return render.model_list(self.served(), shutdown_date=self.shutdown_date)

    def retrieve_model(self, model_id: str) -> ViewResult:
        """One served model, or 404."""
        served = self.served()
        models.check_known(model_id, served)
        return render.model(model_id, served[model_id], shutdown_date=self.shutdown_date)


def model_routes(
    views: ModelViews,
    *,
    base: str,
    operation: Callable[[str], str] = lambda name: name,
    parameters: tuple[dict[str, Any], ...] = (),
    name: Callable[[str], str | None] = lambda view: None,
) -> tuple[Route, ...]:
    """The two operations of the models API under ``base`` (``/v1/models``)."""
    return (
        Route(
            "GET",
            base,
            views.list_models,
            operation("listModels"),
            response="openai/model_list",
            parameters=parameters,
            name=name("list_models"),
        ),
        Route(
            "GET",
            base + "/<model_id>",
            views.retrieve_model,
            operation("retrieveModel"),
            response="openai/model",
            parameters=parameters,
            path_parameters={"model_id": "A model id (a deployment name on Azure)."},
            name=name("retrieve_model"),
        ),
    )
