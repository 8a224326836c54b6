"""The control API (SPEC 5.3): reset, progression, clock, forced outcomes, journal, assets."""

from __future__ import annotations

import json
import re
from typing import Any

import httpx
import openai
import pytest
from flask import Flask

from mock_server import catalog
from sora_testkit import httpx_client, openai_client
from tests.conftest import AUTH
from tests.helpers import assert_openai_error, image_bytes, named_file


def control_error(response: httpx.Response, status: int, message: str) -> None:
    assert response.status_code == status
    assert response.json() == {
        "error": {"message": message, "type": "control_error", "param": None, "code": None}
    }


def test_status_describes_the_mock(http: httpx.Client) -> None:
    status = http.get("/_mock/").json()
    assert status["progression"] == "polls"
    assert status["forced_outcomes"] == []
    assert status["unfinished_jobs"] == 0


def test_reset_forgets_everything(http: httpx.Client) -> None:
    video = http.post("/v1/videos", json={"prompt": "x"}).json()
    http.post("/_mock/faults", json={"status": 500, "path": "/nowhere"})
    http.post("/_mock/outcomes", json={"outcome": "internal_error"})
    http.post("/_mock/progression", json={"mode": "instant"})
    http.post("/_mock/assets", content=b"\x89PNG", headers={"Content-Type": "image/png"})
    http.post("/_mock/clock/advance", json={"seconds": 1000})
    status = http.post("/_mock/reset").json()
    assert status["progression"] == "polls"
    assert status["forced_outcomes"] == [] and status["faults"] == []
    assert http.get(f"/v1/videos/{video['id']}").status_code == 404
    assert http.get("/_mock/requests").json()["requests"][-1]["path"] == f"/v1/videos/{video['id']}"
    assert len(http.get("/_mock/requests").json()["requests"]) == 1


def test_request_journal_records_requests_but_not_control_calls(http: httpx.Client) -> None:
    http.post("/v1/videos", json={"prompt": "journal me", "size": "4K"})
    http.get("/_mock/clock")
    [entry] = http.get("/_mock/requests").json()["requests"]
    assert entry["method"] == "POST" and entry["path"] == "/v1/videos"
    assert entry["status"] == 400 and entry["rule"] == "size.unsupported"
    assert entry["body"] == {"prompt": "journal me", "size": "4K"}
    assert entry["headers"]["authorization"] == "Bearer sk-te***ck"
    assert entry["dialect"] == "openai"
    http.delete("/_mock/requests")
    assert http.get("/_mock/requests").json() == {"requests": []}


def test_journal_shortens_data_urls(http: httpx.Client) -> None:
    long_url = "data:image/png;base64," + "A" * 5000
    http.post("/v1/videos", json={"prompt": "x", "input_reference": {"image_url": long_url}})
    entry = http.get("/_mock/requests").json()["requests"][-1]
    shown = entry["body"]["input_reference"]["image_url"]
    assert shown.startswith("data:image/png;base64,AAA") and "5022 characters" in shown


def test_journal_keeps_a_refused_huge_value_short(http: httpx.Client) -> None:
    """A megabyte prompt is refused; neither its body summary nor the contract's verdict on
    it keeps the megabyte (jsonschema quotes the value it judged)."""
    refused = http.post("/v1/videos", json={"prompt": "x" * 1_100_000})
    assert refused.status_code == 400 and refused.json()["error"]["param"] == "prompt"
    entry = http.get("/_mock/requests").json()["requests"][-1]
    [violation] = entry["request_violations"]
    assert violation.startswith("$.prompt: 'xxx") and violation.endswith("is too long")
    assert "<1100024 characters>" in violation and len(violation) < 700
    assert "1100000 characters" in entry["body"]["prompt"]
    assert len(str(entry)) < 5_000


