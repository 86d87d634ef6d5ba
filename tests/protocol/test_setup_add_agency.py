"""Agencies join after the request (SU-7, RF-5, PR-c): ``add_agency`` brings an agency
into a review, with reasons; it then gets the RF-5 letters and every rule on involved
agencies covers it."""

from __future__ import annotations

from datetime import date, timedelta

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scr_engine import (
    DEFAULT_SETTINGS,
    Agency,
    Appointment,
    Deadline,
    DeadlineStatus,
    FixedClock,
    ImrJudgement,
    InvalidRequest,
    MemoryStore,
    PermissionDenied,
    ReviewEngine,
    Stage,
    TaskKind,
    TransitionRefused,
)
from scr_engine import commands as c
from scr_engine.demo import BOARD_CHAIR, BUSINESS_MANAGER
from scr_engine.rules.deadlines import deadlines
from support.builders import (
    PANEL_CHAIR,
    START,
    draft_report,
    gather_evidence,
    hold_meeting,
    panel_member,
    plan_actions,
    prepare_panel,
    to_stage,
)

FIRE = Agency("fire", "County Fire and Rescue")
AMBULANCE = Agency("ambulance", "Ambulance Service")


@pytest.mark.rule("SU-7")
def test_an_agency_brought_in_at_screening_is_covered_by_every_set_up_rule(
    engine: ReviewEngine, clock: FixedClock
) -> None:
    review = to_stage(engine, clock, Stage.SCREENED)
    joined = engine.execute(
        review.id, c.AddAgency(FIRE, "Attended the fire at the flat."), BOARD_CHAIR
    )
    assert joined.agencies[-1] == "fire" and FIRE in joined.involved_agencies
    letters = [t for t in engine.pending_tasks(limit=100) if t.agency == "fire"]
    assert sorted(t.kind for t in letters) == [
        TaskKind.REQUEST_IMR_WRITER,
        TaskKind.SECURE_RECORDS,
    ]
    assert {t.rule for t in letters} == {"RF-5"}
    # RF-5 and SU-2 now cover it: the panel cannot be convened without them.
    prepared = prepare_panel(engine, review.id, meeting=False)
    assert "fire" in prepared.records_secured
    hold_meeting(engine, review.id)
    terms = engine.get(review.id).terms_of_reference
    assert terms is not None and "fire" in terms.imr_agencies
    assert engine.execute(review.id, c.ConvenePanel(), PANEL_CHAIR).stage is Stage.PANEL_CONVENED


@pytest.mark.rule("RF-5")
def test_an_agency_brought_in_after_convening_must_provide_an_imr(
    engine: ReviewEngine, clock: FixedClock
) -> None:
    review = to_stage(engine, clock, Stage.PANEL_CONVENED)
    engine.execute(review.id, c.AddAgency(AMBULANCE, "Crew attended twice."), PANEL_CHAIR)
    terms = engine.get(review.id).terms_of_reference
    assert terms is not None and terms.imr_agencies[-1] == "ambulance"
    for agency in engine.get(review.id).agencies[:-1]:
        engine.execute(review.id, c.ReceiveImr(agency, f"{agency}'s IMR."), PANEL_CHAIR)
        engine.execute(review.id, c.JudgeImr(agency, ImrJudgement.SUFFICIENT), PANEL_CHAIR)
    engine.execute(review.id, c.ConfirmOverviewBrief("Bring them together."), PANEL_CHAIR)
    with pytest.raises(TransitionRefused) as caught:
        engine.execute(review.id, c.AcceptEvidence(), PANEL_CHAIR)
    assert any("ambulance" in r.message for r in caught.value.refusals)
    engine.execute(review.id, c.ReceiveImr("ambulance", "Ambulance IMR."), PANEL_CHAIR)
    engine.execute(review.id, c.JudgeImr("ambulance", ImrJudgement.SUFFICIENT), PANEL_CHAIR)
    secure_late(engine, review.id, "ambulance")
    assert engine.execute(review.id, c.AcceptEvidence(), PANEL_CHAIR).stage is (
        Stage.EVIDENCE_RECEIVED
    )
    assert engine.verify().ok


