"""Rules about who may call and how often (SPEC 1.5)."""

from __future__ import annotations

from mock_server import catalog
from mock_server.rules.registry import define

AUTH_MISSING = define(
    "auth.missing",
    401,
    "The request carries a key: Authorization: Bearer KEY, or Azure's api-key header.",
    "SPEC 1.5 [public]",
)
AUTH_INVALID_KEY = define(
    "auth.invalid_key",
    401,
    "With keys configured (--api-key), the key is one of them; the message masks it.",
    "SPEC 1.5 [public]",
)
RATE_LIMIT_REQUESTS = define(
    "rate_limit.requests",
    429,
    "A key sends at most the configured requests per minute, on the mock clock.",
    "SPEC 1.5 [public], SPEC 5.1",
)
RATE_LIMIT_CONCURRENT = define(
    "rate_limit.concurrent_jobs",
    429,
    f"A key has at most the configured number of unfinished jobs (default "
    f"{catalog.DEFAULT_CONCURRENT_JOBS}; {catalog.GT_CONCURRENT_TASKS} on generateTask).",
    "SPEC 1.5, seed 002 [choice: 5]",
)
CONTROL_TOKEN = define(
    "control.token",
    401,
    "With a control token set, the control API needs it in x-sora-mock-token.",
    "SPEC 5.3 [choice]",
)
CONTROL_DISABLED = define(
    "control.disabled", 404, "The control API is switched off.", "SPEC 5.3 [choice]"
)
CONTROL_FOREIGN_HOST = define(
    "control.foreign_host",
    403,
    "The control API answers a request that names this server: a Host that is localhost, an "
    "IP address or a name given with --allow-host (a page whose own name was made to point "
    "here, by DNS rebinding, is refused).",
    "SPEC 5.3 [choice]",
)
CONTROL_CROSS_SITE = define(
    "control.cross_site",
    403,
    "The control API's changes come from a program or from a page of this server: a browser's "
    "request from another origin (Origin, Sec-Fetch-Site) is refused.",
    "SPEC 5.3 [choice]",
)


def mask_key(key: str) -> str:
    """Mask a key the way OpenAI's 401 message does: ``sk-ab***yz``."""
    if len(key) <= 7:
        return "*" * len(key)
    return f"{key[:5]}***{key[-2:]}"
