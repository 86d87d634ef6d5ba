"""Due dates by example (``map.md``, Clocks): SU-4, SU-5, RP-1, AP-2 and RF-3.

Calendar months clamp to the month's end: 31 January + 1 month is 29 February in a
leap year (2028) and 28 February otherwise (2027).
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from attrs import evolve

from scr_engine import (
    Deadline,
    DeadlineStatus,
    FixedClock,
    ImrJudgement,
    ProtocolSettings,
    ReviewEngine,
    Stage,
    WriterMeetingPurpose,
)
from scr_engine import commands as c
from support.builders import (
    BOARD_CHAIR,
    BUSINESS_MANAGER,
    PANEL_CHAIR,
    at_noon,
    do,
    draft_report,
    engine_on,
    full_terms,
    plan_actions,
    prepare_panel,
    ratify,
    screen,
    submit,
    to_stage,
    today,
)


def _due(engine: ReviewEngine, review_id: str, as_of: date | None = None) -> dict[str, Deadline]:
    return {d.key: d for d in engine.deadlines(review_id, as_of=as_of)}


# --------------------------------------------------------------------------- SU-5


@pytest.mark.rule("SU-5")
@pytest.mark.parametrize(
    ("received", "due"),
    [
        (date(2028, 1, 31), date(2028, 2, 29)),  # leap year
        (date(2027, 1, 31), date(2027, 2, 28)),
        (date(2026, 2, 2), date(2026, 3, 2)),
        (date(2026, 3, 31), date(2026, 4, 30)),
        (date(2026, 12, 15), date(2027, 1, 15)),  # over the year end
    ],
)
def test_su5_initial_meeting_due_one_calendar_month_after_receipt(
    received: date, due: date
) -> None:
    """SU-5: the initial meeting is due one calendar month after the Chair's receipt,
    clamped to the month's end."""
    engine, _ = engine_on(received)
    review = submit(engine)
    engine.execute(review.id, c.RecordChairNotified(received), BUSINESS_MANAGER)
    meeting = _due(engine, review.id)["initial_meeting"]
    assert (meeting.rule, meeting.starts_on, meeting.due_on) == ("SU-5", received, due)
    assert meeting.status is DeadlineStatus.DUE


@pytest.mark.rule("SU-5")
def test_su5_due_day_is_not_late_but_the_day_after_is() -> None:
    """SU-5: held on the due date the meeting is met; still open the next day it is
    overdue by one day."""
    engine, clock = engine_on(date(2028, 1, 31))
    review = submit(engine)
    screen(engine, review.id)
    prepare_panel(engine, review.id, meeting=False)
    assert _due(engine, review.id, date(2028, 2, 29))["initial_meeting"].status is (
        DeadlineStatus.DUE
    )
    late = _due(engine, review.id, date(2028, 3, 1))["initial_meeting"]
    assert (late.status, late.days_late) == (DeadlineStatus.OVERDUE, 1)
    clock.set(at_noon(date(2028, 2, 29)))
    do(
        engine,
        review.id,
        c.HoldInitialMeeting(full_terms(engine.get(review.id), today(engine))),
        PANEL_CHAIR,
    )
    met = _due(engine, review.id, date(2028, 6, 1))["initial_meeting"]
    assert (met.met_on, met.status, met.days_late) == (date(2028, 2, 29), DeadlineStatus.MET, 0)


# --------------------------------------------------------------------------- SU-4


@pytest.mark.rule("SU-4")
@pytest.mark.parametrize(
    ("received", "due"),
    [
        (date(2027, 8, 31), date(2028, 2, 29)),  # clamps into a leap February
        (date(2026, 8, 31), date(2027, 2, 28)),
        (date(2028, 1, 31), date(2028, 7, 31)),
        (date(2027, 1, 31), date(2027, 7, 31)),
    ],
)
def test_su4_review_due_six_calendar_months_after_receipt(received: date, due: date) -> None:
    """SU-4: with no other timescale, the review is due six calendar months after the
    Chair's receipt of the request."""
    engine, _ = engine_on(received)
    review = submit(engine)
    engine.execute(review.id, c.RecordChairNotified(received), BUSINESS_MANAGER)
    complete = _due(engine, review.id)["review_complete"]
    assert (complete.rule, complete.starts_on, complete.due_on) == ("SU-4", received, due)


