"""An OpenAPI 3.1 document of every dialect, assembled from the contracts (``/openapi.json``).

Each contract becomes a component schema named after it (``openai.video``); its ``$defs`` are
hoisted beside it so the document holds no cross-file references. The routes below say which
contract each request and response follows, as the dialects' records declare; nothing here
restates a field or a route.
"""

from __future__ import annotations

import copy
import functools
import re
from typing import Any

from mock_server import contracts
from mock_server.dialects import registry
from mock_server.dialects.record import JSON, Route
from mock_server.web.media import MEDIA_ROUTE

BINARY = {"type": "string", "format": "binary"}


def component_name(contract: str) -> str:
    """``openai/video`` -> ``openai.video``."""
    return contract.replace("/", ".")


def _ref(contract: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{component_name(contract)}"}


def _local(ref: str, prefix: str) -> str:
    """A contract's reference as one inside the document: ``#/$defs/x`` to the hoisted
    ``<prefix>.x``, ``../dialect/name.json#/pointer`` to ``dialect.name`` and its pointer."""
    if ref.startswith("#/$defs/"):
        return f"#/components/schemas/{prefix}.{ref[len('#/$defs/') :]}"
    if ref.startswith("../"):
        target, _, pointer = ref[len("../") :].partition("#")
        return f"#/components/schemas/{component_name(target.removesuffix('.json'))}{pointer}"
    return ref


def _rewrite(node: Any, prefix: str) -> Any:
    """Point every reference of a contract at the document's components."""
    if isinstance(node, dict):
        return {
            key: (
                _local(value, prefix)
                if key == "$ref" and isinstance(value, str)
                else _rewrite(value, prefix)
            )
            for key, value in node.items()
        }
    if isinstance(node, list):
        return [_rewrite(item, prefix) for item in node]
    return node


def _components() -> dict[str, Any]:
    schemas: dict[str, Any] = {}
    for name, document in contracts.load().items():
        prefix = component_name(name)
        body = {k: v for k, v in document.items() if k not in ("$schema", "$id", "$defs")}
        schemas[prefix] = _rewrite(body, prefix)
        for key, definition in document.get("$defs", {}).items():
            schemas[f"{prefix}.{key}"] = _rewrite(definition, prefix)
    return schemas


def _path_id(name: str, description: str) -> dict[str, Any]:
    return {
        "name": name,
        "in": "path",
        "required": True,
        "description": description,
        "schema": {"type": "string"},
    }


def openapi_path(rule: str) -> str:
    """A Flask rule as an OpenAPI path: ``/v1/videos/<video_id>`` -> ``/v1/videos/{video_id}``."""
    return re.sub(r"<(?:[^:>]+:)?([^>]+)>", r"{\1}", rule)


def _one_of(schemas: list[dict[str, Any]], keyword: str) -> dict[str, Any]:
    return schemas[0] if len(schemas) == 1 else {keyword: schemas}


def _operation(routes: list[Route], tags: list[str], errors: list[str]) -> dict[str, Any]:
    """One operation, from the routes served on its path and method (several when a dialect
    claims some of a path's values, as UniAll's ``gen_`` ids on the native status read)."""
    first = routes[0]
    binary = {mime: {"schema": BINARY} for route in routes for mime in route.binary}
    bodies = [_ref(route.response) for route in routes if route.response is not None]
    ok = {**binary, **({JSON: {"schema": _one_of(bodies, "oneOf")}} if bodies else {})}
    operation: dict[str, Any] = {
        "operationId": first.operation_id,
        "tags": tags,
        "responses": {
            str(first.status): (
                {"description": "Success", "content": ok} if ok else {"description": "No content"}
            ),
            "default": {
                "description": "An error, in the dialect's envelope",
                "content": {JSON: {"schema": _one_of([_ref(e) for e in errors], "anyOf")}},
            },
        },
    }
    parameters = [parameter for route in routes for parameter in route.parameters]
    if parameters:
        operation["parameters"] = parameters
    if first.request:
        operation["requestBody"] = {
            "required": True,
            "content": {mime: {"schema": _ref(name)} for mime, name in first.request.items()},
        }
    if first.public:
        operation["security"] = []
    return operation


def _paths() -> dict[str, Any]:
    """Every route of every dialect, and the result files, which answer in any dialect's."""
    served: dict[tuple[str, str], list[tuple[list[str], list[str], Route]]] = {}
    for dialect, route in registry.routes():
        key = (openapi_path(route.rule), route.method.lower())
        served.setdefault(key, []).append(([dialect.name], [dialect.error_contract], route))
    # A result URL answers in the envelope of the dialect its job id names, else the first's.
    answering = [registry.DIALECTS[0]] + [
        named
        for dialect in registry.DIALECTS
        if (named := registry.for_job_id(dialect.jobs.id_prefix)) is not None
    ]
    media_names = list(dict.fromkeys(dialect.name for dialect in answering))
    media_errors = list(dict.fromkeys(dialect.error_contract for dialect in answering))
    media = (media_names, media_errors, MEDIA_ROUTE)
    served[(openapi_path(MEDIA_ROUTE.rule), "get")] = [media]
    paths: dict[str, Any] = {}
    for (path, method), entries in served.items():
        routes = [route for _, _, route in entries]
        tags = list(dict.fromkeys(tag for names, _, _ in entries for tag in names))
        errors = list(dict.fromkeys(error for _, names, _ in entries for error in names))
        item = paths.setdefault(path, {})
        for route in routes:
            for name, description in route.path_parameters.items():
                if name not in {p["name"] for p in item.get("parameters", [])}:
                    item.setdefault("parameters", []).append(_path_id(name, description))
        item[method] = _operation(routes, tags, errors)
    return paths


@functools.cache
def document() -> dict[str, Any]:
    """The whole OpenAPI 3.1 document."""
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "sora-mock: the Sora 2 video APIs in three dialects",
            "version": "1",
            "description": (
                "OpenAI-native /v1/videos, the UniAll task format and the generateTask format, "
                "as the sora-mock server serves them. Schemas are the project's contracts."
            ),
        },
        "jsonSchemaDialect": "https://json-schema.org/draft/2020-12/schema",
        "servers": [{"url": "/"}],
        "security": [{"bearer": []}],
        "paths": _paths(),
        "components": {
            "schemas": _components(),
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
        },
    }


def fresh_document() -> dict[str, Any]:
    """A copy a caller may change."""
    return copy.deepcopy(document())
