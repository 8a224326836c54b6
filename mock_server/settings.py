"""Server settings, layered: defaults, then ``SORA_MOCK_*`` environment variables, then overrides.

Overrides come from the CLI's flags or a test's config mapping. Every field can be set through
the environment as ``SORA_MOCK_<FIELD NAME IN UPPER CASE>``; tuples take comma-separated values.
"""

from __future__ import annotations

import base64
import binascii
import dataclasses
import os
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from typing import Any

from mock_server import catalog
from mock_server.client_urls import allowed_host_names, delivery_refusal, parse_client_url

ENV_PREFIX = "SORA_MOCK_"

DEFAULT_WEBHOOK_SECRET = catalog.DEFAULT_WEBHOOK_SECRET

VALIDATION_MODES = ("error", "warn", "ignore")


class SettingsError(ValueError):
    """A setting has a value the server cannot use."""


@dataclass(frozen=True)
class Settings:
    """Everything that changes how the mock behaves. Immutable: replace, don't mutate."""

    #: How jobs advance: ``instant``, ``polls``, ``time`` or ``manual`` (SPEC 5.1).
    progression: str = "polls"
    #: ``time`` mode divides the real generation times by this factor.
    speed: float = 1.0
    #: Where the mock clock starts, in unix seconds; ``None`` starts at the wall clock.
    clock_start: float | None = None
    #: Status reads a job takes in ``polls`` mode.
    poll_steps: int = catalog.POLL_STEPS
    #: API keys accepted; empty accepts any key (but a key is still required).
    api_keys: tuple[str, ...] = ()
    #: Limits of the OpenAI-native and UniAll dialects, per key (see each dialect's limit group).
    concurrent_jobs: int = catalog.DEFAULT_CONCURRENT_JOBS
    requests_per_minute: int = catalog.DEFAULT_REQUESTS_PER_MINUTE
    #: Limits of the generateTask dialect, per key (seed 004).
    generatetask_concurrent_jobs: int = catalog.GT_CONCURRENT_TASKS
    generatetask_requests_per_minute: int = catalog.GT_REQUESTS_PER_MINUTE
    #: Seconds a generateTask result URL stays valid: seed 004's 15 days; the provider's page
    #: says 24 hours (86400).
    generatetask_result_lifetime: int = catalog.GT_RESULT_LIFETIME_SECONDS
    #: Limits of the Azure dialects: unfinished jobs per deployment, job requests per minute.
    azure_concurrent_jobs: int = catalog.AZURE_CONCURRENT_JOBS
    azure_requests_per_minute: int = catalog.AZURE_REQUESTS_PER_MINUTE
    #: Azure deployments, each ``NAME=MODEL`` (``sora-2``, ``sora-2-pro`` or ``sora``).
    azure_deployments: tuple[str, ...] = ()
    #: Deploy ``sora-2``, ``sora-2-pro`` and ``sora`` under their own names as well.
    azure_default_deployments: bool = True
    #: Serve UniAll's sora2-pro-true-1080p model.
    uniall_true_1080p: bool = False
    #: Accept a reference of the wrong size and fail the job later (seed 000's providers).
    lenient_reference: bool = False
    max_reference_bytes: int = catalog.REFERENCE_MAX_BYTES
    #: URLs that receive ``video.completed`` / ``video.failed`` webhooks.
    webhook_urls: tuple[str, ...] = ()
    webhook_secret: str = DEFAULT_WEBHOOK_SECRET
    #: Hosts callbacks and webhooks may be delivered to, besides loopback.
    allowed_hosts: tuple[str, ...] = ()
    #: The ``/_mock/`` control API; ``control_token`` then requires ``x-sora-mock-token``.
    control_api: bool = True
    control_token: str | None = None
    #: Check every response the server sends against its contract.
    validate_responses: str = "ignore"
    #: Entries kept in the request journal.
    journal_size: int = 1000
    #: Run the background worker that settles timed jobs and delivers webhooks.
    background_worker: bool = True
    #: Seconds a connection may stay silent while a request is read (served over HTTP).
    read_timeout: float = catalog.DEFAULT_READ_TIMEOUT_SECONDS
    #: Base URL the server is reached at, for URLs it hands out; ``None`` uses the request's.
    public_base_url: str | None = None
    #: A SQLite file that keeps every job and all state, shared by the processes that open it;
    #: ``None`` keeps memory.
    db: str | None = None
    #: Extra keys tests may set on the Flask config.
    extra: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.progression not in catalog.PROGRESSIONS:
            raise SettingsError(
                f"progression must be one of {', '.join(catalog.PROGRESSIONS)}, "
                f"not {self.progression!r}"
            )
        if self.speed <= 0:
            raise SettingsError(f"speed must be positive, not {self.speed!r}")
        if self.read_timeout <= 0:
            raise SettingsError(f"read_timeout must be positive, not {self.read_timeout!r}")
        if self.generatetask_result_lifetime < 1:
            raise SettingsError(
                "generatetask_result_lifetime must be a positive number of seconds, not "
                f"{self.generatetask_result_lifetime!r}"
            )
        if self.poll_steps < 1:
            raise SettingsError(f"poll_steps must be at least 1, not {self.poll_steps!r}")
        limits = (
            self.concurrent_jobs,
            self.requests_per_minute,
            self.generatetask_concurrent_jobs,
            self.generatetask_requests_per_minute,
            self.azure_concurrent_jobs,
            self.azure_requests_per_minute,
        )
        if any(limit < 0 for limit in limits):
            raise SettingsError("limits must be zero (no limit) or positive")
        if self.validate_responses not in VALIDATION_MODES:
            raise SettingsError(
                f"validate_responses must be one of {', '.join(VALIDATION_MODES)}, "
                f"not {self.validate_responses!r}"
            )
        if not is_webhook_secret(self.webhook_secret):
            raise SettingsError(
                "webhook_secret must be whsec_ followed by base64 (the Standard Webhooks "
                "form the SDK's webhooks.unwrap expects), such as "
                f"{catalog.DEFAULT_WEBHOOK_SECRET}"
            )
        self.deployments()  # each entry is checked once, here
        for url in self.webhook_urls:
            if parse_client_url(url) is None:
                raise SettingsError(
                    f"webhook URL must be an http:// or https:// URL with a host, not {url!r}"
                )
            refusal = delivery_refusal(url, allowed_host_names(self.allowed_hosts))
            if refusal is not None:
                raise SettingsError(f"webhook URL {url!r} can never be delivered: {refusal}")

    def deployments(self) -> dict[str, str]:
        """Azure deployment names and the model each runs (the defaults, then the entries)."""
        found = dict(catalog.AZURE_DEFAULT_DEPLOYMENTS) if self.azure_default_deployments else {}
        for entry in self.azure_deployments:
            name, sep, model = (part.strip() for part in entry.partition("="))
            if not sep or not name or model not in catalog.AZURE_DEPLOYABLE_MODELS:
                raise SettingsError(
                    f"azure deployment {entry!r} must be NAME=MODEL with MODEL one of "
                    f"{', '.join(catalog.AZURE_DEPLOYABLE_MODELS)}"
                )
            found[name] = model
        return found

    def replace(self, **changes: Any) -> Settings:
        """Return a copy with some fields changed (validated again)."""
        return dataclasses.replace(self, **changes)


