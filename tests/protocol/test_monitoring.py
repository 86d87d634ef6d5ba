"""Monitoring the action plan (§7): AP-1 … AP-3 — actions with owner, timescale, outcome
and monitoring, progress logged, overdue actions reported, closure only when every
action is completed (``scr_engine.rules.monitoring``)."""

from __future__ import annotations

from datetime import date

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from scr_engine import (
    DeadlineStatus,
    FixedClock,
    InvalidRequest,
    MemoryStore,
    Review,
    ReviewEngine,
    Role,
    Stage,
    TransitionRefused,
)
from scr_engine import commands as c
from scr_engine.rules import report
from scr_engine.rules.common import Context
from scr_engine.rules.deadlines import LONGEST_MONTHS
from scr_engine.rules.reasons import Refusal
from scr_engine.rules.settings import DEFAULT_SETTINGS
from support.asserts import accepted, assert_refused, refusal_of
from support.builders import (
    BOARD_CHAIR,
    BUSINESS_MANAGER,
    PANEL_CHAIR,
    START,
    plan_actions,
    to_stage,
    today,
)

# --------------------------------------------------------------------------- AP-1


@pytest.mark.rule("AP-1")
def test_ap1_action_states_owner_timescale_outcome_monitoring(
    engine: ReviewEngine, clock: FixedClock
) -> None:
    """AP-1: an action without who is responsible, a timescale, an intended outcome
    or a monitoring mechanism is refused naming each; a complete one is recorded."""
    review = to_stage(engine, clock, Stage.OVERVIEW_DRAFTED)
    with pytest.raises(InvalidRequest) as refused:
        engine.execute(review.id, c.AddAction("A1", "R1", "", 0, " ", ""), PANEL_CHAIR)
    assert {(r.rule, r.field) for r in refused.value.refusals} == {
        ("AP-1", "owner"),
        ("AP-1", "timescale_months"),
        ("AP-1", "outcome"),
        ("AP-1", "monitoring"),
    }
    added = engine.execute(
        review.id,
        c.AddAction("A1", "R1", "Head of Adult Services", 6, "Staff trained.", "Learning log."),
        PANEL_CHAIR,
    )
    action = added.action("A1")
    assert action is not None
    assert (
        action.recommendation_id,
        action.owner,
        action.timescale_months,
        action.outcome,
        action.monitoring,
    ) == ("R1", "Head of Adult Services", 6, "Staff trained.", "Learning log.")
    with pytest.raises(InvalidRequest) as duplicate:
        engine.execute(review.id, c.AddAction("A1", "R2", "Head", 6, "x", "y"), PANEL_CHAIR)
    assert [r.field for r in duplicate.value.refusals] == ["action_id"]


@pytest.mark.rule("AP-1")
def test_ap1_progress_is_logged_on_open_actions(engine: ReviewEngine, clock: FixedClock) -> None:
    """AP-1: progress notes are dated on the action; a completed action takes no more."""
    review = to_stage(engine, clock, Stage.ACTION_PLAN_MONITORED)
    action_id = review.actions[0].id
    clock.advance(days=7)
    noted = engine.execute(
        review.id, c.RecordActionProgress(action_id, "Training booked."), BUSINESS_MANAGER
    )
    action = noted.action(action_id)
    assert action is not None
    assert [(p.on, p.note) for p in action.progress] == [(date(2026, 2, 9), "Training booked.")]
    engine.execute(review.id, c.CompleteAction(action_id, "Trained."), BUSINESS_MANAGER)
    refused = refusal_of(
        engine, review, c.RecordActionProgress(action_id, "More."), BUSINESS_MANAGER
    )
    assert refused.rules == ("AP-1",)


# --------------------------------------------------------------------------- AP-2


@pytest.mark.rule("AP-2")
def test_ap2_overdue_actions_are_reported(engine: ReviewEngine, clock: FixedClock) -> None:
    """AP-2: each action's timescale is a deadline from ratification; an action still
    open past it is reported overdue, a completed one met."""
    review = to_stage(engine, clock, Stage.ACTION_PLAN_MONITORED)
    first, *rest = review.actions
    engine.execute(review.id, c.CompleteAction(first.id, "Done."), BUSINESS_MANAGER)
    later = date(2026, 6, 1)  # ratified 2 February with 3-month timescales: due 2 May
    by_key = {d.key: d for d in engine.deadlines(review.id, as_of=later)}
    done = by_key[f"action:{first.id}"]
    assert (done.rule, done.due_on, done.status) == ("AP-2", date(2026, 5, 2), DeadlineStatus.MET)
    for action in rest:
        late = by_key[f"action:{action.id}"]
        assert (late.status, late.days_late) == (DeadlineStatus.OVERDUE, 30)


# --------------------------------------------------------------------------- AP-3