@pytest.mark.parametrize("outcome", ["moderation_blocked", "internal_error"])
def test_forced_failure_applies_to_the_next_job_only(http: httpx.Client, outcome: str) -> None:
    forced = http.post("/_mock/outcomes", json={"outcome": outcome})
    assert forced.json() == {"forced_outcomes": [outcome]}
    first = http.post("/v1/videos", json={"prompt": "innocent"}).json()
    second = http.post("/v1/videos", json={"prompt": "innocent"}).json()
    http.post("/_mock/progression", json={"mode": "instant"})
    assert http.get(f"/v1/videos/{first['id']}").json()["error"]["code"] == outcome
    assert http.get(f"/v1/videos/{second['id']}").json()["status"] == "completed"


def test_forced_outcome_count(http: httpx.Client) -> None:
    http.post("/_mock/outcomes", json={"outcome": "moderation_blocked", "count": 2})
    http.post("/_mock/progression", json={"mode": "instant"})
    results = [http.post("/v1/videos", json={"prompt": "x"}).json()["status"] for _ in range(3)]
    assert results == ["failed", "failed", "completed"]


def test_forced_face_rejects_the_next_create_with_a_reference(http: httpx.Client) -> None:
    http.post("/_mock/outcomes", json={"outcome": "face_rejected"})
    assert http.post("/v1/videos", json={"prompt": "no reference"}).status_code == 200
    response = http.post(
        "/v1/videos",
        data={"prompt": "x"},
        files={"input_reference": ("me.jpg", image_bytes(720, 1280, "JPEG"), "image/jpeg")},
    )
    assert_openai_error(
        response,
        400,
        "input_reference.face",
        "The request is blocked by our moderation system when checking inputs. Possible "
        "reasons: people-in-user-uploads.",
    )
    assert http.get("/_mock/outcomes").json()["forced_outcomes"] == []


def test_face_marker_in_the_prompt(sdk: openai.OpenAI) -> None:
    with pytest.raises(openai.BadRequestError) as raised:
        sdk.videos.create(
            prompt="portrait [mock:face_rejected]",
            input_reference=named_file(image_bytes(720, 1280), "face.png"),
        )
    assert raised.value.message.endswith("Possible reasons: people-in-user-uploads.")


def test_outcomes_listing_documents_every_magic_prompt(http: httpx.Client) -> None:
    available = http.get("/_mock/outcomes").json()["available"]
    assert set(available) == set(catalog.OUTCOMES)
    assert available["moderation_blocked"]["magic_prompt"] == "[mock:moderation_blocked]"


def test_forced_outcome_through_the_sdk(app: Flask) -> None:
    sdk = openai_client(app)
    with httpx_client(app) as control:
        control.post("/_mock/outcomes", json={"outcome": "moderation_blocked"})
    video = sdk.videos.create_and_poll(prompt="a calm lake")
    assert video.status == "failed"
    assert video.error is not None and video.error.code == "moderation_blocked"


