"""PR-d: a history that verifies is still replayed with suspicion (issue 14).

Whoever can rewrite a whole history can also recompute every hash so that the chain
verifies. :func:`replay` must still refuse what no engine could have written: a
history that does not start with ``submit_request``, one whose commands lead to
another stage than the one recorded, an unknown command, a command not valid in its
stage or a payload that cannot be rebuilt. Each forgery here is re-hashed so that
:func:`verify_history` finds nothing wrong, and the replay names the event at fault.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta

import pytest
from attrs import evolve

from scr_engine import FixedClock, ReviewEngine, Stage, protocols
from scr_engine.clock import local_date
from scr_engine.demo import REQUESTER, demo_request
from scr_engine.history import (
    GENESIS,
    CorruptHistory,
    Event,
    HistoryProblem,
    event_day,
    event_hash,
    replay,
    replay_steps,
    verify_history,
)
from scr_engine.protocols.scr import SCR
from scr_engine.records import Review
from support.builders import to_stage


def rechain(events: Sequence[Event]) -> list[Event]:
    """The events renumbered from 1, each linked to the one before and re-hashed: a
    forgery that :func:`verify_history` cannot tell from the real thing."""
    out: list[Event] = []
    prev = GENESIS
    for position, event in enumerate(events, start=1):
        event = evolve(event, sequence=position, prev_hash=prev)
        event = evolve(event, hash=event_hash(event.body()))
        out.append(event)
        prev = event.hash
    assert verify_history(out) == []
    return out


def _history(engine: ReviewEngine, clock: FixedClock, stage: Stage) -> list[Event]:
    review = to_stage(engine, clock, stage)
    events = list(engine.history(review.id))
    assert replay(events) == engine.get(review.id)
    return events


def _problems(events: Sequence[Event]) -> list[tuple[int, str]]:
    with pytest.raises(CorruptHistory) as caught:
        replay(events)
    return [(p.sequence, p.message) for p in caught.value.problems]


@pytest.mark.rule("PR-d")
def test_a_rechained_copy_of_a_true_history_replays_to_the_same_review(
    engine: ReviewEngine, clock: FixedClock
) -> None:
    """The forging helper itself changes nothing a replay depends on."""
    events = _history(engine, clock, Stage.PANEL_CONVENED)
    assert rechain(events) == events
    replayed = replay(rechain(events))
    assert replayed == engine.get(events[0].review_id)
    assert replayed.head == events[-1].hash and replayed.version == len(events)


@pytest.mark.rule("PR-d")
def test_a_history_that_does_not_start_with_submit_request(
    engine: ReviewEngine, clock: FixedClock
) -> None:
    events = _history(engine, clock, Stage.SCREENED)
    forged = rechain(events[1:])
    assert forged[0].command == "record_chair_notified"
    assert _problems(forged) == [(1, "a history starts with submit_request")]


@pytest.mark.rule("PR-d")
def test_a_history_whose_replay_leads_to_another_stage(
    engine: ReviewEngine, clock: FixedClock
) -> None:
    events = _history(engine, clock, Stage.SCREENED)
    last = len(events)
    assert events[-1].command == "confirm_review"
    forged = rechain([*events[:-1], evolve(events[-1], stage_after=Stage.CLOSED)])
    assert _problems(forged) == [(last, "replay leads to screened, history says closed")]


@pytest.mark.rule("PR-d")
def test_a_history_with_an_unknown_command(engine: ReviewEngine, clock: FixedClock) -> None:
    events = _history(engine, clock, Stage.SCREENED)
    forged = rechain([*events[:2], evolve(events[2], command="frobnicate"), *events[3:]])
    assert _problems(forged) == [(3, "unknown command 'frobnicate'")]
    first = rechain([evolve(events[0], command="frobnicate")])
    assert _problems(first) == [(1, "unknown command 'frobnicate'")]


@pytest.mark.rule("PR-d")
def test_a_history_with_a_command_not_valid_in_its_stage(
    engine: ReviewEngine, clock: FixedClock
) -> None:
    events = _history(engine, clock, Stage.SCREENED)
    second = evolve(events[1], command="close_review", payload={"command": "close_review"})
    forged = rechain([events[0], second, *events[2:]])
    assert _problems(forged) == [(2, "close_review is not valid from requested")]


@pytest.mark.rule("PR-d")
def test_a_history_whose_payload_cannot_be_rebuilt(engine: ReviewEngine, clock: FixedClock) -> None:
    events = _history(engine, clock, Stage.SCREENED)
    assert events[1].command == "record_chair_notified"
    payload = {"command": "record_chair_notified", "received_on": "not a date"}
    forged = rechain([events[0], evolve(events[1], payload=payload), *events[2:]])
    problems = _problems(forged)
    assert len(problems) == 1 and problems[0][0] == 2
    assert problems[0][1].startswith("record_chair_notified refused")  # the command named
    assert "received_on" in problems[0][1]


@pytest.mark.rule("PR-d")
def test_an_empty_history_and_an_unforged_edit_are_refused(
    engine: ReviewEngine, clock: FixedClock
) -> None:
    assert _problems([]) == [(0, "a history has at least one event")]
    events = _history(engine, clock, Stage.SCREENED)
    edited = [events[0], evolve(events[1], actor_id="u-someone-else"), *events[2:]]
    assert _problems(edited) == [(2, "has been altered (hash mismatch)")]
    # A caller that has verified the history itself skips the check, and only then.
    steps = list(replay_steps(edited, verified=True))
    assert [event.sequence for event, _, _ in steps] == [1, 2, 3, 4]
    assert steps[-1][1].stage is Stage.SCREENED


@pytest.mark.rule("PR-d")
@pytest.mark.rule("RF-5")
def test_replay_steps_yield_each_review_and_its_tasks(
    engine: ReviewEngine, clock: FixedClock
) -> None:
    events = _history(engine, clock, Stage.SCREENED)
    steps = list(replay_steps(events))
    assert [e for e, _, _ in steps] == events
    assert [r.version for _, r, _ in steps] == [1, 2, 3, 4]
    assert [r.head for _, r, _ in steps] == [e.hash for e in events]
    first = steps[0][1]
    assert first.requested_by == events[0].actor_id
    assert first.received_on == events[0].at.date()
    assert [len(tasks) for _, _, tasks in steps] == [0, 0, 0, 2 * len(first.agencies)]
    assert HistoryProblem(1, "x") != HistoryProblem(2, "x")


@pytest.mark.rule("PR-d")
def test_a_history_naming_a_protocol_not_installed_here(
    engine: ReviewEngine, clock: FixedClock
) -> None:
    """The protocol a history runs under is read from its first event: one this
    installation does not have makes it unreadable, naming that event."""
    events = _history(engine, clock, Stage.SCREENED)
    payload = {**events[0].payload, "protocol": "no-such"}
    forged = rechain([evolve(events[0], payload=payload), *events[1:]])
    [(sequence, message)] = _problems(forged)
    assert sequence == 1 and message.startswith("no protocol 'no-such' version '1'")


@pytest.mark.rule("PR-d")
def test_a_history_whose_first_command_opens_no_review(
    engine: ReviewEngine, clock: FixedClock
) -> None:
    """A submission its definition cannot make a review of (its record refuses the
    values) is refused as the first event's fault, not raised as the record's error."""

    def refuse(*_: object) -> Review:
        raise ValueError("no review can be opened from this request")

    unopenable = SCR.derive("scr-unopenable", "1", open=refuse)
    events = _history(engine, clock, Stage.SCREENED)
    payload = {**events[0].payload, "protocol": "scr-unopenable", "protocol_version": "1"}
    forged = rechain([evolve(events[0], payload=payload), *events[1:]])
    protocols.register(unopenable)
    try:
        assert _problems(forged) == [(1, "no review can be opened from this request")]
    finally:
        protocols.unregister(unopenable.name, unopenable.version)


@pytest.mark.rule("PR-d")
def test_a_ratification_with_both_its_old_and_new_date_fields_is_refused(
    engine: ReviewEngine, clock: FixedClock
) -> None:
    """``agreed_on`` is read as ``occurred_on`` only in a ``ratify`` recorded before
    the rename, which has no ``occurred_on``: a payload with both was never written,
    and the old field is refused as unknown."""
    events = _history(engine, clock, Stage.RATIFIED)
    ratify = next(e for e in events if e.command == "ratify")
    day = ratify.payload["occurred_on"]
    old = {k: v for k, v in ratify.payload.items() if k != "occurred_on"}

    def with_payload(payload: dict[str, object]) -> list[Event]:
        return rechain([evolve(e, payload=payload) if e is ratify else e for e in events])

    renamed = with_payload({**old, "agreed_on": day})
    held = engine.get(events[0].review_id)
    assert replay(renamed) == evolve(held, head=renamed[-1].hash)  # the old form reads
    both = with_payload({**ratify.payload, "agreed_on": day})
    [(sequence, message)] = _problems(both)
    assert sequence == ratify.sequence and "agreed_on" in message


@pytest.mark.rule("RF-1")
def test_a_request_received_before_it_was_recorded_replays_to_the_day_received(
    engine: ReviewEngine, clock: FixedClock
) -> None:
    """A submission dated earlier (``received_on``) is replayed on the day it was
    received, which its event's time does not say."""
    received = local_date(clock.now()) - timedelta(days=3)
    review = engine.submit(demo_request(), REQUESTER, received_on=received)
    events = engine.history(review.id)
    assert review.received_on == received != local_date(events[0].at)
    assert replay(events) == review
    assert next(replay_steps(events))[1].received_on == received
    assert event_day(events[0]) == received


