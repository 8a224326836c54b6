"""The request journal as a list with questions: what a client created, read, downloaded."""

from __future__ import annotations

from typing import Any

Entry = dict[str, Any]


class Journal(list[Entry]):
    """Journal entries, oldest first (``sora_mock.requests``), with queries that spare a test
    the filtering. Each query returns entries, each with its ``at`` on the mock clock."""

    def creates(self, dialect: str | None = None) -> list[Entry]:
        """Requests that made a job (answered with one), of ``dialect`` or any."""
        return [
            entry
            for entry in self
            if entry.get("method") == "POST"
            and entry.get("job") is not None
            and (dialect is None or entry.get("dialect") == dialect)
        ]

    def reads_of(self, job_id: str) -> list[Entry]:
        """Status reads of one job, those a scripted fault answered included."""
        return [
            entry
            for entry in self
            if entry.get("job") == job_id and entry.get("method") in ("GET", "HEAD")
        ]

    def downloads(self, job_id: str | None = None) -> list[Entry]:
        """Downloads of a job's own results (its content, result files, a generation's video
        or thumbnail), of ``job_id`` or any; a remix, edit or extension of it is not one
        (:meth:`derived_from`)."""
        return [entry for entry in self._uses(job_id) if entry.get("method") in ("GET", "HEAD")]

    def derived_from(self, job_id: str | None = None) -> list[Entry]:
        """Requests that made a new job from a job's results (a remix, an edit or an extension
        of it by id), of ``job_id`` or any."""
        return [entry for entry in self._uses(job_id) if entry.get("method") == "POST"]

    def used(self, job_id: str | None = None) -> list[Entry]:
        """Every request that used a job's results: :meth:`downloads` and
        :meth:`derived_from` together, in order."""
        return self._uses(job_id)

    def _uses(self, job_id: str | None) -> list[Entry]:
        return [
            entry
            for entry in self
            if entry.get("uses") is not None and (job_id is None or entry["uses"] == job_id)
        ]

    def refused(self) -> list[Entry]:
        """Requests answered with a 4xx or 5xx."""
        return [entry for entry in self if int(entry.get("status", 200)) >= 400]
