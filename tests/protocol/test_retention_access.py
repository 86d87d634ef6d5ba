"""Who may read a review, and the access log (PR-e).

The read-policy matrix: every read method, for actors of every role, of an involved
agency or another or none, named on the review or not, on a review restricted or
not: exactly the policy's pairs succeed, every read by an actor is logged once, and
``verify`` covers the log.
"""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest
import sqlalchemy as sa

from scr_engine import (
    Actor,
    FaultKind,
    FixedClock,
    MemoryStore,
    PermissionDenied,
    ReadPolicy,
    ReadScope,
    ReviewEngine,
    Role,
    Stage,
)
from scr_engine import commands as c
from scr_engine.access import DEFAULT_READ_POLICY
from scr_engine.demo import BOARD_CHAIR, REQUESTER, demo_request, run_to_closure
from scr_engine.states.roles import SCR_ROLES
from scr_engine.storage.sql import SqlStore
from support.builders import START

pytestmark = pytest.mark.rule("PR-e")

POLICY = ReadPolicy(
    {
        Role.BOARD_CHAIR: ReadScope.ALL,
        Role.BUSINESS_MANAGER: ReadScope.ALL,
        Role.PANEL_MEMBER: ReadScope.AGENCY,
        Role.IMR_WRITER: ReadScope.AGENCY,
        Role.PANEL_CHAIR: ReadScope.NAMED,
        Role.REQUESTER: ReadScope.NAMED,
        Role.OVERVIEW_WRITER: ReadScope.NONE,
    }
)
READS = ("get", "history", "deadlines", "public_export")


def _ratified(engine: ReviewEngine, clock: FixedClock) -> str:
    """A review driven to ratification in ``engine``'s store, by people the default
    policy lets act (a policy under test may not let, say, the writer read: then
    they could not write either)."""
    driver = ReviewEngine(engine.store, clock)
    review = driver.submit(demo_request(), REQUESTER)
    run_to_closure(driver, review.id, lambda: clock.advance(hours=5), until=Stage.RATIFIED)
    return review.id


def _expected(
    policy: ReadPolicy,
    role: Role,
    agency: str | None,
    named: bool,
    restricted: bool,
    involved: tuple[str, ...],
) -> bool:
    scope = policy.scopes.get(role, ReadScope.NONE)
    if scope is ReadScope.NONE:
        return False
    if restricted:
        return named
    if scope is ReadScope.ALL or named:
        return True
    return scope is ReadScope.AGENCY and agency is not None and agency in involved


def _read(engine: ReviewEngine, what: str, review_id: str, actor: Actor) -> None:
    if what == "deadlines":
        engine.deadlines(review_id, actor=actor)
    else:
        getattr(engine, what)(review_id, actor)


@pytest.mark.parametrize("restricted", [False, True])
def test_exactly_the_policy_s_pairs_read_and_each_read_is_logged_once(
    restricted: bool,
) -> None:
    clock = FixedClock(START)
    engine = ReviewEngine(MemoryStore(), clock, read_policy=POLICY)
    review_id = _ratified(engine, clock)
    if restricted:
        engine.execute(review_id, c.RestrictAccess("Family works for the council."), BOARD_CHAIR)
    review = engine.get(review_id)
    involved = review.agencies
    named_ids = sorted(review.named())
    assert named_ids
    granted: dict[tuple[str, str], int] = {}
    for n, (role, agency, named, what) in enumerate(
        itertools.product(SCR_ROLES, (involved[0], "elsewhere", None), (False, True), READS)
    ):
        actor_id = named_ids[n % len(named_ids)] if named else f"stranger-{n}"
        actor = Actor(actor_id, "Someone", {role}, agency)
        expected = _expected(POLICY, role, agency, named, restricted, involved)
        if expected:
            _read(engine, what, review_id, actor)
            granted[actor_id, what] = granted.get((actor_id, what), 0) + 1
        else:
            with pytest.raises(PermissionDenied) as caught:
                _read(engine, what, review_id, actor)
            assert caught.value.rules == ("PR-e",)
    log = engine.access_log(review_id=review_id, limit=10_000)
    counted: dict[tuple[str, str], int] = {}
    for entry in log:
        if entry.granted:
            counted[entry.actor_id, entry.what] = counted.get((entry.actor_id, entry.what), 0) + 1
    assert counted == granted
    assert len(log) == len(SCR_ROLES) * 3 * 2 * len(READS)
    assert engine.verify().ok


def test_reads_without_an_actor_are_the_host_s_and_not_logged(
    engine: ReviewEngine, clock: FixedClock
) -> None:
    review_id = _ratified(engine, clock)
    engine.get(review_id)
    engine.history(review_id)
    engine.deadlines(review_id)
    engine.public_export(review_id)
    assert engine.access_log(review_id=review_id) == []


def test_a_restricted_review_is_read_by_the_people_on_it_and_its_readers(
    engine: ReviewEngine, clock: FixedClock
) -> None:
    review_id = _ratified(engine, clock)
    officer = Actor("u-officer", "Officer", {Role.BUSINESS_MANAGER})
    dpo = Actor("u-dpo", "Data protection officer", {Role.SUBGROUP_CHAIR})
    engine.get(review_id, officer)
    engine.execute(review_id, c.RestrictAccess("Staff member is related.", ("u-dpo",)), BOARD_CHAIR)
    with pytest.raises(PermissionDenied):
        engine.get(review_id, officer)
    assert engine.get(review_id, dpo).restricted
    assert engine.get(review_id, BOARD_CHAIR).id == review_id  # the chair who restricted
    assert engine.get(review_id, REQUESTER).id == review_id  # named on it
    engine.execute(review_id, c.RestrictAccess("Relative has left.", (), False), BOARD_CHAIR)
    assert engine.get(review_id, officer).readers == frozenset()
    by_officer = engine.access_log(actor_id="u-officer")
    assert [(e.what, e.granted) for e in by_officer] == [
        ("get", True),
        ("get", False),
        ("get", True),
    ]


def test_the_default_policy_lets_officers_read_and_others_only_their_reviews(
    clock: FixedClock,
) -> None:
    engine = ReviewEngine(MemoryStore(), clock)
    assert engine.read_policy == DEFAULT_READ_POLICY
    review_id = _ratified(engine, clock)
    assert engine.get(review_id, Actor("u-x", "X", {Role.BOARD})).id == review_id
    with pytest.raises(PermissionDenied):
        engine.get(review_id, Actor("u-y", "Y", {Role.PANEL_MEMBER}, "gp"))


def test_verify_finds_an_edited_access_log(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'scr.db'}"
    clock = FixedClock(START)
    with SqlStore(url, migrate="create", durable=False) as store:
        engine = ReviewEngine(store, clock)
        review_id = _ratified(engine, clock)
        for _ in range(3):
            engine.get(review_id, BOARD_CHAIR)
        assert engine.verify().ok
        assert len(engine.access_log(review_id=review_id)) == 3
    db = sa.create_engine(url)
    with db.begin() as conn:
        conn.execute(sa.text("DELETE FROM scr_access_log WHERE sequence = 2"))
    db.dispose()
    with SqlStore(url, durable=False) as store:
        report = ReviewEngine(store, clock).verify()
    assert {(f.review_id, f.kind) for f in report.faults} == {(review_id, FaultKind.ACCESS_LOG)}
