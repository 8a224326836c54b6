"""The README's rule table, generated from the registry: ``python -m mock_server.rules.table``."""

from __future__ import annotations

from mock_server.rules.registry import all_rules

START_MARKER = "<!-- rules:start -->"
END_MARKER = "<!-- rules:end -->"


def markdown_table() -> str:
    """Every rule as a Markdown table row: id, status, what it checks, its source."""
    rows = ["| rule id | status | what it checks | source |", "|---|---|---|---|"]
    for rule in all_rules():
        checks = rule.checks.replace("|", "\\|")
        rows.append(f"| `{rule.id}` | {rule.status} | {checks} | {rule.source} |")
    return "\n".join(rows)


def readme_block() -> str:
    """The table between the markers the README keeps it in."""
    return f"{START_MARKER}\n{markdown_table()}\n{END_MARKER}"


if __name__ == "__main__":
    print(readme_block())
