"""A WSGI app that does no work: a fixed Video for every request (bodies read and dropped).

Served by gunicorn exactly as ``sora-mock serve`` is served, it is the ceiling the server
stack allows on this machine: the benchmark prints it beside the mock and its peers.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

BODY = json.dumps(
    {
        "id": "video_" + "0" * 32,
        "object": "video",
        "model": "sora-2",
        "status": "queued",
        "progress": 0,
        "created_at": 1,
        "completed_at": None,
        "expires_at": None,
        "prompt": "A lighthouse at dusk",
        "size": "720x1280",
        "seconds": "4",
        "remixed_from_video_id": None,
        "error": None,
    }
).encode()


def app(environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
    """Read the body, answer the fixed Video."""
    length = int(environ.get("CONTENT_LENGTH") or 0)
    if length:
        environ["wsgi.input"].read(length)
    start_response(
        "200 OK", [("Content-Type", "application/json"), ("Content-Length", str(len(BODY)))]
    )
    return [BODY]
