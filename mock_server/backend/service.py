"""The video service: creating, reading, listing, deleting and remixing jobs, dialect-neutral."""

from __future__ import annotations

import contextlib
import copy
import dataclasses
from collections.abc import Callable
from typing import Any

from mock_server import catalog, rules
from mock_server.backend import history
from mock_server.backend.active_jobs import ANY_DEPLOYMENT
from mock_server.backend.clock import MockClock
from mock_server.backend.database import StorageUnavailable
from mock_server.backend.history import FaultStep, ScriptedFault, Step
from mock_server.backend.job import Job, Progression, progression_for
from mock_server.backend.job_store import JobStore, Page
from mock_server.backend.kinds import JobKinds
from mock_server.backend.media import MediaCache, MediaSpec
from mock_server.backend.shared_values import SharedValueFactory, memory_values
from mock_server.domain import VideoRequest
from mock_server.rules import access, jobs
from mock_server.rules.registry import RuleViolation
from mock_server.settings import Settings

JobListener = Callable[[Job], None]


class CancelRefused(ValueError):
    """A job that cannot be cancelled, and the HTTP status the control API answers."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.status = status


class VideoService:
    """Jobs on one store and one clock, advanced by a progression policy."""

    def __init__(
        self,
        settings: Settings,
        clock: MockClock,
        store: JobStore,
        media: MediaCache,
        kinds: JobKinds,
        shared: SharedValueFactory = memory_values,
    ) -> None:
        self.settings = settings
        #: What each dialect's jobs are like, by dialect name.
        self.kinds = kinds
        self.clock = clock
        self.store = store
        self.media = media
        self.progression: Progression = progression_for(settings.progression)
        self.listeners: list[JobListener] = []
        #: What each job this service made would have cost on the real service: (dialect,
        #: dollars), in order; kept across resets (the spending happened).
        self.ledger: list[tuple[str, float]] = []
        #: Told what each call did with which job: ``("create" | "read" | "use", job)``.
        self.observer: Callable[[str, Job], None] = lambda kind, job: None
        #: Names of the outcomes forced on the next jobs, in order.
        self._forced = shared("forced_outcomes", list)
        #: Scripted histories for the next jobs, each a list of steps as JSON.
        self._histories = shared("histories", list)

    # --- configuration ---------------------------------------------------------------------

    def set_progression(self, name: str, speed: float | None = None) -> None:
        """Switch how jobs advance; jobs never move backwards."""
        self.settle()
        self.adopt_progression(name, speed)
        self.clock.freeze(name == "manual")
        self.reschedule()

    def reschedule(self) -> None:
        """Give every unfinished job the due time of the progression in force, and settle those
        due: once per switch of progression (or start), the only walk over unfinished jobs."""
        with self.store.locked():
            for job in self.store.unfinished():
                self._schedule(job)
                self.store.save(job)
        self.settle()

    def adopt_progression(self, name: str, speed: float | None = None) -> None:
        """Take up a progression (and speed) set elsewhere, leaving the clock alone."""
        changes: dict[str, object] = {"progression": name}
        if speed is not None:
            changes["speed"] = speed
        self.settings = self.settings.replace(**changes)
        self.progression = progression_for(name)

    def force_outcome(self, outcome: catalog.Outcome, count: int = 1) -> None:
        """Make the next ``count`` jobs end this way."""
        self._forced.update(lambda forced: forced.extend([outcome.name] * count))

    def clear_forced_outcomes(self) -> None:
        """Drop every forced outcome still queued."""
        self._forced.reset()

    def queue_history(self, steps: list[Step]) -> None:
        """Script the next job's status reads (see ``backend.history``)."""
        script = [step.to_dict() for step in history.check(steps)]
        self._histories.update(lambda histories: histories.append(script))

    def queued_histories(self) -> int:
        """How many scripted histories wait for a job."""
        return len(self._histories.read())

    def forced_outcomes(self) -> list[str]:
        """The names of the outcomes still queued."""
        return list(self._forced.read())

    def reset(self) -> None:
        """Forget every job and forced outcome."""
        self.store.clear()
        self.media.clear()
        self._forced.reset()
        self._histories.reset()

    # --- advancing -------------------------------------------------------------------------

    def _schedule(self, job: Job) -> None:
        """Set when the job turns terminal without a read (a scripted job never does)."""
        job.due_at = None if job.script is not None else self.progression.due_at(job)

    def _fraction(self, job: Job, now: float) -> float:
        """How far along the job is by ``now``: a job past its due time is done, exactly."""
        fraction = self.progression.fraction(job, now)
        if job.due_at is not None and now >= job.due_at:
            fraction = max(fraction, job.end_fraction())
        return fraction

    def _advance(self, job: Job, now: float) -> None:
        if job.terminal:  # nothing moves a finished job: nothing to save
            return
        if job.script is not None:
            self.store.save(job)
            return
        finished = job.move_to(self._fraction(job, now), self.progression.finished_at(job, now))
        self.store.save(job)
        if finished:
            for listener in self.listeners:
                listener(copy.copy(job))

    def settle(self) -> None:
        """Finish the jobs whose due time has come (from the store's index: never a walk over
        every unfinished job). Other jobs show their progress when they are read."""
        now = self.clock.now()
        with self.store.locked():
            for job in self.store.due(now):
                self._advance(job, now)

    # --- creating --------------------------------------------------------------------------

    @staticmethod
    def _applies(outcome: catalog.Outcome, has_reference: bool, cancellable: bool) -> bool:
        """Whether a forced outcome applies to this create (or waits for another)."""
        if outcome.needs_reference and not has_reference:
            return False
        return cancellable or not outcome.cancellable_only

    def _take_outcome(self, has_reference: bool, cancellable: bool) -> catalog.Outcome | None:
        if not self._forced.read():
            return None

        def take(forced: list[str]) -> catalog.Outcome | None:
            for index, name in enumerate(forced):
                outcome = catalog.OUTCOMES[name]
                if not self._applies(outcome, has_reference, cancellable):
                    continue
                del forced[index]
                return outcome
            return None

        return self._forced.update(take)

    def _take_history(self, cancellable: bool) -> list[Step] | None:
        """The first history queued that this job can play (one that ends cancelled waits for
        a job of a dialect that shows it)."""
        if not self._histories.read():
            return None

        def take(histories: list[list[dict[str, Any]]]) -> list[dict[str, Any]] | None:
            for index, script in enumerate(histories):
                if cancellable or not history.cancels(script):
                    return histories.pop(index)
            return None

        script = self._histories.update(take)
        return None if script is None else history.from_json(script)

    def plan(self, request: VideoRequest, *, cancellable: bool = False) -> VideoRequest:
        """Apply forced outcomes and magic markers: a refusal raises (a ``RuleViolation``, or a
        ``ScriptedFault`` for a bare HTTP status); a failure, a cancellation (on a dialect that
        shows one) or slowness is planned."""
        outcomes = catalog.outcomes_in_prompt(request.prompt)
        forced = self._take_outcome(request.reference is not None, cancellable)
        if forced is not None:
            outcomes.append(forced)
        failure = request.failure_code
        slow = request.slow
        for outcome in outcomes:
            if not self._applies(outcome, request.reference is not None, cancellable):
                continue
            if outcome.reject_rule is not None:
                raise RuleViolation(
                    rules.get(outcome.reject_rule), reason=outcome.reason, model=request.model
                )
            if outcome.refuse_status is not None:
                raise ScriptedFault(FaultStep(outcome.refuse_status))
            failure = outcome.failure or failure
            slow = slow or outcome.slow
        if failure == request.failure_code and slow == request.slow:
            return request  # nothing planned: the request as it came
        return dataclasses.replace(request, failure_code=failure, slow=slow)

    def _check_concurrency(
        self, owner: str, dialect: str, deployment: str | None, now: float
    ) -> None:
        group = self.kinds[dialect].limits
        limit = group.concurrent(self.settings)
        if not limit:
            return
        where = deployment if group.per_deployment and deployment is not None else ANY_DEPLOYMENT
        active = self.store.active(
            [
                (owner, name, where)
                for name, kind in self.kinds.items()
                if kind.limits.name == group.name
            ]
        )
        if active.count < limit:
            return
        soonest = active.soonest_finish if active.soonest_finish is not None else now
        wait = max(1, round(soonest - now)) if self.progression.name in ("time", "manual") else 1
        raise RuleViolation(
            access.RATE_LIMIT_CONCURRENT,
            headers={"retry-after": str(wait)},
            limit=limit,
            retry_after=wait,
            deployment=deployment,
        )

    def create(
        self,
        request: VideoRequest,
        *,
        dialect: str,
        owner: str,
        remixed_from: str | None = None,
        origin: str | None = None,
        callback_url: str | None = None,
        source_id: str | None = None,
        extensions: int = 0,
    ) -> Job:
        """Accept a job; raises a concurrency violation when the owner has too many."""
        self.settle()
        now = self.clock.now()
        refusal: RuleViolation | ScriptedFault | None = None
        with self.store.locked():
            self._check_concurrency(owner, dialect, request.deployment, now)
            cancellable = self.kinds[dialect].cancellable
            try:
                planned = self.plan(request, cancellable=cancellable)
            except (RuleViolation, ScriptedFault) as exc:
                # Raised once the transaction is committed: the outcome it used up stays used.
                refusal = exc
            else:
                job = self._new_job(planned, dialect, owner, now)
                job.remixed_from = remixed_from
                job.origin, job.callback_url = origin, callback_url
                job.source_id, job.extensions = source_id, extensions
                job.script = self._take_history(cancellable)
                self._schedule(job)
                self.store.add(job)
                self._advance(job, now)
                made = copy.copy(job)
                self.ledger.append(
                    (
                        dialect,
                        catalog.price_of(planned.timing_model, job.width, job.height, job.seconds),
                    )
                )
                self.observer("create", made)
                return made
        assert refusal is not None
        raise refusal

    def _new_job(self, planned: VideoRequest, dialect: str, owner: str, now: float) -> Job:
        factor = catalog.SLOW_FACTOR if planned.slow else 1
        kind = self.kinds[dialect]
        duration = kind.generation_seconds(planned.timing_model, planned.seconds)
        return Job(
            id=kind.new_id(),
            seq=self.store.next_seq(),
            dialect=dialect,
            owner=owner,
            model=planned.model,
            prompt=planned.prompt,
            width=planned.width,
            height=planned.height,
            seconds=planned.seconds,
            created_at=now,
            duration=duration * factor / self.settings.speed,
            steps=max(self.settings.poll_steps, kind.min_poll_steps) * factor,
            reference=planned.reference,
            lifetime=kind.lifetime_in(self.settings),
            failure_code=planned.failure_code,
            deployment=planned.deployment,
            variants=planned.variants,
        )

    # --- reading ---------------------------------------------------------------------------

    def _find(self, job_id: str, dialect: str | None) -> Job:
        """The job, if it exists for ``dialect``: another dialect's jobs do not (any with None)."""
        job = self.store.get(job_id)
        if job is None or (dialect is not None and job.dialect != dialect):
            raise jobs.not_found(job_id)
        return job

    def retrieve(self, job_id: str, *, status_read: bool = True, dialect: str | None = None) -> Job:
        """Read a job of ``dialect``; in ``polls`` mode a status read moves it one step."""
        now = self.clock.now()
        fault: ScriptedFault | None = None
        try:
            with self.store.locked():
                job = self._find(job_id, dialect)
                if status_read and not job.terminal:
                    job.reads += 1
                if status_read and job.script is not None:
                    fault = self._play(job, now)
                if fault is None:
                    self._advance(job, now)
        except StorageUnavailable:
            # The disk is full: answer as of now, keeping nothing (the read is not counted).
            return self._preview(self._find(job_id, dialect), now)
        # Raised once the transaction is committed: the step it played stays played.
        if fault is not None:
            self.observer("tried", copy.copy(job))
            raise fault
        shown = copy.copy(job)
        if status_read:
            self.observer("read", shown)
        return shown

    def _play(self, job: Job, now: float) -> ScriptedFault | None:
        """Answer a status read of a scripted job with its next step (a fault is returned)."""
        script = job.script
        assert script is not None
        if not script:
            return None
        step = script.pop(0)
        if isinstance(step, FaultStep):
            self.store.save(job)
            return ScriptedFault(step)
        finished = job.play(step.status, step.progress, step.failure, now)
        self.store.save(job)
        if finished:
            for listener in self.listeners:
                listener(copy.copy(job))
        return None

    def list(
        self,
        *,
        dialects: tuple[str, ...],
        order: str,
        after: str | None,
        limit: int,
        statuses: tuple[str, ...] = (),
    ) -> Page:
        """A page of jobs of the given statuses (any when none), each brought up to the clock
        (only they: listing costs the page)."""
        with contextlib.suppress(StorageUnavailable):  # a full disk: the page still shows now
            self.settle()
        now = self.clock.now()
        page = self.store.page(
            dialects=dialects, order=order, after=after, limit=limit, statuses=statuses
        )
        if page is None:
            raise jobs.after_unknown(after or "")
        try:
            with self.store.locked():
                for job in page.jobs:
                    if not job.terminal:
                        self._advance(job, now)
        except StorageUnavailable:
            return Page([self._preview(job, now) for job in page.jobs], page.has_more)
        return Page([copy.copy(job) for job in page.jobs], page.has_more)

    def _preview(self, job: Job, now: float) -> Job:
        """A copy of the job as of ``now``, nothing kept or published (when nothing can be)."""
        shown = copy.copy(job)
        if shown.script is None and not shown.terminal:
            shown.move_to(self._fraction(shown, now), self.progression.finished_at(shown, now))
        return shown

    def delete(self, job_id: str, *, dialect: str | None = None) -> Job:
        """Delete a finished job."""
        with self.store.locked():
            job = self.retrieve(job_id, status_read=False, dialect=dialect)
            jobs.check_deletable(job_id, job.status)
            self.store.remove(job_id)
        self.media.forget(job_id)
        return job

    def cancel(self, job_id: str) -> Job:
        """Cancel an unfinished job where it stands (its script, if any, plays no further).

        Raises ``LookupError`` for an unknown job, :class:`CancelRefused` (with the reason)
        for a job of a dialect that shows no cancelled state, or one already finished.
        """
        now = self.clock.now()
        with self.store.locked():
            job = self.store.get(job_id)
            if job is None:
                raise LookupError(job_id)
            if not self.kinds[job.dialect].cancellable:
                cancellable = sorted(name for name, kind in self.kinds.items() if kind.cancellable)
                raise CancelRefused(
                    f"'{job_id}' is a job of the {job.dialect} dialect: only "
                    f"{', '.join(cancellable)} jobs can be cancelled (no other API shows a "
                    "cancelled job)."
                )
            self._advance(job, now)
            if not job.cancel(now):
                raise CancelRefused(f"'{job_id}' has already finished ({job.status}).", 409)
            job.script, job.due_at = None, None
            self.store.save(job)
            cancelled = copy.copy(job)
        for listener in self.listeners:
            listener(copy.copy(cancelled))
        return cancelled

    def remix(self, job_id: str, prompt: str, *, owner: str, dialect: str | None = None) -> Job:
        """A new job from a completed one, keeping its model, size, length and reference."""
        source = self.retrieve(job_id, status_read=False, dialect=dialect)
        self.observer("use", source)
        jobs.check_remixable(job_id, source.status)
        request = VideoRequest(
            prompt,
            source.model,
            source.seconds,
            source.width,
            source.height,
            source.reference,
            deployment=source.deployment,
        )
        # A new job: it takes the next scripted history, if any, never the source's script.
        return self.create(
            request,
            dialect=source.dialect,
            owner=owner,
            remixed_from=job_id,
            origin=source.origin,
        )

    def expired(self, job: Job) -> bool:
        """Whether a job's results have passed their expiry on the mock clock."""
        return job.expires_at is not None and self.clock.now() >= job.expires_at

    def content(
        self, job_id: str, variant: str, *, dialect: str | None = None, take: int = 0
    ) -> bytes:
        """The rendered media of a completed, unexpired job (``take``: which of its videos)."""
        job = self.retrieve(job_id, status_read=False, dialect=dialect)
        self.observer("use", job)
        jobs.check_content_ready(job_id, job.status, self.expired(job))
        return self.media.get(job_id, variant, dataclasses.replace(self._spec(job), take=take))

    def _spec(self, job: Job) -> MediaSpec:
        """What a job's video looks like: an extension opens with its source's frames."""
        source = self.store.get(job.source_id) if job.extensions and job.source_id else None
        return MediaSpec(
            job.width,
            job.height,
            job.seconds,
            job.prompt,
            job.reference.data if job.reference else None,
            prefix=self._spec(source) if source is not None else None,
        )

    def source(self, job_id: str, *, dialect: str) -> Job:
        """A video to edit or extend: one of ``dialect``'s, completed."""
        found = self.retrieve(job_id, status_read=False, dialect=dialect)
        self.observer("use", found)
        jobs.check_source_ready(job_id, found.status)
        return found

    def poll_after_ms(self, job: Job) -> int | None:
        """How long a client should wait before the next read, for unfinished jobs."""
        if job.terminal:
            return None
        if self.progression.name != "time":
            return catalog.FAST_POLL_AFTER_MS
        low, high = catalog.TIME_POLL_AFTER_MS_BOUNDS
        remaining = job.created_at + job.duration - self.clock.now()
        return int(min(high, max(low, remaining * 1000 / 4)))