@pytest.mark.rule("AP-3")
def test_ap3_close_only_when_every_action_is_completed_and_logged(
    engine: ReviewEngine, clock: FixedClock
) -> None:
    """AP-3: closure is refused naming each open action; completing an action needs
    its outcome, which goes into the learning log; then the review closes."""
    review = to_stage(engine, clock, Stage.ACTION_PLAN_MONITORED)
    ids = [a.id for a in review.actions]
    with pytest.raises(InvalidRequest) as no_outcome:
        engine.execute(review.id, c.CompleteAction(ids[0], ""), BUSINESS_MANAGER)
    assert [(r.rule, r.field) for r in no_outcome.value.refusals] == [("AP-3", "outcome")]
    for action_id in ids[:-1]:
        engine.execute(
            review.id, c.CompleteAction(action_id, f"{action_id} done."), BUSINESS_MANAGER
        )
    refused = refusal_of(engine, review, c.CloseReview(), BOARD_CHAIR)
    assert ("AP-3", f"actions not completed: {ids[-1]}") in {
        (r.rule, r.message) for r in refused.refusals
    }
    assert "close_review" not in engine.allowed(review.id, BOARD_CHAIR)
    clock.advance(days=30)
    engine.execute(review.id, c.CompleteAction(ids[-1], "All staff trained."), BUSINESS_MANAGER)
    closed = engine.execute(review.id, c.CloseReview(), BOARD_CHAIR)
    assert closed.stage is Stage.CLOSED
    assert closed.closed_on == date(2026, 3, 4)
    assert [(e.action_id, e.outcome) for e in closed.learning_log][-1] == (
        ids[-1],
        "All staff trained.",
    )
    assert {e.action_id for e in closed.learning_log} == set(ids)


# --------------------------------------------------------------------------- evidence, report


def _action(rec: str, **change: object) -> c.AddAction:
    action = c.AddAction("A-1", rec, "Head of Service", 3, "Practice changes.", "Learning log.")
    return attrs.evolve(action, **change)


@pytest.mark.rule("AP-1")
@pytest.mark.parametrize(
    ("change", "rule", "field"),
    [
        ({"action_id": " "}, "AP-1", "action_id"),
        ({"owner": " "}, "AP-1", "owner"),
        ({"outcome": " "}, "AP-1", "outcome"),
        ({"monitoring": " "}, "AP-1", "monitoring"),
        ({"timescale_months": 0}, "AP-1", "timescale_months"),
        ({"recommendation_id": "R-none"}, "RP-5", "recommendation_id"),
    ],
)
def test_ap1_an_action_states_everything(
    engine: ReviewEngine, clock: FixedClock, change: dict[str, object], rule: str, field: str
) -> None:
    review = to_stage(engine, clock, Stage.OVERVIEW_DRAFTED)
    assert review.overview_report is not None
    rec = review.overview_report.conclusions.recommendations[0].id
    command = _action(rec, **change)
    assert_refused(engine, review.id, command, PANEL_CHAIR, rule, field, InvalidRequest)


@pytest.mark.rule("AP-1")
def test_ap1_an_action_id_is_used_once(engine: ReviewEngine, clock: FixedClock) -> None:
    review = to_stage(engine, clock, Stage.OVERVIEW_DRAFTED)
    assert review.overview_report is not None
    rec = review.overview_report.conclusions.recommendations[0].id
    engine.execute(review.id, _action(rec), PANEL_CHAIR)
    again = _action(rec)
    assert_refused(engine, review.id, again, PANEL_CHAIR, "INPUT", "action_id", InvalidRequest)


# --------------------------------------------------------------------------- monitoring


@pytest.mark.rule("AP-2")
def test_ap2_a_progress_note_is_given(engine: ReviewEngine, clock: FixedClock) -> None:
    review = to_stage(engine, clock, Stage.ACTION_PLAN_MONITORED)
    action = review.actions[0].id
    blank = c.RecordActionProgress(action, " ")
    assert_refused(engine, review.id, blank, BUSINESS_MANAGER, "AP-2", "note", InvalidRequest)
    unknown = c.RecordActionProgress("A-none", "Note.")
    field = "action_id"
    assert_refused(engine, review.id, unknown, BUSINESS_MANAGER, "INPUT", field, InvalidRequest)


@pytest.mark.rule("AP-3")
def test_ap3_completion_has_an_outcome_and_happens_once(
    engine: ReviewEngine, clock: FixedClock
) -> None:
    review = to_stage(engine, clock, Stage.ACTION_PLAN_MONITORED)
    action = review.actions[0].id
    blank = c.CompleteAction(action, " ")
    assert_refused(engine, review.id, blank, BUSINESS_MANAGER, "AP-3", "outcome", InvalidRequest)
    engine.execute(review.id, c.CompleteAction(action, "Done."), BUSINESS_MANAGER)
    for again in (c.CompleteAction(action, "Again."), c.RecordActionProgress(action, "More.")):
        assert_refused(engine, review.id, again, BUSINESS_MANAGER, "AP-1", None, TransitionRefused)
    close = c.CloseReview()
    refusals = assert_refused(
        engine, review.id, close, BOARD_CHAIR, "AP-3", None, TransitionRefused, only=False
    )
    assert [r.rule for r in refusals] == ["AP-3", "PR-h"]


