"""The rule registry, its README table, its wording and its tests stay in step."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from mock_server import catalog
from mock_server.dialects.generatetask.messages import WORDING as GT_WORDING
from mock_server.dialects.openai.messages import WORDING
from mock_server.dialects.uniall.messages import WORDING as UNIALL_WORDING
from mock_server.rules import Rule, all_rules
from mock_server.rules import generatetask as generatetask_rules
from mock_server.rules.table import END_MARKER, START_MARKER, readme_block

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text()


def test_readme_table_is_the_generated_one() -> None:
    start, end = README.index(START_MARKER), README.index(END_MARKER) + len(END_MARKER)
    assert README[start:end] == readme_block(), (
        "README rule table is stale: python -m mock_server.rules.table"
    )


def test_rule_ids_are_unique_dotted_and_sourced() -> None:
    rules = all_rules()
    assert len({rule.id for rule in rules}) == len(rules)
    for rule in rules:
        assert re.fullmatch(r"[a-z_]+\.[a-z_]+", rule.id), rule.id
        assert 400 <= rule.status < 500
        assert rule.checks.endswith(".") and rule.source


def _rules_of(module: Any) -> set[str]:
    return {value.id for value in vars(module).values() if isinstance(value, Rule)}


#: Rules no generateTask route can break: native or UniAll fields, multipart, the native
#: content and list endpoints, and the control API.
NOT_ON_GENERATETASK = {
    "request.malformed_multipart",
    "request.duplicate_parameter",
    "request.form_limits",
    "request.mixed_format",
    "model.type",
    "model.required",
    "model.unsupported",
    "model.disabled",
    "seconds.type",
    "seconds.unsupported",
    "size.model_mismatch",
    "aspect_ratio.unsupported",
    "aspect_ratio.conflict",
    "duration.conflict",
    "input_reference.invalid",
    "input_reference.dimensions",
    "input_reference.url_unreachable",
    "video.expired",
    "video.delete_unfinished",
    "video.remix_unfinished",
    "content.variant",
    "list.limit_type",
    "list.limit_range",
    "list.order",
    "list.after_unknown",
    "control.token",
    "control.disabled",
}


def test_openai_and_uniall_word_every_rule_but_generatetasks_own() -> None:
    expected = {rule.id for rule in all_rules()} - _rules_of(generatetask_rules)
    assert set(WORDING) == expected
    assert set(UNIALL_WORDING) == expected


def test_generatetask_words_every_rule_its_routes_can_break() -> None:
    assert set(GT_WORDING) == {rule.id for rule in all_rules()} - NOT_ON_GENERATETASK


def test_every_rule_is_asserted_by_a_test() -> None:
    sources = "\n".join(
        path.read_text()
        for path in (ROOT / "tests").glob("test_*.py")
        if path.name != Path(__file__).name
    )
    untested = [rule.id for rule in all_rules() if f'"{rule.id}"' not in sources]
    assert untested == []


def test_readme_documents_every_magic_prompt() -> None:
    for name in catalog.OUTCOMES:
        assert f"`{catalog.magic_marker(name)}`" in README


def test_every_failure_code_and_outcome_is_consistent() -> None:
    for outcome in catalog.OUTCOMES.values():
        assert outcome.failure is None or outcome.failure in catalog.FAILURES
        assert outcome.reject_rule is None or outcome.reject_rule in {r.id for r in all_rules()}
