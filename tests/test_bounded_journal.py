"""The journal keeps a bounded excerpt of any body, whatever its shape.

Once, a refused body of many keys or a long array was journaled whole: twelve refused 8 MB
bodies grew the server by 900 MiB and ``GET /_mock/requests`` answered 91 MiB. Now an
entry is a few kilobytes whatever was sent, in memory and in the ``--db`` file.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
import pytest

from mock_server import catalog, create_app
from mock_server.contracts import violations
from mock_server.wire.excerpt import MORE_KEY, excerpt
from sora_testkit import httpx_client
from tests.conftest import AUTH
from tests.helpers import assert_gt_error, assert_openai_error

#: An entry's JSON stays under this whatever the body held.
ENTRY_BYTES = 64 * 1024

MANY_KEYS = {"prompt": "x", **{f"k{n:07d}": n for n in range(60_000)}}
LONG_ARRAY = {"prompt": "x", "tags": list(range(200_000))}
WIDE_AND_DEEP = {
    "prompt": "x",
    "tree": [{f"a{m}": [[n] * 40 for n in range(40)] for m in range(40)}] * 4,
}
LONG_STRINGS = {"prompt": "x", **{f"s{n}": "y" * 100_000 for n in range(10)}}


def post_json(http: httpx.Client, path: str, body: dict[str, Any]) -> httpx.Response:
    return http.post(path, content=json.dumps(body), headers={"Content-Type": "application/json"})


def last_entry(http: httpx.Client) -> dict[str, Any]:
    entry: dict[str, Any] = http.get("/_mock/requests").json()["requests"][-1]
    return entry


@pytest.mark.parametrize(
    ("name", "body"),
    [
        ("many keys", MANY_KEYS),
        ("a long array", LONG_ARRAY),
        ("wide and deep", WIDE_AND_DEEP),
        ("long strings", LONG_STRINGS),
    ],
)
def test_a_refused_body_of_any_shape_is_journaled_as_a_bounded_excerpt(
    make_app: Any, name: str, body: dict[str, Any]
) -> None:
    app = make_app()
    with httpx_client(app, headers=AUTH) as http:
        sent = json.dumps(body)
        assert len(sent) > 8 * ENTRY_BYTES, name
        response = post_json(http, "/v1/videos", body)
        unknown = [key for key in body if key != "prompt"]
        said = "arguments" if len(unknown) > 1 else "argument"
        assert_openai_error(
            response,
            400,
            "request.unknown_parameter",
            f"Unrecognized request {said} supplied: {', '.join(unknown)}",
            param=unknown[0],
            code="unknown_parameter",
        )
        entry = last_entry(http)
    assert entry["status"] == 400 and entry["rule"] == "request.unknown_parameter"
    assert len(json.dumps(entry)) < ENTRY_BYTES, name
    assert entry["body"]["prompt"] == "x"  # what a reader needs first is kept


def test_the_excerpt_says_what_it_left_out() -> None:
    kept = excerpt(MANY_KEYS)
    assert len(kept) == catalog.JOURNAL_MEMBERS + 1
    assert kept[MORE_KEY] == f"<{len(MANY_KEYS) - catalog.JOURNAL_MEMBERS} more keys>"
    assert list(kept)[:3] == ["prompt", "k0000000", "k0000001"]
    tags = excerpt(LONG_ARRAY)["tags"]
    assert tags[: catalog.JOURNAL_MEMBERS] == list(range(catalog.JOURNAL_MEMBERS))
    assert tags[-1] == f"...<{200_000 - catalog.JOURNAL_MEMBERS} more items>"
    long = excerpt({"s": "y" * 100_000})["s"]
    assert long.startswith("y" * 64 + "...<100000 characters, sha256 ")


def test_the_excerpt_holds_a_bounded_number_of_values_in_all() -> None:
    def count(value: Any) -> int:
        if isinstance(value, dict):
            return sum(1 + count(member) for member in value.values())
        if isinstance(value, list):
            return sum(1 + count(member) for member in value)
        return 0

    # 4 x 40 x 40 x 40 values sent; the excerpt stops at the budget (plus its markers).
    kept = excerpt(WIDE_AND_DEEP)
    assert count(kept) <= catalog.JOURNAL_VALUES + 4 * catalog.JOURNAL_MEMBERS
    assert kept["prompt"] == "x"


def test_a_small_body_is_journaled_whole(make_app: Any) -> None:
    app = make_app()
    body = {"prompt": "A lighthouse", "model": "sora-2", "size": "720x1280", "seconds": "4"}
    with httpx_client(app, headers=AUTH) as http:
        assert post_json(http, "/v1/videos", body).status_code == 200
        assert last_entry(http)["body"] == body


def test_a_long_list_of_contract_violations_is_cut_and_says_so() -> None:
    body = {"input": {"mode": "image-to-video", "prompt": "x", "image_urls": [""] * 5000}}
    lines = violations("generatetask/create_request", body)
    assert len(lines) == catalog.JOURNAL_VIOLATIONS + 1
    assert lines[-1] == (
        f"...and more: the first {catalog.JOURNAL_VIOLATIONS} violations found are kept"
    )


def test_twelve_refused_bodies_grow_the_database_file_by_a_bounded_amount(
    tmp_path: Path,
) -> None:
    database = tmp_path / "mock.sqlite3"
    app = create_app({"db": str(database), "background_worker": False})
    with httpx_client(app, headers=AUTH) as http:
        assert post_json(http, "/v1/videos", {"prompt": "warm"}).status_code == 200
        before = sum(path.stat().st_size for path in tmp_path.iterdir())
        for n in range(12):
            body = MANY_KEYS if n % 2 else LONG_ARRAY
            assert post_json(http, "/v1/videos", body).status_code == 400
        entries = http.get("/_mock/requests").json()["requests"]
    after = sum(path.stat().st_size for path in tmp_path.iterdir())
    assert len(entries) == 13
    assert after - before < 12 * ENTRY_BYTES  # the bodies were 15 MB in all


def test_a_refused_generatetask_body_is_bounded_in_its_own_envelope(make_app: Any) -> None:
    app = make_app()
    body = {"input": {"mode": "text-to-video", "prompt": "x"}, **MANY_KEYS}
    del body["prompt"]
    with httpx_client(app, headers=AUTH) as http:
        response = post_json(http, "/api/v1/generateTask/sora-2-pro", body)
        entry = last_entry(http)
    unknown = ", ".join(f"'{key}'" for key in MANY_KEYS if key != "prompt")
    last = unknown.rfind(", ")
    listed = f"{unknown[:last]}, and {unknown[last + 2 :]}"
    assert_gt_error(response, 400, "request.unknown_parameter", f"Unknown parameters: {listed}.")
    assert len(json.dumps(entry)) < ENTRY_BYTES
    assert entry["rule"] == "request.unknown_parameter"
    assert entry["body"]["input"] == {"mode": "text-to-video", "prompt": "x"}
    assert entry["body"][MORE_KEY].endswith("more keys>")
