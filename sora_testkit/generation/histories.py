"""Every legal history of a job's status reads, with failures and HTTP faults interleaved."""

from __future__ import annotations

from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument

from mock_server import catalog
from mock_server.backend.history import FaultStep, StateStep, Step

#: Statuses a polling client should survive.
FAULT_STATUSES = (429, 500, 502, 503)
#: The official SDK retries a request twice: three faults in a row exhaust its retries.
SDK_MAX_RETRIES = 2


@st.composite
def _histories(
    draw: st.DrawFn,
    failures: bool,
    cancellations: bool,
    faults: bool,
    max_reads: int,
    fault_statuses: tuple[int, ...],
    max_burst: int,
) -> list[Step]:
    if max_burst < 1:
        raise InvalidArgument(f"max_burst must be at least 1, not {max_burst}")
    if max_reads < 1:
        raise InvalidArgument(f"max_reads must be at least 1, not {max_reads}")
    if faults and not fault_statuses:
        raise InvalidArgument("fault_statuses must not be empty when faults are on")
    queued = draw(st.integers(min_value=0, max_value=max(0, max_reads // 4)))
    room = max(0, max_reads - 1 - queued)
    progress = sorted(draw(st.lists(st.integers(min_value=1, max_value=99), max_size=room)))
    steps: list[Step] = [StateStep(catalog.QUEUED, 0) for _ in range(queued)]
    steps += [StateStep(catalog.IN_PROGRESS, value) for value in progress]
    ends: list[str | None] = [None]
    if failures:
        ends += catalog.COMMON_FAILURES
    if cancellations:
        ends.append(catalog.CANCELLED)
    # Most real jobs complete: the happy ending comes up about half the time, whatever the
    # number of failure codes; each failure code shares the rest.
    end = draw(st.one_of(st.just(None), st.sampled_from(ends)))
    at = progress[-1] if progress else 0
    if end is None:
        # A full bar before the end: in_progress at 100, which is not yet completed.
        if room > len(progress) and draw(st.booleans()):
            steps.append(StateStep(catalog.IN_PROGRESS, 100))
        steps.append(StateStep(catalog.COMPLETED, 100))
    elif end == catalog.CANCELLED:
        steps.append(StateStep(catalog.CANCELLED, draw(st.integers(min_value=at, max_value=99))))
    else:
        steps.append(StateStep(catalog.FAILED, draw(st.integers(min_value=at, max_value=99)), end))
    if faults:
        # Either faults scattered among the reads, or a burst of consecutive ones: a burst of
        # ``max_burst`` is what exhausts a retrying client, so it comes up often.
        burst = draw(st.booleans())
        if burst:  # the longest burst about two times in three
            count = draw(st.one_of(st.just(max_burst), st.integers(1, max_burst)))
        else:
            count = draw(st.integers(min_value=0, max_value=3))
        where = draw(st.integers(min_value=0, max_value=len(steps) - 1))
        for _ in range(count):
            if not burst:
                where = draw(st.integers(min_value=0, max_value=len(steps) - 1))
            status = draw(st.sampled_from(fault_statuses))
            steps.insert(where, FaultStep(status, draw(st.integers(min_value=1, max_value=20))))
    return steps


def job_histories(
    *,
    failures: bool = True,
    cancellations: bool = False,
    faults: bool = True,
    max_reads: int = 12,
    fault_statuses: tuple[int, ...] = FAULT_STATUSES,
    max_burst: int = SDK_MAX_RETRIES + 1,
) -> st.SearchStrategy[list[Step]]:
    """Legal sequences of what a job's status reads return, for ``SoraMock.play_history``.

    A history is some ``queued`` reads (progress 0), ``in_progress`` reads with progress that
    never goes back, then ``completed`` (about half the time; 100, sometimes after an
    ``in_progress`` read at 100: a full bar is not a finished video) or, with ``failures``,
    ``failed`` with any failure code, or, with ``cancellations``, ``cancelled`` (only Azure's
    Sora 1 jobs API shows it: a history ending so is played by the next job of that dialect);
    with ``faults``, HTTP errors from ``fault_statuses`` (each with a small
    ``retry-after-ms``) before the end: up to three scattered among the reads, or, about half
    the time, a burst of 1 to ``max_burst`` in a row. The default burst, three, is one more than
    the official SDK's two retries: a client that re-submits once its retries run out meets
    it within a few dozen examples. ``max_reads`` bounds the state reads. The same history plays
    in every dialect, in its own words (``pending``/``processing`` and ``failCode`` on
    generateTask). Shrinks towards a single ``completed`` read with no faults.
    """
    return _histories(failures, cancellations, faults, max_reads, tuple(fault_statuses), max_burst)
