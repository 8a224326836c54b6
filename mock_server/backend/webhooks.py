"""OpenAI-style webhooks, signed by the Standard Webhooks scheme (SPEC 1.5)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import time
from collections.abc import Callable

from mock_server import catalog
from mock_server.backend.deliveries import Delivery
from mock_server.backend.job import Job
from mock_server.backend.outbox import Outbox


def signing_key(secret: str) -> bytes:
    """The HMAC key: the base64-decoded secret after ``whsec_``, else the secret's bytes."""
    if secret.startswith("whsec_"):
        return base64.b64decode(secret[len("whsec_") :])
    return secret.encode()


def sign(secret: str, message_id: str, timestamp: int, body: bytes) -> str:
    """The ``webhook-signature`` header value: ``v1,<base64 HMAC-SHA256>``."""
    signed = f"{message_id}.{timestamp}.".encode() + body
    digest = hmac.new(signing_key(secret), signed, hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode()


def event_body(job: Job, event_type: str, created_at: int) -> bytes:
    """The event envelope for a finished job."""
    event = {
        "id": catalog.ID_PREFIX_EVENT + secrets.token_hex(16),
        "object": "event",
        "type": event_type,
        "created_at": created_at,
        "data": {"id": job.id},
    }
    return json.dumps(event, separators=(",", ":")).encode()


KIND = "webhook"


class WebhookPublisher:
    """Queues a signed ``video.completed`` / ``video.failed`` event per configured URL."""

    def __init__(
        self,
        outbox: Outbox,
        urls: tuple[str, ...],
        secret: str,
        wall: Callable[[], float] = time.time,
    ) -> None:
        self.outbox = outbox
        self.urls = urls
        self.secret = secret
        self.wall = wall
        outbox.preparers[KIND] = self._prepare

    def _prepare(self, delivery: Delivery) -> None:
        """Sign each attempt afresh: receivers reject timestamps older than five minutes."""
        timestamp = int(self.wall())
        message_id = delivery.headers["webhook-id"]
        delivery.headers["webhook-timestamp"] = str(timestamp)
        delivery.headers["webhook-signature"] = sign(
            self.secret, message_id, timestamp, delivery.body
        )

    def job_finished(self, job: Job) -> None:
        """Publish the event for a job that just turned terminal."""
        event_type = catalog.WEBHOOK_EVENT_BY_STATUS.get(job.status)
        if event_type is None:
            return
        created = int(job.completed_at if job.completed_at is not None else job.created_at)
        body = event_body(job, event_type, created)
        for url in self.urls:
            headers = {
                "content-type": "application/json",
                "user-agent": "sora-mock-webhooks",
                "webhook-id": catalog.ID_PREFIX_WEBHOOK_MESSAGE + secrets.token_hex(16),
            }
            self.outbox.enqueue(
                KIND,
                url,
                body,
                headers,
                retry_delays=catalog.WEBHOOK_RETRY_DELAYS,
                subject=job.id,
            )