@pytest.mark.parametrize(
    ("path", "body", "message"),
    [
        (
            "/_mock/outcomes",
            {"outcome": "explode"},
            f"'outcome' must be one of {', '.join(catalog.OUTCOMES)}.",
        ),
        (
            "/_mock/outcomes",
            {"outcome": "slow", "count": -1},
            "'count' must be a positive integer.",
        ),
        (
            "/_mock/progression",
            {"mode": "warp"},
            "'mode' must be one of instant, polls, time, manual.",
        ),
        ("/_mock/progression", {"mode": "time", "speed": 0}, "'speed' must be positive."),
        ("/_mock/clock/advance", {"seconds": "ten"}, "'seconds' must be a number."),
        (
            "/_mock/clock/advance",
            {"seconds": -5},
            "'seconds' must not be negative: the mock clock only moves forward.",
        ),
        ("/_mock/clock/advance", ["seconds"], "The body must be a JSON object."),
        (
            "/_mock/histories",
            {"steps": [{"status": "queued"}]},
            "step 0 has no 'progress': a state step is "
            '{"status": "in_progress", "progress": 40} (with "failure" when failed), '
            'a fault step is {"fault": 429} (with "retry_after_ms" if wanted)',
        ),
        (
            "/_mock/histories",
            {"steps": [{"status": "queued", "progress": 0}, {}]},
            "step 1 has no 'status' or 'progress': a state step is "
            '{"status": "in_progress", "progress": 40} (with "failure" when failed), '
            'a fault step is {"fault": 429} (with "retry_after_ms" if wanted)',
        ),
        (
            "/_mock/faults",
            {"status": 500, "should_retry": "yes"},
            "'should_retry' must be true or false.",
        ),
        ("/_mock/faults", {"status": 500, "path": 7}, "'path' must be a string."),
        (
            "/_mock/histories",
            {"steps": [{"status": "done", "progress": 100}]},
            "step 0: unknown status 'done'",
        ),
        (
            "/_mock/histories",
            {"steps": [{"status": "in_progress", "progress": 140}]},
            "step 0: 'progress' must be a whole number from 0 to 100",
        ),
        (
            "/_mock/histories",
            {"steps": [{"fault": 200}]},
            "step 0: a fault needs a status of 400-599",
        ),
        (
            "/_mock/histories",
            {"steps": [{"status": "queued", "progress": 0, "colour": "red"}]},
            "step 0 has colour, which no step has: a state step is "
            '{"status": "in_progress", "progress": 40} (with "failure" when failed), '
            'a fault step is {"fault": 429} (with "retry_after_ms" if wanted)',
        ),
        (
            "/_mock/histories",
            {
                "steps": [
                    {"status": "queued", "progress": 0},
                    {"status": "queued", "progress": 0},
                    7,
                ]
            },
            "step 2 is not an object: a state step is "
            '{"status": "in_progress", "progress": 40} (with "failure" when failed), '
            'a fault step is {"fault": 429} (with "retry_after_ms" if wanted)',
        ),
        (
            "/_mock/histories",
            {
                "steps": [
                    {"status": "completed", "progress": 100},
                    {"status": "queued", "progress": 0},
                ]
            },
            "step 1: the job already finished",
        ),
        ("/_mock/unreachable", {"url": 7}, "'url' must be a string."),
        ("/_mock/unreachable", {"host": ""}, "Give a 'url' or a 'host' (a non-empty string)."),
        ("/_mock/unreachable", {}, "Give a 'url' or a 'host' (a non-empty string)."),
        (
            "/_mock/progression",
            {"mode": "time", "pace": 2},
            "Unknown fields: pace.",
        ),
        (
            "/_mock/faults",
            {"status": True},
            "'status' must be an HTTP error status (400-599), or 0 for a delay only.",
        ),
    ],
)
def test_bad_control_calls(http: httpx.Client, path: str, body: Any, message: str) -> None:
    control_error(http.post(path, json=body), 400, message)


def test_a_form_body_is_told_to_send_json(http: httpx.Client) -> None:
    response = http.post("/_mock/clock/advance", data={"seconds": "5"})
    control_error(
        response,
        400,
        "Send JSON (Content-Type: application/json), not application/x-www-form-urlencoded.",
    )
    control_error(
        http.post("/_mock/outcomes", content=b"{}", headers={"content-type": "text/plain"}),
        400,
        "Send JSON (Content-Type: application/json), not text/plain.",
    )


def test_the_deliveries_journal_refuses_an_unknown_kind(http: httpx.Client) -> None:
    control_error(
        http.get("/_mock/deliveries", params={"kind": "bogus"}),
        400,
        "'kind' must be one of webhook, callback.",
    )
    assert http.get("/_mock/deliveries", params={"kind": "callback"}).json() == {"deliveries": []}


