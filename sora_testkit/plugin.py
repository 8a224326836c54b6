"""The pytest plugin: fixtures, the ``sora_mock`` marker and ``--sora-*`` options.

Loaded through the ``pytest11`` entry point, so installing the package is all the set-up. Each
test that asks for ``sora_mock`` (or a client fixture) gets a fresh mock, with the settings of
its marker on top of the command line's. With ``--sora-base-url`` the client fixtures point at a
real deployment instead, and tests that steer the mock are skipped: one test body checks both.

Every pytest run where the package is installed loads this module, so it imports the mock, the
SDK and the HTTP clients only inside the fixtures that use them: a run that never asks for the
kit does not pay for loading them.
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import pytest

from mock_server import catalog
from sora_testkit.target import Target

if TYPE_CHECKING:
    import httpx
    import openai
    from flask import Flask

    from mock_server.settings import Settings
    from sora_testkit.live import LiveServer
    from sora_testkit.mock import SoraMock
    from sora_testkit.receiver import Receiver
    from sora_testkit.routing import WSGIAdapter

MARKER = "sora_mock"
#: What a test's mock runs with unless its marker or the command line says otherwise.
TEST_DEFAULTS: dict[str, Any] = {"progression": "polls", "validate_responses": "warn"}


@functools.cache
def _setting_names() -> frozenset[str]:
    """The names a marker may set: the fields of ``mock_server.Settings``."""
    from mock_server.settings import Settings

    return frozenset(f.name for f in dataclasses.fields(Settings)) - {"extra"}


#: Where the plain client calls an Azure resource.
AZURE_V1_PATH = catalog.AZURE_V1_PREFIX


def pytest_addoption(parser: pytest.Parser) -> None:
    """The ``--sora-*`` options, in their own group."""
    group = parser.getgroup("sora-testkit", "Sora 2 API mock (sora-testkit)")
    group.addoption(
        "--sora-progression",
        choices=("instant", "polls", "time", "manual"),
        help="how mock jobs advance (default: polls)",
    )
    group.addoption("--sora-speed", type=float, help="time mode: divide real durations by this")
    group.addoption(
        "--sora-validate-responses",
        choices=("error", "warn", "ignore"),
        help="hold the mock's responses to their contracts (default: warn)",
    )
    group.addoption(
        "--sora-base-url",
        help="run the client fixtures against this real deployment (origin, without /v1); "
        "tests that steer the mock are skipped",
    )
    group.addoption(
        "--sora-api-key", default=None, help="the API key for --sora-base-url (or the mock's)"
    )
    group.addoption(
        "--sora-client-clock",
        action="store_true",
        default=False,
        help="run the code under test on the mock clock: its sleeps advance the mock, its "
        "clocks read it (per test: @pytest.mark.sora_mock(client_clock=True))",
    )


#: The SDK's warning on every videos call, filtered so that a suite's summary stays readable.
SDK_SHUTDOWN_WARNING = (
    "ignore:The Sora API is scheduled to permanently shut down:DeprecationWarning"
)


def pytest_configure(config: pytest.Config) -> None:
    """Register the marker, and filter the SDK's per-call shutdown warning."""
    config.addinivalue_line("filterwarnings", SDK_SHUTDOWN_WARNING)
    config.addinivalue_line(
        "markers",
        f"{MARKER}(**settings): settings of this test's mock, e.g. "
        f"@pytest.mark.{MARKER}(progression='instant', concurrent_jobs=2). Names are those of "
        "mock_server.Settings.",
    )


#: What every test's jobs would have cost, by dialect: [jobs, dollars].
LEDGER_KEY = pytest.StashKey[dict[str, list[float]]]()


def _ledger(config: pytest.Config) -> dict[str, list[float]]:
    return config.stash.setdefault(LEDGER_KEY, {})


