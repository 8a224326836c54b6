"""What the mock's jobs would have cost on the real service (SPEC 1.6's prices)."""

from __future__ import annotations

import pytest

from mock_server import catalog
from sora_testkit import SoraMock
from tests.conftest import AppFactory


@pytest.mark.parametrize(
    ("model", "size", "seconds", "dollars"),
    [
        ("sora-2", (720, 1280), 4, 0.40),
        ("sora-2-2025-10-06", (1280, 720), 12, 1.20),
        ("sora-2-pro", (1280, 720), 8, 2.40),
        ("sora-2-pro", (1792, 1024), 12, 6.00),
        ("sora", (480, 480), 5, 0.0),
    ],
)
def test_prices_per_second_by_model_and_size(
    model: str, size: tuple[int, int], seconds: int, dollars: float
) -> None:
    """Seeds 000 and 002: sora-2 $0.10/s; sora-2-pro $0.30/s, $0.50/s at its Pro-only sizes."""
    assert catalog.price_of(model, *size, seconds) == dollars


def test_a_mock_adds_up_what_its_jobs_would_cost(make_app: AppFactory) -> None:
    mock = SoraMock(make_app(progression="instant"))
    with mock.httpx_client() as http:
        http.post("/v1/videos", json={"prompt": "x"})  # sora-2, 4 s: $0.40
        http.post("/v1/video/generations", json={"model": "sora2-pro-1080p", "prompt": "x"})
        http.post(  # sora-2-pro, 10 s at 720x1280: $3.00
            "/api/v1/generateTask/sora-2-pro",
            json={"input": {"mode": "text-to-video", "prompt": "x"}},
        )
        http.post("/v1/videos", json={"prompt": "x", "size": "1280*720"})  # refused: free
    assert mock.cost == pytest.approx(0.40 + 0.50 * 4 + 3.00)
    mock.assert_cost_below(6)
    with pytest.raises(AssertionError, match=r"3 job\(s\) would have cost \$5\.40"):
        mock.assert_cost_below(5)
    mock.reset()
    assert mock.cost == pytest.approx(5.40)  # what was spent stays spent


def test_the_session_prints_its_bill(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        test_bill="""
import pytest

@pytest.mark.sora_mock(progression="instant")
def test_two(sora_openai):
    sora_openai.videos.create(prompt="a")
    sora_openai.videos.create(prompt="b", model="sora-2-pro", size="1792x1024", seconds="8")

def test_none(sora_mock):
    pass
"""
    )
    result = pytester.runpytest_subprocess(
        "-p", "no:cacheprovider", "-W", "ignore::DeprecationWarning"
    )
    result.assert_outcomes(passed=2)
    result.stdout.fnmatch_lines(
        ["sora-testkit: 2 mock job(s) (openai 2) would have cost $4.40 on the real service"]
    )


def test_a_cost_window_starts_where_the_test_says(make_app: AppFactory) -> None:
    """Per Hypothesis example (since the last reset), or from a mark: no subtracting by hand."""
    mock = SoraMock(make_app(progression="instant"))
    with mock.httpx_client() as http:
        for _ in range(3):
            http.post("/v1/videos", json={"prompt": "x"})  # $0.40 each
    mock.reset()  # the next example
    with mock.httpx_client() as http:
        http.post("/v1/videos", json={"prompt": "x", "seconds": "8"})  # $0.80
        mark = mock.mark_cost()
        http.post("/v1/videos", json={"prompt": "x"})  # $0.40
    assert mock.cost == pytest.approx(2.40)  # the whole test
    assert mock.cost_since("reset") == pytest.approx(1.20)  # this example
    assert mock.cost_since(mark) == pytest.approx(0.40)
    mock.assert_cost_below(1.25, since="reset")
    mock.assert_cost_below(0.41, since=mark)
    with pytest.raises(AssertionError) as refused:
        mock.assert_cost_below(1.0, since="reset")
    assert str(refused.value) == (
        "2 job(s) since the last reset would have cost $1.20 on the real service, not below $1.00"
    )
    with pytest.raises(AssertionError) as whole:
        mock.assert_cost_below(2.0)
    assert str(whole.value) == "5 job(s) would have cost $2.40 on the real service, not below $2.00"
