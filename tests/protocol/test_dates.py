"""Dates after the fact: ``occurred_on`` on every command that records a happening.

A business manager records on Monday the initial meeting held last Thursday: the
meeting is judged on Thursday (SU-5), and every deadline it starts or meets is dated
from Thursday. The day may not be in the future, nor before what it depends on; a
refused day changes nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scr_engine import (
    Actor,
    Appointment,
    Dissemination,
    FixedClock,
    ImrJudgement,
    InvalidRequest,
    MemoryStore,
    Review,
    ReviewEngine,
    Role,
    ScrEngineError,
    Stage,
    WriterMeetingPurpose,
)
from scr_engine import commands as c
from scr_engine.history import advance, event_day, replay, verify_history
from scr_engine.rules.dates import DATE_RULE, is_dated
from support.builders import (
    BOARD_CHAIR,
    BUSINESS_MANAGER,
    FAMILY_ADVOCATE,
    OVERVIEW_WRITER,
    PANEL_CHAIR,
    REQUESTER,
    at_noon,
    demo_request,
    full_report,
    full_terms,
    panel_member,
    plan_actions,
    prepare_panel,
    to_stage,
    today,
)

DAY = timedelta(days=1)


def _deadline(engine: ReviewEngine, review_id: str, key: str) -> tuple[date, date, date | None]:
    found = {d.key: d for d in engine.deadlines(review_id)}[key]
    return found.starts_on, found.due_on, found.met_on


def test_every_happening_command_takes_occurred_on_last() -> None:
    """DATE: every command that records a happening has ``occurred_on`` as its last
    field (``Ratify.agreed_on`` became it); corrections of records do not."""
    for name in ("hold_initial_meeting", "ratify", "receive_imr", "pause_clock", "add_agency"):
        cls = c.COMMANDS[name]
        assert is_dated(cls) and list(cls.__attrs_attrs__)[-1].name == "occurred_on"  # type: ignore[attr-defined]
    for name in ("extend_deadline", "restrict_access", "erase_personal_data"):
        assert not is_dated(c.COMMANDS[name])


def test_su5_meeting_recorded_late_is_judged_on_the_day_it_was_held(
    engine: ReviewEngine, clock: FixedClock
) -> None:
    """SU-5: the initial meeting held within the month but recorded after it is met on
    the day it was held, not late; the IMR clocks start from that day; the event keeps
    both the recorded time and ``occurred_on``."""
    review = to_stage(engine, clock, Stage.SCREENED)
    prepare_panel(engine, review.id, meeting=False)
    held = today(engine) + timedelta(days=20)
    clock.advance(days=40)  # recorded more than a month after the request
    terms = full_terms(engine.get(review.id), today(engine))
    engine.execute(review.id, c.HoldInitialMeeting(terms, occurred_on=held), PANEL_CHAIR)
    after = engine.get(review.id)
    assert after.initial_meeting_on == held
    meeting = {d.key: d for d in engine.deadlines(review.id)}["initial_meeting"]
    assert meeting.met_on == held and meeting.days_late == 0
    event = engine.history(review.id)[-1]
    assert event.payload["occurred_on"] == held.isoformat()
    assert event.at.date() == today(engine) and event_day(event) == held
    agency = after.imr_agencies[0]
    assert _deadline(engine, review.id, f"imr:{agency}")[0] == held


def test_su5_default_is_the_day_it_is_recorded(engine: ReviewEngine, clock: FixedClock) -> None:
    """SU-5: without ``occurred_on`` the meeting happened the day it is recorded, and
    that day is stored in the event."""
    review = to_stage(engine, clock, Stage.SCREENED)
    prepare_panel(engine, review.id)
    after = engine.get(review.id)
    assert after.initial_meeting_on == today(engine)
    assert engine.history(review.id)[-1].payload["occurred_on"] == today(engine).isoformat()


def test_rf1_receipt_dated_and_never_in_the_future(engine: ReviewEngine) -> None:
    """RF-1, RF-3: a request recorded later is received on the day given, and the
    deadlines run from it; a receipt in the future is refused and stores nothing."""
    received = today(engine) - timedelta(days=10)
    review = engine.submit(demo_request(), REQUESTER, received_on=received)
    assert review.received_on == received
    assert event_day(engine.history(review.id)[0]) == received
    assert _deadline(engine, review.id, "initial_meeting")[0] == received
    with pytest.raises(InvalidRequest) as refused:
        engine.submit(demo_request(), REQUESTER, received_on=today(engine) + DAY)
    assert [(r.rule, r.field) for r in refused.value.refusals] == [(DATE_RULE, "received_on")]


def test_date_refuses_the_future_and_before_the_stage_with_every_reason(
    engine: ReviewEngine, clock: FixedClock
) -> None:
    """DATE: a day after today, or before the request's receipt and the current stage,
    is refused naming ``occurred_on``, together with the guards' own reasons; nothing
    changes."""
    review = to_stage(engine, clock, Stage.SCREENED)
    clock.advance(days=3)
    before = engine.get(review.id)
    history = engine.history(review.id)
    future = c.RecordBudget(100, "Venue.", occurred_on=today(engine) + DAY)
    found = engine.explain(review.id, future, BOARD_CHAIR)
    assert [(r.rule, r.field) for r in found] == [(DATE_RULE, "occurred_on")]
    assert "after today" in found[0].message
    early = c.RecordBudget(-5, "Venue.", occurred_on=before.received_on - DAY)
    found = engine.explain(review.id, early, BOARD_CHAIR)
    rules = [(r.rule, r.field) for r in found]
    assert (DATE_RULE, "occurred_on") in rules and "SU-3" in {r.rule for r in found}
    assert any("before the request was received" in r.message for r in found)
    for command in (future, early):
        with pytest.raises(InvalidRequest):
            engine.execute(review.id, command, BOARD_CHAIR)
    assert engine.get(review.id) == before and engine.history(review.id) == history


def test_ev2_imr_not_judged_before_it_was_received(engine: ReviewEngine, clock: FixedClock) -> None:
    """EV-2: an IMR cannot have been judged before it was received."""
    review = to_stage(engine, clock, Stage.PANEL_CONVENED)
    agency = review.imr_agencies[0]
    clock.advance(days=6)
    received = today(engine) - timedelta(days=2)
    engine.execute(review.id, c.ReceiveImr(agency, "IMR.", occurred_on=received), PANEL_CHAIR)
    assert engine.get(review.id).imr(agency).received_on == received  # type: ignore[union-attr]
    judged = c.JudgeImr(agency, ImrJudgement.SUFFICIENT, occurred_on=received - DAY)
    found = engine.explain(review.id, judged, PANEL_CHAIR)
    assert [(r.rule, r.field) for r in found] == [("EV-2", "occurred_on")]
    ok = c.JudgeImr(agency, ImrJudgement.SUFFICIENT, occurred_on=received)
    assert engine.explain(review.id, ok, PANEL_CHAIR) == []


def test_rp4_rp7_signoff_and_ratification_follow_their_dependencies(
    engine: ReviewEngine, clock: FixedClock
) -> None:
    """RP-4: a sign-off not before the report was submitted; RP-7: the Board's
    agreement not before the last sign-off."""
    review = to_stage(engine, clock, Stage.OVERVIEW_DRAFTED)
    submitted = review.overview_report.submitted_on  # type: ignore[union-attr]
    assert submitted is not None
    clock.advance(days=10)
    agency = review.agencies[0]
    early = c.RecordAgencySignoff(agency, occurred_on=submitted - DAY)
    rules = {r.rule for r in engine.explain(review.id, early, panel_member(agency))}
    assert "RP-4" in rules
    signed = submitted + timedelta(days=5)
    for code in review.agencies:
        command = c.RecordAgencySignoff(code, occurred_on=signed)
        engine.execute(review.id, command, panel_member(code))
    assert engine.get(review.id).last_signoff_on == signed
    plan_actions(engine, review.id, signoffs=False)
    found = engine.explain(review.id, c.Ratify(occurred_on=signed - DAY), BOARD_CHAIR)
    assert [(r.rule, r.field) for r in found] == [("RP-7", "occurred_on")]
    assert "last agency signed" in found[0].message
    ratified = engine.execute(review.id, c.Ratify(occurred_on=signed), BOARD_CHAIR)
    assert ratified.ratified_on == signed
    assert _deadline(engine, review.id, "review_complete")[2] == signed


def test_ap3_close_not_before_the_last_action_was_completed(
    engine: ReviewEngine, clock: FixedClock
) -> None:
    """AP-3: the review cannot have closed before its last action was completed."""
    review = to_stage(engine, clock, Stage.ACTION_PLAN_MONITORED)
    clock.advance(days=30)
    done = today(engine) - timedelta(days=3)
    for action in review.actions:
        command = c.CompleteAction(action.id, "Done.", occurred_on=done)
        engine.execute(review.id, command, BUSINESS_MANAGER)
    assert engine.get(review.id).learning_log[-1].recorded_on == done
    found = engine.explain(review.id, c.CloseReview(occurred_on=done - DAY), BOARD_CHAIR)
    assert [(r.rule, r.field) for r in found] == [("AP-3", "occurred_on")]
    closed = engine.execute(review.id, c.CloseReview(occurred_on=done), BOARD_CHAIR)
    assert closed.closed_on == done


def test_date_resume_not_before_the_pause(engine: ReviewEngine, clock: FixedClock) -> None:
    """DATE: the clocks cannot have restarted before they were paused; the paused days
    are counted from the days given."""
    review = to_stage(engine, clock, Stage.PANEL_CONVENED)
    clock.advance(days=20)
    paused = today(engine) - timedelta(days=10)
    command = c.PauseClock("Criminal trial", "Police asked.", occurred_on=paused)
    engine.execute(review.id, command, BOARD_CHAIR)
    found = engine.explain(review.id, c.ResumeClock(occurred_on=paused - DAY), BOARD_CHAIR)
    assert [(r.rule, r.field) for r in found] == [(DATE_RULE, "occurred_on")]
    resumed = engine.execute(
        review.id, c.ResumeClock(occurred_on=paused + timedelta(days=4)), BOARD_CHAIR
    )
    assert (resumed.pauses[-1].started_on, resumed.pauses[-1].ended_on) == (
        paused,
        paused + timedelta(days=4),
    )


def test_rp7_old_history_with_agreed_on_still_replays(
    engine: ReviewEngine, clock: FixedClock
) -> None:
    """RP-7, PR-d: a ``ratify`` recorded before ``agreed_on`` became ``occurred_on``
    (its payload holds ``agreed_on``) still replays and verifies, on its day."""
    review = to_stage(engine, clock, Stage.OVERVIEW_DRAFTED)
    review = plan_actions(engine, review.id)
    clock.advance(days=4)
    agreed = today(engine) - DAY
    old = {"command": "ratify", "agreed_on": agreed.isoformat()}
    command = c.Ratify(occurred_on=agreed)
    updated, event, _ = advance(review, command, old, BOARD_CHAIR.id, Role.BOARD_CHAIR, clock.now())
    events = (*engine.history(review.id), event)
    assert verify_history(events) == []
    rebuilt = replay(events)
    assert rebuilt == updated and rebuilt.ratified_on == agreed
    assert rebuilt.stage_entered_on == review.stage_entered_on  # an old event keeps no day
    assert event_day(event) == agreed


def test_cli_occurred_on_option_only_for_happenings() -> None:
    """DATE: ``scr run --occurred-on`` is offered for every command that records a
    happening and refused (usage) for one that does not."""
    from click.testing import CliRunner

    from scr_engine.cli.app import cli

    runner = CliRunner()
    result = runner.invoke(cli, ["run", "--help"])
    assert "--occurred-on" in result.output
    result = runner.invoke(cli, ["submit", "--help"])
    assert "--received-on" in result.output


# ------------------------------------------------------------------ the property

Step = Callable[[Review, date], tuple[c.Command, Actor]]


def _script(review: Review) -> list[Step]:
    """The main line of a review from screening to closure, as command makers."""
    steps: list[Step] = [
        lambda r, d: (c.AssessCriteria(), BOARD_CHAIR),
        lambda r, d: (c.ConfirmReview("A criterion is met."), BOARD_CHAIR),
    ]
    for agency in review.agencies:
        steps.append(lambda r, d, a=agency: (c.RecordRecordsSecured(a), BUSINESS_MANAGER))
        steps.append(
            lambda r, d, a=agency: (
                c.RecordImrWriter(a, f"u-imr-{a}", f"Writer {a}"),
                BUSINESS_MANAGER,
            )
        )
    steps.append(
        lambda r, d: (
            c.AppointPanelChair(Appointment(PANEL_CHAIR.id, PANEL_CHAIR.name)),
            BOARD_CHAIR,
        )
    )
    for agency in review.agencies:
        member = panel_member(agency)
        steps.append(
            lambda r, d, m=member, a=agency: (
                c.AppointPanelMember(Appointment(m.id, m.name, a)),
                BOARD_CHAIR,
            )
        )
    steps.append(lambda r, d: (c.AppointPanelMember(FAMILY_ADVOCATE), BOARD_CHAIR))  # SU-2
    steps += [
        lambda r, d: (
            c.AppointOverviewWriter(Appointment(OVERVIEW_WRITER.id, OVERVIEW_WRITER.name)),
            BOARD_CHAIR,
        ),
        lambda r, d: (c.RecordBudget(5000, "Costs."), BOARD_CHAIR),
        lambda r, d: (c.HoldInitialMeeting(full_terms(r, d)), PANEL_CHAIR),
        lambda r, d: (c.ConvenePanel(), PANEL_CHAIR),
    ]
    for agency in review.agencies:
        steps.append(lambda r, d, a=agency: (c.ReceiveImr(a, "IMR.", ("Do better.",)), PANEL_CHAIR))
        steps.append(lambda r, d, a=agency: (c.JudgeImr(a, ImrJudgement.SUFFICIENT), PANEL_CHAIR))
    steps += [
        lambda r, d: (c.ConfirmOverviewBrief("Bring them together."), PANEL_CHAIR),
        lambda r, d: (c.AcceptEvidence(), PANEL_CHAIR),
        lambda r, d: (
            c.RecordWriterMeeting(frozenset({WriterMeetingPurpose.FINAL_FORMAT}), "Format."),
            OVERVIEW_WRITER,
        ),
        lambda r, d: (c.SubmitOverviewReport(full_report(r)), OVERVIEW_WRITER),
    ]
    for agency in review.agencies:
        steps.append(lambda r, d, a=agency: (c.RecordAgencySignoff(a), panel_member(a)))
    return steps


def _late_steps(review: Review) -> list[Step]:
    report = review.overview_report
    assert report is not None
    steps: list[Step] = [
        lambda r, d, rec=rec.id: (
            c.AddAction(f"A-{rec}", rec, "Head of Service", 3, "Change.", "Quarterly."),
            PANEL_CHAIR,
        )
        for rec in report.conclusions.recommendations
    ]
    steps += [
        lambda r, d: (
            c.RecordDissemination(Dissemination(("Board",), "E-mail", "Debriefs.")),
            PANEL_CHAIR,
        ),
        lambda r, d: (c.Ratify(), BOARD_CHAIR),
        lambda r, d: (c.StartMonitoring(), BUSINESS_MANAGER),
    ]
    for rec in report.conclusions.recommendations:
        steps.append(lambda r, d, a=f"A-{rec.id}": (c.CompleteAction(a, "Done."), BUSINESS_MANAGER))
    steps.append(lambda r, d: (c.CloseReview(), BOARD_CHAIR))
    return steps


def _dated(command: c.Command, day: date | None) -> c.Command:
    import attrs

    return attrs.evolve(command, occurred_on=day)  # type: ignore[misc]


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    received_back=st.integers(0, 5),
    moves=st.lists(st.tuples(st.integers(0, 3), st.integers(-2, 6)), min_size=80, max_size=80),
)
def test_su5_deadlines_follow_from_the_occurred_days_alone(
    received_back: int, moves: list[tuple[int, int]]
) -> None:
    """SU-5, RP-7, EV-1: a review recorded late with random ``occurred_on`` days (some
    in the future or before what they depend on, refused) has the very deadlines, due
    and met, of the same review recorded on each day it happened; a refused day
    changes nothing."""
    start = datetime(2026, 2, 2, 9, 0, tzinfo=UTC)
    late_clock = FixedClock(start)
    late = ReviewEngine(MemoryStore(), late_clock)
    live = ReviewEngine(MemoryStore(), FixedClock(start))
    received = start.date() - timedelta(days=received_back)
    review = late.submit(demo_request(), REQUESTER, received_on=received)
    live.clock = FixedClock(at_noon(received))
    twin = live.submit(demo_request(), REQUESTER)
    assert twin.received_on == received
    notified = c.RecordChairNotified(received)
    late.execute(review.id, notified, BUSINESS_MANAGER)
    live.execute(twin.id, notified, BUSINESS_MANAGER)
    moves_left = iter(moves)
    last_day = received

    def run(steps: list[Step]) -> None:
        nonlocal last_day
        for step in steps:
            gap, back = next(moves_left, (0, 0))
            late_clock.advance(days=gap)
            now = today(late)
            current = late.get(review.id)
            day = now - timedelta(days=back)
            command, actor = step(current, min(day, now))
            tried = _dated(command, day)
            history = late.history(review.id)
            if late.explain(review.id, tried, actor):
                with pytest.raises(ScrEngineError):
                    late.execute(review.id, tried, actor)
                assert late.get(review.id) == current and late.history(review.id) == history
                day = max(last_day, now - timedelta(days=max(back, 0)))
                day = min(max(day, current.stage_entered_on or received), now)
                command, actor = step(current, day)
                tried = _dated(command, day)
                if late.explain(review.id, tried, actor):
                    day = now
                    command, actor = step(current, day)
                    tried = _dated(command, day)
            late.execute(review.id, tried, actor)
            live.clock = FixedClock(at_noon(day))  # the day it happened
            live.execute(twin.id, _dated(command, None), actor)
            last_day = max(last_day, day)

    run(_script(review))
    run(_late_steps(late.get(review.id)))
    as_of = today(late)
    ours = [
        (d.key, d.starts_on, d.due_on, d.met_on) for d in late.deadlines(review.id, as_of=as_of)
    ]
    theirs = [
        (d.key, d.starts_on, d.due_on, d.met_on) for d in live.deadlines(twin.id, as_of=as_of)
    ]
    assert ours == theirs
    assert late.get(review.id).stage is Stage.CLOSED
