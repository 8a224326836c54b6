"""Everything one app instance holds: settings, clock, jobs, journals. Lives on the app."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from mock_server import catalog
from mock_server.backend.assets import AssetStore, SqliteAssetStore
from mock_server.backend.characters import CharacterStore
from mock_server.backend.clock import MockClock
from mock_server.backend.database import SqliteDatabase
from mock_server.backend.deliveries import DeliveryStore, MemoryDeliveries, SqliteDeliveries
from mock_server.backend.faults import FaultQueue
from mock_server.backend.image_sources import ImageResolver
from mock_server.backend.job_store import InMemoryJobStore, JobStore, SqliteJobStore
from mock_server.backend.journal import MemoryRequestJournal, RequestJournal, SqliteRequestJournal
from mock_server.backend.kinds import JobKinds
from mock_server.backend.limits import RequestRateLimiter
from mock_server.backend.media import MediaCache
from mock_server.backend.outbox import Outbox
from mock_server.backend.service import VideoService
from mock_server.backend.shared_control import SharedControl
from mock_server.backend.shared_values import SharedValueFactory, memory_values, sqlite_values
from mock_server.backend.webhooks import WebhookPublisher
from mock_server.backend.worker import BackgroundWorker
from mock_server.settings import Settings

EXTENSION_KEY = "sora_mock"


class MockState:
    """The parts of one mock server, wired together.

    With a database (``settings.db``) everything a client or the control API changes lives in
    the file, so several processes opening it behave as one server; ``join`` says this process
    starts beside others already serving, and takes up their clock and progression.
    """

    def __init__(
        self,
        settings: Settings,
        kinds: JobKinds,
        store: JobStore | None = None,
        *,
        join: bool = False,
    ) -> None:
        self.settings = settings
        self.clock = MockClock(settings.clock_start, frozen=settings.progression == "manual")
        self.database = SqliteDatabase(settings.db) if settings.db else None
        self.assets: AssetStore
        self.journal: RequestJournal
        shared: SharedValueFactory
        deliveries: DeliveryStore
        if self.database is not None:
            shared = sqlite_values(self.database)
            self.store: JobStore = store or SqliteJobStore(self.database)
            self.assets = SqliteAssetStore(self.database)
            self.journal = SqliteRequestJournal(self.database, settings.journal_size)
            sqlite_deliveries = SqliteDeliveries(self.database)
            if not join:
                sqlite_deliveries.release_all()  # left by a process that is gone
            deliveries = sqlite_deliveries
        else:
            shared = memory_values
            self.store = store if store is not None else InMemoryJobStore()
            self.assets = AssetStore()
            self.journal = MemoryRequestJournal(settings.journal_size)
            deliveries = MemoryDeliveries()
        self.media = MediaCache()
        self.service = VideoService(settings, self.clock, self.store, self.media, kinds, shared)
        self.resolver = ImageResolver(
            self.assets, settings.max_reference_bytes, self.clock.now, shared
        )
        self.faults = FaultQueue(shared("faults", list))
        self.characters = CharacterStore(shared("characters", dict))
        #: Responses that broke their contract (with ``validate_responses`` on), this process.
        self.contract_violations: list[dict[str, object]] = []
        #: Requests-per-minute windows by limit group (each dialect's ``JobKind.limits``).
        self.limiters = {
            kind.limits.name: RequestRateLimiter(shared(f"rate:{kind.limits.name}", dict))
            for kind in kinds.values()
        }
        self.outbox = Outbox(
            self.clock,
            allowed_hosts=settings.allowed_hosts,
            timeout=catalog.DELIVERY_TIMEOUT_SECONDS,
            store=deliveries,
        )
        self.webhooks = WebhookPublisher(
            self.outbox, settings.webhook_urls, settings.webhook_secret
        )
        self.worker = BackgroundWorker([self.sync, self.service.settle, self.outbox.run_due])
        self.shared: SharedControl | None = None
        if self.database is not None:
            self.shared = SharedControl(
                self.database,
                self.clock,
                self.service,
                on_change=self._wake,
                on_reset=self._forget_local,
            )
            self.shared.start(join=join)
            if not join:
                self.service.reschedule()  # due times as this progression sets them
            self.clock.on_change(self.shared.publish)
        if settings.background_worker:
            self.outbox.on_enqueue = self.worker.wake
            self.clock.on_change(self.worker.wake)
            if settings.webhook_urls:
                self.worker.wake()

    def _wake(self) -> None:
        if self.settings.background_worker:
            self.worker.wake()

    def _forget_local(self) -> None:
        """Drop what only this process holds (after another process reset the server)."""
        self.media.clear()
        self.contract_violations.clear()

    def sync(self) -> None:
        """Take up changes another process sharing the database made to the clock or progression."""
        if self.shared is not None:
            self.shared.sync()

    @contextmanager
    def changing(self) -> Iterator[None]:
        """Around a change to the clock or progression: exclusive, from the latest state."""
        if self.shared is None:
            yield
            return
        with self.shared.changing():
            yield

    def advance_clock(self, seconds: float) -> float:
        """Move the clock forward; timed jobs follow. Returns the new time."""
        with self.changing():
            now = self.clock.advance(seconds)
            self.service.settle()
        return now

    def set_progression(self, mode: str, speed: float | None = None) -> None:
        """Switch how jobs advance (and, for ``time``, how fast)."""
        with self.changing():
            self.service.set_progression(mode, speed)

    def reset(self) -> None:
        """Back to a fresh server with the same settings."""
        with self.changing():
            self.service.reset()
            self.service.set_progression(self.settings.progression, self.settings.speed)
            self.assets.clear()
            self.resolver.clear()
            self.faults.clear()
            self.characters.clear()
            self.journal.clear()
            self._forget_local()
            for limiter in self.limiters.values():
                limiter.clear()
            self.outbox.clear()
            self.clock.reset(
                self.settings.clock_start, frozen=self.service.progression.name == "manual"
            )
            if self.shared is not None:
                self.shared.publish(reset=True)

    def close(self) -> None:
        """Stop background work and let go of the database."""
        self.worker.stop()
        self.outbox.close()
        if self.database is not None:
            self.database.close()
