"""Every limit a guard enforces, from just inside and just outside (issue 14).

For each guard, the value on the limit is accepted and the value one step beyond it
is refused, naming the rule, the field and the error class; where a limit is one of
many values (a timescale in months, a due date in days), a property test sweeps the
whole range through the guard itself. A ``<`` written for a ``<=`` — a zero budget
refused, a one-month review refused, an overview due the same day as the IMRs refused,
a due date exactly ten years ahead refused, an action of exactly 120 months refused,
the Board ratifying on the very day — fails one of these tests.
"""

from __future__ import annotations

from datetime import date, timedelta

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from scr_engine import (
    FixedClock,
    Incident,
    InvalidRequest,
    MemoryStore,
    ProtocolSettings,
    Review,
    ReviewEngine,
    Stage,
    TermsOfReference,
    TransitionRefused,
)
from scr_engine import commands as c
from scr_engine.demo import OVERVIEW_WRITER
from scr_engine.records import Role
from scr_engine.rules import clocks, report, setup
from scr_engine.rules.common import Context
from scr_engine.rules.deadlines import FURTHEST_DAYS, LONGEST_MONTHS
from scr_engine.rules.reasons import RefusalKind
from scr_engine.rules.request import validate_request
from scr_engine.rules.settings import DEFAULT_SETTINGS
from support.asserts import assert_refused
from support.builders import (
    BOARD_CHAIR,
    BUSINESS_MANAGER,
    PANEL_CHAIR,
    REQUESTER,
    START,
    demo_request,
    full_terms,
    plan_actions,
    prepare_panel,
    submit,
    to_stage,
    today,
)

DAY = timedelta(days=1)
TODAY = START.date()


def _ready_for_meeting(engine: ReviewEngine, clock: FixedClock) -> tuple[str, TermsOfReference]:
    rid = to_stage(engine, clock, Stage.SCREENED).id
    review = prepare_panel(engine, rid, meeting=False)
    return rid, full_terms(review, today(engine))


def _meeting(terms: TermsOfReference, **change: object) -> c.HoldInitialMeeting:
    return c.HoldInitialMeeting(attrs.evolve(terms, **change))


def _accepted(engine: ReviewEngine, rid: str, command: c.Command, actor: object) -> Review:
    assert engine.explain(rid, command, actor) == []  # type: ignore[arg-type]
    return engine.execute(rid, command, actor)  # type: ignore[arg-type]


# --------------------------------------------------------------------------- RF-3


@pytest.mark.rule("RF-3")
def test_rf3_chair_receipt_from_the_request_day_to_today(
    engine: ReviewEngine, clock: FixedClock
) -> None:
    review = submit(engine)
    clock.advance(timedelta(days=3))
    now = today(engine)
    for day in (review.received_on - DAY, now + DAY):
        command = c.RecordChairNotified(day)
        assert_refused(
            engine, review.id, command, BUSINESS_MANAGER, "RF-3", "received_on", InvalidRequest
        )
    assert engine.explain(review.id, c.RecordChairNotified(now), BUSINESS_MANAGER) == []
    _accepted(engine, review.id, c.RecordChairNotified(review.received_on), BUSINESS_MANAGER)


# --------------------------------------------------------------------------- RF-2 dates


@pytest.mark.rule("RF-2")
def test_rf2_incident_and_signature_may_be_today_not_tomorrow() -> None:
    on_the_day = attrs.evolve(
        demo_request(), incidents=(Incident(TODAY, "Found today."),), signed_date=TODAY
    )
    assert validate_request(on_the_day, TODAY) == []
    tomorrow = attrs.evolve(
        demo_request(), incidents=(Incident(TODAY + DAY, "Tomorrow?"),), signed_date=TODAY + DAY
    )
    problems = validate_request(tomorrow, TODAY)
    assert [(p.rule, p.field) for p in problems] == [
        ("RF-2", "incidents[0].date"),
        ("RF-2", "signed_date"),
    ]
    assert validate_request(tomorrow) == []  # no date to compare with: not judged


# --------------------------------------------------------------------------- SU-3


