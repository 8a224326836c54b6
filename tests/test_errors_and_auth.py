"""Auth, routing and protocol errors, and job-state errors (SPEC 1.4, 1.5, 5.4)."""

from __future__ import annotations

from typing import Any

import httpx
import openai
import pytest

from sora_testkit import httpx_client, openai_client
from tests.conftest import AUTH
from tests.helpers import assert_openai_error, image_bytes

MISSING_ID = "video_" + "0" * 32
NO_KEY = (
    "You didn't provide an API key. You need to provide your API key in an Authorization header "
    "using Bearer auth (i.e. Authorization: Bearer YOUR_KEY), or as the password field (with "
    "blank username) if you're accessing the API from your browser and are prompted for a "
    "username. You can obtain an API key from https://platform.openai.com/account/api-keys."
)


def completed_video(http: httpx.Client, **fields: Any) -> dict[str, Any]:
    video: dict[str, Any] = http.post("/v1/videos", json={"prompt": "x", **fields}).json()
    while video["status"] not in ("completed", "failed"):
        video = http.get(f"/v1/videos/{video['id']}").json()
    return video


# --- auth ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "headers",
    [{}, {"Authorization": "Bearer "}, {"Authorization": "Basic abc"}, {"Authorization": "sk-x"}],
    ids=["none", "empty-bearer", "basic", "no-scheme"],
)
def test_missing_key(anon: httpx.Client, headers: dict[str, str]) -> None:
    assert_openai_error(anon.get("/v1/videos", headers=headers), 401, "auth.missing", NO_KEY)


def test_missing_key_on_create_is_refused_before_the_body_is_read(anon: httpx.Client) -> None:
    response = anon.post(
        "/v1/videos", content=b"{not json", headers={"Content-Type": "application/json"}
    )
    assert response.headers["x-sora-mock-rule"] == "auth.missing"


def test_any_key_is_accepted_when_none_is_configured(anon: httpx.Client) -> None:
    response = anon.get("/v1/videos", headers={"Authorization": "Bearer whatever"})
    assert response.status_code == 200


def test_azure_api_key_header_is_accepted(anon: httpx.Client) -> None:
    assert anon.get("/v1/videos", headers={"api-key": "azure-key-1"}).status_code == 200


def test_unknown_key_is_masked_in_the_message(make_app: Any) -> None:
    app = make_app(api_keys=["sk-good-key-123"])
    with httpx_client(app) as http:
        assert_openai_error(
            http.get("/v1/videos", headers={"Authorization": "Bearer sk-abcdefghijkyz"}),
            401,
            "auth.invalid_key",
            "Incorrect API key provided: sk-ab***yz. You can find your API key at "
            "https://platform.openai.com/account/api-keys.",
            code="invalid_api_key",
        )
        good = http.get("/v1/videos", headers={"Authorization": "Bearer sk-good-key-123"})
        assert good.status_code == 200
        azure = http.get("/v1/videos", headers={"api-key": "sk-good-key-123"})
        assert azure.status_code == 200


def test_sdk_sees_authentication_error(make_app: Any) -> None:
    sdk = openai_client(make_app(api_keys=["sk-right"]), api_key="sk-wrong-key")
    with pytest.raises(openai.AuthenticationError) as raised:
        sdk.videos.list()
    assert raised.value.code == "invalid_api_key"
    assert raised.value.request_id is not None
    assert raised.value.request_id.startswith("req_")


def test_keys_never_appear_unmasked_in_the_journal(make_app: Any) -> None:
    from mock_server import state_of

    app = make_app()
    with httpx_client(app) as http:
        http.get("/v1/videos", headers={"Authorization": "Bearer sk-secret-value-42"})
        http.get("/v1/videos", headers={"api-key": "azure-secret-value-42"})
    journal = str(state_of(app).journal.entries())
    assert "secret-value" not in journal
    assert "sk-se***42" in journal


# --- routes and protocol ---------------------------------------------------------------------


def test_every_response_carries_a_request_id(http: httpx.Client, anon: httpx.Client) -> None:
    ids = {
        http.get("/v1/videos").headers["x-request-id"],
        http.get("/nowhere").headers["x-request-id"],
        anon.get("/v1/videos").headers["x-request-id"],
        http.get("/_mock/clock").headers["x-request-id"],
    }
    assert len(ids) == 4
    assert all(i.startswith("req_") and len(i) == 36 for i in ids)


