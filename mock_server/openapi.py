"""An OpenAPI 3.1 document of every dialect, assembled from the contracts (``/openapi.json``).

Each contract becomes a component schema named after it (``openai.video``); its ``$defs`` are
hoisted beside it so the document holds no cross-file references. The routes below say which
contract each request and response follows; nothing here restates a field.
"""

from __future__ import annotations

import copy
import functools
from typing import Any

from mock_server import catalog, contracts

JSON = "application/json"
MULTIPART = "multipart/form-data"
BINARY = {"type": "string", "format": "binary"}


def component_name(contract: str) -> str:
    """``openai/video`` -> ``openai.video``."""
    return contract.replace("/", ".")


def _ref(contract: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{component_name(contract)}"}


def _rewrite(node: Any, prefix: str) -> Any:
    """Point ``#/$defs/x`` references at the hoisted ``#/components/schemas/<prefix>.x``."""
    if isinstance(node, dict):
        return {
            key: (
                f"#/components/schemas/{prefix}.{value[len('#/$defs/') :]}"
                if key == "$ref" and isinstance(value, str) and value.startswith("#/$defs/")
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


def _json_body(contract: str) -> dict[str, Any]:
    return {"required": True, "content": {JSON: {"schema": _ref(contract)}}}


def _responses(ok: dict[str, Any], *error_contracts: str) -> dict[str, Any]:
    """A success body, and errors in the envelope of the dialect (or any of the dialects) given."""
    schemas = [_ref(name) for name in error_contracts]
    error = schemas[0] if len(schemas) == 1 else {"anyOf": schemas}
    return {
        "200": {"description": "Success", "content": ok},
        "default": {
            "description": "An error, in the dialect's envelope",
            "content": {JSON: {"schema": error}},
        },
    }


def _json_ok(contract: str) -> dict[str, Any]:
    return {JSON: {"schema": _ref(contract)}}


def _path_id(name: str, description: str) -> dict[str, Any]:
    return {
        "name": name,
        "in": "path",
        "required": True,
        "description": description,
        "schema": {"type": "string"},
    }


def _paths() -> dict[str, Any]:
    video_id = _path_id("video_id", "A native video_ id, or a UniAll gen_ id (GET only).")
    media_types = {mime: {"schema": BINARY} for mime in catalog.CONTENT_VARIANTS.values()}
    openai_error = "openai/error"
    gt = "generatetask"
    return {
        "/v1/videos": {
            "post": {
                "operationId": "createVideo",
                "tags": ["openai"],
                "requestBody": {
                    "required": True,
                    "content": {
                        JSON: {"schema": _ref("openai/create_request")},
                        MULTIPART: {"schema": _ref("openai/create_request_multipart")},
                    },
                },
                "responses": _responses(_json_ok("openai/video"), openai_error),
            },
            "get": {
                "operationId": "listVideos",
                "tags": ["openai"],
                "parameters": [
                    {
                        "name": "limit",
                        "in": "query",
                        "schema": {
                            "type": "integer",
                            "minimum": 0,
                            "maximum": catalog.LIST_MAX_LIMIT,
                        },
                    },
                    {"name": "order", "in": "query", "schema": {"enum": list(catalog.LIST_ORDERS)}},
                    {"name": "after", "in": "query", "schema": {"type": "string"}},
                ],
                "responses": _responses(_json_ok("openai/video_list"), openai_error),
            },
        },
        "/v1/videos/{video_id}": {
            "parameters": [video_id],
            "get": {
                "operationId": "retrieveVideo",
                "tags": ["openai", "uniall"],
                "responses": _responses(
                    {JSON: {"schema": {"oneOf": [_ref("openai/video"), _ref("uniall/task")]}}},
                    openai_error,
                ),
            },
            "delete": {
                "operationId": "deleteVideo",
                "tags": ["openai"],
                "responses": _responses(_json_ok("openai/video_deleted"), openai_error),
            },
        },
        "/v1/videos/{video_id}/content": {
            "parameters": [video_id],
            "get": {
                "operationId": "retrieveVideoContent",
                "tags": ["openai"],
                "parameters": [
                    {
                        "name": "variant",
                        "in": "query",
                        "schema": {"enum": list(catalog.CONTENT_VARIANTS)},
                    }
                ],
                "responses": _responses(media_types, openai_error),
            },
        },
        "/v1/videos/{video_id}/remix": {
            "parameters": [video_id],
            "post": {
                "operationId": "remixVideo",
                "tags": ["openai"],
                "requestBody": _json_body("openai/remix_request"),
                "responses": _responses(_json_ok("openai/video"), openai_error),
            },
        },
        "/v1/video/generations": {
            "post": {
                "operationId": "createGeneration",
                "tags": ["uniall"],
                "requestBody": _json_body("uniall/create_request"),
                "responses": _responses(_json_ok("uniall/submit_response"), "uniall/error"),
            },
        },
        f"/api/v1/generateTask/{catalog.GT_MODEL}": {
            "post": {
                "operationId": "generateTask",
                "tags": [gt],
                "requestBody": _json_body(f"{gt}/create_request"),
                "responses": _responses(_json_ok(f"{gt}/submit_response"), f"{gt}/error"),
            },
        },
        f"/api/v1/statusTask/{catalog.GT_MODEL}": {
            "get": {
                "operationId": "statusTask",
                "tags": [gt],
                "parameters": [
                    {
                        "name": "taskId",
                        "in": "query",
                        "required": True,
                        "schema": {"type": "string"},
                    }
                ],
                "responses": _responses(_json_ok(f"{gt}/status_response"), f"{gt}/error"),
            },
        },
        "/media/{job_id}/{name}": {
            "parameters": [
                _path_id("job_id", "A gen_ or task_ id."),
                _path_id("name", "video.mp4, thumbnail.webp or spritesheet.jpg."),
            ],
            "get": {
                "operationId": "resultFile",
                "tags": ["uniall", gt],
                "security": [],
                # A result URL answers in the envelope of the dialect of the job it names.
                "responses": _responses(media_types, openai_error, f"{gt}/error"),
            },
        },
    }


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