@pytest.mark.rule("SU-3")
def test_su3_a_zero_budget_is_recorded_a_negative_one_refused(
    engine: ReviewEngine, clock: FixedClock
) -> None:
    rid = to_stage(engine, clock, Stage.SCREENED).id
    negative = c.RecordBudget(-1, "Nothing.")
    assert_refused(engine, rid, negative, BOARD_CHAIR, "SU-3", "amount_pounds", InvalidRequest)
    _accepted(engine, rid, c.RecordBudget(0, "Met from existing resources."), BOARD_CHAIR)


# --------------------------------------------------------------------------- SU-4, SU-7, RP-1


@pytest.mark.rule("SU-4")
def test_su4_review_months_from_one_to_the_longest(engine: ReviewEngine, clock: FixedClock) -> None:
    rid, terms = _ready_for_meeting(engine, clock)
    for months in (0, LONGEST_MONTHS + 1):
        assert_refused(
            engine,
            rid,
            _meeting(terms, review_months=months),
            PANEL_CHAIR,
            "SU-4",
            "terms.review_months",
            InvalidRequest,
        )
    assert engine.explain(rid, _meeting(terms, review_months=LONGEST_MONTHS), PANEL_CHAIR) == []
    held = _accepted(engine, rid, _meeting(terms, review_months=1), PANEL_CHAIR)
    assert held.terms_of_reference is not None
    assert held.terms_of_reference.review_months == 1


@pytest.mark.rule("SU-7")
def test_su7_imrs_due_from_tomorrow(engine: ReviewEngine, clock: FixedClock) -> None:
    rid, terms = _ready_for_meeting(engine, clock)
    now = today(engine)
    on_the_day = _meeting(terms, imr_due=now)
    assert_refused(engine, rid, on_the_day, PANEL_CHAIR, "SU-7", "terms.imr_due", InvalidRequest)
    _accepted(engine, rid, _meeting(terms, imr_due=now + DAY), PANEL_CHAIR)


@pytest.mark.rule("RP-1")
def test_rp1_overview_due_the_same_day_as_the_imrs(engine: ReviewEngine, clock: FixedClock) -> None:
    rid, terms = _ready_for_meeting(engine, clock)
    before = _meeting(terms, overview_due=terms.imr_due - DAY)
    field = "terms.overview_due"
    assert_refused(engine, rid, before, PANEL_CHAIR, "RP-1", field, InvalidRequest)
    _accepted(engine, rid, _meeting(terms, overview_due=terms.imr_due), PANEL_CHAIR)


@pytest.mark.rule("SU-7")
@pytest.mark.rule("RP-1")
def test_su7_rp1_due_dates_up_to_exactly_ten_years(engine: ReviewEngine, clock: FixedClock) -> None:
    rid, terms = _ready_for_meeting(engine, clock)
    furthest = today(engine) + timedelta(days=FURTHEST_DAYS)
    beyond = furthest + DAY
    overview = _meeting(terms, overview_due=beyond)
    field = "terms.overview_due"
    assert_refused(engine, rid, overview, PANEL_CHAIR, "RP-1", field, InvalidRequest)
    both = _meeting(terms, imr_due=beyond, overview_due=beyond)
    with pytest.raises(InvalidRequest) as refused:
        engine.execute(rid, both, PANEL_CHAIR)
    assert [(r.rule, r.field) for r in refused.value.refusals] == [
        ("SU-7", "terms.imr_due"),
        ("RP-1", "terms.overview_due"),
    ]
    _accepted(engine, rid, _meeting(terms, imr_due=furthest, overview_due=furthest), PANEL_CHAIR)


def _guard_review() -> Review:
    """A review ready for its initial meeting, for calling the guards directly."""
    engine = ReviewEngine(MemoryStore(), FixedClock(START))
    rid = to_stage(engine, None, Stage.SCREENED).id
    return prepare_panel(engine, rid, meeting=False)


_REVIEW = _guard_review()
_TERMS = full_terms(_REVIEW, TODAY)
_AS_PANEL_CHAIR = Context(PANEL_CHAIR, Role.PANEL_CHAIR, TODAY, DEFAULT_SETTINGS)


def _meeting_fields(**change: object) -> set[tuple[str, str | None]]:
    refusals = setup.hold_initial_meeting(_REVIEW, _meeting(_TERMS, **change), _AS_PANEL_CHAIR)
    return {(r.rule, r.field) for r in refusals}