@pytest.mark.parametrize("path", ["/", "/v1/video", "/v1/videos/x/y/z", "/v2/videos"])
def test_unknown_route_is_json_404(http: httpx.Client, path: str) -> None:
    assert_openai_error(http.get(path), 404, "route.not_found", f"Invalid URL (GET {path})")


def test_wrong_method_is_json_405_with_allow(http: httpx.Client) -> None:
    response = http.put("/v1/videos")
    assert_openai_error(
        response,
        405,
        "route.method_not_allowed",
        "Invalid method for URL (PUT /v1/videos); allowed: GET, HEAD, OPTIONS, POST.",
    )
    assert response.headers["Allow"] == "GET, HEAD, OPTIONS, POST"


def test_malformed_json(http: httpx.Client) -> None:
    response = http.post(
        "/v1/videos", content=b'{"prompt": "x",', headers={"Content-Type": "application/json"}
    )
    assert_openai_error(
        response,
        400,
        "request.malformed_json",
        "We could not parse the JSON body of your request.",
        prefix=True,
    )


def test_json_that_is_not_an_object(http: httpx.Client) -> None:
    assert_openai_error(
        http.post("/v1/videos", json=["prompt"]),
        400,
        "request.body_not_object",
        "Invalid type for request body: expected an object, but got an array instead.",
        code="invalid_type",
    )


def test_invalid_utf8(http: httpx.Client) -> None:
    assert_openai_error(
        http.post(
            "/v1/videos",
            content=b'{"prompt": "\xff\xfe"}',
            headers={"Content-Type": "application/json"},
        ),
        400,
        "request.invalid_encoding",
        "The request body is not valid UTF-8.",
    )


@pytest.mark.parametrize("content_type", ["text/plain", "application/x-www-form-urlencoded", None])
def test_unsupported_content_type(http: httpx.Client, content_type: str | None) -> None:
    headers = {"Content-Type": content_type} if content_type else {}
    response = http.post("/v1/videos", content=b"prompt=x", headers=headers)
    assert_openai_error(
        response,
        400,
        "request.unsupported_content_type",
        f"Invalid Content-Type header ({content_type or 'none'}), expected "
        "'application/json' or 'multipart/form-data'.",
    )


def test_multipart_without_boundary(http: httpx.Client) -> None:
    response = http.post(
        "/v1/videos", content=b"--x\r\n", headers={"Content-Type": "multipart/form-data"}
    )
    assert_openai_error(
        response,
        400,
        "request.malformed_multipart",
        "Could not parse the multipart form body of your request: Missing boundary.",
    )


def test_truncated_multipart(http: httpx.Client) -> None:
    body = b'--b\r\nContent-Disposition: form-data; name="prompt"\r\n\r\na ca'
    response = http.post(
        "/v1/videos", content=body, headers={"Content-Type": "multipart/form-data; boundary=b"}
    )
    assert response.status_code == 400
    assert response.headers["x-sora-mock-rule"] == "request.malformed_multipart"
    assert response.json()["error"]["message"].startswith(
        "Could not parse the multipart form body of your request:"
    )


def test_json_body_over_the_limit(make_app: Any) -> None:
    app = make_app(max_reference_bytes=1000)
    limit = 1000 * 4 // 3 + 1024 * 1024
    with httpx_client(app, headers=AUTH) as http:
        response = http.post("/v1/videos", json={"prompt": "x" * (limit + 10)})
    assert_openai_error(
        response,
        413,
        "request.body_too_large",
        "The request body is larger than the 1.0 MB this endpoint accepts.",
    )


# --- job state -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "suffix"),
    [("GET", ""), ("DELETE", ""), ("GET", "/content"), ("POST", "/remix")],
)
def test_unknown_id(http: httpx.Client, method: str, suffix: str) -> None:
    kwargs: dict[str, Any] = {"json": {"prompt": "x"}} if method == "POST" else {}
    response = http.request(method, f"/v1/videos/{MISSING_ID}{suffix}", **kwargs)
    assert_openai_error(
        response, 404, "video.not_found", f"Video with id '{MISSING_ID}' not found."
    )


def test_content_before_completion(http: httpx.Client) -> None:
    video = http.post("/v1/videos", json={"prompt": "x"}).json()
    assert_openai_error(
        http.get(f"/v1/videos/{video['id']}/content"),
        404,
        "video.not_ready",
        f"Video is not ready yet. Video '{video['id']}' is queued; download its content once "
        "its status is 'completed'.",
    )


