"""Forced outcomes by name: what a test hands ``SoraMock.force_outcome`` (or a magic prompt)."""

from __future__ import annotations

from collections.abc import Sequence

from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument

from mock_server import catalog

#: What an outcome does to the next create: the job fails, the create is refused, it is slow,
#: or (Azure's Sora 1 jobs API only) the job is cancelled.
EFFECTS = ("failure", "refusal", "slow", "cancellation")
#: The effects drawn by default: those every dialect's jobs show.
EVERY_DIALECT = ("failure", "refusal", "slow")


def effect_of(outcome: catalog.Outcome) -> str:
    """``failure``, ``refusal``, ``slow`` or ``cancellation``."""
    if outcome.cancellable_only:
        return "cancellation"
    if outcome.failure is not None:
        return "failure"
    if outcome.reject_rule is not None or outcome.refuse_status is not None:
        return "refusal"
    return "slow"


@st.composite
def _forced(draw: st.DrawFn, effects: tuple[str, ...], with_reference: bool) -> str:
    unknown = sorted(set(effects) - set(EFFECTS))
    if unknown or not effects:
        raise InvalidArgument(f"effects must be some of {', '.join(EFFECTS)}, not {effects!r}")
    names = [
        outcome.name
        for outcome in catalog.OUTCOMES.values()
        if effect_of(outcome) in effects and (with_reference or not outcome.needs_reference)
    ]
    return draw(st.sampled_from(names))


def forced_outcomes(
    *, effects: Sequence[str] = EVERY_DIALECT, with_reference: bool = False
) -> st.SearchStrategy[str]:
    """Names of forced outcomes (docs/server/outcomes.md): every documented failure, refusal
    and the slow job, for ``sora_mock.force_outcome(name)`` or ``catalog.magic_marker(name)``.

    ``effects`` keeps some of ``failure`` (the job ends ``failed`` with that code), ``refusal``
    (the create is answered with a 4xx or 503), ``slow`` and ``cancellation`` (the job ends
    ``cancelled``: Azure's Sora 1 jobs API only, so not drawn unless named); ``with_reference``
    includes the
    outcomes that need a create with a reference image (``face_rejected``). Shrinks towards
    ``moderation_blocked``.
    """
    return _forced(tuple(effects), with_reference)
