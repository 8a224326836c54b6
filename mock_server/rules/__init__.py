"""Rules: one named check per documented behaviour, fed by the catalog."""

from __future__ import annotations

from mock_server.rules.registry import Rule, RuleViolation, all_rules, define, get

__all__ = ["Rule", "RuleViolation", "all_rules", "define", "get", "load_all"]


def load_all() -> None:
    """Import every rule module so that the registry is complete."""
    from mock_server.rules import (  # noqa: F401
        access,
        azure,
        azure_jobs,
        characters,
        create,
        derived,
        generatetask,
        jobs,
        models,
        moderation,
        protocol,
        reference,
        uniall,
    )