def _book(config: pytest.Config, mock: SoraMock) -> None:
    """Add a test's jobs to the session's ledger."""
    ledger = _ledger(config)
    for dialect, dollars in mock.state.service.ledger:
        entry = ledger.setdefault(dialect, [0, 0.0])
        entry[0] += 1
        entry[1] += dollars


def cost_line(ledger: dict[str, list[float]]) -> str | None:
    """The session's one line: jobs per dialect and what they would have cost."""
    if not ledger:
        return None
    jobs = int(sum(count for count, _ in ledger.values()))
    dollars = sum(spent for _, spent in ledger.values())
    per_dialect = ", ".join(
        f"{dialect} {int(count)}" for dialect, (count, _) in sorted(ledger.items())
    )
    return (
        f"sora-testkit: {jobs} mock job(s) ({per_dialect}) would have cost ${dollars:,.2f} on "
        "the real service"
    )


#: The ledger's entry for the jobs a ``--sora-base-url`` run made on the real service.
REAL = "real service"


def video_price(body: Any) -> float | None:
    """What a Video object the real service answered a create with costs, or ``None``."""
    if not isinstance(body, dict) or body.get("object") != "video":
        return None
    try:
        width, height = catalog.parse_size(str(body["size"]))
        return catalog.price_of(str(body["model"]), width, height, int(body["seconds"]))
    except (KeyError, ValueError):
        return None


def _bill_real(config: pytest.Config, response: Any) -> None:
    """Book a job the real service made for one of the client fixtures."""
    if response.request.method != "POST" or response.status_code != 200:
        return
    try:
        dollars = video_price(response.json())
    except ValueError:
        return
    if dollars is not None:
        entry = _ledger(config).setdefault(REAL, [0, 0.0])
        entry[0] += 1
        entry[1] += dollars


def real_http_client(config: pytest.Config, *, asynchronous: bool = False) -> Any:
    """The SDK's HTTP client for ``--sora-base-url``, booking each job the service makes."""
    from sora_testkit.clients import sdk_http_module

    http = sdk_http_module()
    if asynchronous:

        async def abook(response: Any) -> None:
            await response.aread()
            _bill_real(config, response)

        return http.AsyncClient(event_hooks={"response": [abook]})

    def book(response: Any) -> None:
        response.read()
        _bill_real(config, response)

    return http.Client(event_hooks={"response": [book]})


def pytest_terminal_summary(terminalreporter: Any, config: pytest.Config) -> None:
    """One line at the end of the run: what the session's jobs cost, or would have."""
    ledger = dict(_ledger(config))
    real = ledger.pop(REAL, None)
    line = cost_line(ledger)
    if line is not None:
        terminalreporter.write_line(line)
    if real is not None:
        terminalreporter.write_line(
            f"sora-testkit: {int(real[0])} job(s) made on the real service (--sora-base-url) "
            f"cost about ${real[1]:,.2f} at the published prices"
        )


#: Marker arguments that steer the kit rather than the server.
KIT_OPTIONS = frozenset({"client_clock", "max_job_reads", "max_sleep"})
#: Whether a test's call phase passed (the guard's teardown check reads it).
_CALL_PASSED = pytest.StashKey[bool]()


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Any:
    """Note whether the test's call passed, for the guard's check at teardown; a kit part
    that needs a package of the ``kit`` extra reports one line that says how to install it."""
    report = yield
    if report.when == "call":
        item.stash[_CALL_PASSED] = report.passed
    if call.excinfo is not None and report.failed:
        from sora_testkit.extras import explain_missing

        line = explain_missing(call.excinfo.value, call.excinfo.tb)
        if line is not None:
            report.longrepr = line
    return report


def marker_settings(**settings: Any) -> dict[str, Any]:
    """Check a marker's arguments: each must name a setting (or a kit option, dropped here)."""
    names = _setting_names()
    unknown = sorted(set(settings) - names - KIT_OPTIONS)
    if unknown:
        raise TypeError(
            f"unknown {MARKER} setting(s): {', '.join(unknown)}; "
            f"known: {', '.join(sorted(names | KIT_OPTIONS))}"
        )
    return {name: value for name, value in settings.items() if name not in KIT_OPTIONS}


