"""Everything one app instance holds: settings, clock, jobs, journals. Lives on the app."""

from __future__ import annotations

from mock_server import catalog
from mock_server.backend.assets import AssetStore
from mock_server.backend.clock import MockClock
from mock_server.backend.faults import FaultQueue
from mock_server.backend.image_sources import ImageResolver
from mock_server.backend.journal import RequestJournal
from mock_server.backend.limits import RequestRateLimiter
from mock_server.backend.media import MediaCache
from mock_server.backend.outbox import Outbox
from mock_server.backend.service import VideoService
from mock_server.backend.sqlite_store import SqliteAssetStore, SqliteDatabase, SqliteJobStore
from mock_server.backend.store import InMemoryJobStore, JobStore
from mock_server.backend.webhooks import WebhookPublisher
from mock_server.backend.worker import BackgroundWorker
from mock_server.settings import Settings

EXTENSION_KEY = "sora_mock"
CLOCK_KEY = "clock"


class MockState:
    """The parts of one mock server, wired together."""

    def __init__(self, settings: Settings, store: JobStore | None = None) -> None:
        self.settings = settings
        self.clock = MockClock(settings.clock_start, frozen=settings.progression == "manual")
        self.database = SqliteDatabase(settings.db) if settings.db else None
        self.assets: AssetStore
        if self.database is not None:
            self.store: JobStore = store or SqliteJobStore(self.database)
            self.assets = SqliteAssetStore(self.database)
            self._persist_clock(self.database)
        else:
            self.store = store if store is not None else InMemoryJobStore()
            self.assets = AssetStore()
        self.media = MediaCache()
        self.service = VideoService(settings, self.clock, self.store, self.media)
        self.resolver = ImageResolver(self.assets, settings.max_reference_bytes, self.clock.now)
        self.faults = FaultQueue()
        self.journal = RequestJournal(settings.journal_size)
        #: Responses that broke their contract (with ``validate_responses`` on).
        self.contract_violations: list[dict[str, object]] = []
        #: Requests-per-minute windows by limit group (see ``Settings.limits_for``).
        self.limiters = {"openai": RequestRateLimiter(), "generatetask": RequestRateLimiter()}
        self.outbox = Outbox(
            self.clock,
            allowed_hosts=settings.allowed_hosts,
            timeout=catalog.DELIVERY_TIMEOUT_SECONDS,
            store=self.database,
        )
        self.webhooks = WebhookPublisher(
            self.outbox, settings.webhook_urls, settings.webhook_secret
        )
        self.service.listeners.append(self.webhooks.job_finished)
        self.worker = BackgroundWorker([self.service.settle, self.outbox.run_due])
        if settings.background_worker:
            self.outbox.on_enqueue = self.worker.wake
            self.clock.on_change(self.worker.wake)
            if settings.webhook_urls:
                self.worker.wake()

    def _persist_clock(self, database: SqliteDatabase) -> None:
        """Take up the clock a previous run left, and keep every change from now on."""
        snapshot = database.get_meta(CLOCK_KEY)
        if snapshot is not None:
            self.clock.restore(snapshot)
        database.set_meta(CLOCK_KEY, self.clock.snapshot())
        self.clock.on_change(lambda: database.set_meta(CLOCK_KEY, self.clock.snapshot()))

    def reset(self) -> None:
        """Back to a fresh server with the same settings."""
        self.service.reset()
        self.service.set_progression(self.settings.progression, self.settings.speed)
        self.assets.clear()
        self.resolver.clear()
        self.faults.clear()
        self.journal.clear()
        self.contract_violations.clear()
        for limiter in self.limiters.values():
            limiter.clear()
        self.outbox.clear()
        self.clock.reset(
            self.settings.clock_start, frozen=self.service.progression.name == "manual"
        )

    def close(self) -> None:
        """Stop background work."""
        self.worker.stop()
