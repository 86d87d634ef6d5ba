"""The SAR's clocks (``sar/map.md``, Clocks): no clock ever blocks a transition; a
missed deadline is reported. Working days use the Board's bank-holiday calendar.

SAR-M-12: the review "should be completed within completion_months (default 6, from
the guidance …)"; "Never blocks the review."
"""

from __future__ import annotations

from datetime import date, timedelta

from attrs import evolve
from hypothesis import given
from hypothesis import strategies as st

from scr_engine.protocols.definition import ClockBasis
from scr_engine.protocols.sar import commands as c
from scr_engine.protocols.sar.clocks import (
    CLOCKS,
    add_duration,
    add_working_days_on,
    bank_holidays,
    sar_deadlines,
)
from scr_engine.protocols.sar.methodology import EvidenceType
from scr_engine.protocols.sar.records import (
    Action,
    ActionStatus,
    EvidenceItem,
    EvidenceStatus,
    InvolvementEntry,
    InvolvementLevel,
    ParallelProcess,
    ParallelProcessType,
    SarReview,
)
from scr_engine.protocols.sar.settings import (
    CompletionStart,
    DecisionStart,
    Duration,
    DurationUnit,
    SarSettings,
)
from scr_engine.rules.deadlines import Deadline, DeadlineStatus
from support.sar import (
    CHAIR,
    MANAGER,
    START,
    Run,
    commissioned,
    methodology,
    ratified,
    report,
    requested,
    screened,
    terms,
)

WD = DurationUnit.WORKING_DAYS


def _by_key(run: Run, today: date | None = None) -> dict[str, Deadline]:
    return {d.key: d for d in sar_deadlines(run.r, run.settings, today or run.today)}


def test_the_clocks_table_is_map_mds() -> None:
    """Every clock of map.md with its rule and basis: the completion target is the
    guidance's (SAR-M-12); the annual report's are statute without a number (SAR-A-5,
    SAR-A-8); the rest local (SAR-R-3, SAR-R-4, SAR-I-5, SAR-D-4, SAR-D-5, SAR-M-7,
    SAR-M-11, SAR-P-10, SAR-P-3, SAR-F-6, SAR-A-3)."""
    basis = {k.rule: k.basis for k in CLOCKS}
    assert basis["SAR-M-12"] is ClockBasis.GUIDANCE
    assert basis["SAR-A-5"] is basis["SAR-A-8"] is ClockBasis.STATUTE
    local = ("SAR-R-3", "SAR-R-4", "SAR-I-5", "SAR-D-4", "SAR-D-5", "SAR-M-7", "SAR-M-11")
    assert all(basis[r] is ClockBasis.LOCAL for r in (*local, "SAR-P-10", "SAR-P-3", "SAR-F-6"))
    assert basis["SAR-A-3"] is ClockBasis.LOCAL


def test_off_targets_make_no_deadline_sar_r_3_sar_d_4() -> None:
    """SAR-R-3, SAR-D-4: "There is no national number": targets are off by default."""
    run = requested()
    assert _by_key(run) == {}


def test_acknowledgement_target_in_working_days_sar_r_3() -> None:
    """SAR-R-3: acknowledged within `acknowledge_target` (North Yorkshire: same day)."""
    run = Run(SarSettings(acknowledge_target=Duration(1, WD)))
    requested(run)
    late = _by_key(run, run.today + timedelta(days=5))["referral_acknowledged"]
    assert late.status is DeadlineStatus.OVERDUE
    run.do(MANAGER, c.AcknowledgeRequest())
    assert _by_key(run)["referral_acknowledged"].status is DeadlineStatus.MET


def test_decision_clock_starts_at_receipt_or_information_complete_sar_d_4() -> None:
    """SAR-D-4: from receipt (default) or from "information complete"
    (`decision_clock_start`); ten working days after the last chronology in North
    Yorkshire's example."""
    run = Run(SarSettings(decision_target=Duration(10, WD)))
    requested(run)
    d = _by_key(run)["decision"]
    assert d.due_on == add_working_days_on(run.today, 10)
    later = Run(
        SarSettings(
            decision_target=Duration(10, WD),
            decision_clock_start=DecisionStart.INFORMATION_COMPLETE,
        )
    )
    requested(later)
    assert "decision" not in _by_key(later)  # information is not complete yet


