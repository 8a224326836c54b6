"""Clients that build their own HTTP client: an httpx transport, a requests adapter, and the
base URLs of the in-process mock and the live server."""

from __future__ import annotations

import pytest
import requests

from sora_testkit import SoraMock
from sora_testkit.routing import WSGIAdapter
from tests.conftest import AUTH, AppFactory


def test_a_requests_session_with_the_adapter_mounted(make_app: AppFactory) -> None:
    mock = SoraMock(make_app(progression="instant"))
    session = requests.Session()
    session.mount(mock.origin, WSGIAdapter(mock.app))
    made = session.post(f"{mock.origin}/v1/videos", json={"prompt": "x"}, headers=AUTH)
    assert made.status_code == 200 and made.reason == "OK"
    assert made.json()["status"] == "completed"
    video = session.get(f"{mock.origin}/v1/videos/{made.json()['id']}/content", headers=AUTH)
    assert video.headers["content-type"] == "video/mp4" and video.content[4:8] == b"ftyp"
    refused = session.post(f"{mock.origin}/v1/videos", json={"prompt": ""}, headers=AUTH)
    assert (refused.status_code, refused.reason) == (400, "Bad Request")
    assert refused.json()["error"]["message"]
    assert [e["status"] for e in mock.requests] == [200, 200, 400]


def test_the_fixtures_reach_clients_that_build_their_own(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        test_own="""
import asyncio

import httpx
import pytest
import requests


class Gateway:
    '''A client that builds its own HTTP client, as gateways do.'''

    def __init__(self, base_url, key, transport=None):
        self.http = httpx.Client(
            base_url=base_url, transport=transport, headers={"Authorization": f"Bearer {key}"}
        )

    def make(self, prompt):
        return self.http.post("/videos", json={"prompt": prompt}).json()


@pytest.mark.sora_mock(progression="instant")
def test_httpx_transport(sora_transport, sora_target, sora_mock):
    gateway = Gateway(sora_target.base_url, sora_target.api_key, transport=sora_transport)
    assert gateway.make("x")["status"] == "completed"
    assert len(sora_mock.requests.creates()) == 1


@pytest.mark.sora_mock(progression="instant")
def test_async_transport(sora_async_transport, sora_target):
    async def main():
        async with httpx.AsyncClient(
            base_url=sora_target.base_url, transport=sora_async_transport, headers=sora_target.headers
        ) as client:
            return (await client.post("/videos", json={"prompt": "x"})).json()

    assert asyncio.run(main())["status"] == "completed"


def test_requests_adapter(sora_requests_adapter, sora_target):
    session = requests.Session()
    session.mount(sora_target.origin, sora_requests_adapter)
    answer = session.post(
        sora_target.origin + "/api/v1/generateTask/sora-2-pro",
        json={"input": {"mode": "text-to-video", "prompt": "x"}},
        headers=sora_target.headers,
    )
    assert answer.json()["code"] == 200


@pytest.mark.sora_mock(progression="instant")
def test_live_target(sora_live_target, sora_mock):
    gateway = Gateway(sora_live_target.base_url, "sk-live")
    assert gateway.make("x")["status"] == "completed"
    assert sora_live_target.azure_base_url == sora_live_target.origin + "/openai/v1"
    assert sora_mock.requests[-1]["path"] == "/v1/videos"
"""
    )
    result = pytester.runpytest_subprocess(
        "-p", "no:cacheprovider", "-W", "ignore::DeprecationWarning"
    )
    result.assert_outcomes(passed=4)


def test_the_official_sdk_takes_the_transports(make_app: AppFactory) -> None:
    """SDK 3.x runs on httpx2 but takes an ``httpx`` client on a kit transport, sync and
    async, ``OpenAI`` and ``AzureOpenAI`` alike (the fixtures page)."""
    import asyncio

    import httpx
    import openai

    from sora_testkit import async_wsgi_transport, wsgi_transport

    mock = SoraMock(make_app(progression="instant"))
    # The SDK's hints name httpx2's clients; it takes httpx's at run time, which is the point.
    azure = openai.AzureOpenAI(  # type: ignore[call-overload]
        api_key="k",
        api_version="preview",
        azure_endpoint=mock.origin,
        http_client=httpx.Client(transport=wsgi_transport(mock.app)),
    )
    assert azure.videos.create(prompt="x", model="sora-2").status == "completed"
    native = openai.AsyncOpenAI(
        api_key="k",
        base_url=mock.base_url,
        http_client=httpx.AsyncClient(transport=async_wsgi_transport(mock.app)),  # type: ignore[arg-type]
    )
    assert asyncio.run(native.videos.create(prompt="y")).status == "completed"
    assert [(e["dialect"], e["status"]) for e in mock.requests] == [
        ("azure", 200),
        ("openai", 200),
    ]
