"""What a request did with jobs, noted for the request journal as the service does it.

The service calls :func:`note_job` (its ``observer``) when a request creates a job, reads its
status, or uses its results (a download, a result file, a remix, an edit or extension of it);
the journal entry then names the job, whether the answer showed it finished, and what was
used.
Outside a request (a background round) nothing is noted.
"""

from __future__ import annotations

from typing import Protocol

from mock_server.wire.context import call_or_none

CREATE, READ, USE, TRIED = "create", "read", "use", "tried"


class JobLike(Protocol):
    """What a note needs of a job."""

    id: str

    @property
    def terminal(self) -> bool: ...


def note_job(kind: str, job: JobLike) -> None:
    """Note that this request created (``create``), status-read (``read``), tried to read
    (``tried``: a scripted fault answered) or used the results of (``use``) ``job``."""
    call = call_or_none()
    if call is None:
        return
    if kind == USE:
        call.journal_uses = job.id
        return
    if kind == TRIED:  # a status read a scripted fault answered: it showed nothing
        call.journal_job = job.id
        return
    # A create answered already finished (``instant`` mode) tells the client it is done too.
    call.journal_job = job.id
    call.journal_terminal = job.terminal
