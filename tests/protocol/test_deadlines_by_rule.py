"""The protocol's clocks by example (``map.md``, Clocks), one rule ID at a time:
RF-3, SU-4, SU-5, RP-1, AP-2; working-day targets; the settings version a review keeps;
and every :class:`DeadlineStatus` (due, met, missed, overdue, paused, cancelled).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from attrs import evolve

from scr_engine import (
    Appointment,
    CriteriaFacts,
    Deadline,
    DeadlineStatus,
    Dissemination,
    FixedClock,
    ImrJudgement,
    MemoryStore,
    ProtocolSettings,
    ReviewEngine,
    ScrEngineError,
    Stage,
    TransitionRefused,
    WriterMeetingPurpose,
    local_date,
)
from scr_engine import commands as c
from scr_engine.demo import (
    BOARD_CHAIR,
    BUSINESS_MANAGER,
    FAMILY_ADVOCATE,
    OVERVIEW_WRITER,
    PANEL_CHAIR,
    REQUESTER,
    demo_request,
    full_report,
    full_terms,
    panel_member,
)
from scr_engine.rules.deadlines import add_months, add_working_days
from scr_engine.storage.port import DeadlineRow
from support.builders import at_noon, engine_on

PAUSE = c.PauseClock("criminal proceedings", "The trial must finish first.")
RESUME = c.ResumeClock("The trial has ended.")

# ----------------------------------------------------------------------------- helpers


def today(engine: ReviewEngine) -> date:
    return local_date(engine.clock.now())


def submit(engine: ReviewEngine) -> str:
    incident_on = today(engine) - timedelta(days=3)
    return engine.submit(demo_request(incident_on=incident_on), REQUESTER).id


def due(engine: ReviewEngine, rid: str, as_of: date | None = None) -> dict[str, Deadline]:
    """The review's deadlines by key."""
    return {d.key: d for d in engine.deadlines(rid, as_of=as_of)}


def overdue_keys(engine: ReviewEngine, as_of: date, within_days: int = 0) -> set[tuple[str, str]]:
    return {(r.review_id, r.key) for r in engine.overdue(as_of, within_days, limit=1000)}


def store_rows(engine: ReviewEngine, rid: str) -> list[DeadlineRow]:
    """The deadline rows the engine's MemoryStore holds for the review."""
    store = engine.store
    assert isinstance(store, MemoryStore)
    return store.deadline_rows(rid)


def screen(engine: ReviewEngine, rid: str, chair_on: date | None = None) -> None:
    """Chair notified (on ``chair_on``, today by default), criteria assessed, SCR
    confirmed."""
    received = chair_on if chair_on is not None else today(engine)
    engine.execute(rid, c.RecordChairNotified(received), BUSINESS_MANAGER)
    engine.execute(rid, c.AssessCriteria(), BOARD_CHAIR)
    engine.execute(rid, c.ConfirmReview("CR-1 is met."), BOARD_CHAIR)


def prepare(engine: ReviewEngine, rid: str) -> None:
    """Everything ``convene_panel`` needs except the initial meeting."""
    review = engine.get(rid)
    for agency in review.agencies:
        engine.execute(rid, c.RecordRecordsSecured(agency), BUSINESS_MANAGER)
        writer = c.RecordImrWriter(agency, f"u-imr-{agency}", f"IMR writer for {agency}")
        engine.execute(rid, writer, BUSINESS_MANAGER)
    engine.execute(rid, c.AppointPanelChair(Appointment(PANEL_CHAIR.id, "P")), BOARD_CHAIR)
    for agency in review.agencies:
        member = panel_member(agency)
        appointment = Appointment(member.id, member.name, agency)
        engine.execute(rid, c.AppointPanelMember(appointment), BOARD_CHAIR)
    engine.execute(rid, c.AppointPanelMember(FAMILY_ADVOCATE), BOARD_CHAIR)  # SU-2
    writer_appointment = Appointment(OVERVIEW_WRITER.id, OVERVIEW_WRITER.name)
    engine.execute(rid, c.AppointOverviewWriter(writer_appointment), BOARD_CHAIR)
    engine.execute(rid, c.RecordBudget(5000, "Writer and venue."), BOARD_CHAIR)


