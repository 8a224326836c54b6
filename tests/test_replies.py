"""The JSON responses the views write: built in one step, read as any Werkzeug response."""

from __future__ import annotations

import json

import pytest
from flask import Response

from mock_server.wire.replies import json_body, json_response, to_response

VALUES = [
    {"id": "video_1", "progress": 25, "error": None, "done": False, "ratio": 1.5},
    {"prompt": "café \u2028 \U0001f3ac", "nested": {"list": [1, [2, {}]], "empty": []}},
    [],
    "plain",
    7,
    {"nan": float("nan"), "big": 10**30},
]


@pytest.mark.parametrize("value", VALUES)
def test_a_json_response_writes_what_the_standard_encoder_writes(value: object) -> None:
    response = json_response(value)
    expected = json.dumps(value, separators=(",", ":")) + "\n"
    assert response.get_data(as_text=True) == expected
    assert response.headers["Content-Length"] == str(len(expected.encode()))
    assert json_body(response) is value


def test_a_json_response_reads_and_changes_as_a_werkzeug_response() -> None:
    response = json_response({"id": "x"}, 201, headers=[("openai-poll-after-ms", "10")])
    assert isinstance(response, Response)
    assert (response.status, response.status_code) == ("201 CREATED", 201)
    assert response.headers.to_wsgi_list() == [
        ("Content-Type", "application/json"),
        ("Content-Length", "11"),
        ("openai-poll-after-ms", "10"),
    ]
    assert response.mimetype == "application/json" and response.get_json() == {"id": "x"}
    response.headers.add("x-request-id", "req_1")
    response.headers["openai-poll-after-ms"] = "20"
    response.status_code = 429
    assert response.status == "429 TOO MANY REQUESTS"
    assert response.headers.getlist("openai-poll-after-ms") == ["20"]
    assert response.headers["X-Request-Id"] == "req_1"
    with pytest.raises(ValueError, match="newline"):
        response.headers.add("x-bad", "a\r\nb")


def test_a_view_result_becomes_a_response_with_its_status_and_headers() -> None:
    response = to_response(({"ok": True}, 202, {"Location": "/v1/videos/x"}))
    assert response.status_code == 202 and response.headers["Location"] == "/v1/videos/x"
    assert json_body(response) == {"ok": True}
    plain = Response(b'{"a": 1}', mimetype="application/json")
    assert json_body(plain) == {"a": 1} and to_response(plain) is plain
