"""The engine's reads for an actor (PR-e): each names itself in the access log, checks
its arguments under its own name, and honours the engine's own ``max_actor_length``.

Every read a host makes for a person is logged by what it was (``get``, ``tasks``,
``options`` …), granted or refused; a malformed argument is refused naming the call
and the argument; and a Board that allows longer actor ids than the default has them
accepted by every call, not only by some.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import attrs
import pytest

from scr_engine import DEFAULT_SETTINGS, FixedClock, MemoryStore, ReviewEngine
from scr_engine import commands as c
from scr_engine.demo import BOARD_CHAIR, REQUESTER, demo_request
from scr_engine.errors import InvalidRequest, PermissionDenied
from scr_engine.records import Actor, Review, Role

START = datetime(2026, 2, 2, 9, tzinfo=UTC)
READER = Actor("u-chair-2", "Second Chair", frozenset({Role.BOARD_CHAIR}))


def _engine(**kwargs: Any) -> tuple[ReviewEngine, Review]:
    engine = ReviewEngine(MemoryStore(), FixedClock(START), **kwargs)
    return engine, engine.submit(demo_request(), REQUESTER)


READS: dict[str, Callable[[ReviewEngine, Review, Actor], object]] = {
    "get": lambda e, r, a: e.get(r.id, a),
    "history": lambda e, r, a: e.history(r.id, a),
    "tasks": lambda e, r, a: e.tasks(r.id, a),
    "options": lambda e, r, a: e.options(r.id, a),
    "reviews": lambda e, r, a: e.reviews(actor=a),
}


@pytest.mark.rule("PR-e")
@pytest.mark.parametrize("what", sorted(READS))
def test_each_read_for_an_actor_is_logged_as_what_it_was(what: str) -> None:
    engine, review = _engine()
    READS[what](engine, review, READER)
    log = engine.access_log(review_id=review.id)
    assert [(e.actor_id, e.what, e.granted) for e in log] == [(READER.id, what, True)]


@pytest.mark.rule("PR-e")
def test_a_review_found_by_reference_is_logged_as_a_get() -> None:
    engine, review = _engine()
    assert engine.by_reference(review.reference, READER) == review
    log = engine.access_log(review_id=review.id)
    assert [(e.actor_id, e.what, e.granted) for e in log] == [(READER.id, "get", True)]


class _NoIndex(MemoryStore):
    """A store written before ``review_id_of``: the engine looks at each review."""

    def __getattribute__(self, name: str) -> Any:
        if name == "review_id_of":
            raise AttributeError(name)
        return super().__getattribute__(name)


def test_a_reference_is_found_in_a_store_without_an_index_of_them() -> None:
    engine = ReviewEngine(_NoIndex(), FixedClock(START))
    review = engine.submit(demo_request(), REQUESTER)
    other = engine.submit(demo_request(), REQUESTER)
    assert engine.by_reference(other.reference) == other
    assert engine.by_reference(review.reference) == review


CHECKS: list[tuple[str, Callable[[ReviewEngine], object], str]] = [
    ("by_reference", lambda e: e.by_reference(5), "reference"),  # type: ignore[arg-type]
    ("tasks", lambda e: e.tasks(5), "review_id"),  # type: ignore[arg-type]
    ("reviews", lambda e: e.reviews(limit=-1), "limit"),
    ("reviews", lambda e: e.reviews(after=5), "after"),  # type: ignore[arg-type]
    ("reviews", lambda e: e.reviews(actor="u-chair"), "actor"),  # type: ignore[arg-type]
    ("overdue", lambda e: e.overdue(actor="u-chair"), "actor"),  # type: ignore[arg-type]
    ("pending_tasks", lambda e: e.pending_tasks(actor="u-chair"), "actor"),  # type: ignore[arg-type]
]


@pytest.mark.parametrize(
    ("command", "call", "field"), CHECKS, ids=[f"{c}-{f}" for c, _, f in CHECKS]
)
def test_a_malformed_argument_is_refused_naming_the_call_and_the_argument(
    command: str, call: Callable[[ReviewEngine], object], field: str
) -> None:
    engine, _ = _engine()
    with pytest.raises(InvalidRequest) as refused:
        call(engine)
    assert refused.value.command == command
    assert [r.field for r in refused.value.refusals] == [field]


def test_the_default_page_of_reviews_is_a_hundred() -> None:
    engine, _ = _engine()
    for _ in range(100):
        engine.submit(demo_request(), REQUESTER)
    assert len(engine.reviews()) == 100
    assert len(engine.reviews(limit=101)) == 101


def test_an_actor_as_long_as_the_engine_s_settings_allow_is_accepted_by_every_call() -> None:
    """A Board whose settings allow actor ids longer than the default has them
    accepted by every call that takes an actor, not only by some."""
    longer = DEFAULT_SETTINGS.max_actor_length + 20
    settings = attrs.evolve(DEFAULT_SETTINGS, version="long-ids", max_actor_length=longer)
    engine, review = _engine(settings=settings)
    actor = Actor("u" * longer, "Long Id", frozenset({Role.BOARD_CHAIR}))
    engine.reviews(actor=actor)
    engine.overdue(actor=actor)
    engine.pending_tasks(actor=actor)
    engine.options(review.id, actor)
    engine.explain(review.id, c.AssessCriteria(), actor)
    assert engine.get(review.id, actor) == review
    manager = Actor("m" * longer, "Long Id", frozenset({Role.BUSINESS_MANAGER}))
    engine.execute(review.id, c.RecordChairNotified(review.received_on), manager)
    too_long = Actor("u" * (longer + 1), "Too Long", frozenset({Role.BOARD_CHAIR}))
    with pytest.raises(InvalidRequest):
        engine.reviews(actor=too_long)


@pytest.mark.rule("PR-e")
def test_a_command_by_someone_who_may_not_read_the_review_is_refused_naming_it() -> None:
    """PR-e: a chair not named on a restricted review may not act on it: the refusal
    names the command, and the refused read is logged."""
    engine, review = _engine()
    engine.execute(review.id, c.RestrictAccess("Press interest."), BOARD_CHAIR)
    with pytest.raises(PermissionDenied) as refused:
        engine.execute(review.id, c.RestrictAccess("Lifted.", restricted=False), READER)
    assert refused.value.command == "restrict_access"
    assert [r.rule for r in refused.value.refusals] == ["PR-e"]
    log = engine.access_log(review_id=review.id)
    assert [(e.actor_id, e.what, e.granted) for e in log] == [(READER.id, "restrict_access", False)]