def meet(
    engine: ReviewEngine,
    rid: str,
    imr_due: date | None = None,
    overview_due: date | None = None,
    review_months: int = 6,
) -> None:
    """The initial meeting, setting the IMR and overview report due dates and the
    review's timescale."""
    day = today(engine)
    terms = full_terms(engine.get(rid), day)
    terms = evolve(
        terms,
        imr_due=imr_due or terms.imr_due,
        overview_due=overview_due or terms.overview_due,
        review_months=review_months,
    )
    engine.execute(rid, c.HoldInitialMeeting(terms), PANEL_CHAIR)


def gather(engine: ReviewEngine, rid: str) -> None:
    """Convene the panel; every IMR received and judged sufficient; evidence accepted."""
    engine.execute(rid, c.ConvenePanel(), PANEL_CHAIR)
    for agency in engine.get(rid).imr_agencies:
        engine.execute(rid, c.ReceiveImr(agency, "IMR.", (f"{agency} to act.",)), PANEL_CHAIR)
        engine.execute(rid, c.JudgeImr(agency, ImrJudgement.SUFFICIENT), PANEL_CHAIR)
    engine.execute(rid, c.ConfirmOverviewBrief("Bring the IMRs together."), PANEL_CHAIR)
    engine.execute(rid, c.AcceptEvidence(), PANEL_CHAIR)
    purposes = frozenset({WriterMeetingPurpose.FINAL_FORMAT})
    engine.execute(rid, c.RecordWriterMeeting(purposes, "Format agreed."), OVERVIEW_WRITER)


def draft(engine: ReviewEngine, rid: str) -> None:
    report = full_report(engine.get(rid))
    engine.execute(rid, c.SubmitOverviewReport(report), OVERVIEW_WRITER)


def plan_and_ratify(engine: ReviewEngine, rid: str, months: tuple[int, ...]) -> None:
    """Sign-offs, one action per recommendation with the given timescales (cycled),
    dissemination, ratification."""
    review = engine.get(rid)
    for agency in review.agencies:
        engine.execute(rid, c.RecordAgencySignoff(agency), panel_member(agency))
    assert review.overview_report is not None
    for i, rec in enumerate(review.overview_report.conclusions.recommendations):
        action = c.AddAction(
            f"A-{rec.id}", rec.id, "Head of Service", months[i % len(months)], "Change.", "Log."
        )
        engine.execute(rid, action, PANEL_CHAIR)
    dissemination = Dissemination(("Board members",), "Secure e-mail", "Debriefs.")
    engine.execute(rid, c.RecordDissemination(dissemination), PANEL_CHAIR)
    engine.execute(rid, c.Ratify(), BOARD_CHAIR)


def at_meeting(day: date) -> tuple[ReviewEngine, FixedClock, str]:
    """A review received and screened on ``day`` whose initial meeting is held then."""
    engine, clock = engine_on(day)
    rid = submit(engine)
    screen(engine, rid)
    prepare(engine, rid)
    meet(engine, rid)
    return engine, clock, rid


def ratified(day: date, months: tuple[int, ...] = (3,)) -> tuple[ReviewEngine, FixedClock, str]:
    """A review run from ``day`` to ratification, one day a stage."""
    engine, clock, rid = at_meeting(day)
    clock.advance(days=1)
    gather(engine, rid)
    clock.advance(days=1)
    draft(engine, rid)
    clock.advance(days=1)
    plan_and_ratify(engine, rid, months)
    return engine, clock, rid


# ----------------------------------------------------------------------------- SU-5


@pytest.mark.rule("SU-5")
@pytest.mark.parametrize(
    ("received", "expected"),
    [
        (date(2028, 1, 31), date(2028, 2, 29)),  # leap year
        (date(2027, 1, 31), date(2027, 2, 28)),
        (date(2027, 3, 31), date(2027, 4, 30)),
        (date(2027, 12, 15), date(2028, 1, 15)),  # year wraps
        (date(2027, 6, 1), date(2027, 7, 1)),
    ],
)
def test_su5_initial_meeting_due_one_calendar_month_after_the_chairs_receipt(
    received: date, expected: date
) -> None:
    """SU-5: 1 calendar month from the Chair's receipt, clamped to the month's end."""
    engine, _ = engine_on(received)
    rid = submit(engine)
    screen(engine, rid)
    meeting = due(engine, rid)["initial_meeting"]
    assert meeting.rule == "SU-5"
    assert meeting.starts_on == received
    assert meeting.due_on == expected
    assert meeting.status is DeadlineStatus.DUE


