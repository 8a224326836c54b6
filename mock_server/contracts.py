"""The contracts: JSON Schemas of every message, loaded once into one registry.

The server checks its own responses against them (``validate_responses``), and the testkit
generates from and checks against the same files. Installed from a wheel they sit inside the
package; in a source checkout, at the repository's top level.
"""

from __future__ import annotations

import functools
import json
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError
from referencing import Registry, Resource

_PACKAGE = Path(__file__).resolve().parent


def contracts_dir() -> Path:
    """Where the contract files are: in the package (wheel) or beside it (source checkout)."""
    for candidate in (_PACKAGE / "_contracts", _PACKAGE.parent / "contracts"):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError("the contracts directory is missing from this installation")


@functools.cache
def load() -> dict[str, dict[str, Any]]:
    """Every contract by name (``openai/video``), read once."""
    root = contracts_dir()
    return {
        path.relative_to(root).with_suffix("").as_posix(): json.loads(path.read_text())
        for path in sorted(root.rglob("*.json"))
    }


@functools.cache
def registry() -> Registry:
    """All contracts as a ``referencing`` registry keyed by their ``$id``."""
    resources = [(doc["$id"], Resource.from_contents(doc)) for doc in load().values()]
    return Registry().with_resources(resources)


@functools.cache
def validator(name: str) -> Draft202012Validator:
    """A validator for one contract."""
    return Draft202012Validator(load()[name], registry=registry())


def violations(name: str, instance: Any) -> list[str]:
    """Every way ``instance`` breaks contract ``name``, as ``path: message`` lines."""
    errors: list[ValidationError] = sorted(
        validator(name).iter_errors(instance), key=lambda e: list(e.absolute_path)
    )
    return [f"{e.json_path}: {e.message}" for e in errors]
