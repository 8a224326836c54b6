"""Every dialect the server speaks, in one tuple: adding a dialect adds its record here.

The web layer, the OpenAPI document and the state read dialects from here only.
"""

from __future__ import annotations

from collections.abc import Iterator
from types import MappingProxyType
from typing import TYPE_CHECKING

from mock_server.backend.job import Job
from mock_server.backend.kinds import JobKind
from mock_server.dialects.azure import record as azure
from mock_server.dialects.azure_jobs import record as azure_jobs
from mock_server.dialects.generatetask import record as generatetask
from mock_server.dialects.openai import record as openai
from mock_server.dialects.record import Dialect, JobListener, Route
from mock_server.dialects.uniall import record as uniall

if TYPE_CHECKING:
    from mock_server.state import MockState

#: The dialects, the first answering paths no other one claims.
DIALECTS: tuple[Dialect, ...] = (
    openai.DIALECT,
    uniall.DIALECT,
    generatetask.DIALECT,
    azure.DIALECT,
    azure_jobs.DIALECT,
)
BY_NAME = MappingProxyType({dialect.name: dialect for dialect in DIALECTS})
#: Each dialect's jobs, by dialect name.
JOB_KINDS: MappingProxyType[str, JobKind] = MappingProxyType(
    {dialect.name: dialect.jobs for dialect in DIALECTS}
)
#: Path prefixes and the dialect each belongs to, longest first.
_PREFIXES = sorted(
    ((prefix, dialect) for dialect in DIALECTS for prefix in dialect.path_prefixes),
    key=lambda pair: -len(pair[0]),
)


def routes() -> Iterator[tuple[Dialect, Route]]:
    """Every route of every dialect, with its dialect."""
    for dialect in DIALECTS:
        for route in dialect.routes:
            yield dialect, route


def for_path(path: str) -> Dialect:
    """The dialect whose envelope answers a path (unknown paths included)."""
    for prefix, dialect in _PREFIXES:
        if path.startswith(prefix):
            return dialect
    return DIALECTS[0]


def for_job_id(job_id: str) -> Dialect | None:
    """The dialect whose ids look like this one, if any."""
    for dialect in DIALECTS:
        if job_id.startswith(dialect.jobs.id_prefix):
            return dialect
    return None


def _only_for(name: str, listener: JobListener) -> JobListener:
    def listen(job: Job) -> None:
        if job.dialect == name:
            listener(job)

    return listen


def wire_publishers(state: MockState) -> None:
    """Give each dialect's publishers the jobs of that dialect as they finish."""
    for dialect in DIALECTS:
        for publisher in dialect.publishers:
            state.service.listeners.append(_only_for(dialect.name, publisher(state)))