@pytest.mark.rule("SU-5")
def test_su5_31_january_2028_gives_29_february_before_and_after_the_chair_is_notified() -> None:
    """SU-5: a request received on 31 January 2028 has its initial meeting due on
    29 February 2028 (counted from the request until the Chair's receipt is recorded)."""
    engine, _ = engine_on(date(2028, 1, 31))
    assert engine.clock.now() == datetime(2028, 1, 31, 12, tzinfo=UTC)
    rid = submit(engine)
    assert engine.get(rid).received_on == date(2028, 1, 31)
    assert due(engine, rid)["initial_meeting"].due_on == date(2028, 2, 29)
    screen(engine, rid)
    assert due(engine, rid)["initial_meeting"].due_on == date(2028, 2, 29)
    assert add_months(date(2027, 1, 31), 1) == date(2027, 2, 28)


@pytest.mark.rule("SU-5")
@pytest.mark.rule("RF-3")
def test_su5_counts_from_the_chairs_receipt_not_the_request() -> None:
    """SU-5 / RF-3: the clock starts when the Chair received the request."""
    engine, clock = engine_on(date(2028, 1, 20))
    rid = submit(engine)
    clock.set(at_noon(date(2028, 2, 5)))
    screen(engine, rid, chair_on=date(2028, 1, 31))
    meeting = due(engine, rid)["initial_meeting"]
    assert (meeting.starts_on, meeting.due_on) == (date(2028, 1, 31), date(2028, 2, 29))


@pytest.mark.rule("SU-5")
def test_su5_met_on_the_due_day_missed_the_day_after() -> None:
    """SU-5: a meeting on the due day meets the deadline; a day later misses it by one
    day. Neither blocks the review."""
    for late, status in ((0, DeadlineStatus.MET), (1, DeadlineStatus.MISSED)):
        engine, clock = engine_on(date(2027, 1, 31))
        rid = submit(engine)
        screen(engine, rid)
        prepare(engine, rid)
        clock.set(at_noon(date(2027, 2, 28) + timedelta(days=late)))
        meet(engine, rid)
        meeting = due(engine, rid)["initial_meeting"]
        assert meeting.status is status
        assert meeting.met_on == date(2027, 2, 28) + timedelta(days=late)
        assert meeting.days_late == late


@pytest.mark.rule("SU-5")
def test_su5_initial_meeting_in_working_days() -> None:
    """SU-5 counted in working days (``initial_meeting_working_days``): weekends and
    England-and-Wales bank holidays do not count. Ten working days from Monday
    21 December 2026 skip Christmas Day, Boxing Day (substitute Monday 28th) and New
    Year's Day: Thursday 7 January 2027."""
    settings = ProtocolSettings(version="wd", initial_meeting_working_days=10)
    engine, _ = engine_on(date(2026, 12, 21), settings)
    rid = submit(engine)
    screen(engine, rid)
    meeting = due(engine, rid)["initial_meeting"]
    assert meeting.due_on == date(2027, 1, 7)
    assert meeting.due_on == add_working_days(date(2026, 12, 21), 10)
    assert due(engine, rid)["review_complete"].due_on == date(2027, 6, 21)  # SU-4 unchanged


# ----------------------------------------------------------------------------- SU-4


@pytest.mark.rule("SU-4")
def test_su4_review_due_six_months_after_the_chairs_receipt() -> None:
    """SU-4: the review completes within 6 calendar months of the Chair's receipt
    (31 August + 6 months = 28 February)."""
    engine, clock = engine_on(date(2026, 8, 28))
    rid = submit(engine)
    clock.set(at_noon(date(2026, 8, 31)))
    screen(engine, rid)
    complete = due(engine, rid)["review_complete"]
    assert complete.rule == "SU-4"
    assert (complete.starts_on, complete.due_on) == (date(2026, 8, 31), date(2027, 2, 28))


