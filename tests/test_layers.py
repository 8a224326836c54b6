"""The package's layers import one way, and only the dialects' own packages name a dialect."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from mock_server.dialects import registry

PACKAGE = Path(__file__).resolve().parent.parent / "mock_server"

#: Each layer, and the layers above it that it must never import.
FORBIDDEN = {
    "catalog": (
        "rules",
        "backend",
        "state",
        "wire",
        "dialects",
        "web",
        "controls",
        "app",
        "serving",
    ),
    "rules": ("backend", "state", "wire", "dialects", "web", "controls", "app", "serving"),
    "backend": ("state", "wire", "dialects", "web", "controls", "app", "serving"),
    "state": ("wire", "dialects", "web", "controls", "app", "serving"),
    "wire": ("dialects", "web", "controls", "app", "serving"),
    "dialects": ("web", "controls", "app", "serving"),
    "web": ("serving",),
}


def modules_of(layer: str) -> list[Path]:
    folder = PACKAGE / layer
    return sorted(folder.rglob("*.py")) if folder.is_dir() else [PACKAGE / f"{layer}.py"]


def imported(path: Path) -> set[str]:
    """Every ``mock_server`` module a file imports (at run time or for typing)."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
        elif isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
    return {name for name in names if name.startswith("mock_server.")}


@pytest.mark.parametrize("layer", sorted(FORBIDDEN))
def test_a_layer_never_imports_the_layers_above_it(layer: str) -> None:
    above = tuple(f"mock_server.{name}" for name in FORBIDDEN[layer])
    wrong = [
        f"{path.relative_to(PACKAGE)} imports {name}"
        for path in modules_of(layer)
        for name in sorted(imported(path))
        if any(name == top or name.startswith(top + ".") for top in above)
    ]
    assert wrong == []


def test_only_a_dialects_own_package_names_it() -> None:
    """Adding a dialect touches its package and the registry: nothing else says its name."""
    names = "|".join(re.escape(dialect.name) for dialect in registry.DIALECTS)
    quoted = re.compile(rf"""["']({names})["']""")
    found = [
        f"{path.relative_to(PACKAGE)}:{number}"
        for path in sorted(PACKAGE.rglob("*.py"))
        if "dialects" not in path.relative_to(PACKAGE).parts
        for number, line in enumerate(path.read_text().splitlines(), 1)
        if quoted.search(line)
    ]
    assert found == []