def test_the_day_of_an_event_is_its_occurred_on_else_the_board_s_day_it_was_recorded(
    engine: ReviewEngine, clock: FixedClock
) -> None:
    """``event_day``: the day written in the payload (``occurred_on``, or a legacy
    ratification's ``agreed_on``), else the day in the Board's time zone when the
    event was recorded (23:30 UTC in summer is the next day in London)."""
    events = _history(engine, clock, Stage.SCREENED)
    plain = evolve(events[1], payload={"command": "record_chair_notified"})
    late = evolve(plain, at=datetime(2026, 7, 1, 23, 30, tzinfo=UTC))
    assert event_day(late) == date(2026, 7, 2) == local_date(late.at)
    assert event_day(evolve(plain, at=datetime(2026, 1, 5, 23, 30, tzinfo=UTC))) == date(2026, 1, 5)
    legacy = evolve(late, payload={"command": "ratify", "agreed_on": "2026-06-30"})
    assert event_day(legacy) == date(2026, 6, 30)
    dated = evolve(late, payload={"occurred_on": "2026-06-29", "agreed_on": "2026-06-30"})
    assert event_day(dated) == date(2026, 6, 29)
    unreadable = evolve(late, payload={"occurred_on": "someday"})
    assert event_day(unreadable) == date(2026, 7, 2)