@pytest.mark.rule("SU-4")
def test_su4_terms_of_reference_override_the_six_months() -> None:
    """SU-4: the terms of reference's ``review_months`` replaces the 6 months (still
    counted from the Chair's receipt), and ratification meets it."""
    engine, clock = engine_on(date(2027, 3, 31))
    rid = submit(engine)
    screen(engine, rid)
    prepare(engine, rid)
    assert due(engine, rid)["review_complete"].due_on == date(2027, 9, 30)
    clock.advance(days=5)
    meet(engine, rid, review_months=11)
    complete = due(engine, rid)["review_complete"]
    assert (complete.starts_on, complete.due_on) == (date(2027, 3, 31), date(2028, 2, 29))
    gather(engine, rid)
    draft(engine, rid)
    plan_and_ratify(engine, rid, (3,))
    complete = due(engine, rid)["review_complete"]
    assert complete.status is DeadlineStatus.MET and complete.met_on == date(2027, 4, 5)


# ----------------------------------------------------------------------------- RP-1


@pytest.mark.rule("RP-1")
def test_rp1_overview_due_as_set_at_the_initial_meeting_and_met_on_first_submission() -> None:
    """RP-1: the overview report is due on the date the initial meeting set; the first
    submission meets it, and a revision asked for later does not reopen it (nor does
    the resubmission, late, make it missed)."""
    engine, clock = engine_on(date(2027, 5, 3))
    rid = submit(engine)
    screen(engine, rid)
    prepare(engine, rid)
    meet(engine, rid, imr_due=date(2027, 6, 1), overview_due=date(2027, 7, 15))
    report = due(engine, rid)["overview_report"]
    assert report.rule == "RP-1"
    assert (report.starts_on, report.due_on) == (date(2027, 5, 3), date(2027, 7, 15))
    imrs = [d for key, d in due(engine, rid).items() if key.startswith("imr:")]
    assert imrs and all(d.rule == "SU-7" and d.due_on == date(2027, 6, 1) for d in imrs)

    gather(engine, rid)
    clock.set(at_noon(date(2027, 7, 15)))
    draft(engine, rid)
    report = due(engine, rid)["overview_report"]
    assert report.status is DeadlineStatus.MET and report.met_on == date(2027, 7, 15)

    clock.set(at_noon(date(2027, 8, 20)))
    engine.execute(rid, c.RequestRevision("Strengthen the analysis."), PANEL_CHAIR)
    assert due(engine, rid)["overview_report"] == report
    clock.advance(days=10)
    draft(engine, rid)
    assert due(engine, rid)["overview_report"] == report


@pytest.mark.rule("RP-1")
def test_rp1_overview_late_is_missed_and_reported_overdue_until_then() -> None:
    """RP-1: past its due date the overview report is overdue (and listed by
    ``engine.overdue``); submitted late it is missed, by how many days."""
    engine, clock = engine_on(date(2027, 5, 3))
    rid = submit(engine)
    screen(engine, rid)
    prepare(engine, rid)
    meet(engine, rid, imr_due=date(2027, 6, 1), overview_due=date(2027, 7, 15))
    gather(engine, rid)
    clock.set(at_noon(date(2027, 7, 20)))
    report = due(engine, rid)["overview_report"]
    assert report.status is DeadlineStatus.OVERDUE and report.days_late == 5
    assert (rid, "overview_report") in overdue_keys(engine, today(engine))
    draft(engine, rid)
    report = due(engine, rid)["overview_report"]
    assert report.status is DeadlineStatus.MISSED and report.days_late == 5
    assert (rid, "overview_report") not in overdue_keys(engine, today(engine))


# ----------------------------------------------------------------------------- AP-2


@pytest.mark.rule("AP-2")
def test_ap2_each_actions_timescale_runs_from_ratification() -> None:
    """AP-2: each action falls due its timescale in calendar months after ratification
    (30 November + 3 months = 29 February 2028)."""
    engine, _, rid = ratified(date(2027, 11, 27), months=(3, 1, 12))
    review = engine.get(rid)
    assert review.ratified_on == date(2027, 11, 30)
    found = due(engine, rid)
    for action in review.actions:
        d = found[f"action:{action.id}"]
        assert d.rule == "AP-2"
        assert d.starts_on == date(2027, 11, 30)
        assert d.due_on == add_months(date(2027, 11, 30), action.timescale_months)
    assert {found[f"action:{a.id}"].due_on for a in review.actions} == {
        date(2028, 2, 29),
        date(2027, 12, 30),
        date(2028, 11, 30),
    }


