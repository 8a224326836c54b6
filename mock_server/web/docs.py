"""``/openapi.json``: the OpenAPI document of every dialect, served without credentials."""

from __future__ import annotations

from flask import Blueprint, jsonify
from flask.typing import ResponseReturnValue

from mock_server import openapi

blueprint = Blueprint("docs", __name__)


@blueprint.get("/openapi.json")
def openapi_document() -> ResponseReturnValue:
    """The OpenAPI 3.1 document assembled from the contracts."""
    return jsonify(openapi.document())
