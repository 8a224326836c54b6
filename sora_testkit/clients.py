"""Clients of the official SDK and httpx wired to an app in-process."""

from __future__ import annotations

import importlib
from types import ModuleType
from typing import TYPE_CHECKING, Any

import httpx

from sora_testkit.transports import async_wsgi_transport, wsgi_transport

if TYPE_CHECKING:
    import openai

#: The origin in-process clients use; no socket is ever opened to it.
IN_PROCESS_ORIGIN = "http://sora-mock.test"
DEFAULT_KEY = "sk-test-sora-mock"
#: The ``api-version`` the ``AzureOpenAI`` clients send (Azure's docs use it for video).
AZURE_API_VERSION = "preview"


def sdk_http_module() -> ModuleType:
    """The HTTP library the installed ``openai`` SDK runs on: ``httpx2`` (3.x) or ``httpx``."""
    try:
        importlib.import_module("openai._httpx2")
        return importlib.import_module("httpx2")
    except ImportError:
        return httpx


def httpx_client(app: Any, *, base_url: str = IN_PROCESS_ORIGIN, **kwargs: Any) -> httpx.Client:
    """An ``httpx.Client`` that calls ``app`` in-process."""
    return httpx.Client(transport=wsgi_transport(app), base_url=base_url, **kwargs)


def async_httpx_client(
    app: Any, *, base_url: str = IN_PROCESS_ORIGIN, **kwargs: Any
) -> httpx.AsyncClient:
    """An ``httpx.AsyncClient`` that calls ``app`` in-process."""
    return httpx.AsyncClient(transport=async_wsgi_transport(app), base_url=base_url, **kwargs)


def openai_client(
    app: Any,
    *,
    api_key: str = DEFAULT_KEY,
    max_retries: int = 2,
    base_path: str = "/v1",
    **kwargs: Any,
) -> openai.OpenAI:
    """An ``openai.OpenAI`` whose every request goes to ``app`` in-process (``base_path``
    ``/openai/v1`` gives the client an Azure resource's base URL)."""
    import openai

    http = sdk_http_module()
    return openai.OpenAI(
        api_key=api_key,
        base_url=f"{IN_PROCESS_ORIGIN}{base_path}",
        http_client=http.Client(transport=wsgi_transport(app, http=http)),
        max_retries=max_retries,
        **kwargs,
    )


def async_openai_client(
    app: Any, *, api_key: str = DEFAULT_KEY, max_retries: int = 2, **kwargs: Any
) -> openai.AsyncOpenAI:
    """An ``openai.AsyncOpenAI`` whose every request goes to ``app`` in-process."""
    import openai

    http = sdk_http_module()
    return openai.AsyncOpenAI(
        api_key=api_key,
        base_url=f"{IN_PROCESS_ORIGIN}/v1",
        http_client=http.AsyncClient(transport=async_wsgi_transport(app, http=http)),
        max_retries=max_retries,
        **kwargs,
    )


def azure_openai_client(
    app: Any,
    *,
    api_key: str = DEFAULT_KEY,
    api_version: str = AZURE_API_VERSION,
    max_retries: int = 2,
    **kwargs: Any,
) -> openai.AzureOpenAI:
    """An ``openai.AzureOpenAI`` (``api-key`` header, ``/openai/...?api-version=``) whose every
    request goes to ``app`` in-process."""
    import openai

    http = sdk_http_module()
    return openai.AzureOpenAI(
        api_key=api_key,
        azure_endpoint=IN_PROCESS_ORIGIN,
        api_version=api_version,
        http_client=http.Client(transport=wsgi_transport(app, http=http)),
        max_retries=max_retries,
        **kwargs,
    )