@pytest.mark.rule("AP-2")
def test_ap2_overdue_actions_are_reported_until_completed() -> None:
    """AP-2: an action past its timescale is overdue and ``engine.overdue`` reports it
    (and, with ``within_days``, those about to fall due); completing it late makes it
    missed and takes it off the report."""
    engine, clock, rid = ratified(date(2027, 1, 4), months=(1, 6))
    engine.execute(rid, c.StartMonitoring(), BUSINESS_MANAGER)
    actions = engine.get(rid).actions
    short = [a for a in actions if a.timescale_months == 1]
    long_ = [a for a in actions if a.timescale_months == 6]
    assert short and long_
    first_due = add_months(date(2027, 1, 7), 1)  # ratified 7 January 2027
    assert first_due == date(2027, 2, 7)

    clock.set(at_noon(date(2027, 2, 7)))
    assert overdue_keys(engine, today(engine)) == set()  # due today: not yet late
    soon = overdue_keys(engine, today(engine), within_days=1)
    assert soon == {(rid, f"action:{a.id}") for a in short}

    clock.set(at_noon(date(2027, 2, 10)))
    rows = engine.overdue(today(engine))
    assert {r.key for r in rows} == {f"action:{a.id}" for a in short}
    assert all(r.rule == "AP-2" and r.due_on == first_due for r in rows)
    assert all(due(engine, rid)[r.key].status is DeadlineStatus.OVERDUE for r in rows)

    for action in short:
        engine.execute(rid, c.RecordActionProgress(action.id, "Started."), BUSINESS_MANAGER)
        engine.execute(rid, c.CompleteAction(action.id, "Done."), BUSINESS_MANAGER)
    assert overdue_keys(engine, today(engine)) == set()
    for action in short:
        d = due(engine, rid)[f"action:{action.id}"]
        assert d.status is DeadlineStatus.MISSED and d.days_late == 3


# ----------------------------------------------------------------------------- RF-3


@pytest.mark.rule("RF-3")
def test_rf3_no_chair_notification_deadline_unless_the_board_sets_one() -> None:
    """RF-3: "as soon as practicable" has no number: without a Board target there is
    no deadline, only the recorded date."""
    engine, _ = engine_on(date(2027, 4, 1))
    rid = submit(engine)
    assert "chair_notified" not in due(engine, rid)


@pytest.mark.rule("RF-3")
def test_rf3_chair_notification_days_met_or_missed() -> None:
    """RF-3 with ``chair_notification_days``: due that many calendar days after the
    request; met when the Chair's receipt is recorded in time, missed otherwise, and
    reported overdue in between."""
    settings = ProtocolSettings(version="rf3", chair_notification_days=2)
    engine, clock = engine_on(date(2027, 4, 1), settings)
    on_time, late = submit(engine), submit(engine)
    notified = due(engine, on_time)["chair_notified"]
    assert notified.rule == "RF-3"
    assert (notified.starts_on, notified.due_on) == (date(2027, 4, 1), date(2027, 4, 3))
    clock.set(at_noon(date(2027, 4, 3)))
    engine.execute(on_time, c.RecordChairNotified(date(2027, 4, 2)), BUSINESS_MANAGER)
    clock.set(at_noon(date(2027, 4, 6)))
    assert overdue_keys(engine, today(engine)) == {(late, "chair_notified")}
    engine.execute(late, c.RecordChairNotified(date(2027, 4, 5)), BUSINESS_MANAGER)
    met = due(engine, on_time)["chair_notified"]
    missed = due(engine, late)["chair_notified"]
    assert (met.status, met.met_on) == (DeadlineStatus.MET, date(2027, 4, 2))
    assert (missed.status, missed.days_late) == (DeadlineStatus.MISSED, 2)
    assert overdue_keys(engine, today(engine)) == set()