def test_forced_outcomes_can_be_cleared_alone(http: httpx.Client) -> None:
    http.post("/_mock/outcomes", json={"outcome": "moderation_blocked", "count": 2})
    http.post("/_mock/faults", json={"status": 503, "path": "/nowhere"})
    created = http.post("/v1/videos", json={"prompt": "kept"}).json()
    cleared = http.delete("/_mock/outcomes")
    assert (cleared.status_code, cleared.json()) == (200, {"forced_outcomes": []})
    assert http.get("/_mock/outcomes").json()["forced_outcomes"] == []
    assert len(http.get("/_mock/faults").json()["faults"]) == 1  # nothing else was touched
    assert http.get(f"/v1/videos/{created['id']}").status_code == 200
    video = http.post("/v1/videos", json={"prompt": "after the clearing"}).json()
    while video["status"] not in ("completed", "failed"):
        video = http.get(f"/v1/videos/{video['id']}").json()
    assert video["status"] == "completed"  # the second forced failure was dropped


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda mock: mock.force_outcome("explode"), "'outcome' must be one of"),
        (lambda mock: mock.set_progression("warp"), "'mode' must be one of instant"),
        (lambda mock: mock.advance(-1), "'seconds' must not be negative"),
        (lambda mock: mock.queue_fault(200), "'status' must be an HTTP error status"),
        (lambda mock: mock.queue_fault(500, colour="red"), "Unknown fault fields: colour."),
        (lambda mock: mock.deliveries("bogus"), "'kind' must be one of webhook, callback."),
        (lambda mock: mock.mark_unreachable(), "Give a 'url' or a 'host'"),
        (lambda mock: mock.upload_asset(b""), "Send the asset as a multipart part"),
    ],
)
def test_the_fixture_refuses_what_the_control_api_refuses(
    app: Flask, call: Any, message: str
) -> None:
    """One implementation behind both: the same values are refused with the same sentence."""
    from mock_server.controls import ControlError
    from sora_testkit import SoraMock

    with pytest.raises(ControlError, match=re.escape(message)):
        call(SoraMock(app))


def test_progression_and_speed_can_be_changed(http: httpx.Client) -> None:
    status = http.post("/_mock/progression", json={"mode": "time", "speed": 30}).json()
    assert (status["progression"], status["speed"]) == ("time", 30)
    assert status["clock"]["frozen"] is False
    assert http.post("/_mock/progression", json={"mode": "manual"}).json()["clock"]["frozen"]


def test_assets_upload_as_multipart_or_raw(http: httpx.Client) -> None:
    png = image_bytes(8, 8)
    multipart = http.post("/_mock/assets", files={"file": ("a.png", png, "image/png")}).json()
    raw = http.post("/_mock/assets", content=png, headers={"Content-Type": "image/png"}).json()
    for asset in (multipart, raw):
        assert asset["id"].startswith("file-")
        assert asset["bytes"] == len(png)
        assert http.get(asset["url"]).content == png
    control_error(
        http.post("/_mock/assets"),
        400,
        "Send the asset as a multipart part named 'file' or as the raw body.",
    )
    control_error(http.get("/_mock/assets/file-nope"), 404, "No asset with id 'file-nope'.")


def test_job_internals(http: httpx.Client) -> None:
    video = http.post("/v1/videos", json={"prompt": "x"}).json()
    http.get(f"/v1/videos/{video['id']}")
    job = http.get(f"/_mock/jobs/{video['id']}").json()
    assert (job["reads"], job["steps"], job["fraction"]) == (1, 4, 0.25)
    assert job["owner"] == "sk-te***ck"
    control_error(http.get("/_mock/jobs/video_nope"), 404, "No job with id 'video_nope'.")


def test_control_token_guards_the_control_api(make_app: Any) -> None:
    app = make_app(control_token="let-me-in")
    with httpx_client(app, headers=AUTH) as http:
        assert_openai_error(
            http.get("/_mock/clock"),
            401,
            "control.token",
            "The control API needs a valid x-sora-mock-token header.",
        )
        assert (
            http.get("/_mock/clock", headers={"x-sora-mock-token": "let-me-in"}).status_code == 200
        )
        assert http.get("/v1/videos").status_code == 200


