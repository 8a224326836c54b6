"""Refusals at create that a test forces by name: input moderation and account checks
(SPEC 5.3, SPEC 6)."""

from __future__ import annotations

from mock_server.rules.registry import define

INPUT = define(
    "moderation.input",
    400,
    "A prompt input moderation blocks (forced only: sexual, violence, graphic-violence, "
    "self-harm) is refused at create, naming the reason.",
    "SPEC 6 [live: public issues]",
)
ORG_UNVERIFIED = define(
    "access.org_unverified",
    403,
    "An organisation that is not verified may not use the model (forced only).",
    "SPEC 6 [live: public issues]",
)