@pytest.mark.rule("RF-3")
def test_rf3_working_days_skip_christmas_and_boxing_day() -> None:
    """RF-3 with ``chair_notification_working_days`` (preferred over calendar days):
    three working days from Wednesday 23 December 2026 skip Christmas Day, the weekend
    and the Boxing Day substitute (Monday 28th): Wednesday 30 December 2026."""
    settings = ProtocolSettings(
        version="rf3-wd", chair_notification_days=1, chair_notification_working_days=3
    )
    engine, _ = engine_on(date(2026, 12, 23), settings)
    rid = submit(engine)
    notified = due(engine, rid)["chair_notified"]
    assert (notified.starts_on, notified.due_on) == (date(2026, 12, 23), date(2026, 12, 30))
    assert add_working_days(date(2026, 12, 23), 3) == date(2026, 12, 30)
    assert add_working_days(date(2026, 12, 23), 0) == date(2026, 12, 23)


# ------------------------------------------------------------------ settings versions


@pytest.mark.rule("SU-4")
@pytest.mark.rule("SU-5")
def test_a_review_keeps_the_settings_version_it_started_under_su4_su5() -> None:
    """SU-4 / SU-5 lengths are Board settings: a review started under one version keeps
    it after the Board publishes another (the engine is given the old one in
    ``known_settings``); new reviews use the new one."""
    old = ProtocolSettings(version="hsab-2008")
    new = ProtocolSettings(version="hsab-2027", initial_meeting_months=2, review_months=9)
    store = MemoryStore()
    first, _ = engine_on(date(2027, 1, 31), old, store=store)
    old_id = submit(first)
    assert first.get(old_id).settings_version == "hsab-2008"

    engine, _ = engine_on(date(2027, 1, 31), new, known=(old,), store=store)
    new_id = submit(engine)
    assert engine.get(new_id).settings_version == "hsab-2027"
    assert engine.settings_for(engine.get(old_id)) == old
    old_due = due(engine, old_id)
    new_due = due(engine, new_id)
    assert old_due["initial_meeting"].due_on == date(2027, 2, 28)
    assert old_due["review_complete"].due_on == date(2027, 7, 31)
    assert new_due["initial_meeting"].due_on == date(2027, 3, 31)
    assert new_due["review_complete"].due_on == date(2027, 10, 31)
    screen(engine, old_id)  # commands on the old review still use the old settings
    assert due(engine, old_id)["initial_meeting"].due_on == date(2027, 2, 28)
    stored = {r.key: r.due_on for r in store.deadline_rows(old_id)}
    assert stored["initial_meeting"] == date(2027, 2, 28)


def test_an_engine_without_a_reviews_settings_names_the_missing_version() -> None:
    """A review's settings version must be known to the engine: without it the engine
    refuses to guess, naming the version."""
    old = ProtocolSettings(version="hsab-2008")
    store = MemoryStore()
    first, _ = engine_on(date(2027, 1, 31), old, store=store)
    rid = submit(first)
    engine, _ = engine_on(date(2027, 1, 31), ProtocolSettings(version="hsab-2027"), store=store)
    with pytest.raises(ScrEngineError, match="hsab-2008"):
        engine.deadlines(rid)
    with pytest.raises(ScrEngineError, match="hsab-2008"):
        engine.execute(rid, c.AssessCriteria(), BOARD_CHAIR)
    assert engine.get(rid).version == 1


# ---------------------------------------------------------------- paused, cancelled


