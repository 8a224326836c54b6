"""``SoraMock``: one handle on a running mock, for tests to steer it in Python."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

import httpx

from mock_server.app import replace_state, state_of
from mock_server.backend.assets import Asset
from mock_server.backend.history import Step
from mock_server.backend.job import Job
from mock_server.controls import Controls
from mock_server.settings import Settings
from mock_server.state import MockState
from mock_server.wire.context import call_or_none
from mock_server.wire.job_notes import READ, TRIED
from sora_testkit import assertions, clients, runaway
from sora_testkit.client_clock import ClientClock
from sora_testkit.clients import DEFAULT_KEY, IN_PROCESS_ORIGIN
from sora_testkit.journal import Journal

if TYPE_CHECKING:
    import openai
    from flask import Flask


def _given(**values: Any) -> dict[str, Any]:
    """A control body from keyword arguments, leaving out those not given."""
    return {name: value for name, value in values.items() if value is not None}


@dataclasses.dataclass(frozen=True)
class AssetRef:
    """An image stored on the mock: its id (a ``file_id``) and its URL (an ``image_url``)."""

    id: str
    url: str
    bytes: int


class SoraMock:
    """A fresh mock for one test: its clients, its controls, its journals and assertions.

    Every control of the ``/_mock/`` API is here as a method; they act on the app directly, so
    they work the same whether the client under test calls in-process or over a live server.
    """

    def __init__(
        self,
        app: Flask,
        *,
        api_key: str = DEFAULT_KEY,
        origin: str = IN_PROCESS_ORIGIN,
    ) -> None:
        self.app = app
        self.api_key = api_key
        self.origin = origin.rstrip("/")
        self._followers: list[Callable[[MockState], object]] = []
        #: Where the ledger stood at the last reset (``cost_since("reset")``).
        self._reset_mark = 0
        #: The guard that stops a client that never stops (``limit_loops``).
        self.guard = runaway.guard(app, runaway.LoopLimits())
        self._watch(self.state)
        self.on_reset(self._watch)

    @classmethod
    def fresh(cls, app: Flask, settings: Settings, **kwargs: Any) -> SoraMock:
        """Swap a fresh state with ``settings`` into ``app`` and hand it out."""
        replace_state(app, settings)
        return cls(app, **kwargs)

    # --- what is running ---------------------------------------------------------------------

    @property
    def state(self) -> MockState:
        """The mock's state (its store, clock, journals), for what the methods do not cover."""
        return state_of(self.app)

    @property
    def settings(self) -> Settings:
        """The settings this mock runs with."""
        return self.state.service.settings

    @property
    def base_url(self) -> str:
        """The OpenAI-style base URL (``.../v1``) for clients of this mock."""
        return f"{self.origin}/v1"

    # --- clients -----------------------------------------------------------------------------

    def openai_client(self, **kwargs: Any) -> openai.OpenAI:
        """An ``openai.OpenAI`` calling this mock in-process."""
        kwargs.setdefault("api_key", self.api_key)
        return clients.openai_client(self.app, **kwargs)

    def azure_openai_client(self, **kwargs: Any) -> openai.AzureOpenAI:
        """An ``openai.AzureOpenAI`` calling this mock in-process (``api_version`` preview)."""
        kwargs.setdefault("api_key", self.api_key)
        return clients.azure_openai_client(self.app, **kwargs)

    def async_openai_client(self, **kwargs: Any) -> openai.AsyncOpenAI:
        """An ``openai.AsyncOpenAI`` calling this mock in-process."""
        kwargs.setdefault("api_key", self.api_key)
        return clients.async_openai_client(self.app, **kwargs)

    def httpx_client(self, **kwargs: Any) -> httpx.Client:
        """An ``httpx.Client`` calling this mock in-process, authenticated."""
        headers = {"Authorization": f"Bearer {self.api_key}", **kwargs.pop("headers", {})}
        return clients.httpx_client(self.app, base_url=self.origin, headers=headers, **kwargs)

    # --- time and progression ----------------------------------------------------------------

    @property
    def controls(self) -> Controls:
        """The controls these methods use (the same the ``/_mock/`` API uses)."""
        return Controls(self.state)

    def set_progression(self, mode: str, speed: float | None = None) -> None:
        """Switch how jobs advance: ``instant``, ``polls``, ``time`` or ``manual``."""
        self.controls.set_progression(_given(mode=mode, speed=speed))

    def now(self) -> float:
        """The mock clock, in unix seconds."""
        return self.state.clock.now()

    def client_clock(self) -> ClientClock:
        """A switch (``with sora_mock.client_clock(): ...``) that runs the code under test on
        this mock's clock: its sleeps advance it, its clocks read it (across resets); the
        guard counts its sleeps."""
        switch = ClientClock(self.state.clock, on_sleep=self.guard.saw_sleep)
        self.on_reset(lambda state: switch.retarget(state.clock))
        return switch

    def limit_loops(
        self,
        *,
        max_job_reads: int | None = runaway.DEFAULT_MAX_JOB_READS,
        max_sleep: float | None = runaway.DEFAULT_MAX_SLEEP,
    ) -> None:
        """Set how far a client may go before ``ClientNeverStopped`` stops it: status reads of
        one unfinished job, mock seconds slept on the client clock (``None``: no limit)."""
        self.guard.set_limits(runaway.LoopLimits(max_job_reads, max_sleep))

    def _watch(self, state: MockState) -> None:
        """Show the guard each status read of this state's jobs."""
        service = state.service
        told = service.observer
        guard = self.guard

        def observe(kind: str, job: Job) -> None:
            told(kind, job)
            if kind in (READ, TRIED):
                call = call_or_none()
                guard.saw_read(job, *((call.method, call.path) if call else ("GET", "?")))

        service.observer = observe

    def advance(self, seconds: float) -> float:
        """Move the mock clock forward; timed jobs and due deliveries follow."""
        return self.controls.advance_clock({"seconds": seconds})

    # --- outcomes and faults -----------------------------------------------------------------

    def force_outcome(self, outcome: str, count: int = 1) -> None:
        """Make the next ``count`` jobs end this way (a name of ``catalog.OUTCOMES``)."""
        self.controls.force_outcome({"outcome": outcome, "count": count})

    def clear_outcomes(self) -> None:
        """Drop every forced outcome still queued."""
        self.controls.clear_outcomes()

    def queue_fault(self, status: int, **options: Any) -> None:
        """Answer the next matching requests with an HTTP error instead (see ``Fault``)."""
        self.controls.queue_fault({"status": status, **options})

    def cancel(self, job_id: str) -> None:
        """Cancel an unfinished job of Azure's Sora 1 jobs API (the one API that shows a
        cancelled job): its next status read says ``cancelled``. A ``ControlError`` for a job
        of another dialect or one already finished."""
        self.controls.cancel_job(job_id)

    def play_history(self, steps: Iterable[Step]) -> None:
        """Script the next job: each status read answers with the next step (a state, or an
        HTTP fault); ``sora_testkit.strategies.job_histories()`` makes them."""
        self.controls.play_history(list(steps))

    def reset(self) -> None:
        """Start over with a fresh state and the same settings (for ``@given`` examples).

        What was spent stays in the ledger; a client clock and a receiver follow the new state.
        """
        old = self.state
        replace_state(self.app, old.settings)
        self.state.service.ledger.extend(old.service.ledger)
        self._reset_mark = len(old.service.ledger)
        for follow in self._followers:
            follow(self.state)

    def on_reset(self, follow: Callable[[MockState], object]) -> None:
        """Call ``follow(new_state)`` after each :meth:`reset`."""
        self._followers.append(follow)

    def mark_unreachable(self, *, url: str | None = None, host: str | None = None) -> None:
        """Make an image URL, or a whole host, impossible to fetch."""
        self.controls.mark_unreachable(_given(url=url, host=host))

    def upload_asset(
        self, data: bytes, content_type: str = "image/png", filename: str | None = None
    ) -> AssetRef:
        """Store an image on the mock; use its ``id`` as a ``file_id`` or its ``url``."""
        asset: Asset = self.controls.upload_asset(data, content_type, filename)
        return AssetRef(asset.id, f"{self.origin}/_mock/assets/{asset.id}", len(data))

    # --- what happened -----------------------------------------------------------------------

    @property
    def requests(self) -> Journal:
        """The request journal, oldest first (keys masked, uploads by size and digest), with
        queries: ``creates()``, ``reads_of(job_id)``, ``downloads()``, ``derived_from()``,
        ``used()``, ``refused()``."""
        return Journal(self.state.journal.entries())

    def deliveries(self, kind: str | None = None) -> list[dict[str, Any]]:
        """Webhook and callback deliveries with every attempt."""
        return self.controls.deliveries(kind)

    @property
    def callbacks(self) -> list[dict[str, Any]]:
        """generateTask callback deliveries."""
        return self.deliveries("callback")

    @property
    def webhooks(self) -> list[dict[str, Any]]:
        """OpenAI webhook deliveries."""
        return self.deliveries("webhook")

    def flush_deliveries(self) -> int:
        """Attempt every due delivery now; return how many were attempted."""
        return self.controls.flush_deliveries()

    def job(self, job_id: str) -> Job:
        """A job's internal state, without counting a status read."""
        found = self.state.store.get(job_id)
        if found is None:
            raise KeyError(job_id)
        return dataclasses.replace(found)

    # --- assertions --------------------------------------------------------------------------

    def assert_requests_met_contracts(self) -> None:
        """Every request body the client sent met its contract; else all violations, listed."""
        assertions.assert_requests_met_contracts(self.requests)

    def assert_no_premature_reads(self) -> None:
        """The client never downloaded or remixed a job before it had finished."""
        assertions.assert_no_premature_reads(self.requests)

    @property
    def cost(self) -> float:
        """What the jobs this mock made would have cost on the real service, in dollars
        (the providers' prices per second; see ``catalog.price_of``), over every reset."""
        return self.cost_since(0)

    def mark_cost(self) -> int:
        """A mark in the ledger: ``cost_since(mark)`` counts only the jobs made after it."""
        return len(self.state.service.ledger)

    def cost_since(self, mark: int | str) -> float:
        """What the jobs made since ``mark`` (from :meth:`mark_cost`, or ``"reset"``: since
        the last :meth:`reset`, one Hypothesis example) would have cost, in dollars."""
        start = self._reset_mark if mark == "reset" else int(mark)
        return round(sum(dollars for _, dollars in self.state.service.ledger[start:]), 2)

    def assert_cost_below(self, dollars: float, *, since: int | str = 0) -> None:
        """Fail if the jobs made (since ``since``: a :meth:`mark_cost` mark, or ``"reset"``;
        by default since the test began) would have cost ``dollars`` or more."""
        start = self._reset_mark if since == "reset" else int(since)
        spent = self.cost_since(start)
        if spent >= dollars:
            made = len(self.state.service.ledger) - start
            window = (
                ""
                if start == 0
                else (" since the last reset" if since == "reset" else " since the mark")
            )
            raise AssertionError(
                f"{made} job(s){window} would have cost ${spent:.2f} on the real service, "
                f"not below ${dollars:.2f}"
            )

    def assert_waited_for_retry_after(self) -> None:
        """Fail if a request followed a 429/503 with ``retry-after`` sooner than it asked."""
        assertions.assert_waited_for_retry_after(self.requests)

    def assert_polls_paced(self, min_interval: float | None = None) -> None:
        """Fail if status reads of one job came closer than ``min_interval`` seconds (default:
        the server's hint, else the dialect's advice)."""
        assertions.assert_polls_paced(self.requests, min_interval)

    def assert_results_used_after_done(self) -> None:
        """Fail if results were used (downloaded, fetched, remixed, edited, extended) before
        an answer showed the job finished."""
        assertions.assert_results_used_after_done(self.requests)

    def assert_gave_up_within(self, seconds: float) -> None:
        """Fail if an unfinished job was still polled ``seconds`` after its create."""
        assertions.assert_gave_up_within(self.requests, seconds)
