"""The documentation's generated tables: the rules, the forced outcomes, and where each
behaviour comes from.

``python -m mock_server.rules.table`` prints them; ``--write`` replaces each in place in the
documentation page that keeps it (between its ``<!-- NAME:start -->`` and
``<!-- NAME:end -->`` markers); ``--write PATH`` in that file only.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Callable
from pathlib import Path

from mock_server import catalog
from mock_server.rules import provenance
from mock_server.rules.registry import all_rules
from mock_server.rules.sources import public_source

START_MARKER = "<!-- rules:start -->"
END_MARKER = "<!-- rules:end -->"


def markdown_table() -> str:
    """Every rule as a Markdown table row: id, status, what it checks, its source.

    Sorted by id, so that a rule is easy to look up and the order never depends on the order
    the rule modules happened to be imported in.
    """
    rows = ["| rule id | status | what it checks | source |", "|---|---|---|---|"]
    for rule in sorted(all_rules(), key=lambda rule: rule.id):
        checks = rule.checks.replace("|", "\\|")
        source = public_source(rule.source).replace("|", "\\|")
        rows.append(f"| `{rule.id}` | {rule.status} | {checks} | {source} |")
    return "\n".join(rows)


def outcomes_table() -> str:
    """Every forced outcome: its marker (also its name for the control API and Python), what
    it does, and where it comes from."""
    rows = ["| marker | effect | comes from |", "|---|---|---|"]
    for outcome in catalog.OUTCOMES.values():
        rows.append(
            f"| `{catalog.magic_marker(outcome.name)}` | {outcome.description} | "
            f"{source_cell(outcome.kind, outcome.source)} |"
        )
    return "\n".join(rows)


#: How a source's kind reads in a table.
KIND_WORDS = {
    catalog.PUBLIC: "documented",
    catalog.SEED: "documented",
    catalog.CHOICE: "the mock's choice",
}


def source_cell(kind: str, source: str) -> str:
    """Where an outcome comes from, in words: ``the mock's choice, after [a page](...)``."""
    rendered = public_source(source)
    rendered = re.sub(
        r"\(choice(?:: ([^)]*))?\)", lambda m: f"({m.group(1)})" if m.group(1) else "", rendered
    )
    rendered = re.sub(r"^choice(?:: )?", "", rendered).strip()
    word = KIND_WORDS.get(kind, kind)
    if not rendered:
        return word
    joint = ", after " if kind == catalog.CHOICE else ": "
    return f"{word}{joint}{rendered}"


#: Each generated block by its marker name.
BLOCKS: dict[str, Callable[[], str]] = {
    "rules": markdown_table,
    "outcomes": outcomes_table,
    "provenance": provenance.markdown_table,
}


#: The documentation page that keeps each block, from the project's root.
PAGES: dict[str, str] = {
    "rules": "docs/reference/rules.md",
    "outcomes": "docs/server/outcomes.md",
    "provenance": "docs/reference/sources.md",
}


def block(name: str) -> str:
    """A generated table between its markers."""
    return f"<!-- {name}:start -->\n{BLOCKS[name]()}\n<!-- {name}:end -->"


def write(path: Path) -> None:
    """Replace every generated table whose markers the file has."""
    text = path.read_text()
    for name in BLOCKS:
        start_marker, end_marker = f"<!-- {name}:start -->", f"<!-- {name}:end -->"
        if start_marker in text:
            start, end = text.index(start_marker), text.index(end_marker) + len(end_marker)
            text = text[:start] + block(name) + text[end:]
    path.write_text(text)


if __name__ == "__main__":
    if sys.argv[1:2] == ["--write"]:
        targets = sys.argv[2:] or sorted(set(PAGES.values()))
        for target in targets:
            write(Path(target))
    else:
        print("\n\n".join(block(name) for name in BLOCKS))
