"""What the backend knows of each dialect's jobs, without knowing the dialects.

Each dialect declares one :class:`JobKind` in its registry entry; the service, the limits and
the state read them by the job's dialect name.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class LimitGroup:
    """Limits counted together, and the settings that hold them (0 means no limit)."""

    name: str
    #: The setting with the most unfinished jobs a key may have.
    concurrent_setting: str
    #: The setting with the most requests a key may send per minute.
    per_minute_setting: str

    def concurrent(self, settings: Any) -> int:
        """The concurrent-jobs limit in force."""
        return int(getattr(settings, self.concurrent_setting))

    def per_minute(self, settings: Any) -> int:
        """The requests-per-minute limit in force."""
        return int(getattr(settings, self.per_minute_setting))


@dataclass(frozen=True)
class JobKind:
    """How one dialect's jobs are named, how long they run and live, and where they count."""

    dialect: str
    id_prefix: str
    #: Hex digits after the prefix.
    id_hex: int
    #: Seconds from completion until the results expire.
    lifetime: float
    #: Mock seconds a real job takes, from its base model and its video's seconds.
    generation_seconds: Callable[[str, int], float]
    limits: LimitGroup

    def new_id(self) -> str:
        """A fresh id: ``video_`` + 32 hex, ``gen_`` + 24, ..."""
        return self.id_prefix + secrets.token_hex(self.id_hex // 2)


#: Job kinds by dialect name.
JobKinds = Mapping[str, JobKind]