@pytest.mark.rule("PR-a")
def test_pr_a_paused_clocks_are_paused_not_overdue_and_resume_later() -> None:
    """PR-a: while a review's clocks are paused its open deadlines are ``paused``
    (met ones stay met) and none is reported overdue, however long; on resuming each
    open due date has moved by the days paused."""
    settings = ProtocolSettings("rf3", chair_notification_days=3)
    engine, clock = engine_on(date(2027, 1, 31), settings)
    rid = submit(engine)
    screen(engine, rid)
    before = due(engine, rid)
    assert before["chair_notified"].status is DeadlineStatus.MET
    clock.set(at_noon(date(2027, 2, 10)))
    engine.execute(rid, PAUSE, BOARD_CHAIR)
    clock.set(at_noon(date(2027, 6, 10)))
    during = due(engine, rid)
    assert during["initial_meeting"].status is DeadlineStatus.PAUSED
    assert during["review_complete"].status is DeadlineStatus.PAUSED
    assert during["initial_meeting"].days_late == 0
    assert during["chair_notified"] == before["chair_notified"]
    assert overdue_keys(engine, today(engine), within_days=365) == set()
    statuses = {r.key: r.status for r in store_rows(engine, rid)}
    assert statuses == {
        "chair_notified": DeadlineStatus.MET,
        "initial_meeting": DeadlineStatus.PAUSED,
        "review_complete": DeadlineStatus.PAUSED,
    }
    engine.execute(rid, RESUME, BOARD_CHAIR)
    after = due(engine, rid)
    assert after["chair_notified"] == before["chair_notified"]
    for key in ("initial_meeting", "review_complete"):
        assert after[key].due_on == before[key].due_on + timedelta(days=120)
    assert after["initial_meeting"].due_on == date(2027, 6, 28)
    assert after["initial_meeting"].status is DeadlineStatus.DUE
    assert engine.get(rid).pauses[-1].process == "criminal proceedings"


@pytest.mark.rule("PR-a")
def test_pr_a_extension_moves_one_deadline_and_records_why() -> None:
    """PR-a: an extension moves the one deadline to the new date, with who and why in
    the review; earlier dates and closed deadlines are refused."""
    engine, _, rid = at_meeting(date(2027, 3, 1))
    found = due(engine, rid)
    imr = next(k for k in found if k.startswith("imr:"))
    old_due = found[imr].due_on
    with pytest.raises(TransitionRefused) as caught:
        engine.execute(rid, c.ExtendDeadline(imr, old_due, "More time."), PANEL_CHAIR)
    assert "PR-a" in caught.value.rules
    with pytest.raises(TransitionRefused) as caught:
        engine.execute(
            rid, c.ExtendDeadline("initial_meeting", date(2027, 12, 1), "Late."), PANEL_CHAIR
        )
    assert any("no longer open" in r.message for r in caught.value.refusals)
    new_due = old_due + timedelta(days=21)
    engine.execute(rid, c.ExtendDeadline(imr, new_due, "The writer is ill."), PANEL_CHAIR)
    after = due(engine, rid)
    assert after[imr].due_on == new_due
    assert {k: d.due_on for k, d in after.items() if k != imr} == {
        k: d.due_on for k, d in found.items() if k != imr
    }
    ext = engine.get(rid).extensions[-1]
    assert (ext.deadline, ext.new_due, ext.reasons, ext.on) == (
        imr,
        new_due,
        "The writer is ill.",
        date(2027, 3, 1),
    )
    assert ext.by == PANEL_CHAIR.id


@pytest.mark.rule("SU-4")
@pytest.mark.rule("SU-5")
def test_withdrawn_review_cancels_its_open_deadlines_su4_su5() -> None:
    """Withdrawal ends the review: its open deadlines are ``cancelled`` (met ones stay
    met), never overdue however late, and off the overdue report."""
    engine, clock = engine_on(date(2027, 1, 31))
    rid = submit(engine)
    screen(engine, rid)
    clock.set(at_noon(date(2027, 3, 15)))
    assert (rid, "initial_meeting") in overdue_keys(engine, today(engine))
    engine.execute(rid, c.Withdraw("The family asked for the review to stop."), BOARD_CHAIR)
    found = due(engine, rid, as_of=date(2030, 1, 1))
    assert found["initial_meeting"].status is DeadlineStatus.CANCELLED
    assert found["review_complete"].status is DeadlineStatus.CANCELLED
    assert found["initial_meeting"].days_late == 0
    assert overdue_keys(engine, date(2030, 1, 1)) == set()