def secure_late(engine: ReviewEngine, review_id: str, agency: str) -> None:
    """RF-5 for an agency that joined late: its records secured and its IMR writer."""
    engine.execute(review_id, c.RecordRecordsSecured(agency), BUSINESS_MANAGER)
    writer = c.RecordImrWriter(agency, f"u-imr-{agency}", f"IMR writer for {agency}")
    engine.execute(review_id, writer, BUSINESS_MANAGER)


@pytest.mark.rule("RF-5")
def test_rf5_the_evidence_waits_for_a_late_agency_s_records_and_imr_writer(
    engine: ReviewEngine, clock: FixedClock
) -> None:
    """RF-5: an agency that joined after the panel was convened has its records
    secured and an IMR writer before the evidence is accepted; the refusal names it
    for each."""
    review = to_stage(engine, clock, Stage.PANEL_CONVENED)
    engine.execute(review.id, c.AddAgency(AMBULANCE, "Crew attended twice."), PANEL_CHAIR)
    gather_evidence(engine, review.id, accept=False)
    with pytest.raises(TransitionRefused) as caught:
        engine.execute(review.id, c.AcceptEvidence(), PANEL_CHAIR)
    assert [(r.rule, r.message) for r in caught.value.refusals] == [
        ("RF-5", "records not yet secured by: ambulance"),
        ("RF-5", "no IMR writer identified by: ambulance"),
    ]
    secure_late(engine, review.id, "ambulance")
    assert engine.execute(review.id, c.AcceptEvidence(), PANEL_CHAIR).stage is (
        Stage.EVIDENCE_RECEIVED
    )


@pytest.mark.rule("RP-4")
def test_rp4_a_late_agency_gets_a_member_while_the_report_is_drafted_and_signs_off(
    engine: ReviewEngine, clock: FixedClock
) -> None:
    """RP-4: an agency that joined after the panel was convened, with no panel member,
    does not leave the review stuck: ``ratify`` names what to do, a member is
    appointed for it while the report is drafted, signs it off, and the Board ratifies.
    Only an agency with no member gets one then."""
    review = to_stage(engine, clock, Stage.PANEL_CONVENED)
    engine.execute(review.id, c.AddAgency(AMBULANCE, "Crew attended twice."), PANEL_CHAIR)
    secure_late(engine, review.id, "ambulance")
    gather_evidence(engine, review.id)
    draft_report(engine, review.id)
    for agency in engine.get(review.id).agencies[:-1]:
        engine.execute(review.id, c.RecordAgencySignoff(agency), panel_member(agency))
    plan_actions(engine, review.id, signoffs=False)
    with pytest.raises(TransitionRefused) as caught:
        engine.execute(review.id, c.Ratify(), BOARD_CHAIR)
    assert [r.message for r in caught.value.refusals] == [
        "not yet confirmed as fairly represented by: ambulance",
        "ambulance has no panel member: appoint a panel member for agency ambulance "
        "(appoint_panel_member), who then records its sign-off (record_agency_signoff)",
    ]
    member = panel_member("ambulance")
    other = engine.get(review.id).panel_members[0]
    again = attrs.evolve(other, person_id="u-second", name="A Second Member")
    with pytest.raises(TransitionRefused) as twice:
        engine.execute(review.id, c.AppointPanelMember(again), BOARD_CHAIR)
    assert twice.value.rules == ("RP-4",)
    appointment = Appointment(member.id, member.name, agency="ambulance")
    engine.execute(review.id, c.AppointPanelMember(appointment), BOARD_CHAIR)
    engine.execute(review.id, c.RecordAgencySignoff("ambulance"), member)
    assert engine.execute(review.id, c.Ratify(), BOARD_CHAIR).stage is Stage.RATIFIED
    assert engine.verify().ok


