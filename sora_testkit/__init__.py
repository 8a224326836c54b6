"""sora-testkit: what a test suite imports to test Sora 2 API clients against the mock.

The names below are imported on first use: the pytest plugin is loaded by every pytest run
where the package is installed, and a run that never asks for the kit does not load the mock.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from mock_server.lazy import lazy_attributes
from mock_server.version import __version__ as __version__

# ``client_clock`` names both a submodule and the function it exports. Imported here (it is
# light), the package's ``client_clock`` is the function; imported on first use, loading the
# submodule would bind the name to the module.
from sora_testkit.client_clock import ClientClock, client_clock

if TYPE_CHECKING:
    from sora_testkit.assertions import (
        CarelessClientError,
        ContractViolationError,
        PrematureReadError,
    )
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
    from sora_testkit.runaway import ClientNeverStopped, LoopLimits, RunawayClient
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
    "ClientNeverStopped",
    "ContractViolationError",
    "LiveServer",
    "LoopLimits",
    "PrematureReadError",
    "Receiver",
    "RunawayClient",
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

#: Where each public name lives.
_HOMES = {
    "AssetRef": "sora_testkit.mock",
    "AsyncWSGITransport": "sora_testkit.transports",
    "CarelessClientError": "sora_testkit.assertions",
    "ClientNeverStopped": "sora_testkit.runaway",
    "ContractViolationError": "sora_testkit.assertions",
    "LiveServer": "sora_testkit.live",
    "LoopLimits": "sora_testkit.runaway",
    "PrematureReadError": "sora_testkit.assertions",
    "Receiver": "sora_testkit.receiver",
    "RunawayClient": "sora_testkit.runaway",
    "SoraMock": "sora_testkit.mock",
    "Target": "sora_testkit.target",
    "async_httpx_client": "sora_testkit.clients",
    "async_openai_client": "sora_testkit.clients",
    "async_wsgi_transport": "sora_testkit.transports",
    "azure_openai_client": "sora_testkit.clients",
    "httpx_client": "sora_testkit.clients",
    "openai_client": "sora_testkit.clients",
    "pep3333_paths": "sora_testkit.transports",
    "wsgi_transport": "sora_testkit.transports",
}


__getattr__ = lazy_attributes(__name__, _HOMES)
