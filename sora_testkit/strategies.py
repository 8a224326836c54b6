"""Hypothesis strategies for testing Sora 2 API clients: requests and job histories.

Valid requests (``create_requests``; ``edit_requests``, ``extension_requests`` and
``character_requests`` for the other OpenAI endpoints), near misses each paired with the rule
that refuses them (``near_miss_requests``), hostile requests (``hostile_requests``), real
reference images (``reference_images``), prompts (``prompts``), job histories
(``job_histories``) for ``SoraMock.play_history``, and forced outcomes (``forced_outcomes``)
for ``SoraMock.force_outcome``. This module only re-exports; see
``sora_testkit.generation``.
"""

from sora_testkit.extras import require as _require

_require("hypothesis", "sora_testkit.strategies")

from mock_server.backend.history import FaultStep, StateStep  # noqa: E402
from sora_testkit.generation.histories import job_histories  # noqa: E402
from sora_testkit.generation.images import reference_images  # noqa: E402
from sora_testkit.generation.outcomes import forced_outcomes  # noqa: E402
from sora_testkit.generation.requests import (  # noqa: E402
    character_requests,
    create_requests,
    edit_requests,
    extension_requests,
    hostile_requests,
    near_miss_requests,
    prompts,
)
from sora_testkit.generation.wire import ApiRequest, NearMiss  # noqa: E402

__all__ = [
    "ApiRequest",
    "FaultStep",
    "NearMiss",
    "StateStep",
    "character_requests",
    "create_requests",
    "edit_requests",
    "extension_requests",
    "forced_outcomes",
    "hostile_requests",
    "job_histories",
    "near_miss_requests",
    "prompts",
    "reference_images",
]