def test_failed_video_has_no_content(http: httpx.Client) -> None:
    video = completed_video(http, prompt="x [mock:internal_error]")
    assert video["status"] == "failed"
    assert_openai_error(
        http.get(f"/v1/videos/{video['id']}/content"),
        404,
        "video.failed_no_content",
        f"Video '{video['id']}' failed and has no content.",
    )


def test_content_expires_after_a_day(http: httpx.Client) -> None:
    video = completed_video(http)
    assert http.get(f"/v1/videos/{video['id']}/content?variant=thumbnail").status_code == 200
    http.post("/_mock/clock/advance", json={"seconds": 86400})
    assert_openai_error(
        http.get(f"/v1/videos/{video['id']}/content"),
        404,
        "video.expired",
        f"The content of video '{video['id']}' has expired.",
    )
    assert http.get(f"/v1/videos/{video['id']}").json()["status"] == "completed"


def test_unknown_variant(http: httpx.Client) -> None:
    video = completed_video(http)
    assert_openai_error(
        http.get(f"/v1/videos/{video['id']}/content?variant=gif"),
        400,
        "content.variant",
        "Invalid value: 'gif'. Supported values are: 'video', 'thumbnail', and 'spritesheet'.",
        param="variant",
        code="invalid_value",
    )


def test_delete_while_unfinished(http: httpx.Client) -> None:
    video = http.post("/v1/videos", json={"prompt": "x"}).json()
    assert_openai_error(
        http.delete(f"/v1/videos/{video['id']}"),
        400,
        "video.delete_unfinished",
        f"Video '{video['id']}' is queued; only a completed or failed video can be deleted.",
    )


def test_delete_of_a_failed_video(http: httpx.Client) -> None:
    video = completed_video(http, prompt="[mock:moderation_blocked]")
    assert http.delete(f"/v1/videos/{video['id']}").json() == {
        "id": video["id"],
        "object": "video.deleted",
        "deleted": True,
    }


def test_remix_of_an_unfinished_video(http: httpx.Client) -> None:
    video = http.post("/v1/videos", json={"prompt": "x"}).json()
    http.get(f"/v1/videos/{video['id']}")
    assert_openai_error(
        http.post(f"/v1/videos/{video['id']}/remix", json={"prompt": "y"}),
        400,
        "video.remix_unfinished",
        f"Video '{video['id']}' is in_progress; only a completed video can be remixed.",
    )


def test_remix_body_rules(http: httpx.Client) -> None:
    video = completed_video(http)
    path = f"/v1/videos/{video['id']}/remix"
    assert http.post(path, json={}).headers["x-sora-mock-rule"] == "prompt.required"
    assert_openai_error(
        http.post(path, json={"prompt": "y", "seconds": "8"}),
        400,
        "request.unknown_parameter",
        "Unrecognized request argument supplied: seconds",
        param="seconds",
        code="unknown_parameter",
    )


# --- list parameters -------------------------------------------------------------------------


@pytest.mark.parametrize("limit", ["abc", "1.5", "", "true"])
def test_list_limit_of_wrong_type(http: httpx.Client, limit: str) -> None:
    assert_openai_error(
        http.get("/v1/videos", params={"limit": limit}),
        400,
        "list.limit_type",
        "Invalid type for 'limit': expected an integer, but got a string instead.",
        param="limit",
        code="invalid_type",
    )


@pytest.mark.parametrize("limit", ["-1", "101", "100000000000000000000"])
def test_list_limit_out_of_range(http: httpx.Client, limit: str) -> None:
    assert_openai_error(
        http.get("/v1/videos", params={"limit": limit}),
        400,
        "list.limit_range",
        f"Invalid 'limit': expected a value between 0 and 100, but got {limit} instead.",
        param="limit",
        code="integer_out_of_range",
    )


def test_list_limit_bounds_are_accepted(http: httpx.Client) -> None:
    http.post("/v1/videos", json={"prompt": "x"})
    zero = http.get("/v1/videos", params={"limit": "0"}).json()
    assert (zero["data"], zero["has_more"], zero["last_id"]) == (
        [],
        False,
        None,
    )  # nothing to page on from an empty page
    assert http.get("/v1/videos", params={"limit": "100"}).status_code == 200


