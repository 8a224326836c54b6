"""Callback delivery: a finished ``request_type: callback`` task POSTs its status envelope."""

from __future__ import annotations

import json

from mock_server import catalog
from mock_server.backend.job import Job
from mock_server.backend.outbox import Outbox
from mock_server.dialects.generatetask import render

KIND = "callback"


class CallbackPublisher:
    """Queues the status envelope for ``callback_url``; only a 200 counts as received.

    It sees generateTask's jobs only: the registry hands each publisher its dialect's jobs.
    """

    def __init__(self, outbox: Outbox) -> None:
        self.outbox = outbox
        outbox.timeouts[KIND] = catalog.CALLBACK_ANSWER_SECONDS

    def job_finished(self, job: Job) -> None:
        """Publish the final state of a callback-mode task."""
        if job.callback_url is None:
            return
        body = render.status(job, job.origin or "")
        self.outbox.enqueue(
            KIND,
            job.callback_url,
            json.dumps(body, separators=(",", ":")).encode(),
            {"content-type": "application/json", "user-agent": "sora-mock-callbacks"},
            retry_delays=catalog.CALLBACK_RETRY_DELAYS,
            ok_statuses=(200,),
            subject=job.id,
        )