@pytest.mark.rule("SU-4")
def test_su4_terms_of_reference_override_the_six_months() -> None:
    """SU-4: terms of reference giving 4 months move the due date, still from the
    Chair's receipt (31 Aug 2027 → 31 Dec 2027)."""
    engine, _ = engine_on(date(2027, 8, 31))
    review = submit(engine)
    screen(engine, review.id)
    prepare_panel(engine, review.id, meeting=False)
    terms = full_terms(engine.get(review.id), today(engine))
    do(engine, review.id, c.HoldInitialMeeting(evolve(terms, review_months=4)), PANEL_CHAIR)
    assert _due(engine, review.id)["review_complete"].due_on == date(2027, 12, 31)


@pytest.mark.rule("SU-4")
def test_su4_met_by_ratification_or_missed() -> None:
    """SU-4: the review is complete when ratified; ratified after the due date it is
    reported missed by the days it ran over."""
    engine, clock = engine_on(date(2026, 1, 5))
    review = to_stage(engine, clock, Stage.OVERVIEW_DRAFTED, step=timedelta(0))
    plan_actions(engine, review.id)
    clock.set(at_noon(date(2026, 7, 10)))  # due 5 July 2026
    ratify(engine, review.id)
    complete = _due(engine, review.id)["review_complete"]
    assert (complete.due_on, complete.met_on) == (date(2026, 7, 5), date(2026, 7, 10))
    assert (complete.status, complete.days_late) == (DeadlineStatus.MISSED, 5)


# --------------------------------------------------------------------------- RP-1


@pytest.mark.rule("RP-1")
def test_rp1_overview_report_due_as_set_at_the_initial_meeting() -> None:
    """RP-1: the overview report is due on the date the initial meeting set, counted
    from that meeting; submitted on time it is met."""
    engine, clock = engine_on(date(2027, 1, 31))
    review = to_stage(engine, clock, Stage.EVIDENCE_RECEIVED, step=timedelta(0))
    report = _due(engine, review.id)["overview_report"]
    assert (report.rule, report.starts_on, report.due_on) == (
        "RP-1",
        date(2027, 1, 31),
        date(2027, 1, 31) + timedelta(days=90),  # full_terms: 90 days after the meeting
    )
    assert report.status is DeadlineStatus.DUE
    assert report.due_on == date(2027, 5, 1)
    clock.set(at_noon(report.due_on))  # on the due date itself: met, not late
    draft_report(engine, review.id)
    met = _due(engine, review.id)["overview_report"]
    assert (met.met_on, met.status, met.days_late) == (date(2027, 5, 1), DeadlineStatus.MET, 0)


# --------------------------------------------------------------------------- AP-2


@pytest.mark.rule("AP-2")
@pytest.mark.parametrize(
    ("ratified", "months", "due"),
    [
        (date(2026, 8, 31), 3, date(2026, 11, 30)),
        (date(2026, 8, 31), 6, date(2027, 2, 28)),
        (date(2027, 8, 31), 6, date(2028, 2, 29)),
        (date(2026, 3, 15), 12, date(2027, 3, 15)),
    ],
)
def test_ap2_action_due_its_timescale_after_ratification(
    ratified: date, months: int, due: date
) -> None:
    """AP-2: each action is due its timescale in calendar months after ratification,
    clamped to the month's end; past it, still open, it is overdue."""
    engine, clock = engine_on(ratified)
    review = to_stage(engine, clock, Stage.OVERVIEW_DRAFTED, step=timedelta(0))
    plan_actions(engine, review.id, timescale_months=months)
    ratify(engine, review.id)
    actions = [d for d in engine.deadlines(review.id) if d.rule == "AP-2"]
    assert len(actions) == len(engine.get(review.id).actions) > 0
    assert {(d.starts_on, d.due_on, d.status) for d in actions} == {
        (ratified, due, DeadlineStatus.DUE)
    }
    after = [
        d for d in engine.deadlines(review.id, as_of=due + timedelta(days=1)) if d.rule == "AP-2"
    ]
    assert {(d.status, d.days_late) for d in after} == {(DeadlineStatus.OVERDUE, 1)}


# --------------------------------------------------------------------------- RF-3