def _client_clock_wanted(request: pytest.FixtureRequest) -> bool:
    """The marker's ``client_clock`` (the nearest wins), else ``--sora-client-clock``."""
    for marker in request.node.iter_markers(MARKER):
        if "client_clock" in marker.kwargs:
            return bool(marker.kwargs["client_clock"])
    return bool(request.config.getoption("sora_client_clock"))


def _loop_limits(request: pytest.FixtureRequest) -> dict[str, Any]:
    """The marker's ``max_job_reads`` and ``max_sleep`` (the nearest wins)."""
    found: dict[str, Any] = {}
    for marker in request.node.iter_markers(MARKER):
        for name in ("max_job_reads", "max_sleep"):
            if name in marker.kwargs:
                found.setdefault(name, marker.kwargs[name])
    return found


def _check_the_guard(request: pytest.FixtureRequest, mock: SoraMock) -> None:
    """Fail a test that passed although its client caught ``ClientNeverStopped`` and went on."""
    guard = mock.guard
    if guard.raised > 1 and request.node.stash.get(_CALL_PASSED, False):
        pytest.fail(
            f"{guard.tripped} The client caught ClientNeverStopped {guard.raised} times and "
            "carried on.",
            pytrace=False,
        )


def _command_line_settings(config: pytest.Config) -> dict[str, Any]:
    found = {
        "progression": config.getoption("sora_progression"),
        "speed": config.getoption("sora_speed"),
        "validate_responses": config.getoption("sora_validate_responses"),
    }
    return {**TEST_DEFAULTS, **{k: v for k, v in found.items() if v is not None}}


@pytest.fixture(scope="session")
def sora_target(pytestconfig: pytest.Config) -> Target:
    """Where client fixtures point: the mock (in-process origin) or ``--sora-base-url``."""
    from sora_testkit.clients import DEFAULT_KEY, IN_PROCESS_ORIGIN

    real = pytestconfig.getoption("sora_base_url")
    key = pytestconfig.getoption("sora_api_key")
    if real:
        if not key:
            raise pytest.UsageError("--sora-base-url needs --sora-api-key")
        return Target(real.rstrip("/"), key, is_mock=False)
    return Target(IN_PROCESS_ORIGIN, key or DEFAULT_KEY, is_mock=True)


@pytest.fixture(scope="session")
def sora_app(pytestconfig: pytest.Config) -> Iterator[Flask]:
    """The session's mock app; each test gets a fresh state in it (see ``sora_mock``)."""
    from mock_server import create_app, state_of

    app = create_app(_command_line_settings(pytestconfig))
    yield app
    state_of(app).close()


@pytest.fixture
def sora_settings(request: pytest.FixtureRequest, pytestconfig: pytest.Config) -> Settings:
    """This test's mock settings: defaults, then ``--sora-*`` options, then the marker."""
    from mock_server.settings import Settings, SettingsError

    values = _command_line_settings(pytestconfig)
    for marker in reversed(list(request.node.iter_markers(MARKER))):
        if marker.args:
            raise pytest.UsageError(f"@pytest.mark.{MARKER} takes keyword arguments only")
        try:
            values.update(marker_settings(**marker.kwargs))
        except TypeError as exc:
            raise pytest.UsageError(str(exc)) from exc
    try:
        return Settings(**values)
    except (SettingsError, TypeError) as exc:
        raise pytest.UsageError(f"@pytest.mark.{MARKER}: {exc}") from exc


