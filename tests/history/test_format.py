"""The stored form of a history, and how it is checked (PR-d, PR-e; issue 14).

A history is kept for years and checked against what it committed to: an event's
hash covers its body (with the host's idempotency key, the commitments and the state
digest), the state digest covers the review the command produced but its head, and
the store's checks (:func:`head_problems`, :func:`state_problem`,
:meth:`ReviewEngine.verify`) compare the stored review with the history. A change in
what is hashed would make every stored history fail to verify, so the exact values
are pinned here for fixed salts, times and inputs.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from itertools import count

import attrs
import pytest

from scr_engine import FixedClock, InvalidRequest, MemoryStore, ReviewEngine, Stage
from scr_engine import commands as c
from scr_engine.history import (
    GENESIS,
    Event,
    event_from_dict,
    event_hash,
    event_to_dict,
    head_problems,
    replay,
    replay_steps,
    scrub,
    state_digest,
    state_problem,
    verify_history,
)
from scr_engine.personal import ERASED, commit
from scr_engine.serialization import FrozenDict
from support.builders import BUSINESS_MANAGER, PANEL_CHAIR, REQUESTER, demo_request, to_stage

AT = datetime(2026, 2, 2, 9, 0, tzinfo=UTC)
NAME = "/request/requester/name"
DETAILS = "/request/incidents/0/details"


@pytest.fixture
def reviews(engine: ReviewEngine, clock: FixedClock) -> tuple[str, str]:
    """A review run to closure, and one whose panel extended a deadline (PR-a)."""
    closed = to_stage(engine, clock, Stage.CLOSED).id
    rid = to_stage(engine, clock, Stage.PANEL_CONVENED).id
    imr = next(d for d in engine.deadlines(rid) if d.key.startswith("imr:"))
    engine.execute(
        rid, c.ExtendDeadline(imr.key, imr.due_on + timedelta(days=7), "Ill."), PANEL_CHAIR
    )
    return closed, rid


# --------------------------------------------------------------------------- the format


def _engine(clock: FixedClock) -> ReviewEngine:
    """An engine whose review IDs and salts are fixed: its events are always the same."""
    numbers = count(1)
    return ReviewEngine(
        MemoryStore(), clock, new_id=lambda: "r-1", salt=lambda: f"{next(numbers):032x}"
    )


# What the first two events of a fixed review hash to, with and without the host's
# idempotency keys: what every stored history of this format was written with.
STATES = (
    "82a597fc4ad7fce789638c27374ed5070e8321b6a917009dc1491aba8f419a9d",
    "65eabe8337171281e2410db8079965949b5f2e8c83683172602270d134e9cd92",
)
PINNED = {
    None: (
        "4c0d4fbcf67ec2bc75141d50fe412f2496f540a19ac4b4efa643bb7f990a8a11",
        STATES[0],
        "cd2e957e8aebffc5d97ac2d21b15d2c32999fed19d5e28b79dc54e0d8be613f1",
        STATES[1],
    ),
    "host": (
        "e9425f05e3d12035a9fbfcd3c46e7f7a0d97473bddba64c3f76cff5665279c6d",
        STATES[0],
        "c44c42c6f6f32790bcb30b2dab39f3ff5fb1cc4189c1cbc91ae3a1ea100d648b",
        STATES[1],
    ),
}


@pytest.mark.rule("PR-d")
@pytest.mark.parametrize("key", [None, "host"])
def test_the_events_hash_as_every_stored_history_was_written(key: str | None) -> None:
    clock = FixedClock(AT)
    engine = _engine(clock)
    rid = engine.submit(demo_request(), REQUESTER, idempotency_key=key and f"{key}-1").id
    clock.advance(hours=1)
    engine.execute(
        rid, c.RecordChairNotified(AT.date()), BUSINESS_MANAGER, idempotency_key=key and f"{key}-2"
    )
    first, second = engine.history(rid)
    assert (first.hash, first.state, second.hash, second.state) == PINNED[key]
    assert (first.key, second.key) == ((None, None) if key is None else ("host-1", "host-2"))
    assert ("key" in second.body()) is (key is not None)
    for event in (first, second):
        assert event.hash == event_hash(event.body())
        assert event.format == 2 and event.state_salt is not None
    assert (first.prev_hash, second.prev_hash) == (GENESIS, first.hash)
    # Each state digest is the review its command produced, but its head.
    assert first.state == state_digest(replay([first]), first.state_salt or "")
    assert second.state == state_digest(engine.get(rid), second.state_salt or "")
    assert verify_history([first, second]) == []


# --------------------------------------------------------------------------- replay


@pytest.mark.rule("PR-d")
def test_a_history_replays_to_the_stored_review_and_verifies(
    engine: ReviewEngine, reviews: tuple[str, str]
) -> None:
    for rid in reviews:
        events = engine.history(rid)
        assert replay(events) == engine.get(rid)
        steps = list(replay_steps(events))
        assert [e for e, _, _ in steps] == list(events)
        for event, step, tasks in steps:
            assert step == replay(events[: event.sequence]) and step.head == event.hash
            assert state_problem(step, event) is None
            assert all(t.created_at == event.at for t in tasks)
        assert any(tasks for _, _, tasks in steps)
    assert engine.get(reviews[1]).extensions[0].by == PANEL_CHAIR.id
    report = engine.verify()
    assert report.ok, report.faults


# --------------------------------------------------------------------------- stored form


@pytest.mark.rule("PR-d")
def test_an_event_is_stored_with_every_field_and_read_back_equal(engine: ReviewEngine) -> None:
    rid = engine.submit(demo_request(), REQUESTER, idempotency_key="host-1").id
    event = engine.history(rid)[0]
    base = {
        "review_id", "sequence", "at", "actor_id", "role", "command", "payload",
        "stage_before", "stage_after", "prev_hash", "hash",
    }  # fmt: skip
    written = event_to_dict(event)
    assert set(written) == base | {
        "state", "commitments", "salts", "state_salt", "format", "key",
    }  # fmt: skip
    assert (written["at"], written["role"], written["stage_before"], written["stage_after"]) == (
        event.at.isoformat(),
        "requester",
        None,
        "requested",
    )
    assert (written["key"], written["format"], written["state_salt"]) == (
        "host-1",
        2,
        event.state_salt,
    )
    assert event_from_dict(written) == event
    unkeyed = attrs.evolve(event, key=None)
    assert "key" not in event_to_dict(unkeyed)
    assert event_from_dict(event_to_dict(unkeyed)) == unkeyed
    old = attrs.evolve(event, format=1, key=None, salts=FrozenDict(), state_salt=None)
    assert set(event_to_dict(old)) == base
    assert event_from_dict(event_to_dict(old)) == attrs.evolve(old, state=None, commitments={})
    engine.execute(rid, c.RecordChairNotified(event.at.date()), BUSINESS_MANAGER)
    second = engine.history(rid)[1]
    assert event_to_dict(second)["stage_before"] == "requested"
    assert event_from_dict(event_to_dict(second)) == second
    with pytest.raises(InvalidRequest) as caught:
        event_from_dict({**written, "sequence": "one"})
    assert caught.value.command == "event"


@pytest.mark.rule("PR-d")
def test_a_history_written_in_the_first_format_still_verifies(engine: ReviewEngine) -> None:
    rid = engine.submit(demo_request(), REQUESTER).id
    event = engine.history(rid)[0]
    old = attrs.evolve(
        event, format=1, key=None, state=None, commitments={}, salts={}, state_salt=None
    )
    old = attrs.evolve(old, hash=event_hash(old.body()))
    assert verify_history([old]) == []
    assert "state" not in old.body() and old.body()["payload"] == event.payload
    assert replay([old]) == attrs.evolve(engine.get(rid), head=old.hash)


@pytest.mark.rule("PR-d")
def test_a_state_digest_with_changes_is_that_of_the_changed_review(engine: ReviewEngine) -> None:
    review = engine.submit(demo_request(), REQUESTER).id
    review = engine.get(review)
    salt = "ab" * 16
    changes = {"stage": Stage.SCREENED, "version": 7}
    assert state_digest(review, salt, changes) == state_digest(
        attrs.evolve(review, **changes), salt
    )
    assert state_digest(review, salt, changes) != state_digest(review, salt)


@pytest.mark.rule("PR-e")
def test_scrubbing_erases_the_values_asked_for_and_keeps_the_hash(engine: ReviewEngine) -> None:
    rid = engine.submit(demo_request(), REQUESTER).id
    event = engine.history(rid)[0]
    name = event.payload["request"]["requester"]["name"]
    one = scrub(event, name)
    assert one.payload["request"]["requester"]["name"] == ERASED
    assert one.payload["request"]["incidents"][0]["details"] != ERASED
    assert NAME not in one.salts and DETAILS in one.salts
    assert one.state_salt is None and one.hash == event.hash
    assert verify_history([one]) == []
    every = scrub(event)
    assert every.salts == {} and every.payload["request"]["incidents"][0]["details"] == ERASED
    assert scrub(every) is every  # nothing left to erase
    assert scrub(one, "not a value of it") == attrs.evolve(one)
    unmatched = scrub(event, "not a value of it")  # the state's salt goes all the same
    assert unmatched.payload == event.payload and unmatched.salts == event.salts
    assert unmatched.state_salt is None and event.state_salt is not None
    old = attrs.evolve(event, format=1)
    assert scrub(old) is old
    # A value kept with no salt is not touched again; the state salt alone is dropped.
    assert scrub(attrs.evolve(event, salts=FrozenDict())).payload == event.payload


# --------------------------------------------------------------------------- checks


@pytest.mark.rule("PR-d")
def test_head_problems_name_each_disagreement_once(engine: ReviewEngine, clock: FixedClock) -> None:
    rid = to_stage(engine, clock, Stage.SCREENED).id
    review, events = engine.get(rid), engine.history(rid)
    last = events[-1]
    assert head_problems(review, last) == []
    assert len(head_problems(review, None)) == 1
    assert f"version {review.version}" in head_problems(review, None)[0]
    cases = {
        "belongs to review 'other'": attrs.evolve(last, review_id="other"),
        "the review row's head": attrs.evolve(last, hash="0" * 64),
        "lost the salt": attrs.evolve(last, state_salt=None),
        "not the state": attrs.evolve(last, state="0" * 64),
        "not the state ": attrs.evolve(last, state_salt="zz"),  # a salt that is not hex
    }
    for words, event in cases.items():
        found = head_problems(review, event)
        assert len(found) == 1 and words.strip() in found[0], (words, found)
    behind = head_problems(attrs.evolve(review, version=review.version - 1), last)
    ahead = head_problems(attrs.evolve(review, version=review.version + 1), last)
    at = f"its history, which ends at event {last.sequence}"
    assert behind[0] == f"the review row is at version {review.version - 1}, behind {at}"
    assert ahead[0] == f"the review row is at version {review.version + 1}, ahead of {at}"
    assert len(behind) == len(ahead) == 2  # and its state is another
    stage = head_problems(review, attrs.evolve(last, stage_after=Stage.REQUESTED))
    assert stage == [f"the review row says stage {review.stage.value}, its last event requested"]
    assert head_problems(review, attrs.evolve(last, format=1, state_salt=None)) == []


@pytest.mark.rule("PR-d")
def test_state_problem_compares_an_event_with_the_review_it_made(engine: ReviewEngine) -> None:
    rid = engine.submit(demo_request(), REQUESTER).id
    review, event = engine.get(rid), engine.history(rid)[0]
    assert state_problem(review, event) is None
    assert state_problem(attrs.evolve(review, head="elsewhere"), event) is None
    other = attrs.evolve(review, version=2)
    assert "another state" in (state_problem(other, event) or "")
    assert "lost the salt" in (state_problem(review, attrs.evolve(event, state_salt=None)) or "")
    assert "another state" in (state_problem(review, attrs.evolve(event, state_salt="zz")) or "")
    assert state_problem(other, attrs.evolve(event, format=1)) is None


def _rehash(event: Event) -> Event:
    return attrs.evolve(event, hash=event_hash(event.body()))


@pytest.mark.rule("PR-d")
def test_verify_names_the_event_of_each_problem(engine: ReviewEngine, clock: FixedClock) -> None:
    rid = to_stage(engine, clock, Stage.SCREENED).id
    events = list(engine.history(rid))
    first = events[0]
    assert len(events) >= 3 and verify_history(events) == []
    unknown = [*events[:2], attrs.evolve(events[2], format=3)]
    assert [(p.sequence, p.message) for p in verify_history(unknown)] == [
        (3, "unknown event format 3")
    ]

    def problems(event: Event) -> list[tuple[int, str]]:
        return [(p.sequence, p.message) for p in verify_history([event, *events[1:]])]

    salts = dict(first.salts)
    stray = attrs.evolve(first, salts=FrozenDict({**salts, "/nowhere": "00" * 16}))
    assert problems(stray) == [(1, "a salt for /nowhere, which has no commitment")]
    gone = attrs.evolve(first, payload={**first.payload, "request": {}})
    found = [(p.sequence, p.message) for p in verify_history([_rehash(gone)])]
    assert found and all(m.endswith("is missing") for _, m in found)
    assert len(found) == len(first.commitments)  # every one, not only the first
    erased = attrs.evolve(first, salts=FrozenDict({k: v for k, v in salts.items() if k != NAME}))
    assert problems(erased) == [(1, f"the personal value at {NAME} has no salt to check it by")]
    assert problems(scrub(first, first.payload["request"]["requester"]["name"])) == []
    for salt in ("zz", "00" * 16):  # not hex; another salt
        bad = attrs.evolve(first, salts=FrozenDict({**salts, NAME: salt}))
        assert problems(bad) == [(1, f"the personal value at {NAME} has been altered")]
    assert (
        commit(salts[NAME], first.payload["request"]["requester"]["name"])
        == (first.commitments[NAME])
    )