def test_completion_clock_six_months_from_decision_or_commissioning_sar_m_12() -> None:
    """SAR-M-12: `completion_months` (6) from `completion_clock_start` (decision by
    default); complete means the concluded event (sign-off)."""
    run = screened()
    d = _by_key(run)["review_complete"]
    assert d.starts_on == run.r.decision.decided_on  # type: ignore[union-attr]
    assert d.due_on == date(2027, 7, 12)
    late = _by_key(run, date(2027, 8, 1))["review_complete"]
    assert late.status is DeadlineStatus.OVERDUE
    done = ratified()
    assert _by_key(done)["review_complete"].status is DeadlineStatus.MET
    nine = Run(
        SarSettings(completion_months=9, completion_clock_start=CompletionStart.COMMISSIONED)
    )
    commissioned(nine)
    d9 = _by_key(nine)["review_complete"]
    assert d9.starts_on == nine.r.commissioned_on


def test_a_pause_stops_the_clocks_and_an_extension_moves_one_sar_m_10_sar_m_12() -> None:
    """SAR-M-10: a paused clock does not run; SAR-M-12: an extension moves one deadline
    and records why. Neither blocks anything."""
    run = screened()
    due = _by_key(run)["review_complete"].due_on
    run.do(MANAGER, c.RegisterParallelProcess(ParallelProcess("trial", ParallelProcessType.POLICE)))
    run.do(CHAIR, c.PauseClock("trial", "the police asked"))
    assert _by_key(run)["review_complete"].status is DeadlineStatus.PAUSED
    run.do(CHAIR, c.ResumeClock(), days=30)
    assert _by_key(run)["review_complete"].due_on == due + timedelta(30)
    run.do(CHAIR, c.ExtendDeadline("review_complete", date(2027, 12, 1), "court dates"))
    assert _by_key(run)["review_complete"].due_on == date(2027, 12, 1)


def test_a_pause_after_an_extension_still_stops_the_clock_sar_m_12() -> None:
    """SAR-M-10, SAR-M-12: an extended deadline keeps running with the pauses after
    the extension, as the SCR's do (one deadline rule for every protocol)."""
    run = screened()
    run.do(CHAIR, c.ExtendDeadline("review_complete", date(2027, 12, 1), "court dates"))
    run.do(MANAGER, c.RegisterParallelProcess(ParallelProcess("trial", ParallelProcessType.POLICE)))
    run.do(CHAIR, c.PauseClock("trial", "the police asked"), days=1)
    run.do(CHAIR, c.ResumeClock(), days=20)
    assert _by_key(run)["review_complete"].due_on == date(2027, 12, 21)


def test_report_due_as_set_in_the_terms_sar_p_10() -> None:
    """SAR-P-10: the report is due as the ToR set; an overdue report is reported."""
    run = commissioned()
    d = _by_key(run, date(2027, 6, 2))["report_due"]
    assert d.due_on == date(2027, 6, 1) and d.status is DeadlineStatus.OVERDUE


def test_each_evidence_item_has_its_plan_due_date_sar_m_11_sar_m_2() -> None:
    """SAR-M-2, SAR-M-11: each item's clock runs to the due date of the plan."""
    run = commissioned()
    keys = {k for k in _by_key(run) if k.startswith("evidence:")}
    assert keys == {f"evidence:{i.id}" for i in run.r.methodology.plan}  # type: ignore[union-attr]


def test_each_action_is_a_deadline_sar_a_3() -> None:
    """SAR-A-3: each action's timescale is a deadline; overdue actions are reported."""
    run = ratified()
    late = _by_key(run, date(2027, 12, 2))["action:A1"]
    assert late.status is DeadlineStatus.OVERDUE


def test_family_sight_window_sar_f_6() -> None:
    """SAR-F-6: the response window is `family_sight_days` from the draft sent."""
    from support.sar import LEAD, report_drafted

    run = Run(SarSettings(family_sight_days=Duration(14)))
    report_drafted(run)
    run.do(LEAD, c.RecordFamilyResponse("sister", sent_on=run.today))
    assert _by_key(run)["family_sight:sister"].due_on == run.today + timedelta(14)