@pytest.mark.rule("SU-4")
@given(st.integers(min_value=-1000, max_value=1000))
def test_su4_any_review_months_judged_against_both_limits(months: int) -> None:
    found = _meeting_fields(review_months=months)
    inside = 1 <= months <= LONGEST_MONTHS
    assert found == (set() if inside else {("SU-4", "terms.review_months")})


@pytest.mark.rule("SU-7")
@pytest.mark.rule("RP-1")
@given(st.integers(min_value=-30, max_value=FURTHEST_DAYS + 30))
def test_su7_rp1_any_due_day_judged_against_both_limits(days: int) -> None:
    due = TODAY + timedelta(days=days)
    found = _meeting_fields(imr_due=due, overview_due=due)
    expected: set[tuple[str, str | None]] = set()
    if days <= 0:
        expected.add(("SU-7", "terms.imr_due"))
    if days > FURTHEST_DAYS:
        expected |= {("SU-7", "terms.imr_due"), ("RP-1", "terms.overview_due")}
    assert found == expected


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
        _accepted(engine, review.id, action, PANEL_CHAIR)


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


# --------------------------------------------------------------------------- RP-7


@pytest.mark.rule("RP-7")
def test_rp7_agreed_from_the_report_day_to_today(engine: ReviewEngine, clock: FixedClock) -> None:
    review = to_stage(engine, clock, Stage.OVERVIEW_DRAFTED)
    review = plan_actions(engine, review.id)
    assert review.overview_report is not None
    submitted = review.overview_report.submitted_on
    clock.advance(timedelta(days=5))
    now = today(engine)
    for day, rules in ((submitted - DAY, ["DATE", "RP-7"]), (now + DAY, ["DATE"])):
        found = engine.explain(review.id, c.Ratify(day), BOARD_CHAIR)
        assert [(r.rule, r.field) for r in found] == [(rule, "occurred_on") for rule in rules]
        with pytest.raises(InvalidRequest):
            engine.execute(review.id, c.Ratify(day), BOARD_CHAIR)
    assert engine.explain(review.id, c.Ratify(now), BOARD_CHAIR) == []
    ratified = _accepted(engine, review.id, c.Ratify(submitted), BOARD_CHAIR)
    assert ratified.ratified_on == submitted


@pytest.mark.rule("RP-7")
def test_rp7_agreed_today_the_day_of_the_report(engine: ReviewEngine, clock: FixedClock) -> None:
    review = to_stage(engine, clock, Stage.OVERVIEW_DRAFTED)
    review = plan_actions(engine, review.id)
    ratified = _accepted(engine, review.id, c.Ratify(today(engine)), BOARD_CHAIR)
    assert ratified.stage is Stage.RATIFIED


# --------------------------------------------------------------------------- PR-a extensions


@pytest.mark.rule("PR-a")
def test_pra_an_extension_one_day_later_up_to_ten_years(engine: ReviewEngine) -> None:
    review = submit(engine)
    deadline = next(d for d in engine.deadlines(review.id) if d.key == "review_complete")
    same = c.ExtendDeadline("review_complete", deadline.due_on, "Awaiting the trial.")
    assert_refused(engine, review.id, same, BOARD_CHAIR, "PR-a", "new_due", InvalidRequest)
    furthest = today(engine) + timedelta(days=FURTHEST_DAYS)
    far = c.ExtendDeadline("review_complete", furthest, "Awaiting the trial.")
    assert engine.explain(review.id, far, BOARD_CHAIR) == []
    later = c.ExtendDeadline("review_complete", deadline.due_on + DAY, "Awaiting the trial.")
    extended = _accepted(engine, review.id, later, BOARD_CHAIR)
    moved = next(d for d in engine.deadlines(extended.id) if d.key == "review_complete")
    assert moved.due_on == deadline.due_on + DAY


@pytest.mark.rule("PR-a")
@given(st.integers(min_value=-30, max_value=FURTHEST_DAYS + 30))
def test_pra_any_extension_day_judged_against_both_limits(days: int) -> None:
    review = _SUBMITTED
    ctx = Context(BOARD_CHAIR, Role.BOARD_CHAIR, TODAY, DEFAULT_SETTINGS)
    due = next(d for d in _SUBMITTED_DEADLINES if d.key == "review_complete").due_on
    new_due = TODAY + timedelta(days=days)
    command = c.ExtendDeadline("review_complete", new_due, "Reasons.")
    found = {(r.rule, r.field) for r in clocks.extend_deadline(review, command, ctx)}
    inside = due < new_due <= TODAY + timedelta(days=FURTHEST_DAYS)
    assert found == (set() if inside else {("PR-a", "new_due")})


