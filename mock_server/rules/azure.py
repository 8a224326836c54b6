"""Rules of Azure OpenAI's video APIs: versions and deployments (SPEC 4)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from mock_server import catalog
from mock_server.rules import create, uniall
from mock_server.rules.protocol import json_type_name
from mock_server.rules.registry import RuleViolation, define
from mock_server.wording import plain_list

API_VERSION = define(
    "azure.api_version",
    400,
    f"api-version is absent, {plain_list(catalog.AZURE_V1_API_VERSIONS)} on /openai/v1/...; "
    "on /openai/videos... it is given, preview or a date (2025-04-01, 2025-04-01-preview).",
    "SPEC 4.1 [public: Azure REST spec; choice: which dated versions]",
)
DEPLOYMENT_NOT_FOUND = define(
    "azure.deployment_not_found",
    404,
    "model names a deployment of the resource (--azure-deployment NAME=MODEL; sora-2, "
    "sora-2-pro and sora deploy themselves by default).",
    "SPEC 4.1 [public: a published lab's issue]",
)
DEPLOYMENT_MODEL = define(
    "azure.deployment_model",
    400,
    "A deployment serves the API of its model: sora-2 and sora-2-pro on /videos, sora on "
    "/video/generations/jobs.",
    "SPEC 4 [choice: the services are apart]",
)

_DATED = re.compile(catalog.AZURE_DATED_API_VERSION)


def check_api_version(value: str | None, *, dated: bool) -> None:
    """The ``api-version`` a path accepts (``dated``: the ``AzureOpenAI`` client's paths)."""
    if dated:
        accepted = value is not None and _DATED.match(value) is not None
        supported: tuple[str, ...] = ("preview", "YYYY-MM-DD", "YYYY-MM-DD-preview")
    else:
        accepted = value is None or value in catalog.AZURE_V1_API_VERSIONS
        supported = catalog.AZURE_V1_API_VERSIONS
    if not accepted:
        raise RuleViolation(
            API_VERSION, param="api-version", value=value, supported=supported, dated=dated
        )


def check_deployment(value: Any, deployments: Mapping[str, str], serves: tuple[str, ...]) -> str:
    """The model the deployment ``value`` runs; it must run one of ``serves``."""
    if value is None:
        raise RuleViolation(uniall.MODEL_REQUIRED, param="model")
    if not isinstance(value, str):
        raise RuleViolation(create.MODEL_TYPE, param="model", got=json_type_name(value))
    model = deployments.get(value)
    if model is None:
        # Seen live: the 404 names no param.
        raise RuleViolation(DEPLOYMENT_NOT_FOUND, param=None, deployment=value)
    if model not in serves:
        raise RuleViolation(
            DEPLOYMENT_MODEL, param="model", deployment=value, model=model, serves=serves
        )
    return model