@pytest.mark.rule("SU-7")
def test_bringing_an_agency_in_is_refused_with_every_reason(
    engine: ReviewEngine, clock: FixedClock
) -> None:
    review = to_stage(engine, clock, Stage.SCREENED)
    with pytest.raises(PermissionDenied) as denied:
        engine.execute(review.id, c.AddAgency(FIRE, "Why not."), BUSINESS_MANAGER)
    assert denied.value.rules == ("SU-7",)
    with pytest.raises(InvalidRequest) as caught:
        engine.execute(review.id, c.AddAgency(Agency("gp", " "), " "), BOARD_CHAIR)
    assert {(r.rule, r.field) for r in caught.value.refusals} == {
        ("SU-7", "reasons"),
        ("SU-7", "agency.name"),
        ("SU-7", "agency.code"),
    }
    later = to_stage(engine, clock, Stage.EVIDENCE_RECEIVED)
    with pytest.raises(TransitionRefused) as wrong_stage:
        engine.execute(later.id, c.AddAgency(FIRE, "Too late."), BOARD_CHAIR)
    assert wrong_stage.value.rules == ("MAP",)
    assert len(engine.history(review.id)) == 4


def _imr_deadline(engine: ReviewEngine, review_id: str, agency: str, as_of: date) -> Deadline:
    found = [d for d in engine.deadlines(review_id, as_of) if d.key == f"imr:{agency}"]
    assert len(found) == 1, found
    return found[0]


@pytest.mark.rule("SU-7")
def test_su7_a_late_agency_s_imr_clock_starts_the_day_it_joins(
    engine: ReviewEngine, clock: FixedClock
) -> None:
    """SU-7: an agency brought in 50 days after the initial meeting, when the other
    IMRs are already overdue, is not overdue the day it joins: its IMR falls due 50
    days after theirs, counted from the day it joined (its ``occurred_on``). A review
    recorded before joining days were kept counts it from the meeting, as before."""
    review = to_stage(engine, clock, Stage.PANEL_CONVENED)
    meeting = review.initial_meeting_on
    assert meeting is not None
    clock.advance(timedelta(days=51))
    joined_on = meeting + timedelta(days=50)
    joined = engine.execute(
        review.id, c.AddAgency(AMBULANCE, "Crew attended twice.", joined_on), PANEL_CHAIR
    )
    assert joined.joined_on("ambulance") == joined_on
    gp = _imr_deadline(engine, review.id, "gp", joined_on)
    late = _imr_deadline(engine, review.id, "ambulance", joined_on)
    assert gp.status is DeadlineStatus.OVERDUE
    assert late.status is DeadlineStatus.DUE
    assert (late.starts_on, late.due_on) == (joined_on, gp.due_on + timedelta(days=50))
    assert late.due_on - late.starts_on == gp.due_on - gp.starts_on
    before = attrs.evolve(joined, joinings=())
    [old] = [d for d in deadlines(before, DEFAULT_SETTINGS, joined_on) if d.key.endswith("ance")]
    assert (old.starts_on, old.due_on) == (meeting, gp.due_on)


@pytest.mark.rule("SU-7")
@settings(max_examples=15)
@given(days=st.integers(min_value=0, max_value=400), before_meeting=st.booleans())
def test_su7_property_a_late_imr_is_due_as_many_days_later_as_its_agency_joined(
    days: int, before_meeting: bool
) -> None:
    """SU-7: an agency that joins N days after the initial meeting has its IMR due N
    days after the others' (and is never overdue the day it joins); one that joins
    before the meeting has the others' day."""
    clock = FixedClock(START)
    engine = ReviewEngine(MemoryStore(), clock)
    stage = Stage.SCREENED if before_meeting else Stage.PANEL_CONVENED
    review = to_stage(engine, clock, stage)
    clock.advance(timedelta(days=days))
    engine.execute(review.id, c.AddAgency(AMBULANCE, "Crew attended."), BOARD_CHAIR)
    if before_meeting:
        prepare_panel(engine, review.id)
    day = engine.deadlines(review.id)[0].starts_on + timedelta(days=days + 1000)
    gp = _imr_deadline(engine, review.id, "gp", day)
    late = _imr_deadline(engine, review.id, "ambulance", day)
    shift = 0 if before_meeting else days
    assert late.due_on - gp.due_on == timedelta(days=shift)
    joined_on = engine.get(review.id).joined_on("ambulance")
    assert joined_on is not None
    assert _imr_deadline(engine, review.id, "ambulance", joined_on).status is not (
        DeadlineStatus.OVERDUE
    )