@pytest.fixture
def sora_mock(
    request: pytest.FixtureRequest, sora_target: Target, sora_app: Flask, sora_settings: Settings
) -> Iterator[SoraMock]:
    """A fresh mock for this test, with its controls, journals and assertions; with
    ``client_clock`` on, the test's code runs on the mock clock until the test ends. A client
    that never stops is stopped by the guard (``max_job_reads``, ``max_sleep`` on the marker).

    Skips the test when ``--sora-base-url`` points the suite at a real deployment.
    """
    from sora_testkit.mock import SoraMock

    if not sora_target.is_mock:
        pytest.skip("steers the mock; skipped against a real deployment (--sora-base-url)")
    mock = SoraMock.fresh(sora_app, sora_settings, api_key=sora_target.api_key)
    try:
        mock.limit_loops(**_loop_limits(request))
    except ValueError as exc:
        raise pytest.UsageError(f"@pytest.mark.{MARKER}: {exc}") from exc
    try:
        if not _client_clock_wanted(request):
            yield mock
        else:
            with mock.client_clock():
                yield mock
        _check_the_guard(request, mock)
    finally:
        mock.guard.disarm()
        _book(request.config, mock)


def _fresh_if_mock(request: pytest.FixtureRequest, target: Target) -> SoraMock | None:
    """The test's mock, made fresh, unless the suite runs against a real deployment."""
    if not target.is_mock:
        return None
    mock: SoraMock = request.getfixturevalue("sora_mock")
    return mock


@pytest.fixture
def sora_openai(request: pytest.FixtureRequest, sora_target: Target) -> Iterator[openai.OpenAI]:
    """An ``openai.OpenAI``: in-process on a fresh mock, or on ``--sora-base-url``."""
    import openai

    mock = _fresh_if_mock(request, sora_target)
    client = (
        mock.openai_client()
        if mock
        else openai.OpenAI(
            api_key=sora_target.api_key,
            base_url=sora_target.base_url,
            http_client=real_http_client(request.config),
        )
    )
    with client:
        yield client


@pytest.fixture
def sora_azure_openai(
    request: pytest.FixtureRequest, sora_target: Target
) -> Iterator[openai.AzureOpenAI]:
    """An ``openai.AzureOpenAI`` (``api-key`` header, ``/openai/videos?api-version=preview``):
    in-process on a fresh mock, or on ``--sora-base-url`` taken as the Azure endpoint."""
    import openai

    from sora_testkit.clients import AZURE_API_VERSION

    mock = _fresh_if_mock(request, sora_target)
    client = (
        mock.azure_openai_client()
        if mock
        else openai.AzureOpenAI(
            api_key=sora_target.api_key,
            azure_endpoint=sora_target.origin,
            api_version=AZURE_API_VERSION,
            http_client=real_http_client(request.config),
        )
    )
    with client:
        yield client


@pytest.fixture
def sora_azure_v1_openai(
    request: pytest.FixtureRequest, sora_target: Target
) -> Iterator[openai.OpenAI]:
    """An ``openai.OpenAI`` on an Azure resource's v1 API (``base_url`` ``.../openai/v1``):
    in-process on a fresh mock, or on ``--sora-base-url``'s origin."""
    import openai

    mock = _fresh_if_mock(request, sora_target)
    client = (
        mock.openai_client(base_path=AZURE_V1_PATH)
        if mock
        else openai.OpenAI(
            api_key=sora_target.api_key,
            base_url=sora_target.origin + AZURE_V1_PATH,
            http_client=real_http_client(request.config),
        )
    )
    with client:
        yield client


@pytest.fixture
def sora_async_openai(request: pytest.FixtureRequest, sora_target: Target) -> openai.AsyncOpenAI:
    """An ``openai.AsyncOpenAI``: in-process on a fresh mock, or on ``--sora-base-url``.

    A plain fixture, so it works with whichever async test plugin the suite uses.
    """
    import openai

    mock = _fresh_if_mock(request, sora_target)
    if mock is not None:
        return mock.async_openai_client()
    return openai.AsyncOpenAI(
        api_key=sora_target.api_key,
        base_url=sora_target.base_url,
        http_client=real_http_client(request.config, asynchronous=True),
    )


