"""What a request did with jobs, noted for the request journal as the service does it.

The service calls :func:`note_job` (its ``observer``) when a request creates a job, reads its
status, or uses its results (a download, a result file, a remix, an edit or extension of it);
the journal entry then names the job, whether the answer showed it finished, and what was
used.
Outside a request (a background round) nothing is noted.
"""

from __future__ import annotations

from typing import Protocol

from flask import g, has_request_context

CREATE, READ, USE, TRIED = "create", "read", "use", "tried"


class JobLike(Protocol):
    """What a note needs of a job."""

    id: str

    @property
    def terminal(self) -> bool: ...


def note_job(kind: str, job: JobLike) -> None:
    """Note that this request created (``create``), status-read (``read``), tried to read
    (``tried``: a scripted fault answered) or used the results of (``use``) ``job``."""
    if not has_request_context():
        return
    if kind == USE:
        g.journal_uses = job.id
        return
    if kind == TRIED:  # a status read a scripted fault answered: it showed nothing
        g.journal_job = job.id
        return
    # A create answered already finished (``instant`` mode) tells the client it is done too.
    g.journal_job = job.id
    g.journal_terminal = job.terminal