# --------------------------------------------------------------------------- clocks


@pytest.mark.rule("AP-3")
def test_ap3_a_completed_action_needs_its_learning_log_entry(
    engine: ReviewEngine, clock: FixedClock
) -> None:
    """A completed action with no learning-log entry (a record the engine never makes
    itself: complete_action logs it) still keeps the review open."""
    from scr_engine.rules import monitoring
    from scr_engine.rules.common import Context
    from scr_engine.rules.settings import DEFAULT_SETTINGS

    review = to_stage(engine, clock, Stage.ACTION_PLAN_MONITORED)
    for action in review.actions:
        engine.execute(review.id, c.CompleteAction(action.id, "Done."), BUSINESS_MANAGER)
    done = engine.get(review.id)
    ctx = Context(BOARD_CHAIR, Role.BOARD_CHAIR, today(engine), DEFAULT_SETTINGS)
    assert monitoring.close_review(done, c.CloseReview(), ctx) == []
    unlogged = attrs.evolve(done, learning_log=done.learning_log[1:])
    found = monitoring.close_review(unlogged, c.CloseReview(), ctx)
    first = done.actions[0].id
    assert found == [
        Refusal("AP-3", f"completed actions with no learning-log entry: {first}"),
    ]


TODAY = START.date()


_AS_PANEL_CHAIR = Context(PANEL_CHAIR, Role.PANEL_CHAIR, TODAY, DEFAULT_SETTINGS)


# --------------------------------------------------------------------------- AP-1


@pytest.mark.rule("AP-1")
def test_ap1_actions_of_one_and_of_the_longest_months(
    engine: ReviewEngine, clock: FixedClock
) -> None:
    review = to_stage(engine, clock, Stage.OVERVIEW_DRAFTED)
    assert review.overview_report is not None
    rec = review.overview_report.conclusions.recommendations[0].id
    for months in (0, LONGEST_MONTHS + 1):
        action = c.AddAction("A-x", rec, "Owner", months, "Outcome.", "Log.")
        field = "timescale_months"
        assert_refused(engine, review.id, action, PANEL_CHAIR, "AP-1", field, InvalidRequest)
    for i, months in enumerate((1, LONGEST_MONTHS)):
        action = c.AddAction(f"A-{i}", rec, "Owner", months, "Outcome.", "Log.")
        accepted(engine, review.id, action, PANEL_CHAIR)


@pytest.mark.rule("AP-1")
@given(st.integers(min_value=-500, max_value=500))
def test_ap1_any_action_months_judged_against_both_limits(months: int) -> None:
    review = _DRAFTED
    assert review.overview_report is not None
    rec = review.overview_report.conclusions.recommendations[0].id
    action = c.AddAction("A-x", rec, "Owner", months, "Outcome.", "Log.")
    found = {(r.rule, r.field) for r in report.add_action(review, action, _AS_PANEL_CHAIR)}
    inside = 1 <= months <= LONGEST_MONTHS
    assert found == (set() if inside else {("AP-1", "timescale_months")})


def _drafted() -> Review:
    engine = ReviewEngine(MemoryStore(), FixedClock(START))
    return to_stage(engine, None, Stage.OVERVIEW_DRAFTED)


_DRAFTED = _drafted()


@pytest.mark.rule("AP-1")
def test_ap1_ratify_refuses_an_action_missing_a_part() -> None:
    """The ratify guard re-checks every action (actions recorded before the input
    checks existed): each missing part, and a timescale under one month, is named."""
    engine = ReviewEngine(MemoryStore(), FixedClock(START))
    review = to_stage(engine, None, Stage.OVERVIEW_DRAFTED)
    review = plan_actions(engine, review.id)
    ctx = Context(BOARD_CHAIR, Role.BOARD_CHAIR, TODAY, DEFAULT_SETTINGS)
    assert report.ratify(review, c.Ratify(), ctx) == []
    first = review.actions[0]
    for change in (
        {"owner": " "},
        {"outcome": ""},
        {"monitoring": " "},
        {"timescale_months": 0},
    ):
        spoiled = attrs.evolve(review, actions=(attrs.evolve(first, **change), *review.actions[1:]))
        found = [(r.rule, r.message) for r in report.ratify(spoiled, c.Ratify(), ctx)]
        assert found == [
            ("AP-1", f"actions lacking owner, timescale, outcome or monitoring: {first.id}")
        ]
