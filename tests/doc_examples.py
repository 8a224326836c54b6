"""The code blocks of the README and the documentation, each with how it runs.

Every fenced block is preceded by a comment that says how the suite runs it:

- ``<!-- run: pytest -->``: a user's test file, run by pytest in a fresh folder;
- ``<!-- run: python -->``: a script, run in a fresh folder;
- ``<!-- run: script against the server -->``: a script run in a fresh folder against the
  page's ``sora-mock serve``, its ``127.0.0.1:8000`` pointed at the port the server got;
- ``<!-- run: shell against the server -->``: the same, for a shell script;
- ``<!-- run: server -->``: the ``sora-mock serve`` command the page's scripts run against
  (its flags are used; its port becomes one the system picks);
- ``<!-- run: no, REASON -->``: shown, not run (an install command, a program's output).

``, N times`` after a kind runs the block N times in a row against the same server.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
#: The pages a user reads: the README and the documentation site, not the maintainers' notes.
PAGES = [
    ROOT / "README.md",
    *sorted(path for path in (ROOT / "docs").rglob("*.md") if "maintainers" not in path.parts),
]
KINDS = ("pytest", "python", "script against the server", "shell against the server", "server")
PORT_IN_EXAMPLES = "127.0.0.1:8000"

_FENCE = re.compile(r"^```(\w*)\n(.*?)^```\n", re.M | re.S)
_DIRECTIVE = re.compile(r"<!-- run: (.+?) -->\n\Z")


@dataclass(frozen=True)
class Example:
    """One fenced block of a page."""

    page: Path
    line: int
    language: str
    code: str
    #: How it runs: one of ``KINDS``, ``"no"``, or ``None`` when the page does not say.
    kind: str | None
    times: int = 1
    reason: str = ""

    @property
    def where(self) -> str:
        """``docs/kit/index.md:12``."""
        return f"{self.page.relative_to(ROOT)}:{self.line}"


def _parse_directive(text: str) -> tuple[str, int, str]:
    parts = [part.strip() for part in text.split(",")]
    if parts[0] == "no":
        return "no", 1, ", ".join(parts[1:])
    times = 1
    for part in parts[1:]:
        match = re.fullmatch(r"(\d+) times", part)
        if match is None:
            raise ValueError(f"unknown run option {part!r}")
        times = int(match.group(1))
    return parts[0], times, ""


def examples(page: Path) -> list[Example]:
    """Every fenced block of a page, with its directive."""
    text = page.read_text()
    found = []
    for match in _FENCE.finditer(text):
        directive = _DIRECTIVE.search(text, 0, match.start())
        kind, times, reason = (None, 1, "")
        if directive is not None and directive.end() == match.start():
            kind, times, reason = _parse_directive(directive.group(1))
        line = text.count("\n", 0, match.start()) + 2
        found.append(Example(page, line, match.group(1), match.group(2), kind, times, reason))
    return found


def all_examples() -> list[Example]:
    """Every block of every page a user reads."""
    return [example for page in PAGES for example in examples(page)]


def page_id(page: Path) -> str:
    """A page's path from the project's root, as a test id."""
    return str(page.relative_to(ROOT))


def pages_with(*kinds: str) -> list[Path]:
    """The pages that have a block of one of ``kinds``."""
    return [page for page in PAGES if any(e.kind in kinds for e in examples(page))]


def server_flags(page: Path) -> list[str]:
    """The flags of the page's ``run: server`` block, without its port."""
    blocks = [e for e in examples(page) if e.kind == "server"]
    if not blocks:
        return []
    [block] = blocks
    words = block.code.replace("\\\n", " ").split()
    assert words[:2] == ["sora-mock", "serve"], block.where
    flags = words[2:]
    if "--port" in flags:
        at = flags.index("--port")
        del flags[at : at + 2]
    return flags
