"""Who may not read a review may not act on it, nor ask about it (PR-e).

A restricted review, or one outside an actor's read scope, is not read through
``execute``, ``explain``, ``options``, ``allowed`` or ``overdue``: each refuses with
PR-e alone (no stage, no appointee, no content in the refusal), logs the refused read
and changes nothing. A board chair who is not a reader cannot lift a restriction.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from functools import cache
from typing import Any

import pytest
from hypothesis import event, given
from hypothesis import strategies as st

from scr_engine import (
    Actor,
    FixedClock,
    MemoryStore,
    PermissionDenied,
    ReviewEngine,
    Role,
    ScrEngineError,
    Stage,
    Task,
)
from scr_engine import commands as c
from scr_engine.access import DEFAULT_READ_POLICY, ReadScope
from scr_engine.states.roles import SCR_ROLES
from support.builders import BOARD_CHAIR, BUSINESS_MANAGER, MAIN_LINE, START, to_stage

pytestmark = pytest.mark.rule("PR-e")

STAGES = MAIN_LINE[: MAIN_LINE.index(Stage.RATIFIED) + 1]

SAMPLES: tuple[c.Command, ...] = (
    c.AssessCriteria(),
    c.ConfirmReview(),
    c.ConvenePanel(),
    c.Ratify(),
    c.Withdraw("The family asked us to stop."),
    c.RestrictAccess("Lifted.", restricted=False),
    c.RestrictAccess("Restricted again.", readers=("someone",)),
    c.PauseClock("criminal proceedings", "The police asked us to wait."),
    c.RecordBudget(1000, "Venue."),
)
"""Commands of every kind: no input, with input, the restriction itself."""


@cache
def _world() -> tuple[ReviewEngine, dict[tuple[Stage, bool], str]]:
    """One engine under the default policy with a review at each stage, restricted by
    the board chair or not (built once: the property only adds refused reads)."""
    clock = FixedClock(START)
    engine = ReviewEngine(MemoryStore(), clock)
    reviews: dict[tuple[Stage, bool], str] = {}
    for stage in STAGES:
        for restricted in (False, True):
            review = to_stage(engine, clock, stage)
            if restricted:
                engine.execute(review.id, c.RestrictAccess("Staff involved."), BOARD_CHAIR)
            reviews[stage, restricted] = review.id
    return engine, reviews


def _may_read(engine: ReviewEngine, review_id: str, actor: Actor) -> bool:
    """The policy, worked out here from the review's facts (not by the engine's code)."""
    review = engine.get(review_id)
    scopes = [DEFAULT_READ_POLICY.scopes.get(role, ReadScope.NONE) for role in actor.roles]
    named = actor.id in review.named()
    if review.restricted:
        return named and any(s is not ReadScope.NONE for s in scopes)
    return ReadScope.ALL in scopes or (named and any(s is not ReadScope.NONE for s in scopes))


def _asks(engine: ReviewEngine, review_id: str, actor: Actor) -> list[Callable[[], Any]]:
    return [
        lambda: engine.options(review_id, actor),
        lambda: engine.allowed(review_id, actor),
        *(
            (lambda command=command: engine.explain(review_id, command, actor))
            for command in SAMPLES
        ),
        *(
            (lambda command=command: engine.execute(review_id, command, actor))
            for command in SAMPLES
        ),
        *(
            (
                lambda command=command: engine.execute(
                    review_id, command, actor, idempotency_key="retry-1"
                )
            )
            for command in SAMPLES
        ),
    ]


@given(
    stage=st.sampled_from(STAGES),
    restricted=st.booleans(),
    roles=st.frozensets(st.sampled_from(list(SCR_ROLES)), max_size=2),
    named=st.sampled_from(["no", "requester", "board chair", "panel chair"]),
    which=st.integers(min_value=0, max_value=100),
)
def test_pre_a_non_reader_learns_nothing_and_changes_nothing(
    stage: Stage, restricted: bool, roles: frozenset[Role], named: str, which: int
) -> None:
    """PR-e, property: for a review at any stage, restricted or not, and an actor of
    any roles, named on it or not: when the policy does not let them read it, every
    command and every question is refused with PR-e alone, in words that do not name
    the stage or anyone on the review; the review is unchanged; the refused read is
    logged. When it does, no refusal they get is about reading."""
    engine, reviews = _world()
    review_id = reviews[stage, restricted]
    before = engine.get(review_id)
    ids = {
        "no": "stranger",
        "requester": before.requested_by,
        "board chair": BOARD_CHAIR.id,
        "panel chair": before.panel_chair.person_id if before.panel_chair else "stranger",
    }
    actor = Actor(ids[named], "Someone", roles, "asc")
    asks = _asks(engine, review_id, actor)
    ask = asks[which % len(asks)]
    logged = len(engine.access_log(review_id=review_id, limit=100_000))
    if _may_read(engine, review_id, actor):
        event("a reader")
        try:
            ask()
        except PermissionDenied as denied:
            assert not any("may not read" in r.message for r in denied.refusals)
        except ScrEngineError:
            pass  # refused on other grounds: not this property
        return
    event("not a reader")
    with pytest.raises(PermissionDenied) as caught:
        ask()
    assert caught.value.rules == ("PR-e",)
    words = " ".join(r.message for r in caught.value.refusals)
    assert before.stage.value not in words
    for person in before.named() - {actor.id}:
        assert person not in words
    after = engine.get(review_id)
    assert after == before
    log = engine.access_log(review_id=review_id, limit=100_000)
    assert len(log) == logged + 1
    assert not log[-1].granted and log[-1].actor_id == actor.id


def test_pre_a_board_chair_not_named_cannot_lift_a_restriction(
    clock: FixedClock,
) -> None:
    """PR-e: the chair who restricted a review reads it; a second board chair, not
    named on it, can neither lift the restriction nor read it; the first one can."""
    engine = ReviewEngine(MemoryStore(), clock)
    review = to_stage(engine, clock, Stage.PANEL_CONVENED)
    engine.execute(review.id, c.RestrictAccess("Staff involved."), BOARD_CHAIR)
    other = Actor("u-bc2", "Second Chair", {Role.BOARD_CHAIR})
    with pytest.raises(PermissionDenied) as caught:
        engine.execute(review.id, c.RestrictAccess("Let me in.", restricted=False), other)
    assert caught.value.rules == ("PR-e",)
    with pytest.raises(PermissionDenied):
        engine.get(review.id, other)
    assert engine.get(review.id).restricted
    lifted = engine.execute(
        review.id, c.RestrictAccess("Proceedings over.", restricted=False), BOARD_CHAIR
    )
    assert not lifted.restricted
    assert engine.get(review.id, other).id == review.id


def test_pre_a_retry_key_does_not_return_a_restricted_review(clock: FixedClock) -> None:
    """PR-e: a non-reader who sends the idempotency key of a reader's accepted command
    gets PR-e, not the review as that command left it."""
    engine = ReviewEngine(MemoryStore(), clock)
    review = to_stage(engine, clock, Stage.SCREENED)
    engine.execute(review.id, c.RestrictAccess("Staff involved."), BOARD_CHAIR)
    command = c.RecordBudget(1000, "Venue.")
    engine.execute(review.id, command, BOARD_CHAIR, idempotency_key="budget-1")
    intruder = Actor("u-bc2", "Second Chair", {Role.BOARD_CHAIR})
    with pytest.raises(PermissionDenied) as caught:
        engine.execute(review.id, command, intruder, idempotency_key="budget-1")
    assert caught.value.rules == ("PR-e",)
    # The reader's own retry still returns the first result.
    again = engine.execute(review.id, command, BOARD_CHAIR, idempotency_key="budget-1")
    assert again.budget is not None and again.version == engine.get(review.id).version


def test_pre_overdue_for_an_actor_lists_only_what_they_read(clock: FixedClock) -> None:
    """PR-e: ``overdue(actor=)`` leaves out the deadlines of reviews the actor may not
    read (a restricted one they are not named on), pages over them, and logs each
    review it shows; with no actor, the host sees every row."""
    engine = ReviewEngine(MemoryStore(), clock)
    open_ids = [to_stage(engine, clock, Stage.SCREENED).id for _ in range(3)]
    hidden = to_stage(engine, clock, Stage.SCREENED).id
    engine.execute(hidden, c.RestrictAccess("Staff involved."), BOARD_CHAIR)
    later = engine.clock.now().date() + timedelta(days=400)
    every = engine.overdue(later, limit=1000)
    assert hidden in {row.review_id for row in every}
    mine = engine.overdue(later, limit=1000, actor=BUSINESS_MANAGER)
    assert {row.review_id for row in mine} == set(open_ids)
    assert [r for r in every if r.review_id != hidden] == mine
    # One row a page still walks past the hidden review's rows.
    paged, after = [], None
    while page := engine.overdue(later, limit=1, after=after, actor=BUSINESS_MANAGER):
        paged.extend(page)
        after = page[-1].sort_key
    assert paged == mine
    assert engine.access_log(review_id=hidden, limit=1000) == []
    assert {e.what for e in engine.access_log(review_id=open_ids[0], limit=1000)} == {"overdue"}


def test_pre_erase_person_skips_reviews_the_actor_may_not_read(clock: FixedClock) -> None:
    """PR-e: erasing a person's data across the store leaves alone an ended review the
    erasing actor may not read."""
    engine = ReviewEngine(MemoryStore(), clock)
    review = to_stage(engine, clock, Stage.SCREENED)
    ended = engine.execute(review.id, c.Withdraw("Asked to stop."), BOARD_CHAIR)
    engine.execute(ended.id, c.RestrictAccess("Staff involved."), BOARD_CHAIR)
    name = ended.request.requester.name
    stranger = Actor("u-bm2", "Another Manager", {Role.BUSINESS_MANAGER})
    assert (
        engine.erase_person(name, stranger, reasons="Retention.", legal_basis="UK GDPR Art. 17")
        == []
    )
    assert engine.get(ended.id).request.requester.name == name


def test_pre_pending_tasks_for_an_actor_lists_only_what_they_read(clock: FixedClock) -> None:
    """PR-e: ``pending_tasks(actor=)`` leaves out the RF-5 tasks of a review the actor
    may not read, however many come first, and logs each review it shows; the host,
    with no actor, sees them all."""
    engine = ReviewEngine(MemoryStore(), clock)
    hidden = to_stage(engine, clock, Stage.SCREENED).id  # its tasks are the oldest
    engine.execute(hidden, c.RestrictAccess("Staff involved."), BOARD_CHAIR)
    shown = to_stage(engine, clock, Stage.SCREENED).id
    every = engine.pending_tasks(limit=1000)
    assert {t.review_id for t in every} == {hidden, shown}
    mine = engine.pending_tasks(limit=2, actor=BUSINESS_MANAGER)
    assert len(mine) == 2 and {t.review_id for t in mine} == {shown}
    assert mine == [t for t in every if t.review_id == shown][:2]
    assert engine.access_log(review_id=hidden, limit=1000) == []
    assert [e.what for e in engine.access_log(review_id=shown, limit=1000)] == ["tasks"]


def test_pre_pending_tasks_for_an_actor_pages_past_what_they_may_not_read(
    clock: FixedClock,
) -> None:
    """PR-e: pages of ``pending_tasks(actor=)``, each ``after`` the last task of the
    one before, give every task the actor may read once, in order, even when pages
    of the store's tasks hold none of theirs (hidden reviews' tasks before, between
    and after); a page of one never stops early."""
    engine = ReviewEngine(MemoryStore(), clock)
    reviews = []
    for hide in (True, False, True, False, True):
        review_id = to_stage(engine, clock, Stage.SCREENED).id
        if hide:
            engine.execute(review_id, c.RestrictAccess("Staff involved."), BOARD_CHAIR)
        reviews.append((review_id, hide))
    hidden = {review_id for review_id, hide in reviews if hide}
    every = engine.pending_tasks(limit=1000)
    mine = [t for t in every if t.review_id not in hidden]
    assert len(mine) >= 4 and len(every) - len(mine) >= 6
    for size in (1, 3):
        found: list[Task] = []
        after: tuple[datetime, str] | None = None
        while page := engine.pending_tasks(limit=size, after=after, actor=BUSINESS_MANAGER):
            assert len(page) == size or len(found) + len(page) == len(mine)
            found.extend(page)
            after = page[-1].sort_key
        assert found == mine, size
    assert all(engine.access_log(review_id=r, limit=1000) == [] for r in hidden)


def test_pre_a_reader_s_refused_command_is_logged_an_accepted_one_is_its_event(
    clock: FixedClock,
) -> None:
    """PR-e: every command by an actor leaves a trace of who looked: a refusal (which
    tells them about the review) is logged as a read; an accepted command is its
    event, with no log entry."""
    engine = ReviewEngine(MemoryStore(), clock)
    review = to_stage(engine, clock, Stage.SCREENED)
    with pytest.raises(ScrEngineError):
        engine.execute(review.id, c.Ratify(), BOARD_CHAIR)
    engine.execute(review.id, c.RecordBudget(1000, "Venue."), BOARD_CHAIR)
    log = engine.access_log(review_id=review.id, limit=1000)
    assert [(e.actor_id, e.what, e.granted) for e in log] == [(BOARD_CHAIR.id, "ratify", True)]
    assert engine.history(review.id)[-1].command == "record_budget"


def test_pre_a_review_is_found_by_its_reference_under_the_read_policy(
    clock: FixedClock,
) -> None:
    """A host finds a review by its reference (`by_reference`), as `get` gives it: an
    actor the policy does not let read it is refused (PR-e) and logged; an unknown
    reference is ReviewNotFound; a store without the lookup is searched review by
    review."""
    from scr_engine import ReviewNotFound

    engine = ReviewEngine(MemoryStore(), clock)
    review = to_stage(engine, clock, Stage.SCREENED)
    assert engine.by_reference(review.reference) == engine.get(review.id)
    assert engine.by_reference(review.reference, BOARD_CHAIR).id == review.id
    stranger = Actor("u-x", "Someone", {Role.PANEL_MEMBER}, "police")
    with pytest.raises(PermissionDenied) as denied:
        engine.by_reference(review.reference, stranger)
    assert denied.value.rules == ("PR-e",)
    with pytest.raises(ReviewNotFound) as missing:
        engine.by_reference("SCR-1999-999")
    assert str(missing.value) == "no review with reference 'SCR-1999-999'"  # not "id"

    class Older(MemoryStore):
        review_id_of = None  # type: ignore[assignment]  # a store without the lookup

    older = ReviewEngine(Older(), clock)
    other = to_stage(older, clock, Stage.SCREENED)
    assert older.by_reference(other.reference).id == other.id


def test_pre_reviews_are_listed_by_filter_and_under_the_read_policy(
    clock: FixedClock,
) -> None:
    """`reviews(...)` lists the reviews matching every filter given (stage, agency,
    text, an overdue deadline), ordered by reference and paged after a reference; with
    an actor, only those they may read (PR-e), each listed logged."""
    from datetime import timedelta

    from support.builders import TWO_AUTHORITIES, demo_request

    engine = ReviewEngine(MemoryStore(), clock)
    first = to_stage(engine, clock, Stage.SCREENED)
    second = to_stage(engine, clock, Stage.REQUESTED)
    third = to_stage(engine, clock, Stage.SCREENED, request=demo_request(agencies=TWO_AUTHORITIES))
    engine.execute(third.id, c.RestrictAccess("Staff involved."), BOARD_CHAIR)
    every = [r.reference for r in engine.reviews()]
    assert every == sorted(every) == sorted([first.reference, second.reference, third.reference])
    assert [r.id for r in engine.reviews(stages=[Stage.REQUESTED])] == [second.id]
    assert [r.id for r in engine.reviews(agency="nbc")] == [third.id]
    assert [r.id for r in engine.reviews(text="neighbouring BOROUGH")] == [third.id]
    assert [r.id for r in engine.reviews(text=first.reference)] == [first.id]
    assert engine.reviews(overdue=True) == []
    clock.advance(timedelta(days=400))
    assert {r.id for r in engine.reviews(overdue=True)} == {first.id, second.id, third.id}
    paged = engine.reviews(limit=1, after=every[0])
    assert [r.reference for r in paged] == [every[1]]
    mine = engine.reviews(actor=BUSINESS_MANAGER)
    assert {r.id for r in mine} == {first.id, second.id}
    assert engine.access_log(review_id=third.id, limit=100) == []
    assert [e.what for e in engine.access_log(review_id=first.id, limit=100)] == ["reviews"]
