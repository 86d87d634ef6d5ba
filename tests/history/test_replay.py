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

import pytest
from attrs import evolve

from scr_engine import FixedClock, ReviewEngine, Stage
from scr_engine.history import (
    GENESIS,
    CorruptHistory,
    Event,
    HistoryProblem,
    event_hash,
    replay,
    replay_steps,
    verify_history,
)
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
