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
    #: The concurrent-jobs limit counts each deployment's jobs apart (Azure).
    per_deployment: bool = False
    #: The per-minute window counts only the requests that create jobs (Azure's "two video
    #: job requests per minute"); otherwise every request.
    creates_only: bool = False

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
    #: Makes the part after the prefix when the id is not hex (Azure's base32 ids).
    make_suffix: Callable[[], str] | None = None
    #: Status reads a job takes at least in ``polls`` mode (so that every state shows).
    min_poll_steps: int = 1
    #: The wait between status reads the dialect's sources advise, where its reads carry no
    #: hint (``openai-poll-after-ms``); 0 when they do.
    poll_interval: float = 0.0
    #: The setting that overrides ``lifetime``, when the results' lifetime is a setting.
    lifetime_setting: str | None = None
    #: The dialect's API shows a cancelled job (a forced cancellation, a history ending
    #: cancelled and the cancel control apply to its jobs only).
    cancellable: bool = False

    def lifetime_in(self, settings: Any) -> float:
        """Seconds from completion until the results expire, under these settings."""
        if self.lifetime_setting is None:
            return self.lifetime
        return float(getattr(settings, self.lifetime_setting))

    def new_id(self) -> str:
        """A fresh id: ``video_`` + 32 hex, ``gen_`` + 24, ..."""
        if self.make_suffix is not None:
            return self.id_prefix + self.make_suffix()
        return self.id_prefix + secrets.token_hex(self.id_hex // 2)


#: Job kinds by dialect name.
JobKinds = Mapping[str, JobKind]
