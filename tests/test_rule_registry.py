"""The rule registry, its documentation tables, its wording and its tests stay in step."""

from __future__ import annotations

import ast
import re
from pathlib import Path
from typing import Any

import pytest

from mock_server import catalog
from mock_server.dialects.azure.messages import WORDING as AZURE_WORDING
from mock_server.dialects.azure_jobs.messages import WORDING as AZURE_JOBS_WORDING
from mock_server.dialects.generatetask.messages import WORDING as GT_WORDING
from mock_server.dialects.openai.messages import WORDING
from mock_server.dialects.uniall.messages import WORDING as UNIALL_WORDING
from mock_server.rules import Rule, all_rules, provenance
from mock_server.rules import azure as azure_rules
from mock_server.rules import azure_jobs as azure_jobs_rules
from mock_server.rules import generatetask as generatetask_rules
from mock_server.rules.table import BLOCKS, PAGES, block

ROOT = Path(__file__).resolve().parent.parent
DOCS = {path: path.read_text() for path in sorted((ROOT / "docs").rglob("*.md"))}


@pytest.mark.parametrize("name", sorted(BLOCKS))
def test_the_documentations_tables_are_the_generated_ones(name: str) -> None:
    start_marker, end_marker = f"<!-- {name}:start -->", f"<!-- {name}:end -->"
    keeping = [path for path, text in DOCS.items() if start_marker in text]
    assert keeping == [ROOT / PAGES[name]]
    text = DOCS[ROOT / PAGES[name]]
    start, end = text.index(start_marker), text.index(end_marker) + len(end_marker)
    assert text[start:end] == block(name), (
        f"the {name} table is stale: python -m mock_server.rules.table --write"
    )


def test_every_rule_and_outcome_says_where_it_comes_from() -> None:
    for origin in provenance.origins():
        assert origin.kinds, f"{origin.what} {origin.name}: {origin.source!r} names no kind"
        assert set(origin.kinds) <= set(provenance.KINDS)


def test_every_catalog_fact_has_a_source() -> None:
    facts = provenance.catalog_facts()
    assert len(facts) > 150
    missing = [f"{fact.name} (line {fact.line})" for fact in facts if not fact.kinds]
    assert missing == [], "catalog facts without a source: " + ", ".join(missing)


@pytest.mark.parametrize(
    ("source", "kinds"),
    [
        ("SPEC 1.2 [public; choice: OpenAI wording]", ("public document", "choice")),
        ("SPEC 2, seed 003", ("seed",)),
        ("SPEC 2", ("seed",)),
        ("SPEC 6 [live: public issues]", ("public document", "seen live")),
        ("SPEC 5.3 [choice]", ("choice",)),
        ("nothing at all", ()),
    ],
)
def test_a_source_is_read_for_its_kinds(source: str, kinds: tuple[str, ...]) -> None:
    assert provenance.kinds_of(source) == kinds


def test_a_fact_without_a_source_is_found(tmp_path: Path) -> None:
    module = tmp_path / "catalog.py"
    module.write_text(
        "# --- sizes (SPEC 1.2) ---\nA = 1\n\n# --- loose ---\nB = 2  # seed 004\nC = 3\n"
    )
    found = {fact.name: fact.kinds for fact in provenance.catalog_facts(module)}
    assert found == {"A": ("public document",), "B": ("seed",), "C": ()}


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
    "model.not_found",
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
    "control.foreign_host",
    "control.cross_site",
    "character.name",
    "character.not_found",
    "characters.invalid",
    "video.required",
    "video.format",
    "video.unreadable",
    "video.too_large",
    "video.invalid",
    "video.size",
    "video.length",
    "video.source_unfinished",
    "extension.seconds",
    "extension.limit",
}


