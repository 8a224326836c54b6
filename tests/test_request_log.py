"""The server's one line a request: straight to ``serve``'s output, else through logging."""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator

import pytest

from mock_server.web import request_log


@pytest.fixture
def straight() -> Iterator[io.StringIO]:
    stream = io.StringIO()
    request_log.write_to(stream)
    try:
        yield stream
    finally:
        request_log.write_to(None)


def test_a_line_written_straight_is_whole_and_not_logged(
    straight: io.StringIO, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.INFO, logger="sora_mock.requests"):
        request_log.write("127.0.0.1 GET /v1/videos 200 0.3ms")
    assert straight.getvalue() == "127.0.0.1 GET /v1/videos 200 0.3ms\n"
    assert caplog.records == []
    assert request_log.enabled()


def test_without_a_stream_a_line_is_an_info_record(caplog: pytest.LogCaptureFixture) -> None:
    logging.getLogger("sora_mock.requests").setLevel(logging.NOTSET)
    with caplog.at_level(logging.WARNING, logger="sora_mock.requests"):
        assert not request_log.enabled()
        request_log.write("skipped")
    with caplog.at_level(logging.INFO, logger="sora_mock.requests"):
        assert request_log.enabled()
        request_log.write("127.0.0.1 GET /v1/videos 200 0.3ms")
    assert [(r.levelno, r.getMessage()) for r in caplog.records] == [
        (logging.INFO, "127.0.0.1 GET /v1/videos 200 0.3ms")
    ]
