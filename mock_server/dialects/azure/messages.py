"""How Azure words its video errors: OpenAI's words, but where Azure's own differ (SPEC 4, 6)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from mock_server import catalog
from mock_server.dialects.openai import messages as openai
from mock_server.dialects.openai.messages import Wording
from mock_server.rules.registry import RuleViolation
from mock_server.wording import quoted_list


def _f(v: RuleViolation, key: str) -> Any:
    return v.facts.get(key)


def _api_version(v: RuleViolation) -> str:
    value = _f(v, "value")
    given = "is missing" if value is None else f"'{value}' is not supported"
    return (
        f"The api-version query parameter {given} on this path. Supported values: "
        f"{quoted_list(_f(v, 'supported'))}."
    )


def _rate(v: RuleViolation) -> str:
    return (
        "Requests to the video generation operations have exceeded the rate limit of your "
        f"current pricing tier ({_f(v, 'limit')} video job requests per minute). Please retry "
        f"after {_f(v, 'retry_after')} seconds."
    )


#: Azure's own words, laid over OpenAI's.
AZURE_WORDING: Mapping[str, Wording] = {
    "auth.missing": ("401", lambda v: catalog.AZURE_ACCESS_DENIED),
    "auth.invalid_key": ("401", lambda v: catalog.AZURE_ACCESS_DENIED),
    "rate_limit.requests": ("429", _rate),
    "azure.api_version": ("BadRequest", _api_version),
    "azure.deployment_not_found": (
        None,
        lambda v: (
            f"The API deployment '{_f(v, 'deployment')}' for this resource does not exist. If "
            "you created the deployment within the last 5 minutes, please wait a moment and "
            "try again."
        ),
    ),
    "azure.deployment_model": (
        "invalid_value",
        lambda v: (
            f"The deployment '{_f(v, 'deployment')}' runs {_f(v, 'model')}, which this API does "
            f"not serve; use a deployment of {quoted_list(_f(v, 'serves'), 'or')}."
        ),
    ),
}

WORDING: Mapping[str, Wording] = {**openai.WORDING, **AZURE_WORDING}

#: Error ``type`` by rule where Azure's differs from OpenAI's.
TYPE_BY_RULE: Mapping[str, str] = {
    **openai.TYPE_BY_RULE,
    "azure.deployment_not_found": catalog.AZURE_USER_ERROR_TYPE,
}


def word(
    violation: RuleViolation, wording: Mapping[str, Wording] = WORDING
) -> tuple[str, str | None, str]:
    """The ``(message, code, type)`` for a violation."""
    code, message = wording[violation.rule.id]
    return message(violation), code, TYPE_BY_RULE.get(violation.rule.id, "invalid_request_error")
