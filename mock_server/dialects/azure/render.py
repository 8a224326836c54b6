"""Azure's error bodies: OpenAI's envelope in Azure's words; an unknown path is FastAPI's 404."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from mock_server import catalog
from mock_server.dialects.azure.messages import WORDING, word
from mock_server.dialects.openai.messages import FIELD_NAMES, Wording
from mock_server.dialects.openai.render import error_envelope
from mock_server.rules import protocol
from mock_server.rules.registry import RuleViolation


def error(
    violation: RuleViolation,
    wording: Mapping[str, Wording] = WORDING,
    names: Mapping[str, str] = FIELD_NAMES,
) -> dict[str, Any]:
    """A rule violation in Azure's envelope; a path it does not serve, as it answers one."""
    if violation.rule is protocol.ROUTE_NOT_FOUND:
        return dict(catalog.AZURE_UNKNOWN_PATH_BODY)
    message, code, error_type = word(violation, wording)
    param = None if violation.param is None else names.get(violation.param, violation.param)
    return error_envelope(message, error_type, param, code)
