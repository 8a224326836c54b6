"""Azure's ``model``: the name of a deployment, which runs one of the models (SPEC 4.1)."""

from __future__ import annotations

import dataclasses

from mock_server import catalog
from mock_server.dialects.openai.views import Models
from mock_server.domain import RawCreate
from mock_server.rules import azure
from mock_server.wire.context import current_state


class Deployments(Models):
    """A create names a deployment; a size its model does not render fails the job later."""

    size_failure = catalog.AZURE_SIZE_UNSUPPORTED.code

    def resolve(self, raw: RawCreate) -> tuple[RawCreate, str | None]:
        """The body with the deployment's model in place of its name, and the name."""
        name = raw.fields.get("model")
        model = azure.check_deployment(
            name, current_state().settings.deployments(), catalog.AZURE_VIDEOS_MODELS
        )
        return dataclasses.replace(raw, fields={**raw.fields, "model": model}), name
