"""Assertions on refusals: its rule ID, its field and its error class at once
(``assert_refused``), or the error itself with nothing recorded (``refusal_of``,
``invalid``); and that a block leaves the store as it was (``unchanged``)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest

from scr_engine import (
    Actor,
    InvalidRequest,
    PermissionDenied,
    Review,
    ReviewEngine,
    TransitionRefused,
)
from scr_engine import commands as c
from scr_engine.rules.reasons import Refusal, RefusalKind

__all__ = ["accepted", "assert_refused", "invalid", "refusal_of", "snapshot", "unchanged"]

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


def refusal_of(
    engine: ReviewEngine, review: Review, command: c.Command, actor: Actor
) -> TransitionRefused:
    """``command`` is refused (with any subclass of :class:`TransitionRefused`) and
    nothing is recorded: the error, for the test to look at its reasons."""
    version = engine.get(review.id).version
    with pytest.raises(TransitionRefused) as refused:
        engine.execute(review.id, command, actor)
    assert engine.get(review.id).version == version  # nothing recorded
    return refused.value


def snapshot(engine: ReviewEngine, review_id: str) -> tuple[Review, int, list[Any]]:
    """The review, the length of its history and the task outbox."""
    return (
        engine.get(review_id),
        len(engine.history(review_id)),
        engine.store.pending_tasks(),
    )


@contextmanager
def unchanged(engine: ReviewEngine, review_id: str) -> Iterator[None]:
    """The block must leave the review, its history and the task outbox as they were."""
    before = snapshot(engine, review_id)
    yield
    assert snapshot(engine, review_id) == before


def invalid(engine: ReviewEngine, review_id: str, command: Any, actor: Actor) -> InvalidRequest:
    """``command`` is refused as :class:`InvalidRequest`, leaving everything unchanged."""
    with unchanged(engine, review_id), pytest.raises(InvalidRequest) as refused:
        engine.execute(review_id, command, actor)
    return refused.value


def accepted(engine: ReviewEngine, rid: str, command: c.Command, actor: object) -> Review:
    """``command`` is foreseen as accepted by ``explain`` and accepted by ``execute``:
    the review it leaves."""
    assert engine.explain(rid, command, actor) == []  # type: ignore[arg-type]
    return engine.execute(rid, command, actor)  # type: ignore[arg-type]
