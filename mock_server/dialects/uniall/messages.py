"""UniAll words its errors as OpenAI does (same envelope, SPEC 2); only field names differ."""

from __future__ import annotations

from collections.abc import Mapping

from mock_server.dialects.openai.messages import Wording, wording_for

#: Wire names of the neutral fields on the UniAll endpoint.
FIELD_NAMES: Mapping[str, str] = {
    "input_reference": "image_url",
    "input_reference.url": "image_url",
}

WORDING: dict[str, Wording] = wording_for(FIELD_NAMES)
