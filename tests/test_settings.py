"""Settings layering: defaults, then SORA_MOCK_* variables, then overrides."""

from __future__ import annotations

import pytest

from mock_server import create_app, state_of
from mock_server.settings import Settings, SettingsError, from_environment, load


def test_defaults() -> None:
    settings = load(environ={})
    assert settings.progression == "polls"
    assert settings.concurrent_jobs == 5
    assert settings.requests_per_minute == 0
    assert settings.api_keys == ()


def test_environment_then_overrides() -> None:
    environ = {
        "SORA_MOCK_PROGRESSION": "time",
        "SORA_MOCK_SPEED": "30",
        "SORA_MOCK_API_KEYS": "sk-a, sk-b",
        "SORA_MOCK_LENIENT_REFERENCE": "yes",
        "SORA_MOCK_CLOCK_START": "1700000000",
        "SORA_MOCK_CONTROL_TOKEN": "t",
        "UNRELATED": "1",
    }
    settings = load({"speed": 2.5, "TESTING": True}, environ=environ)
    assert settings.progression == "time"
    assert settings.speed == 2.5
    assert settings.api_keys == ("sk-a", "sk-b")
    assert settings.lenient_reference is True
    assert settings.clock_start == 1_700_000_000.0
    assert settings.control_token == "t"
    assert settings.extra == {"TESTING": True}


def test_app_reads_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SORA_MOCK_CONCURRENT_JOBS", "2")
    app = create_app({"background_worker": False})
    assert state_of(app).settings.concurrent_jobs == 2
    assert create_app({"concurrent_jobs": 7, "background_worker": False}).extensions


def test_a_settings_object_is_taken_as_it_is() -> None:
    given = Settings(progression="manual")
    assert load(given, environ={"SORA_MOCK_PROGRESSION": "time"}) is given


def test_two_apps_share_nothing() -> None:
    one = create_app({"background_worker": False})
    two = create_app({"background_worker": False})
    assert state_of(one).store is not state_of(two).store
    assert state_of(one).clock is not state_of(two).clock


@pytest.mark.parametrize(
    ("environ", "message"),
    [
        (
            {"SORA_MOCK_PROGRESSION": "warp"},
            "progression must be one of instant, polls, time, manual",
        ),
        ({"SORA_MOCK_SPEED": "fast"}, "SORA_MOCK_SPEED must be a number"),
        ({"SORA_MOCK_SPEED": "0"}, "speed must be positive"),
        ({"SORA_MOCK_LENIENT_REFERENCE": "maybe"}, "SORA_MOCK_LENIENT_REFERENCE must be a boolean"),
        (
            {"SORA_MOCK_VALIDATE_RESPONSES": "loud"},
            "validate_responses must be one of error, warn, ignore",
        ),
        ({"SORA_MOCK_POLL_STEPS": "0"}, "poll_steps must be at least 1"),
        ({"SORA_MOCK_CONCURRENT_JOBS": "-1"}, "limits must be zero (no limit) or positive"),
        (
            {"SORA_MOCK_WEBHOOK_SECRET": "s3cret"},
            "webhook_secret must be whsec_ followed by base64",
        ),
        (
            {"SORA_MOCK_WEBHOOK_SECRET": "whsec_"},
            "webhook_secret must be whsec_ followed by base64",
        ),
        (
            {"SORA_MOCK_WEBHOOK_URLS": "http://127.0.0.1:9/ok,ftp://files.example.com/x"},
            "webhook URL must be an http:// or https:// URL with a host, not 'ftp://files.example.com/x'",
        ),
    ],
)
def test_bad_values_are_refused_with_a_clear_message(environ: dict[str, str], message: str) -> None:
    with pytest.raises(SettingsError, match=message.replace("(", r"\(").replace(")", r"\)")):
        load(environ=environ)


def test_only_named_variables_are_read() -> None:
    assert from_environment({"SORA_MOCK_EXTRA": "x", "SORA_MOCK_NOPE": "1"}) == {}


def test_the_public_types_the_readme_names_are_exported() -> None:
    import sora_testkit
    from sora_testkit.assertions import ContractViolationError
    from sora_testkit.live import LiveServer
    from sora_testkit.mock import AssetRef, SoraMock
    from sora_testkit.target import Target

    exported = {name: getattr(sora_testkit, name) for name in sora_testkit.__all__}
    for public in (SoraMock, AssetRef, Target, LiveServer, ContractViolationError):
        assert exported[public.__name__] is public