@pytest.fixture
def sora_httpx(request: pytest.FixtureRequest, sora_target: Target) -> Iterator[httpx.Client]:
    """An ``httpx.Client`` with ``base_url`` at the target's origin and the auth header."""
    import httpx

    mock = _fresh_if_mock(request, sora_target)
    client = (
        mock.httpx_client()
        if mock
        else httpx.Client(base_url=sora_target.origin, headers=sora_target.headers)
    )
    with client:
        yield client


@pytest.fixture
def sora_requests(request: pytest.FixtureRequest, sora_target: Target) -> Iterator[Target]:
    """Routes ``requests`` calls to the target's origin into a fresh mock, in-process.

    Yields the target: build your client with ``sora_requests.origin`` (or ``.base_url``) and
    ``.headers``. Against a real deployment nothing is routed.
    """
    mock = _fresh_if_mock(request, sora_target)
    if mock is None:
        yield sora_target
        return
    from sora_testkit.routing import routed_requests

    with routed_requests(mock.app, sora_target.origin):
        yield sora_target


@pytest.fixture
def sora_receiver(request: pytest.FixtureRequest, sora_mock: SoraMock) -> Iterator[Receiver]:
    """A receiver of this test's mock's webhooks (pointed at it) and callbacks (pass
    ``sora_receiver.callback_url``): in process, or on loopback when the test uses the live
    server. Script its answers with ``answer(500, 500)``; read ``webhooks()``, ``callbacks()``
    and ``verified_webhooks()``."""
    from sora_testkit.receiver import Receiver

    live = {"sora_live_url", "sora_live_server"} & set(request.fixturenames)
    receiver = Receiver()
    if live:
        receiver.serve()
    receiver.attach(sora_mock.state)
    sora_mock.on_reset(receiver.attach)
    yield receiver
    receiver.close()


@pytest.fixture(scope="session")
def sora_live_server(sora_app: Flask) -> Iterator[LiveServer]:
    """The session's mock served over real HTTP on an ephemeral loopback port."""
    from sora_testkit.live import LiveServer

    with LiveServer(sora_app) as server:
        yield server


@pytest.fixture
def sora_transport(sora_mock: SoraMock) -> Any:
    """An ``httpx`` transport that answers from this test's mock in-process, for a client that
    builds its own ``httpx.Client(transport=..., base_url=sora_target.base_url)``."""
    from sora_testkit.transports import wsgi_transport

    return wsgi_transport(sora_mock.app)


@pytest.fixture
def sora_async_transport(sora_mock: SoraMock) -> Any:
    """The same for ``httpx.AsyncClient``."""
    from sora_testkit.transports import async_wsgi_transport

    return async_wsgi_transport(sora_mock.app)


@pytest.fixture
def sora_requests_adapter(sora_mock: SoraMock) -> WSGIAdapter:
    """A ``requests`` adapter that answers from this test's mock in-process, for a client that
    builds its own session: ``session.mount(sora_target.origin, sora_requests_adapter)``."""
    from sora_testkit.routing import WSGIAdapter

    return WSGIAdapter(sora_mock.app)


@pytest.fixture
def sora_live_target(request: pytest.FixtureRequest, sora_target: Target) -> Target:
    """Like ``sora_target``, at the live server's origin (``origin``, ``base_url`` with
    ``/v1``, ``azure_base_url``, ``headers``): a fresh mock over real HTTP."""
    origin: str = request.getfixturevalue("sora_live_url")
    return dataclasses.replace(sora_target, origin=origin)


@pytest.fixture
def sora_live_url(request: pytest.FixtureRequest, sora_target: Target) -> str:
    """An origin to hand a black-box client: a live server on a fresh mock, or the real one."""
    if not sora_target.is_mock:
        return sora_target.origin
    request.getfixturevalue("sora_mock")
    server: LiveServer = request.getfixturevalue("sora_live_server")
    return server.url