@pytest.mark.rule("RF-3")
@pytest.mark.rule("SU-5")
def test_declined_request_cancels_its_deadlines_rf3() -> None:
    """RF-3 / SU-5: a request the Chair declines (CR-4) ends there: its met RF-3
    deadline stays met, the rest are cancelled."""
    settings = ProtocolSettings(version="rf3", chair_notification_days=5)
    engine, _ = engine_on(date(2027, 1, 31), settings)
    form = demo_request(CriteriaFacts(abuse_or_neglect_factor=True), incident_on=date(2027, 1, 20))
    rid = engine.submit(form, REQUESTER).id
    engine.execute(rid, c.RecordChairNotified(date(2027, 1, 31)), BUSINESS_MANAGER)
    engine.execute(rid, c.AssessCriteria(), BOARD_CHAIR)
    engine.execute(rid, c.Decline("No criterion is met."), BOARD_CHAIR)
    assert engine.get(rid).stage is Stage.NOT_TAKEN_FORWARD
    found = due(engine, rid)
    assert found["chair_notified"].status is DeadlineStatus.MET
    assert found["initial_meeting"].status is DeadlineStatus.CANCELLED
    assert found["review_complete"].status is DeadlineStatus.CANCELLED


def _initial_meeting_with(status: DeadlineStatus) -> Deadline:
    """The SU-5 deadline of a review received on 31 January 2027 (due 28 February),
    brought to ``status``."""
    engine, clock = engine_on(date(2027, 1, 31))
    rid = submit(engine)
    screen(engine, rid)
    prepare(engine, rid)
    if status is DeadlineStatus.MET:
        clock.set(at_noon(date(2027, 2, 20)))
        meet(engine, rid)
    elif status is DeadlineStatus.MISSED:
        clock.set(at_noon(date(2027, 3, 3)))
        meet(engine, rid)
    elif status is DeadlineStatus.OVERDUE:
        clock.set(at_noon(date(2027, 3, 3)))
    elif status is DeadlineStatus.PAUSED:
        engine.execute(rid, PAUSE, BOARD_CHAIR)
        clock.set(at_noon(date(2027, 3, 3)))
    elif status is DeadlineStatus.CANCELLED:
        engine.execute(rid, c.Withdraw("The family asked for it to stop."), BOARD_CHAIR)
        clock.set(at_noon(date(2027, 3, 3)))
    return due(engine, rid)["initial_meeting"]


@pytest.mark.rule("SU-5")
@pytest.mark.parametrize("status", list(DeadlineStatus))
def test_su5_every_deadline_status(status: DeadlineStatus) -> None:
    """Every :class:`DeadlineStatus` value, on the SU-5 clock (due 28 February 2027):
    ``due`` before the date, ``met`` on time, ``missed`` late (3 days), ``overdue``
    past it (3 days), ``paused`` while the clocks are paused, ``cancelled`` once the
    review is withdrawn. A new status fails here until it has its example."""
    d = _initial_meeting_with(status)
    assert d.status is status
    expected = {
        DeadlineStatus.DUE: (date(2027, 2, 28), None, 0, True),
        DeadlineStatus.MET: (date(2027, 2, 28), date(2027, 2, 20), 0, False),
        DeadlineStatus.MISSED: (date(2027, 2, 28), date(2027, 3, 3), 3, False),
        DeadlineStatus.OVERDUE: (date(2027, 2, 28), None, 3, True),
        DeadlineStatus.PAUSED: (date(2027, 3, 31), None, 0, True),  # 31 days paused
        DeadlineStatus.CANCELLED: (date(2027, 2, 28), None, 0, False),
    }
    assert (d.due_on, d.met_on, d.days_late, d.open) == expected[status]


@pytest.mark.rule("SU-5")
def test_su5_overdue_report_states_status_as_of_the_date_asked() -> None:
    """SU-5: the overdue report gives each deadline's status on the date asked, even
    when the review has not changed a clock since it fell due."""
    engine, clock = engine_on(date(2027, 1, 31))
    rid = submit(engine)
    screen(engine, rid)
    clock.set(at_noon(date(2027, 3, 10)))
    engine.execute(rid, c.RecordBudget(100, "Venue."), BOARD_CHAIR)
    rows = {r.key: r for r in engine.overdue(date(2027, 3, 10)) if r.review_id == rid}
    assert rows["initial_meeting"].status is DeadlineStatus.OVERDUE
    assert rows["initial_meeting"].due_on == due(engine, rid)["initial_meeting"].due_on
    ahead = {r.key: r for r in engine.overdue(date(2027, 2, 1), within_days=60)}
    assert ahead["initial_meeting"].status is DeadlineStatus.DUE