def test_a_window_past_the_calendar_s_end_stops_there_sar_f_6() -> None:
    """A draft sent near the calendar's end (a review recorded then: a day sent is not
    after the day recorded) and a sight window after it: the deadline is due on the
    last day, not an OverflowError (a 500 over HTTP, and every later command on the
    review refused by it)."""
    late = date(9999, 12, 25)
    for length in (Duration(14), Duration(14, WD), Duration(2, DurationUnit.MONTHS)):
        assert add_duration(late, length) == date.max, length
        run = Run(SarSettings(family_sight_days=length), today=late)
        screened(run)
        entry = InvolvementEntry(
            "sister",
            "sister",
            InvolvementLevel.CONTRIBUTE,
            contacted_on=run.today,
            sight_sent_on=late,
        )
        run.do(MANAGER, c.RecordInvolvement(entry))
        assert _by_key(run)["family_sight:sister"].due_on == date.max


def test_s45_and_scoping_targets_are_local_settings_off_by_default_sar_i_5_sar_r_4() -> None:
    """SAR-I-5: "The Act sets no time limit: the due date is a setting
    (s45_response_target, default: off)"; SAR-R-4: `scoping_return_target` likewise."""
    s = SarSettings()
    assert s.s45_response_target is None and s.scoping_return_target is None
    assert SarSettings(s45_response_target=Duration(20, WD)).s45_response_target == Duration(20, WD)


def test_working_days_skip_the_configured_calendars_bank_holidays() -> None:
    """map.md, Clocks: "Working days use a configured bank-holiday calendar (default:
    England & Wales)" — 2 January is a holiday in Scotland, not in England."""
    assert add_working_days_on(date(2026, 12, 31), 1) == date(2027, 1, 4)
    assert add_working_days_on(date(2026, 12, 31), 1, "scotland") == date(2027, 1, 5)
    assert date(2027, 1, 2) not in bank_holidays("england_and_wales")


@given(st.dates(date(2025, 1, 1), date(2030, 12, 31)), st.integers(1, 40))
def test_working_days_land_on_a_working_day(start: date, days: int) -> None:
    """A working-day due date is a weekday that is no bank holiday, at least ``days``
    calendar days later; months clamp to the month's end."""
    due = add_duration(start, Duration(days, WD))
    assert due.weekday() < 5 and due not in bank_holidays("england_and_wales")
    assert (due - start).days >= days
    assert add_duration(date(2027, 1, 31), Duration(1, DurationUnit.MONTHS)) == date(2027, 2, 28)


def _rich() -> tuple[SarReview, SarSettings]:
    """A review with every kind of deadline, every target set (Scottish calendar)."""
    review = screened().r
    assert review.decision is not None
    plan = (
        EvidenceItem("e1", EvidenceType.CHRONOLOGY, "asc", date(2027, 3, 1)),
        EvidenceItem("e2", EvidenceType.CHRONOLOGY, "nhs", date(2027, 3, 2)),
        EvidenceItem("e3", EvidenceType.CHRONOLOGY, "housing"),
    )
    plan = (
        evolve(plan[0], status=EvidenceStatus.SUFFICIENT, judged_on=date(2027, 2, 20)),
        evolve(plan[1], status=EvidenceStatus.RECEIVED, judged_on=date(2027, 2, 21)),
        plan[2],
    )
    due = date(2027, 12, 1)
    review = evolve(
        review,
        acknowledged_on=date(2027, 1, 13),
        commissioned_on=date(2027, 1, 21),
        terms=terms(),
        report=evolve(report(), submitted_on=date(2027, 5, 20)),
        methodology=evolve(methodology(), plan=plan),
        involvement=(
            InvolvementEntry(
                "sis",
                "sister",
                InvolvementLevel.SEE_REPORT,
                START,
                sight_sent_on=date(2027, 5, 21),
                responded_on=date(2027, 5, 25),
            ),
            InvolvementEntry("bro", "brother", InvolvementLevel.SEE_REPORT, START),
        ),
        ratified_on=date(2027, 6, 10),
        concluded_on=date(2027, 6, 10),
        actions=(
            Action("A1", "asc", due, "o", "m", ("F1",), created_on=date(2027, 6, 11)),
            Action(
                "A2",
                "nhs",
                due,
                "o",
                "m",
                ("F1",),
                status=ActionStatus.COMPLETED,
                closed_on=date(2027, 11, 30),
            ),
        ),
    )
    settings = SarSettings(
        acknowledge_target=Duration(60, WD),
        decision_target=Duration(28),
        commissioning_target=Duration(2, DurationUnit.MONTHS),
        family_sight_days=Duration(14),
        bank_holiday_calendar="scotland",
    )
    return review, settings


