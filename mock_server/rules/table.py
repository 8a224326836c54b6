"""The README's rule table, generated from the registry.

``python -m mock_server.rules.table`` prints it; ``--write README.md`` replaces it in place.
"""

from __future__ import annotations

import sys
from pathlib import Path

from mock_server.rules.registry import all_rules

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
        rows.append(f"| `{rule.id}` | {rule.status} | {checks} | {rule.source} |")
    return "\n".join(rows)


def readme_block() -> str:
    """The table between the markers the README keeps it in."""
    return f"{START_MARKER}\n{markdown_table()}\n{END_MARKER}"


def write(path: Path) -> None:
    """Replace the table between the markers of a file."""
    text = path.read_text()
    start, end = text.index(START_MARKER), text.index(END_MARKER) + len(END_MARKER)
    path.write_text(text[:start] + readme_block() + text[end:])


if __name__ == "__main__":
    if sys.argv[1:2] == ["--write"]:
        write(Path(sys.argv[2] if len(sys.argv) > 2 else "README.md"))
    else:
        print(readme_block())