@pytest.mark.parametrize(
    "host", ["evil.example", "evil.example:8000", "rebound.attacker.com", "127.0.0.1.nip.io"]
)
def test_a_request_naming_another_host_cannot_reach_the_control_api(
    make_app: Any, host: str
) -> None:
    """DNS rebinding: a page's own name made to point at 127.0.0.1 reads nothing, changes
    nothing."""
    app = make_app()
    with httpx_client(app, headers=AUTH) as http:
        http.post("/_mock/outcomes", json={"outcome": "moderation_blocked"})
        for method, path in (("GET", "/_mock/requests"), ("POST", "/_mock/reset")):
            assert_openai_error(
                http.request(method, path, headers={"Host": host}),
                403,
                "control.foreign_host",
                f"The control API does not answer for the host '{host}': call it as localhost "
                "or by IP address, or start the server with --allow-host NAME.",
            )
        assert http.get("/_mock/").json()["forced_outcomes"] == ["moderation_blocked"]


@pytest.mark.parametrize(
    "host", ["localhost:8000", "127.0.0.1", "[::1]:9", "10.1.2.3:80", "host.docker.internal",
             "app.localhost", "sora-mock.test", "mock.team.example"],
)  # fmt: skip
def test_the_control_api_answers_for_this_servers_names(make_app: Any, host: str) -> None:
    app = make_app(allowed_hosts=("mock.team.example",))
    with httpx_client(app, headers=AUTH) as http:
        assert http.get("/_mock/clock", headers={"Host": host}).status_code == 200


@pytest.mark.parametrize(
    ("headers", "shown"),
    [
        # A cross-site form post: no preflight, the browser sends Origin and Sec-Fetch-Site.
        (
            {
                "Origin": "https://evil.example",
                "Sec-Fetch-Site": "cross-site",
                "Content-Type": "application/x-www-form-urlencoded",
            },
            "https://evil.example",
        ),
        # A cross-origin fetch with JSON, as a page on another port of the same machine sends.
        (
            {"Origin": "http://localhost:3000", "Content-Type": "application/json"},
            "http://localhost:3000",
        ),
        ({"Origin": "null", "Content-Type": "application/json"}, "null"),  # a sandboxed frame
        ({"Sec-Fetch-Site": "same-site"}, "same-site"),
    ],
)
def test_a_web_page_of_another_origin_cannot_change_the_mock(
    make_app: Any, headers: dict[str, str], shown: str
) -> None:
    app = make_app()
    with httpx_client(app, headers=AUTH) as http:
        http.post("/_mock/outcomes", json={"outcome": "moderation_blocked"})
        for path, body in (("/_mock/reset", None), ("/_mock/faults", {"status": 503})):
            response = http.post(
                path, headers={"Host": "localhost:8000", **headers}, content=json.dumps(body or {})
            )
            assert_openai_error(
                response,
                403,
                "control.cross_site",
                f"The control API refuses changes from a web page of another origin ('{shown}'): "
                "call it from a program, or from a page of this server.",
            )
        upload = http.post(
            "/_mock/assets",
            headers={
                "Host": "localhost:8000",
                **{k: v for k, v in headers.items() if k != "Content-Type"},
            },
            files={"file": ("x.png", b"\x89PNG", "image/png")},
        )
        assert upload.headers["x-sora-mock-rule"] == "control.cross_site"
        status = http.get("/_mock/").json()
    assert (status["forced_outcomes"], status["faults"]) == (["moderation_blocked"], [])