def is_webhook_secret(secret: str) -> bool:
    """Whether a secret has the Standard Webhooks form: ``whsec_`` and non-empty base64."""
    prefix = catalog.WEBHOOK_SECRET_PREFIX
    if not secret.startswith(prefix) or len(secret) == len(prefix):
        return False
    try:
        base64.b64decode(secret[len(prefix) :], validate=True)
    except (binascii.Error, ValueError):
        return False
    return True


#: Settings whose value may be absent; an empty environment variable means "not set".
_OPTIONAL_NUMBERS = frozenset({"clock_start"})


def _coerce(name: str, raw: str, default: Any) -> Any:
    """Turn an environment string into the type of the field's default."""
    variable = ENV_PREFIX + name.upper()
    if isinstance(default, bool):
        lowered = raw.strip().lower()
        if lowered in ("1", "true", "yes", "on"):
            return True
        if lowered in ("0", "false", "no", "off"):
            return False
        raise SettingsError(f"{variable} must be a boolean, not {raw!r}")
    if isinstance(default, tuple):
        return tuple(part.strip() for part in raw.split(",") if part.strip())
    try:
        if name in _OPTIONAL_NUMBERS:
            return float(raw) if raw.strip() else None
        if isinstance(default, int):
            return int(raw)
        if isinstance(default, float):
            return float(raw)
    except ValueError as exc:
        raise SettingsError(f"{variable} must be a number, not {raw!r}") from exc
    return raw or None


def from_environment(environ: Mapping[str, str] | None = None) -> dict[str, Any]:
    """Read the ``SORA_MOCK_*`` variables that name a setting."""
    environ = os.environ if environ is None else environ
    defaults = Settings()
    found: dict[str, Any] = {}
    for f in fields(Settings):
        if f.name == "extra":
            continue
        key = ENV_PREFIX + f.name.upper()
        if key in environ:
            found[f.name] = _coerce(f.name, environ[key], getattr(defaults, f.name))
    return found


def load(
    overrides: Mapping[str, Any] | Settings | None = None,
    environ: Mapping[str, str] | None = None,
) -> Settings:
    """Build settings from defaults, then the environment, then ``overrides``.

    A ``Settings`` instance is taken as it is. In a mapping, unknown keys are kept in ``extra``
    (so a Flask test config such as ``TESTING`` passes through) and lists become tuples.
    """
    if isinstance(overrides, Settings):
        return overrides
    values = from_environment(environ)
    known = {f.name for f in fields(Settings)}
    extra: dict[str, Any] = {}
    for key, value in (overrides or {}).items():
        name = key.lower()
        if name in known and name != "extra":
            values[name] = tuple(value) if isinstance(value, list) else value
        else:
            extra[key] = value
    return Settings(**values, extra=extra)