@pytest.mark.rule("RF-3")
def test_rf3_board_target_for_notifying_the_chair() -> None:
    """RF-3: with a Board target of 5 days, the Chair is due to be notified 5 days
    after the request arrives; unrecorded past that it is overdue, recorded late it is
    missed; and the Chair's receipt restarts SU-5 (31 Jan → 6 Feb → 6 Mar 2028)."""
    received = date(2028, 1, 31)
    engine, clock = engine_on(received, ProtocolSettings(chair_notification_days=5))
    review = submit(engine)
    notify = _due(engine, review.id)["chair_notified"]
    assert (notify.rule, notify.starts_on, notify.due_on, notify.status) == (
        "RF-3",
        received,
        date(2028, 2, 5),
        DeadlineStatus.DUE,
    )
    assert _due(engine, review.id)["initial_meeting"].due_on == date(2028, 2, 29)

    overdue = _due(engine, review.id, date(2028, 2, 8))["chair_notified"]
    assert (overdue.status, overdue.days_late) == (DeadlineStatus.OVERDUE, 3)

    clock.set(at_noon(date(2028, 2, 6)))
    engine.execute(review.id, c.RecordChairNotified(date(2028, 2, 6)), BUSINESS_MANAGER)
    after = _due(engine, review.id)
    assert (after["chair_notified"].status, after["chair_notified"].days_late) == (
        DeadlineStatus.MISSED,
        1,
    )
    assert after["initial_meeting"].due_on == date(2028, 3, 6)
    assert after["review_complete"].due_on == date(2028, 8, 6)


@pytest.mark.rule("RF-3")
def test_rf3_notified_within_target_is_met() -> None:
    """RF-3: the Chair notified on the target day meets it."""
    engine, clock = engine_on(date(2027, 1, 31), ProtocolSettings(chair_notification_days=5))
    review = submit(engine)
    clock.set(at_noon(date(2027, 2, 5)))
    engine.execute(review.id, c.RecordChairNotified(date(2027, 2, 5)), BUSINESS_MANAGER)
    notify = _due(engine, review.id)["chair_notified"]
    assert (notify.due_on, notify.met_on, notify.status) == (
        date(2027, 2, 5),
        date(2027, 2, 5),
        DeadlineStatus.MET,
    )


def test_clocks_change_only_with_what_their_deadlines_read(
    engine: ReviewEngine, clock: FixedClock
) -> None:
    """The engine rewrites a review's deadline rows only when a command can change
    them (``clocks_changed``): an IMR received or an action completed does, a judgement,
    a writer meeting or a progress note does not."""
    from scr_engine.rules.deadlines import clocks_changed

    def step(rid: str, command: c.Command, actor: object) -> bool:
        before = engine.get(rid)
        after = engine.execute(rid, command, actor)  # type: ignore[arg-type]
        return clocks_changed(before, after)

    rid = to_stage(engine, clock, Stage.PANEL_CONVENED).id
    agency = engine.get(rid).imr_agencies[0]

    def listed() -> set[str]:
        return {
            r.key for r in engine.overdue(today(engine), 3000, limit=1000) if r.review_id == rid
        }

    # The stored rows follow the clocks: the meeting held is no longer listed, the IMRs are.
    assert "initial_meeting" not in listed() and f"imr:{agency}" in listed()
    assert step(rid, c.ReceiveImr(agency, "What we did."), PANEL_CHAIR) is True
    assert f"imr:{agency}" not in listed()
    judged = c.JudgeImr(agency, ImrJudgement.FURTHER_INFORMATION_REQUESTED, "More.")
    assert step(rid, judged, PANEL_CHAIR) is False
    meeting = c.RecordWriterMeeting((WriterMeetingPurpose.MONITOR_PROGRESS,), "Met.")
    assert step(rid, meeting, PANEL_CHAIR) is False
    done = to_stage(engine, clock, Stage.ACTION_PLAN_MONITORED)
    action = done.actions[0].id
    assert step(done.id, c.RecordActionProgress(action, "Half done."), BUSINESS_MANAGER) is False
    assert step(done.id, c.CompleteAction(action, "Done."), BUSINESS_MANAGER) is True


@pytest.mark.rule("PR-a")
@pytest.mark.rule("PR-d")
def test_paused_and_cancelled_deadlines_keep_their_rules(
    engine: ReviewEngine, clock: FixedClock
) -> None:
    """A paused deadline, and one cancelled when the review ends, still cites the rule
    that set it (a screen lists every deadline by its rule)."""
    rid = submit(engine).id
    screen(engine, rid)
    rules = {d.key: d.rule for d in engine.deadlines(rid)}
    assert rules == {"initial_meeting": "SU-5", "review_complete": "SU-4"}
    engine.execute(rid, c.PauseClock("criminal proceedings", "Police asked."), BOARD_CHAIR)
    paused = engine.deadlines(rid)
    assert {d.key: d.rule for d in paused} == rules
    assert {d.status for d in paused} == {DeadlineStatus.PAUSED}
    engine.execute(rid, c.Withdraw("The request is withdrawn."), BOARD_CHAIR)
    ended = engine.deadlines(rid)
    assert {d.key: d.rule for d in ended} == rules
    assert {d.status for d in ended} == {DeadlineStatus.CANCELLED}