def _submitted() -> ReviewEngine:
    return ReviewEngine(MemoryStore(), FixedClock(START))


_ENGINE = _submitted()
_SUBMITTED = submit(_ENGINE)
_SUBMITTED_DEADLINES = _ENGINE.deadlines(_SUBMITTED.id)


# --------------------------------------------------------------------------- settings


@pytest.mark.parametrize("name", ["initial_meeting_months", "review_months"])
def test_settings_months_from_one_to_120(name: str) -> None:
    for good in (1, 120):
        assert getattr(ProtocolSettings(**{name: good}), name) == good
    for bad in (0, 121):
        with pytest.raises(InvalidRequest) as caught:
            ProtocolSettings(**{name: bad})
        assert [(r.rule, r.field) for r in caught.value.refusals] == [("INPUT", name)]


@pytest.mark.parametrize(
    "name",
    ["chair_notification_days", "chair_notification_working_days", "initial_meeting_working_days"],
)
def test_settings_days_from_one_to_3660(name: str) -> None:
    for good in (None, 1, 3660):
        assert getattr(ProtocolSettings(**{name: good}), name) == good
    for bad in (0, 3661):
        with pytest.raises(InvalidRequest) as caught:
            ProtocolSettings(**{name: bad})
        assert [(r.rule, r.field) for r in caught.value.refusals] == [("INPUT", name)]


@pytest.mark.parametrize("name", ["max_text_length", "max_command_length"])
def test_settings_input_limits_are_whole_numbers_from_one(name: str) -> None:
    assert getattr(ProtocolSettings(**{name: 1}), name) == 1
    for bad in (0, -1, 2.5, "10", True):
        with pytest.raises(InvalidRequest) as caught:
            ProtocolSettings(**{name: bad})
        assert caught.value.command == "settings"
        found = [(r.rule, r.field, r.kind) for r in caught.value.refusals]
        assert found == [("INPUT", name, RefusalKind.INPUT)], bad


def test_settings_need_a_version_name() -> None:
    with pytest.raises(InvalidRequest) as caught:
        ProtocolSettings(version=" ", review_months=0)
    assert [(r.rule, r.field) for r in caught.value.refusals] == [
        ("INPUT", "version"),
        ("INPUT", "review_months"),
    ]


# --------------------------------------------------------------------------- SU-9, writer


@pytest.mark.rule("SU-9")
def test_su9_the_writer_submits_on_the_day(engine: ReviewEngine, clock: FixedClock) -> None:
    review = to_stage(engine, clock, Stage.EVIDENCE_RECEIVED)
    from support.builders import full_report

    command = c.SubmitOverviewReport(full_report(review))
    with pytest.raises(TransitionRefused):
        engine.execute(review.id, command, PANEL_CHAIR)
    drafted = _accepted(engine, review.id, command, OVERVIEW_WRITER)
    assert drafted.overview_report is not None
    assert drafted.overview_report.submitted_on == date(2026, 2, 2)


def test_a_command_over_the_text_or_command_limit_is_refused(clock: FixedClock) -> None:
    """The text limit holds for every command, not only for the request form."""
    strict = ProtocolSettings(version="strict", max_text_length=1000)
    engine = ReviewEngine(MemoryStore(), clock, settings=strict)
    rid = engine.submit(demo_request(), REQUESTER).id
    pause = c.PauseClock("criminal proceedings", "z" * 1001)
    with pytest.raises(InvalidRequest) as caught:
        engine.execute(rid, pause, BOARD_CHAIR)
    assert [(r.rule, r.field, r.kind) for r in caught.value.refusals] == [
        ("INPUT", "reasons", RefusalKind.INPUT)
    ]
    assert engine.explain(rid, pause, BOARD_CHAIR) == list(caught.value.refusals)
    paused = engine.execute(rid, c.PauseClock("criminal proceedings", "z" * 1000), BOARD_CHAIR)
    assert paused.paused
