"""The contracts: JSON Schemas of every message, loaded once into one registry.

The server checks its own responses against them (``validate_responses``), and the testkit
generates from and checks against the same files. Installed from a wheel they sit inside the
package; in a source checkout, at the repository's top level.

Every request body and every response checked goes through :func:`violations`: a compiled
validator (``jsonschema_rs``, a hundred times faster) says whether the instance is valid, and
only an invalid one is walked again by ``jsonschema`` for its messages. A test holds the two
to the same verdicts.
"""

from __future__ import annotations

import functools
import itertools
import json
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError
from referencing import Registry, Resource

from mock_server import catalog

try:
    import jsonschema_rs as _compiler
except ImportError:  # a platform without its wheel: jsonschema alone
    _compiler = None  # type: ignore[assignment]

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


@functools.cache
def compiled_registry() -> Any:
    """All contracts, for the compiled validators' references."""
    assert _compiler is not None
    return _compiler.Registry([(doc["$id"], doc) for doc in load().values()])


@functools.cache
def compiled(name: str) -> Any:
    """A compiled validator for one contract (``None`` without ``jsonschema_rs``, or with a
    release whose API this does not know: ``jsonschema`` then decides alone)."""
    if _compiler is None:
        return None
    try:
        return _compiler.validator_for(load()[name], registry=compiled_registry())
    except (AttributeError, TypeError, ValueError):
        return None


def is_valid(name: str, instance: Any) -> bool:
    """Whether ``instance`` meets contract ``name``."""
    fast = compiled(name)
    if fast is not None:
        try:
            return bool(fast.is_valid(instance))
        except (TypeError, ValueError):  # a value JSON has no word for: jsonschema decides
            pass
    return bool(validator(name).is_valid(instance))


#: Verdicts given, by contract and the message's exact bytes: the same bytes are the same
#: instance (a client polling an unchanged job gets the same answer again and again).
_VERDICTS: dict[tuple[str, bytes], tuple[str, ...]] = {}
_VERDICTS_KEPT = 2048


def message_violations(name: str, data: bytes, instance: Any) -> list[str]:
    """:func:`violations` of a message whose bytes are ``data`` and whose value is
    ``instance``; a message seen before is not checked again."""
    key = (name, data)
    found = _VERDICTS.get(key)
    if found is None:
        found = tuple(violations(name, instance))
        if len(_VERDICTS) >= _VERDICTS_KEPT:
            _VERDICTS.clear()
        _VERDICTS[key] = found
    return list(found)


def violations(name: str, instance: Any) -> list[str]:
    """Every way ``instance`` breaks contract ``name``, as ``path: message`` lines."""
    if is_valid(name, instance):
        return []
    found = validator(name).iter_errors(instance)
    kept = catalog.JOURNAL_VIOLATIONS
    errors: list[ValidationError] = sorted(
        itertools.islice(found, kept), key=lambda e: list(e.absolute_path)
    )
    lines = [shortened(f"{e.json_path}: {e.message}") for e in errors]
    if next(found, None) is not None:
        lines.append(f"...and more: the first {kept} violations found are kept")
    return lines


#: The longest violation kept whole. jsonschema quotes the value it judged, and a client may
#: send a prompt of a megabyte: the journal and a failing test's report keep its start and its
#: verdict (``... is too long``).
VIOLATION_KEPT_CHARS = 600


def shortened(line: str) -> str:
    """A violation line cut to :data:`VIOLATION_KEPT_CHARS`, keeping its start and its end."""
    if len(line) <= VIOLATION_KEPT_CHARS:
        return line
    return f"{line[:400]}...<{len(line)} characters>...{line[-150:]}"
