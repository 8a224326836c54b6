"""Models: the ones a client can discover with ``GET /v1/models`` (OpenAI's models API)."""

from __future__ import annotations

from collections.abc import Collection

from mock_server.rules.registry import RuleViolation, define

NOT_FOUND = define(
    "model.not_found",
    404,
    "GET /v1/models/{model} names a model the mock serves (on Azure's surfaces, a deployment "
    "of the resource).",
    "SPEC 1.4 [public: https://developers.openai.com/api/reference/resources/models; "
    "choice: the wording, OpenAI's model_not_found code]",
)


def check_known(model_id: str, known: Collection[str]) -> None:
    """``model_id`` is one of ``known``."""
    if model_id not in known:
        raise RuleViolation(NOT_FOUND, param="model", model=model_id)
