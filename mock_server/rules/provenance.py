"""Where each behaviour comes from: a seed fact, a public document, a body seen live, or the
mock's own choice, read from the sources the rules, the forced outcomes and the catalog carry.

The documentation's "Where each behaviour comes from" table is generated from here (see
``mock_server.rules.table``); the project's tests fail on a rule, an outcome or a catalog fact
whose source says none of these.
"""

from __future__ import annotations

import ast
import io
import re
import tokenize
from dataclasses import dataclass
from pathlib import Path

from mock_server import catalog
from mock_server.rules.registry import all_rules

KINDS = (catalog.SEED, catalog.PUBLIC, catalog.LIVE, catalog.CHOICE)
#: What each section of the spec rests on, for a source that names only a section.
_SPEC_SECTIONS = {
    "1": catalog.PUBLIC,
    "2": catalog.SEED,
    "3": catalog.SEED,
    "4": catalog.PUBLIC,
    "5": catalog.CHOICE,
    "6": catalog.LIVE,
}
_MARKS = (
    (catalog.LIVE, re.compile(r"\blive\b", re.I)),
    (catalog.SEED, re.compile(r"\bseeds? \d", re.I)),
    (
        catalog.PUBLIC,
        re.compile(r"public|docs\b|REST spec|APIXO|UniAll docs|provider's|\bSDK\b|RFC|IANA", re.I),
    ),
    (catalog.CHOICE, re.compile(r"choice", re.I)),
)
_SPEC = re.compile(r"SPEC (\d)")


def kinds_of(source: str) -> tuple[str, ...]:
    """The kinds a source text names, in ``KINDS`` order; a bare ``SPEC n`` counts as what that
    section rests on."""
    found = {kind for kind, mark in _MARKS if mark.search(source)}
    if not found - {catalog.CHOICE}:
        found |= {_SPEC_SECTIONS[m] for m in _SPEC.findall(source) if m in _SPEC_SECTIONS}
    return tuple(kind for kind in KINDS if kind in found)


@dataclass(frozen=True)
class Origin:
    """One behaviour and where it comes from."""

    what: str
    name: str
    kinds: tuple[str, ...]
    source: str


def origins() -> list[Origin]:
    """Every rule and every forced outcome, with the kinds of its source."""
    found = [
        Origin("rule", rule.id, kinds_of(rule.source), rule.source)
        for rule in sorted(all_rules(), key=lambda rule: rule.id)
    ]
    found += [
        Origin("forced outcome", outcome.name, (outcome.kind,), outcome.source)
        for outcome in catalog.OUTCOMES.values()
    ]
    return found


@dataclass(frozen=True)
class Fact:
    """A constant of the catalog and the source its comments give."""

    name: str
    line: int
    source: str

    @property
    def kinds(self) -> tuple[str, ...]:
        """What the source says the fact rests on."""
        return kinds_of(self.source)


def catalog_facts(path: Path | None = None) -> list[Fact]:
    """Each constant of ``catalog.py`` with its source: the comments right above it or on its
    line, and the heading of its section (``# --- ... (SPEC 3, seed 004) ---``)."""
    path = path or Path(catalog.__file__)
    text = path.read_text()
    comments: dict[int, str] = {}
    for token in tokenize.generate_tokens(io.StringIO(text).readline):
        if token.type == tokenize.COMMENT:
            comments[token.start[0]] = token.string.lstrip("#:").strip()
    headings = sorted(
        (line, comment) for line, comment in comments.items() if comment.startswith("---")
    )
    lines = text.splitlines()
    facts: list[Fact] = []
    for node in ast.parse(text).body:
        target: ast.expr | None = node.target if isinstance(node, ast.AnnAssign) else None
        if isinstance(node, ast.Assign) and len(node.targets) == 1:
            target = node.targets[0]
        if not isinstance(target, ast.Name) or not target.id.isupper():
            continue
        own: list[str] = []
        line = node.lineno - 1
        while line >= 1 and lines[line - 1].lstrip().startswith("#"):
            own.insert(0, comments.get(line, ""))
            line -= 1
        own += [
            comments[n]
            for n in range(node.lineno, (node.end_lineno or node.lineno) + 1)
            if n in comments
        ]
        heading = next((comment for at, comment in reversed(headings) if at < node.lineno), "")
        facts.append(Fact(target.id, node.lineno, " ".join([*own, heading]).strip()))
    return facts


def markdown_table() -> str:
    """Every rule and forced outcome, and what its source rests on."""
    rows = [
        "| behaviour | kind | provider page or guide | public reference | seen live | choice |",
        "|---|---|---|---|---|---|",
    ]
    for origin in origins():
        marks = " | ".join("yes" if kind in origin.kinds else "" for kind in KINDS)
        rows.append(f"| `{origin.name}` | {origin.what} | {marks} |")
    return "\n".join(rows)