def test_each_dialect_words_every_rule_but_the_other_providers_own() -> None:
    every = {rule.id for rule in all_rules()}
    generatetask, azure = _rules_of(generatetask_rules), _rules_of(azure_rules)
    jobs = _rules_of(azure_jobs_rules)
    assert set(WORDING) == every - generatetask - azure - jobs
    assert set(UNIALL_WORDING) == every - generatetask - azure - jobs
    assert set(AZURE_WORDING) == every - generatetask - jobs
    assert set(AZURE_JOBS_WORDING) == every - generatetask


def test_generatetask_words_every_rule_its_routes_can_break() -> None:
    not_on_generatetask = NOT_ON_GENERATETASK | _rules_of(azure_rules) | _rules_of(azure_jobs_rules)
    assert set(GT_WORDING) == {rule.id for rule in all_rules()} - not_on_generatetask


RULE_HEADER = "x-sora-mock-rule"


def _header_checkers(modules: dict[Path, ast.Module]) -> set[str]:
    """Names of the functions, in any test module or helper, that read the rule header, directly
    or through another such function."""
    functions = {
        node.name: node
        for tree in modules.values()
        for node in tree.body
        if isinstance(node, ast.FunctionDef) and not node.name.startswith("test_")
    }
    checkers: set[str] = set()
    while True:
        found = {
            name
            for name, node in functions.items()
            if name not in checkers and _reads_header(node, checkers)
        }
        if not found:
            return checkers
        checkers |= found


def _reads_header(node: ast.AST, checkers: set[str]) -> bool:
    """Whether code reads the rule header or calls a function that does."""
    for inner in ast.walk(node):
        if isinstance(inner, ast.Constant) and inner.value == RULE_HEADER:
            return True
        if isinstance(inner, ast.Call):
            called = inner.func
            name = called.id if isinstance(called, ast.Name) else getattr(called, "attr", "")
            if name in checkers:
                return True
    return False


def _strings(node: ast.AST) -> set[str]:
    return {
        n.value for n in ast.walk(node) if isinstance(n, ast.Constant) and isinstance(n.value, str)
    }


def _asserted_rules(path: Path, tree: ast.Module, checkers: set[str]) -> set[str]:
    """Rule ids a module's tests check through the rule header: named in a test that reads the
    header (or calls a helper that does), in its parameters, or in a table those name."""
    tables = {
        target.id: node.value
        for node in tree.body
        if isinstance(node, ast.Assign)
        for target in node.targets
        if isinstance(target, ast.Name)
    }
    asserted: set[str] = set()
    for node in tree.body:
        if not (isinstance(node, ast.FunctionDef) and node.name.startswith("test_")):
            continue
        if not _reads_header(node, checkers):
            continue
        asserted |= _strings(node)
        for name in {n.id for n in ast.walk(node) if isinstance(n, ast.Name)} & set(tables):
            asserted |= _strings(tables[name])
    return asserted


def test_every_rule_is_asserted_through_the_rule_header_of_a_response() -> None:
    """Not merely named in a test file: checked against ``x-sora-mock-rule`` of an answer."""
    modules = {
        path: ast.parse(path.read_text())
        for path in sorted((ROOT / "tests").glob("*.py"))
        if path.name != Path(__file__).name
    }
    checkers = _header_checkers(modules)
    asserted = set().union(
        *(
            _asserted_rules(path, tree, checkers)
            for path, tree in modules.items()
            if path.name.startswith("test_")
        )
    )
    untested = [rule.id for rule in all_rules() if rule.id not in asserted]
    assert untested == []


def test_the_documentation_names_every_magic_prompt() -> None:
    outcomes = DOCS[ROOT / "docs/server/outcomes.md"]
    for name in catalog.OUTCOMES:
        assert f"`{catalog.magic_marker(name)}`" in outcomes


def test_every_failure_code_and_outcome_is_consistent() -> None:
    for outcome in catalog.OUTCOMES.values():
        assert outcome.failure is None or outcome.failure in catalog.ENDINGS
        assert outcome.reject_rule is None or outcome.reject_rule in {r.id for r in all_rules()}