def test_list_order(http: httpx.Client) -> None:
    assert_openai_error(
        http.get("/v1/videos", params={"order": "newest"}),
        400,
        "list.order",
        "Invalid value: 'newest'. Supported values are: 'asc' and 'desc'.",
        param="order",
        code="invalid_value",
    )


def test_list_after_an_unknown_id(http: httpx.Client) -> None:
    assert_openai_error(
        http.get("/v1/videos", params={"after": "video_nope"}),
        400,
        "list.after_unknown",
        "Invalid 'after': no video with id 'video_nope' to page after.",
        param="after",
    )


def test_an_image_upload_with_odd_characters_in_ids_never_500s(http: httpx.Client) -> None:
    for odd in ("%00", "..%2F..", "video_%F0%9F%8E%A5", "a" * 2000):
        response = http.get(f"/v1/videos/{odd}")
        assert response.status_code == 404, odd
        assert response.json()["error"]["type"] == "invalid_request_error"
    response = http.post(
        "/v1/videos",
        files={"input_reference": ("x.png", image_bytes(720, 1280), "image/png")},
        data={"prompt": "x"},
    )
    assert response.status_code == 200


@pytest.mark.parametrize(
    ("field", "expected"),
    [
        ("prompt", "a string"),
        ("model", "a string"),
        ("size", "a string"),
        ("seconds", "one of '4', '8', or '12'"),
    ],
)
def test_a_text_field_sent_as_a_file_is_a_type_error(
    http: httpx.Client, field: str, expected: str
) -> None:
    data = {"prompt": "x"} if field != "prompt" else {}
    response = http.post("/v1/videos", data=data, files={field: ("f.txt", b"sora-2", "text/plain")})
    assert_openai_error(
        response,
        400,
        f"{field}.type",
        f"Invalid type for '{field}': expected {expected}, but got a file instead.",
        param=field,
        code="invalid_type",
    )


def test_invalid_utf8_in_a_multipart_field(http: httpx.Client) -> None:
    body = b'--b\r\nContent-Disposition: form-data; name="prompt"\r\n\r\n\xff\xfe\r\n--b--\r\n'
    response = http.post(
        "/v1/videos", content=body, headers={"Content-Type": "multipart/form-data; boundary=b"}
    )
    assert_openai_error(
        response, 400, "request.invalid_encoding", "The request body is not valid UTF-8."
    )


def test_a_latin_1_part_is_decoded_as_it_says(http: httpx.Client) -> None:
    body = (
        b'--b\r\nContent-Disposition: form-data; name="prompt"\r\n'
        b"Content-Type: text/plain; charset=iso-8859-1\r\n\r\ncaf\xe9\r\n--b--\r\n"
    )
    response = http.post(
        "/v1/videos", content=body, headers={"Content-Type": "multipart/form-data; boundary=b"}
    )
    assert response.status_code == 200
    assert response.json()["prompt"] == "café"


def test_too_many_multipart_parts(http: httpx.Client) -> None:
    parts = b"".join(
        b'--b\r\nContent-Disposition: form-data; name="f%d"\r\n\r\nx\r\n' % i for i in range(70)
    )
    response = http.post(
        "/v1/videos",
        content=parts + b"--b--\r\n",
        headers={"Content-Type": "multipart/form-data; boundary=b"},
    )
    assert_openai_error(
        response,
        413,
        "request.form_limits",
        "The multipart body has more than 64 parts or a text field over 192 KiB.",
    )


def test_a_bug_in_the_mock_is_a_json_500_in_the_dialects_envelope(
    make_app: Any, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """Past the route's own handling (here the journal breaking), the answer is still the
    dialect's JSON 500, and the bug is logged."""
    from mock_server import state_of

    app = make_app()
    journal = state_of(app).journal

    def broken(entry: dict[str, Any]) -> None:
        raise RuntimeError("the journal broke")

    monkeypatch.setattr(journal, "record", broken)
    with httpx_client(app, headers=AUTH) as http:
        openai_style = http.get("/v1/videos")
        generatetask = http.get("/api/v1/statusTask/sora-2-pro?taskId=task_x")
    assert openai_style.status_code == 500
    assert openai_style.json() == {
        "error": {
            "message": "The server had an error while processing your request. Sorry about that!",
            "type": "server_error",
            "param": None,
            "code": None,
        }
    }
    assert generatetask.status_code == 500
    assert generatetask.json() == {
        "code": 500,
        "message": "Internal server error",
        "data": {"error": "Internal server error."},
    }
    assert "the journal broke" in caplog.text
