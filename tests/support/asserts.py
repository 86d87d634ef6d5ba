"""One assertion for a refusal: its rule ID, its field and its error class at once."""

from __future__ import annotations

import pytest

from scr_engine import (
    Actor,
    InvalidRequest,
    PermissionDenied,
    ReviewEngine,
    TransitionRefused,
)
from scr_engine import commands as c
from scr_engine.rules.reasons import Refusal, RefusalKind

__all__ = ["assert_refused"]

_KIND = {
    InvalidRequest: RefusalKind.INPUT,
    PermissionDenied: RefusalKind.PERMISSION,
    TransitionRefused: RefusalKind.GUARD,
}


def assert_refused(
    engine: ReviewEngine,
    review_id: str,
    command: c.Command,
    actor: Actor,
    rule: str,
    field: str | None,
    error: type[TransitionRefused],
    *,
    only: bool = True,
) -> tuple[Refusal, ...]:
    """``command`` is refused with exactly ``error`` (not a subclass of it, not its
    parent), citing ``rule`` at ``field`` with the kind that error stands for; with
    ``only``, that is the one reason. ``explain`` names the same reasons; nothing is
    stored."""
    before = (engine.get(review_id), engine.history(review_id))
    foreseen = engine.explain(review_id, command, actor)
    with pytest.raises(TransitionRefused) as caught:
        engine.execute(review_id, command, actor)
    refusals = caught.value.refusals
    assert type(caught.value) is error, (type(caught.value), refusals)
    assert list(refusals) == foreseen
    wanted = (rule, field, _KIND[error])
    found = [(r.rule, r.field, r.kind) for r in refusals]
    if only:
        assert found == [wanted], found
    else:
        assert wanted in found, found
    assert (engine.get(review_id), engine.history(review_id)) == before
    return refusals
