"""A WSGI app that does no work: a fixed Video for every request (bodies read and dropped).

Served by granian through the same adapter as ``sora-mock serve`` (``adapter``), it is the
ceiling the server stack allows on this machine: the benchmark prints it beside the mock and
its peers.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from mock_server import catalog
from mock_server.serving.rsgi import Adapter

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


def adapter() -> Adapter:
    """The app on granian's RSGI interface, as ``sora-mock serve`` runs the mock."""
    return Adapter(
        app,
        may_wait=lambda environ: False,
        read_timeout=catalog.DEFAULT_READ_TIMEOUT_SECONDS,
        largest_body=catalog.CONTROL_JSON_MAX_BYTES,
    )
