"""sora-testkit: what a test suite imports to test Sora 2 API clients against the mock."""

from sora_testkit.assertions import (
    CarelessClientError,
    ContractViolationError,
    PrematureReadError,
)
from sora_testkit.client_clock import ClientClock, client_clock
from sora_testkit.clients import (
    async_httpx_client,
    async_openai_client,
    azure_openai_client,
    httpx_client,
    openai_client,
)
from sora_testkit.live import LiveServer
from sora_testkit.mock import AssetRef, SoraMock
from sora_testkit.receiver import Receiver
from sora_testkit.target import Target
from sora_testkit.transports import (
    AsyncWSGITransport,
    async_wsgi_transport,
    pep3333_paths,
    wsgi_transport,
)

__all__ = [
    "AssetRef",
    "AsyncWSGITransport",
    "CarelessClientError",
    "ClientClock",
    "ContractViolationError",
    "LiveServer",
    "PrematureReadError",
    "Receiver",
    "SoraMock",
    "Target",
    "async_httpx_client",
    "async_openai_client",
    "async_wsgi_transport",
    "azure_openai_client",
    "client_clock",
    "httpx_client",
    "openai_client",
    "pep3333_paths",
    "wsgi_transport",
]