def test_every_deadline_of_a_review_with_its_rule_start_due_and_met_day() -> None:
    """SAR-R-3, SAR-D-4, SAR-M-7, SAR-M-12, SAR-P-10, SAR-M-11, SAR-F-6, SAR-A-3: each
    deadline's key, rule, start, due day (counted on the Board's calendar) and the day
    it was met: evidence when judged sufficient, family sight when answered, an action
    when closed."""
    review, settings = _rich()
    decided = date(2027, 1, 12)
    ack = add_working_days_on(START, 60, "scotland")
    assert ack != add_working_days_on(START, 60, "england_and_wales")  # Easter Monday
    found = [
        (d.key, d.rule, d.starts_on, d.due_on, d.met_on)
        for d in sar_deadlines(review, settings, date(2027, 7, 1))
    ]
    assert found == [
        ("referral_acknowledged", "SAR-R-3", START, ack, date(2027, 1, 13)),
        ("decision", "SAR-D-4", START, date(2027, 2, 8), decided),
        ("commissioning", "SAR-M-7", decided, date(2027, 3, 12), date(2027, 1, 21)),
        ("review_complete", "SAR-M-12", decided, date(2027, 7, 12), date(2027, 6, 10)),
        ("report_due", "SAR-P-10", date(2027, 1, 21), date(2027, 6, 1), date(2027, 5, 20)),
        ("evidence:e1", "SAR-M-11", date(2027, 1, 21), date(2027, 3, 1), date(2027, 2, 20)),
        ("evidence:e2", "SAR-M-11", date(2027, 1, 21), date(2027, 3, 2), None),
        ("family_sight:sis", "SAR-F-6", date(2027, 5, 21), date(2027, 6, 4), date(2027, 5, 25)),
        ("action:A1", "SAR-A-3", date(2027, 6, 11), date(2027, 12, 1), None),
        ("action:A2", "SAR-A-3", date(2027, 6, 10), date(2027, 12, 1), date(2027, 11, 30)),
    ]


def test_deadlines_wait_for_what_they_count_from_sar_p_10_sar_m_11_sar_a_3() -> None:
    """SAR-P-10, SAR-M-11: no report or evidence deadline before commissioning, nor a
    report deadline without terms; SAR-A-3: an action with no creation day counts from
    the referral when not yet ratified."""
    review, settings = _rich()
    early = evolve(review, commissioned_on=None)
    keys = {d.key for d in sar_deadlines(early, settings, START)}
    assert not {"report_due", "evidence:e1", "evidence:e2"} & keys
    no_terms = evolve(review, terms=None)
    assert "report_due" not in {d.key for d in sar_deadlines(no_terms, settings, START)}
    no_plan = evolve(review, methodology=None)
    assert "evidence:e1" not in {d.key for d in sar_deadlines(no_plan, settings, START)}
    unratified = evolve(review, ratified_on=None)
    a2 = {d.key: d for d in sar_deadlines(unratified, settings, START)}["action:A2"]
    assert a2.starts_on == START


def test_a_duration_in_working_days_counts_the_calendar_given() -> None:
    """SAR-P-3, SAR-F-6 (any working-day target): St Andrew's Day is a Scottish bank
    holiday, not an English one."""
    monday = date(2027, 11, 29)
    one = Duration(1, WD)
    assert add_duration(monday, one, "scotland") == date(2027, 12, 1)
    assert add_duration(monday, one) == date(2027, 11, 30)
