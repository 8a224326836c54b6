"""The registry of rules: each has a stable id, its status, what it checks and its source.

A rule that fails raises :class:`RuleViolation`, a dialect-neutral error carrying the rule, the
field it concerns and the facts a dialect needs to word its message. Each dialect renders it in
its own envelope; the rule id travels in the ``x-sora-mock-rule`` response header.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

_RULES: dict[str, Rule] = {}


@dataclass(frozen=True)
class Rule:
    """One checked behaviour of the API."""

    id: str
    status: int
    checks: str
    source: str


def define(rule_id: str, status: int, checks: str, source: str) -> Rule:
    """Register a rule; ids are unique."""
    if rule_id in _RULES:
        raise ValueError(f"rule {rule_id!r} is defined twice")
    rule = Rule(rule_id, status, checks, source)
    _RULES[rule_id] = rule
    return rule


def all_rules() -> list[Rule]:
    """Every registered rule, in definition order."""
    from mock_server.rules import load_all

    load_all()
    return list(_RULES.values())


def get(rule_id: str) -> Rule:
    """Look a rule up by id."""
    from mock_server.rules import load_all

    load_all()
    return _RULES[rule_id]


class RuleViolation(Exception):
    """A request broke a rule. Dialects turn it into their own error envelope."""

    def __init__(
        self,
        rule: Rule,
        *,
        param: str | None = None,
        headers: dict[str, str] | None = None,
        **facts: Any,
    ) -> None:
        super().__init__(rule.id)
        self.rule = rule
        self.param = param
        self.facts = facts
        self.headers = headers or {}

    @property
    def status(self) -> int:
        """The HTTP status the rule answers with."""
        return self.rule.status

    def __repr__(self) -> str:
        return f"RuleViolation({self.rule.id!r}, param={self.param!r}, facts={self.facts!r})"
