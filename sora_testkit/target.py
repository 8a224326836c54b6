"""Where the client fixtures send their requests."""

from __future__ import annotations

import dataclasses


@dataclasses.dataclass(frozen=True)
class Target:
    """Where the client fixtures send requests: the mock, or a real deployment."""

    origin: str
    api_key: str
    is_mock: bool

    @property
    def base_url(self) -> str:
        """The OpenAI-style base URL (``.../v1``)."""
        return f"{self.origin}/v1"

    @property
    def azure_base_url(self) -> str:
        """The ``base_url`` of an Azure resource's v1 API (``.../openai/v1``)."""
        return f"{self.origin}/openai/v1"

    @property
    def headers(self) -> dict[str, str]:
        """The auth header a client sends."""
        return {"Authorization": f"Bearer {self.api_key}"}