def test_a_program_and_a_page_of_this_server_may_change_the_mock(make_app: Any) -> None:
    app = make_app()
    same_page = {"Origin": "http://localhost:8000", "Sec-Fetch-Site": "same-origin"}
    with httpx_client(app, headers={**AUTH, "Host": "localhost:8000"}) as http:
        assert (
            http.post("/_mock/outcomes", json={"outcome": "moderation_blocked"}).status_code == 200
        )
        assert http.post("/_mock/reset", headers=same_page).status_code == 200
        typed = http.post("/_mock/reset", headers={"Sec-Fetch-Site": "none"})  # the address bar
        assert typed.status_code == 200
        # A read from another origin changes nothing, and its answer has no CORS header.
        read = http.get("/_mock/clock", headers={"Origin": "https://evil.example"})
        assert read.status_code == 200 and "access-control-allow-origin" not in read.headers


def test_control_api_can_be_switched_off(make_app: Any) -> None:
    app = make_app(control_api=False)
    with httpx_client(app, headers=AUTH) as http:
        assert_openai_error(
            http.post("/_mock/reset"),
            404,
            "control.disabled",
            "The control API is switched off on this server.",
        )


def test_journal_headers_are_the_same_in_process_as_from_a_server_environ() -> None:
    """The in-process transport hands the journal its header pairs; a server's environ is
    scanned for them. Both read the same: names lower-cased, credentials masked, the body's
    length counted."""
    from mock_server.backend.journal import HEADER_PAIRS_KEY, masked_headers, raw_headers
    from sora_testkit.transports import environ_headers

    raw = [
        (b"Authorization", b"Bearer sk-secret-value-42"),
        (b"Content-Type", b"application/json"),
        (b"X-Stainless-OS", b"Linux"),
    ]
    pairs = [*environ_headers(raw), ("CONTENT_LENGTH", "17")]
    served = {
        "REQUEST_METHOD": "POST",
        "wsgi.input": object(),
        "HTTP_AUTHORIZATION": "Bearer sk-secret-value-42",
        "CONTENT_TYPE": "application/json",
        "CONTENT_LENGTH": "17",
        "HTTP_X_STAINLESS_OS": "Linux",
    }
    expected = {
        "authorization": "Bearer sk-se***42",
        "content-type": "application/json",
        "x-stainless-os": "Linux",
        "content-length": "17",
    }
    assert masked_headers(raw_headers(served)) == expected
    assert masked_headers(raw_headers({HEADER_PAIRS_KEY: pairs})) == expected


def test_an_in_process_request_journals_its_body_length(http: httpx.Client) -> None:
    http.post(
        "/v1/videos", content=b'{"prompt": "x"}', headers={"Content-Type": "application/json"}
    )
    entry = http.get("/_mock/requests").json()["requests"][-1]
    assert entry["headers"]["content-length"] == "15"
    assert entry["headers"]["content-type"] == "application/json"
    assert entry["headers"]["authorization"] == "Bearer sk-te***ck"


def test_a_journal_entry_names_each_value_it_keeps(http: httpx.Client) -> None:
    """Entries are kept as compact tuples and named when read: each value under its name."""
    from mock_server.backend.journal import ENTRY_FIELDS

    video = http.post("/v1/videos", json={"prompt": "named"}).json()
    http.get(f"/v1/videos/{video['id']}?trace=1")
    create, read = http.get("/_mock/requests").json()["requests"][-2:]
    assert list(read) == list(ENTRY_FIELDS)
    assert (read["method"], read["path"], read["query"]) == (
        "GET",
        f"/v1/videos/{video['id']}",
        {"trace": ["1"]},
    )
    assert (read["status"], read["dialect"], read["job"], read["terminal"]) == (
        200,
        "openai",
        video["id"],
        False,
    )
    assert read["poll_after_ms"] == catalog.FAST_POLL_AFTER_MS and read["retry_after"] is None
    assert read["content_type"] is None and read["body"] is None and read["rule"] is None
    assert read["request_violations"] == [] and read["fault"] is None
    assert read["id"].startswith(catalog.ID_PREFIX_REQUEST) and read["duration_ms"] >= 0
    assert isinstance(read["at"], float) and read["headers"]["authorization"].endswith("***ck")
    assert (create["request_contract"], create["body"]) == (
        "openai/create_request",
        {"prompt": "named"},
    )
