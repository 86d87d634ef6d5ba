"""Setting up the review (§5): SU-1 … SU-10, and the general principles PR-a … PR-h
(PR-f, co-operation, has nothing to test)."""

from __future__ import annotations

from datetime import date, timedelta

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from scr_engine import (
    Actor,
    Agency,
    Appointment,
    CriteriaFacts,
    DeadlineStatus,
    ExecutiveSummary,
    FamilyDecision,
    FamilyInvolvement,
    FamilyRepresentation,
    FixedClock,
    InvalidRequest,
    LegalService,
    Meeting,
    MemberCapacity,
    MemoryStore,
    PermissionDenied,
    ProtocolSettings,
    RefusalKind,
    Review,
    ReviewEngine,
    Role,
    Stage,
    TermsOfReference,
    TorAnswer,
    TorItem,
    TransitionRefused,
    WriterMeetingPurpose,
)
from scr_engine import commands as c
from scr_engine.demo import OVERVIEW_WRITER
from scr_engine.history import replay, verify_history
from scr_engine.rules import report, setup
from scr_engine.rules.common import Context
from scr_engine.rules.deadlines import FURTHEST_DAYS, LONGEST_MONTHS
from scr_engine.rules.settings import DEFAULT_SETTINGS
from scr_engine.serialization import structure, unstructure
from support.asserts import accepted, assert_refused, invalid
from support.builders import (
    BOARD_CHAIR,
    BUSINESS_MANAGER,
    FAMILY_ADVOCATE,
    PANEL_CHAIR,
    REQUESTER,
    START,
    demo_request,
    do,
    draft_report,
    full_report,
    full_terms,
    gather_evidence,
    hold_meeting,
    meeting,
    panel_member,
    plan_actions,
    prepare_panel,
    ready_for_meeting,
    screen,
    submit,
    to_stage,
    today,
)


def _screened(engine: ReviewEngine) -> Review:
    review = submit(engine)
    return screen(engine, review.id)


def _ready_for_meeting(engine: ReviewEngine) -> tuple[Review, TermsOfReference]:
    """A screened review with everything but the initial meeting, and full terms."""
    review = _screened(engine)
    ready = prepare_panel(engine, review.id, meeting=False)
    return ready, full_terms(ready, today(engine))


def _meeting_refusal(
    engine: ReviewEngine, review: Review, terms: TermsOfReference
) -> TransitionRefused:
    with pytest.raises(TransitionRefused) as refused:
        engine.execute(review.id, c.HoldInitialMeeting(terms), PANEL_CHAIR)
    assert engine.get(review.id).terms_of_reference is None
    return refused.value


# --------------------------------------------------------------------------- SU-1


@pytest.mark.rule("SU-1")
@pytest.mark.parametrize(
    "command",
    [
        c.AppointPanelChair(
            Appointment("u-x", "Xan Involved", None, True, "Was the adult's social worker.")
        ),
        c.AppointPanelMember(
            Appointment("u-x", "Xan Involved", "gp", True, "Treated the adult in 2025.")
        ),
    ],
    ids=["panel-chair", "panel-member"],
)
def test_su1_appointee_declaring_involvement_is_refused(
    engine: ReviewEngine, command: c.Command
) -> None:
    """SU-1: a panel chair or panel member who declares previous involvement with the
    adult, the family or the case is refused (SU-1 and PR-b), with what they declared,
    and not appointed."""
    review = _screened(engine)
    with pytest.raises(TransitionRefused) as refused:
        engine.execute(review.id, command, BOARD_CHAIR)
    assert set(refused.value.rules) == {"SU-1", "PR-b"}
    assert "Xan Involved declared previous involvement" in str(refused.value)
    after = engine.get(review.id)
    assert after.panel_chair is None and after.panel_members == ()


@pytest.mark.rule("SU-1")
def test_su1_requester_cannot_chair_the_panel(engine: ReviewEngine) -> None:
    """SU-1: the person who asked for the review is involved in the case."""
    review = _screened(engine)
    with pytest.raises(TransitionRefused) as refused:
        engine.execute(
            review.id, c.AppointPanelChair(Appointment(REQUESTER.id, REQUESTER.name)), BOARD_CHAIR
        )
    assert refused.value.rules == ("SU-1",)
    assert "requested this review" in refused.value.refusals[0].message


@pytest.mark.rule("SU-1")
def test_su1_panel_chair_appointed_and_needed(engine: ReviewEngine, clock: FixedClock) -> None:
    """SU-1: without a panel chair neither the initial meeting nor the panel can go
    ahead; an impartial chair is recorded with the date of appointment."""
    review = _screened(engine)
    prepare_panel(engine, review.id, panel_chair=False)
    terms = full_terms(engine.get(review.id), today(engine))
    assert _meeting_refusal(engine, review, terms).rules == ("SU-1",)
    with pytest.raises(TransitionRefused) as refused:
        engine.execute(review.id, c.ConvenePanel(), PANEL_CHAIR)
    assert "SU-1" in refused.value.rules

    clock.advance(days=1)
    appointed = engine.execute(
        review.id, c.AppointPanelChair(Appointment("u-pc", "Dee Panelchair")), BOARD_CHAIR
    )
    assert appointed.panel_chair == Appointment(
        "u-pc", "Dee Panelchair", appointed_on=date(2026, 2, 3)
    )


@pytest.mark.rule("SU-1")
def test_su1_only_the_appointed_panel_chair_acts_as_panel_chair(engine: ReviewEngine) -> None:
    """SU-1: once a panel chair is appointed, another person holding the panel_chair
    role is refused with PermissionDenied citing SU-1 (naming the appointed chair) for
    the chair's commands; nothing is recorded; the appointed chair goes ahead."""
    review, terms = _ready_for_meeting(engine)
    imposter = Actor("u-pc2", "Other Chair", {Role.PANEL_CHAIR})
    before = (engine.get(review.id), engine.history(review.id))
    with pytest.raises(PermissionDenied) as denied:
        engine.execute(review.id, c.HoldInitialMeeting(terms), imposter)
    assert denied.value.rules == ("SU-1",)
    assert "u-pc2 is not this review's panel chair (u-pc is)" in str(denied.value)
    with pytest.raises(PermissionDenied) as extend:
        engine.execute(
            review.id,
            c.ExtendDeadline("initial_meeting", date(2026, 4, 1), "Panel chair ill."),
            imposter,
        )
    assert extend.value.rules == ("SU-1",)
    assert (engine.get(review.id), engine.history(review.id)) == before
    assert engine.explain(review.id, c.HoldInitialMeeting(terms), imposter) == list(
        denied.value.refusals
    )

    engine.execute(review.id, c.HoldInitialMeeting(terms), PANEL_CHAIR)
    assert "convene_panel" not in engine.allowed(review.id, imposter)
    assert "convene_panel" in engine.allowed(review.id, PANEL_CHAIR)
    with pytest.raises(PermissionDenied) as convene:
        engine.execute(review.id, c.ConvenePanel(), imposter)
    assert convene.value.rules == ("SU-1",)
    convened = engine.execute(review.id, c.ConvenePanel(), PANEL_CHAIR)
    assert convened.stage is Stage.PANEL_CONVENED

    with pytest.raises(PermissionDenied) as imr:
        engine.execute(review.id, c.ReceiveImr("gp", "GP IMR."), imposter)
    assert imr.value.rules == ("SU-1",)
    assert engine.get(review.id).imrs == ()
    # The business manager may still receive it: the check is on the panel chair only.
    received = engine.execute(review.id, c.ReceiveImr("gp", "GP IMR."), BUSINESS_MANAGER)
    assert [i.agency for i in received.imrs] == ["gp"]


@pytest.mark.rule("SU-1")
def test_su1_panel_chair_identity_refusal_comes_alone(
    engine: ReviewEngine,
) -> None:
    """SU-1: PermissionDenied for a panel chair who is not this review's carries the
    SU-1 reason alone, not the guards the command would fail as well (hardening 7);
    the appointed chair hears about those."""
    review = _screened(engine)
    prepare_panel(engine, review.id, meeting=False, members=False)
    imposter = Actor("u-pc2", "Other Chair", {Role.PANEL_CHAIR})
    with pytest.raises(PermissionDenied) as denied:
        engine.execute(review.id, c.ConvenePanel(), imposter)
    assert denied.value.rules == ("SU-1",)
    with pytest.raises(TransitionRefused) as refused:
        engine.execute(review.id, c.ConvenePanel(), PANEL_CHAIR)
    assert {"SU-2", "SU-6", "SU-8"} <= set(refused.value.rules)


@pytest.mark.rule("SU-1")
def test_su1_before_appointment_no_one_acts_as_panel_chair(engine: ReviewEngine) -> None:
    """SU-1: before a panel chair is appointed, a holder of the panel_chair role is
    refused (the chairs' commands are the board chair's only); once one is appointed,
    anyone else holding the role is refused for who they are."""
    review = _screened(engine)
    other = Actor("u-pc2", "Other Chair", {Role.PANEL_CHAIR})
    extension = c.ExtendDeadline("initial_meeting", date(2026, 4, 1), "No chair yet.")
    refusals = engine.explain(review.id, extension, other)
    assert [(r.rule, r.message) for r in refusals] == [
        (
            "SU-1",
            "no panel chair is appointed yet: until one is, extend_deadline is the "
            "board chair's only",
        )
    ]
    extended = engine.execute(review.id, extension, BOARD_CHAIR)
    assert [x.by for x in extended.extensions] == [BOARD_CHAIR.id]
    engine.execute(review.id, c.AppointPanelChair(Appointment("u-pc", "Dee")), BOARD_CHAIR)
    refusals = engine.explain(review.id, c.ResumeClock("x"), other)
    assert ("SU-1", "u-pc2 is not this review's panel chair (u-pc is)") in {
        (r.rule, r.message) for r in refusals
    }


# --------------------------------------------------------------------------- SU-2


@pytest.mark.rule("SU-2")
def test_su2_panel_represents_every_agency(engine: ReviewEngine) -> None:
    """SU-2: the panel is not convened while an involved agency has no member; the
    refusal names it; once appointed the panel is convened."""
    review = _screened(engine)
    prepare_panel(engine, review.id, members=False)
    for agency in ("asc", "gp"):
        member = panel_member(agency)
        engine.execute(
            review.id,
            c.AppointPanelMember(Appointment(member.id, member.name, agency)),
            BOARD_CHAIR,
        )
    engine.execute(review.id, c.AppointPanelMember(FAMILY_ADVOCATE), BOARD_CHAIR)
    with pytest.raises(TransitionRefused) as refused:
        engine.execute(review.id, c.ConvenePanel(), PANEL_CHAIR)
    assert [(r.rule, r.message) for r in refused.value.refusals] == [
        ("SU-2", "the panel has no member from: police")
    ]
    engine.execute(
        review.id,
        c.AppointPanelMember(Appointment("u-pm-police", "PC Member", "police")),
        BOARD_CHAIR,
    )
    convened = engine.execute(review.id, c.ConvenePanel(), PANEL_CHAIR)
    assert {m.agency for m in convened.panel_members} == {"asc", "gp", "police", None}


def _agency_members(engine: ReviewEngine, review_id: str) -> None:
    for agency in engine.get(review_id).agencies:
        member = panel_member(agency)
        appointment = Appointment(member.id, member.name, agency)
        engine.execute(review_id, c.AppointPanelMember(appointment), BOARD_CHAIR)


@pytest.mark.rule("SU-2")
def test_su2_a_family_represented_via_advocacy_needs_an_advocacy_seat(
    engine: ReviewEngine,
) -> None:
    """SU-2 (Membership guidance), SU-8: when the initial meeting decides the adult or
    family are represented via advocacy, the panel is not convened until a member sits
    for advocacy services (or for the subject or family); the refusal says what to
    do. A member for an agency does not fill that seat."""
    review = _screened(engine)
    prepare_panel(engine, review.id, members=False)
    terms = engine.get(review.id).terms_of_reference
    assert terms is not None and terms.family is not None
    assert terms.family.representation is FamilyRepresentation.ADVOCACY
    _agency_members(engine, review.id)
    with pytest.raises(TransitionRefused) as refused:
        engine.execute(review.id, c.ConvenePanel(), PANEL_CHAIR)
    assert [(r.rule, r.message) for r in refused.value.refusals] == [
        (
            "SU-2",
            "the terms of reference have the adult or family represented via advocacy, but "
            "no panel member sits for advocacy services or for the family: appoint a panel "
            "member for advocacy (appoint_panel_member with represents advocacy)",
        )
    ]
    assert engine.get(review.id).stage is Stage.SCREENED
    advocate = Appointment("u-adv", "Ali Advocate", represents=MemberCapacity.ADVOCACY)
    engine.execute(review.id, c.AppointPanelMember(advocate), BOARD_CHAIR)
    assert engine.execute(review.id, c.ConvenePanel(), PANEL_CHAIR).stage is (Stage.PANEL_CONVENED)


@pytest.mark.rule("SU-2")
@pytest.mark.parametrize(
    ("representation", "seat"),
    [
        (FamilyRepresentation.ADVOCACY, MemberCapacity.SUBJECT_OR_FAMILY),
        (FamilyRepresentation.DIRECT, None),
        (FamilyRepresentation.NONE, None),
    ],
)
def test_su2_which_family_decisions_need_which_seat(
    engine: ReviewEngine, representation: FamilyRepresentation, seat: MemberCapacity | None
) -> None:
    """SU-2: a member for the subject or family fills the advocacy seat too; a family
    represented directly, or not at all, needs no such seat."""
    review = _screened(engine)
    prepare_panel(engine, review.id, meeting=False, advocate=False)
    terms = full_terms(engine.get(review.id), today(engine))
    family = FamilyInvolvement(FamilyDecision.INVOLVE, representation, "As agreed.")
    if representation is FamilyRepresentation.NONE:
        family = attrs.evolve(family, decision=FamilyDecision.NOT_INVOLVED)
    engine.execute(review.id, c.HoldInitialMeeting(attrs.evolve(terms, family=family)), PANEL_CHAIR)
    if seat is not None:
        member = Appointment("u-fam", "Fay Relative", represents=seat)
        engine.execute(review.id, c.AppointPanelMember(member), BOARD_CHAIR)
    convened = engine.execute(review.id, c.ConvenePanel(), PANEL_CHAIR)
    assert convened.stage is Stage.PANEL_CONVENED


@pytest.mark.rule("SU-2")
def test_su2_member_must_name_an_involved_agency_once(engine: ReviewEngine) -> None:
    """SU-2: a panel member represents an involved agency: none, an unknown one, or
    the same person twice is refused."""
    review = _screened(engine)
    with pytest.raises(InvalidRequest) as no_agency:
        engine.execute(
            review.id, c.AppointPanelMember(Appointment("u-m", "Mo Member")), BOARD_CHAIR
        )
    assert [(r.rule, r.field) for r in no_agency.value.refusals] == [("SU-2", "appointment.agency")]
    with pytest.raises(InvalidRequest) as unknown:
        engine.execute(
            review.id,
            c.AppointPanelMember(Appointment("u-m", "Mo Member", "fire")),
            BOARD_CHAIR,
        )
    assert [r.field for r in unknown.value.refusals] == ["appointment.agency"]
    engine.execute(
        review.id, c.AppointPanelMember(Appointment("u-m", "Mo Member", "gp")), BOARD_CHAIR
    )
    with pytest.raises(TransitionRefused) as twice:
        engine.execute(
            review.id, c.AppointPanelMember(Appointment("u-m", "Mo Member", "gp")), BOARD_CHAIR
        )
    assert twice.value.rules == ("SU-2",)


# --------------------------------------------------------------------------- SU-3


@pytest.mark.rule("SU-3")
def test_su3_budget_is_recorded(engine: ReviewEngine) -> None:
    """SU-3: the budgetary requirements are recorded, with what they cover."""
    review = _screened(engine)
    recorded = engine.execute(
        review.id, c.RecordBudget(7500, "Independent chair and writer."), BOARD_CHAIR
    )
    assert recorded.budget is not None
    assert (recorded.budget.amount_pounds, recorded.budget.notes) == (
        7500,
        "Independent chair and writer.",
    )


@pytest.mark.rule("SU-3")
def test_su3_budget_cannot_be_negative_or_unexplained(engine: ReviewEngine) -> None:
    """SU-3: a negative amount or no notes is refused, naming both fields."""
    review = _screened(engine)
    with pytest.raises(InvalidRequest) as refused:
        engine.execute(review.id, c.RecordBudget(-1, ""), BOARD_CHAIR)
    assert {(r.rule, r.field) for r in refused.value.refusals} == {
        ("SU-3", "amount_pounds"),
        ("SU-3", "notes"),
    }
    assert engine.get(review.id).budget is None


@pytest.mark.rule("SU-3")
@pytest.mark.parametrize("amount", [1_000_000_001, 10**50])
def test_su3_budget_is_bounded_by_the_settings(
    engine: ReviewEngine, clock: FixedClock, amount: int
) -> None:
    """SU-3: a budget beyond the settings' ``max_amount_pounds`` (£1bn by default) is
    an input error naming the field, and records nothing; the bound itself is accepted,
    and a Board may set another bound in its settings."""
    review = _screened(engine)
    with pytest.raises(InvalidRequest) as refused:
        engine.execute(review.id, c.RecordBudget(amount, "Venue."), BOARD_CHAIR)
    assert [(r.rule, r.field) for r in refused.value.refusals] == [("SU-3", "amount_pounds")]
    assert "1,000,000,000" in refused.value.refusals[0].message
    assert engine.get(review.id).budget is None
    recorded = engine.execute(review.id, c.RecordBudget(10**9, "Venue."), BOARD_CHAIR)
    assert recorded.budget is not None and recorded.budget.amount_pounds == 10**9

    small = ProtocolSettings(version="small-budgets", max_amount_pounds=5000)
    strict = ReviewEngine(MemoryStore(), clock, settings=small)
    other = _screened(strict)
    with pytest.raises(InvalidRequest):
        strict.execute(other.id, c.RecordBudget(5001, "Venue."), BOARD_CHAIR)
    assert strict.execute(other.id, c.RecordBudget(5000, "Venue."), BOARD_CHAIR).budget


# --------------------------------------------------------------------------- SU-4


@pytest.mark.rule("SU-4")
def test_su4_terms_set_the_review_timescale(engine: ReviewEngine) -> None:
    """SU-4: the panel chair's terms of reference set the timescales; a review given
    nine months is due nine calendar months after the Chair's receipt."""
    review, terms = _ready_for_meeting(engine)
    engine.execute(
        review.id, c.HoldInitialMeeting(attrs.evolve(terms, review_months=9)), PANEL_CHAIR
    )
    due = {d.key: d for d in engine.deadlines(review.id)}
    assert due["review_complete"].due_on == date(2026, 11, 2)
    assert due["review_complete"].rule == "SU-4"
    assert due["overview_report"].due_on == terms.overview_due


@pytest.mark.rule("SU-4")
def test_su4_timescale_of_at_least_a_month(engine: ReviewEngine) -> None:
    """SU-4: a timescale shorter than a month is refused."""
    review, terms = _ready_for_meeting(engine)
    refused = _meeting_refusal(engine, review, attrs.evolve(terms, review_months=0))
    assert [(r.rule, r.field) for r in refused.refusals] == [("SU-4", "terms.review_months")]


@pytest.mark.rule("SU-4")
def test_su4_only_the_panel_chair_sets_the_terms(engine: ReviewEngine) -> None:
    """SU-4: the terms of reference are the panel chair's to set: the board chair is
    refused, citing SU-4."""
    review, terms = _ready_for_meeting(engine)
    with pytest.raises(PermissionDenied) as refused:
        engine.execute(review.id, c.HoldInitialMeeting(terms), BOARD_CHAIR)
    assert refused.value.rules == ("SU-4",)


# --------------------------------------------------------------------------- SU-5


@pytest.mark.rule("SU-5")
def test_su5_late_initial_meeting_is_reported_not_blocked(
    engine: ReviewEngine, clock: FixedClock
) -> None:
    """SU-5: the initial meeting is due a month after receipt; held late it still
    goes ahead, and the deadline shows it missed and by how many days."""
    review = _screened(engine)
    prepare_panel(engine, review.id, meeting=False)
    clock.advance(days=40)  # 14 March 2026; due 2 March
    overdue = {d.key: d for d in engine.deadlines(review.id)}["initial_meeting"]
    assert (overdue.status, overdue.days_late) == (DeadlineStatus.OVERDUE, 12)
    terms = full_terms(engine.get(review.id), today(engine))
    held = engine.execute(review.id, c.HoldInitialMeeting(terms), PANEL_CHAIR)
    assert held.initial_meeting_on == date(2026, 3, 14)
    meeting = {d.key: d for d in engine.deadlines(review.id)}["initial_meeting"]
    assert (meeting.due_on, meeting.met_on) == (date(2026, 3, 2), date(2026, 3, 14))
    assert (meeting.status, meeting.days_late) == (DeadlineStatus.MISSED, 12)


# --------------------------------------------------------------------------- SU-6


@pytest.mark.rule("SU-6")
def test_su6_every_item_must_be_addressed(engine: ReviewEngine) -> None:
    """SU-6: terms that leave items unaddressed, blank, or "not applicable" without a
    reason are refused, naming each item at once."""
    review, terms = _ready_for_meeting(engine)
    items = dict(terms.items)
    del items[TorItem.TRAINING]
    del items[TorItem.PARALLEL_ENQUIRIES]
    items[TorItem.HISTORY] = TorAnswer(text="  ")
    items[TorItem.RESOURCE_ISSUES] = TorAnswer(not_applicable=True)
    refused = _meeting_refusal(engine, review, attrs.evolve(terms, items=items))
    assert set(refused.rules) == {"SU-6"}
    assert {r.field for r in refused.refusals} == {
        "terms.items.training",
        "terms.items.parallel_enquiries",
        "terms.items.history",
        "terms.items.resource_issues",
    }


@pytest.mark.rule("SU-6")
def test_su6_not_applicable_with_a_reason_is_accepted(engine: ReviewEngine) -> None:
    """SU-6: an item may be answered "not applicable" with a reason."""
    review, terms = _ready_for_meeting(engine)
    items = {
        **terms.items,
        TorItem.DIVERSITY_ISSUES: TorAnswer(not_applicable=True, reason="None were raised."),
    }
    held = engine.execute(
        review.id, c.HoldInitialMeeting(attrs.evolve(terms, items=items)), PANEL_CHAIR
    )
    assert held.terms_of_reference is not None
    assert held.terms_of_reference.items[TorItem.DIVERSITY_ISSUES].reason == "None were raised."
    assert len(TorItem) == 16 and set(held.terms_of_reference.items) == set(TorItem)


@pytest.mark.rule("SU-6")
def test_su6_panel_not_convened_without_agreed_terms(engine: ReviewEngine) -> None:
    """SU-6: the panel cannot be convened before the initial meeting agrees terms (and
    with them the SU-8 family decision, so both are cited); the meeting is held once."""
    review = _screened(engine)
    prepare_panel(engine, review.id, meeting=False)
    with pytest.raises(TransitionRefused) as refused:
        engine.execute(review.id, c.ConvenePanel(), PANEL_CHAIR)
    assert refused.value.rules == ("SU-6", "SU-8")
    held = hold_meeting(engine, review.id)
    assert held.terms_of_reference is not None
    terms = full_terms(held, today(engine))
    with pytest.raises(TransitionRefused) as again:
        engine.execute(review.id, c.HoldInitialMeeting(terms), PANEL_CHAIR)
    assert again.value.rules == ("SU-6",)
    assert "already held on 2026-02-02" in again.value.refusals[0].message


# --------------------------------------------------------------------------- SU-7


@pytest.mark.rule("SU-7")
@pytest.mark.rule("PR-c")
def test_su7_evidence_required_is_recorded_with_a_deadline_each(engine: ReviewEngine) -> None:
    """SU-7: the terms say which agencies provide IMRs: every involved agency (PR-c),
    in any order; an IMR is due from each of them (a deadline each, on the terms'
    date), and each agency's IMR is received."""
    review, terms = _ready_for_meeting(engine)
    engine.execute(
        review.id,
        c.HoldInitialMeeting(attrs.evolve(terms, imr_agencies=("police", "asc", "gp"))),
        PANEL_CHAIR,
    )
    convened = engine.execute(review.id, c.ConvenePanel(), PANEL_CHAIR)
    assert set(convened.imr_agencies) == {"asc", "gp", "police"}
    imr_deadlines = {d.key: d.due_on for d in engine.deadlines(review.id) if d.rule == "SU-7"}
    assert imr_deadlines == {
        "imr:asc": terms.imr_due,
        "imr:gp": terms.imr_due,
        "imr:police": terms.imr_due,
    }
    received = engine.execute(review.id, c.ReceiveImr("police", "Police IMR."), PANEL_CHAIR)
    assert [i.agency for i in received.imrs] == ["police"]


@pytest.mark.rule("SU-7")
def test_su7_imr_agencies_and_due_date_are_checked(engine: ReviewEngine) -> None:
    """SU-7: no IMR agencies, a repeated one, or IMRs due on the meeting day are refused."""
    review, terms = _ready_for_meeting(engine)
    empty = _meeting_refusal(engine, review, attrs.evolve(terms, imr_agencies=()))
    assert [(r.rule, r.field) for r in empty.refusals] == [("SU-7", "terms.imr_agencies")]
    twice = _meeting_refusal(
        engine,
        review,
        attrs.evolve(terms, imr_agencies=(*review.agencies, "gp"), imr_due=today(engine)),
    )
    assert {(r.rule, r.field) for r in twice.refusals} == {
        ("SU-7", "terms.imr_agencies"),
        ("SU-7", "terms.imr_due"),
    }


# --------------------------------------------------------------------------- SU-8


@pytest.mark.rule("SU-8")
def test_su8_family_decision_is_required_with_reasons(engine: ReviewEngine) -> None:
    """SU-8: whether to consult or involve the victim or relatives must be decided,
    with reasons; the decision and how they are represented are recorded."""
    review, terms = _ready_for_meeting(engine)
    undecided = _meeting_refusal(engine, review, attrs.evolve(terms, family=None))
    assert [(r.rule, r.field) for r in undecided.refusals] == [("SU-8", "terms.family")]
    no_reason = FamilyInvolvement(FamilyDecision.INVOLVE, FamilyRepresentation.DIRECT, "")
    unexplained = _meeting_refusal(engine, review, attrs.evolve(terms, family=no_reason))
    assert [(r.rule, r.field) for r in unexplained.refusals] == [("SU-8", "terms.family.reasons")]

    family = FamilyInvolvement(
        FamilyDecision.INVOLVE, FamilyRepresentation.ADVOCACY, "The son asked to take part."
    )
    held = engine.execute(
        review.id, c.HoldInitialMeeting(attrs.evolve(terms, family=family)), PANEL_CHAIR
    )
    assert held.terms_of_reference is not None
    assert held.terms_of_reference.family == family


@pytest.mark.rule("SU-8")
def test_su8_a_family_not_involved_is_not_represented_directly(engine: ReviewEngine) -> None:
    """SU-8: a decision not to consult or involve the victim or relatives cannot come
    with their direct representation; without it the same decision is recorded."""
    review, terms = _ready_for_meeting(engine)
    both = FamilyInvolvement(
        FamilyDecision.NOT_INVOLVED, FamilyRepresentation.DIRECT, "No relatives traced."
    )
    refused = _meeting_refusal(engine, review, attrs.evolve(terms, family=both))
    assert [(r.rule, r.field) for r in refused.refusals] == [
        ("SU-8", "terms.family.representation")
    ]
    alone = attrs.evolve(both, representation=FamilyRepresentation.NONE)
    held = engine.execute(
        review.id, c.HoldInitialMeeting(attrs.evolve(terms, family=alone)), PANEL_CHAIR
    )
    assert held.terms_of_reference is not None and held.terms_of_reference.family == alone


# --------------------------------------------------------------------------- SU-9


@pytest.mark.rule("SU-9")
def test_su9_writer_appointed_before_the_panel_sits(engine: ReviewEngine) -> None:
    """SU-9: the panel (and so the evidence) waits for the overview writer; only the
    board chair appoints one (PermissionDenied citing SU-9 otherwise)."""
    review = _screened(engine)
    prepare_panel(engine, review.id, overview_writer=False)
    with pytest.raises(TransitionRefused) as refused:
        engine.execute(review.id, c.ConvenePanel(), PANEL_CHAIR)
    assert refused.value.rules == ("SU-9",)
    appointment = Appointment(OVERVIEW_WRITER.id, OVERVIEW_WRITER.name)
    with pytest.raises(PermissionDenied) as denied:
        engine.execute(review.id, c.AppointOverviewWriter(appointment), PANEL_CHAIR)
    assert denied.value.rules == ("SU-9",)
    appointed = engine.execute(review.id, c.AppointOverviewWriter(appointment), BOARD_CHAIR)
    assert appointed.overview_writer is not None
    assert appointed.overview_writer.person_id == OVERVIEW_WRITER.id
    assert appointed.overview_writer.appointed_on == date(2026, 2, 2)
    assert engine.execute(review.id, c.ConvenePanel(), PANEL_CHAIR).stage is Stage.PANEL_CONVENED


@pytest.mark.rule("SU-9")
def test_su9_only_the_appointed_writer_acts_as_writer(
    engine: ReviewEngine, clock: FixedClock
) -> None:
    """SU-9: another person holding the overview_writer role can neither record a
    writer meeting nor submit the report for this review."""
    review = to_stage(engine, clock, Stage.EVIDENCE_RECEIVED)
    imposter = Actor("u-ow2", "Other Writer", {Role.OVERVIEW_WRITER})
    with pytest.raises(PermissionDenied) as denied:
        engine.execute(review.id, c.SubmitOverviewReport(full_report(review)), imposter)
    assert denied.value.rules == ("SU-9",)
    with pytest.raises(PermissionDenied):
        engine.execute(
            review.id, c.RecordWriterMeeting({WriterMeetingPurpose.NEW_ISSUES}), imposter
        )
    assert engine.get(review.id).overview_report is None


# --------------------------------------------------------------------------- SU-10


@pytest.mark.rule("SU-10")
def test_su10_support_meetings_legal_and_media_are_recorded(engine: ReviewEngine) -> None:
    """SU-10: support and resources, meeting dates and venues, legal services and a
    media strategy are recorded with the terms of reference."""
    review, terms = _ready_for_meeting(engine)
    meetings = (
        Meeting(date(2026, 2, 20), "Board room, Plough Lane"),
        Meeting(date(2026, 3, 20), "Town hall"),
    )
    legal = frozenset({LegalService.FREEDOM_OF_INFORMATION, LegalService.HUMAN_RIGHTS_ACT})
    full = attrs.evolve(
        terms,
        support="Minute-taker from the business unit.",
        meetings=meetings,
        legal_services=legal,
        media_strategy="Press office handles enquiries.",
    )
    held = engine.execute(review.id, c.HoldInitialMeeting(full), PANEL_CHAIR)
    recorded = held.terms_of_reference
    assert recorded is not None
    assert recorded.support == "Minute-taker from the business unit."
    assert recorded.meetings == meetings
    assert recorded.legal_services == legal
    assert recorded.media_strategy == "Press office handles enquiries."


@pytest.mark.rule("SU-10")
def test_su10_support_and_meetings_are_required(engine: ReviewEngine) -> None:
    """SU-10: terms without support or without meeting dates are refused; the media
    strategy is optional ("where needed")."""
    review, terms = _ready_for_meeting(engine)
    refused = _meeting_refusal(engine, review, attrs.evolve(terms, support=" ", meetings=()))
    assert {(r.rule, r.field) for r in refused.refusals} == {
        ("SU-10", "terms.support"),
        ("SU-10", "terms.meetings"),
    }
    held = engine.execute(
        review.id, c.HoldInitialMeeting(attrs.evolve(terms, media_strategy="")), PANEL_CHAIR
    )
    assert held.terms_of_reference is not None


# --------------------------------------------------------------------------- principles


@pytest.mark.rule("PR-a")
def test_pra_every_step_is_dated(engine: ReviewEngine, clock: FixedClock) -> None:
    """PR-a: every accepted command's event carries the clock's time, and the dates of
    the steps are on the review, so delays are visible."""
    review = submit(engine)
    times = [clock.now()]
    for command, actor in (
        (c.RecordChairNotified(date(2026, 2, 2)), BUSINESS_MANAGER),
        (c.AssessCriteria(), BOARD_CHAIR),
        (c.ConfirmReview(), BOARD_CHAIR),
        (c.AppointPanelChair(Appointment("u-pc", "Dee Panelchair")), BOARD_CHAIR),
    ):
        times.append(clock.advance(days=2))
        engine.execute(review.id, command, actor)
    assert [e.at for e in engine.history(review.id)] == times
    recorded = engine.get(review.id)
    assert recorded.received_on == date(2026, 2, 2)
    assert recorded.chair_received_on == date(2026, 2, 2)
    assert recorded.panel_chair is not None
    assert recorded.panel_chair.appointed_on == date(2026, 2, 10)


@pytest.mark.rule("PR-a")
def test_pra_pause_stops_the_clocks_and_is_recorded(
    engine: ReviewEngine, clock: FixedClock
) -> None:
    """PR-a: a pause for a parallel process (an inquest) stops every running clock
    for its length; it needs the process and reasons; a second pause or a resume
    without a pause is refused."""
    review = _screened(engine)
    engine.execute(
        review.id, c.AppointPanelChair(Appointment(PANEL_CHAIR.id, PANEL_CHAIR.name)), BOARD_CHAIR
    )
    with pytest.raises(TransitionRefused) as not_paused:
        engine.execute(review.id, c.ResumeClock("Inquest over."), PANEL_CHAIR)
    assert not_paused.value.rules == ("PR-a",)
    with pytest.raises(InvalidRequest) as no_reason:
        engine.execute(review.id, c.PauseClock("", ""), BOARD_CHAIR)
    assert {r.field for r in no_reason.value.refusals} == {"process", "reasons"}

    engine.execute(review.id, c.PauseClock("inquest", "The Coroner's inquest."), BOARD_CHAIR)
    with pytest.raises(TransitionRefused):
        engine.execute(review.id, c.PauseClock("trial", "Criminal trial."), BOARD_CHAIR)
    clock.advance(days=10)
    paused = {d.key: d for d in engine.deadlines(review.id)}
    assert paused["initial_meeting"].status is DeadlineStatus.PAUSED
    resumed = engine.execute(review.id, c.ResumeClock("Inquest over."), PANEL_CHAIR)
    assert [(p.process, p.started_on, p.ended_on) for p in resumed.pauses] == [
        ("inquest", date(2026, 2, 2), date(2026, 2, 12))
    ]
    after = {d.key: d for d in engine.deadlines(review.id)}
    assert after["initial_meeting"].due_on == date(2026, 3, 12)  # 2 March + 10 days
    assert after["initial_meeting"].status is DeadlineStatus.DUE


@pytest.mark.rule("PR-a")
def test_pra_extension_moves_one_deadline_with_reasons(engine: ReviewEngine) -> None:
    """PR-a: an extension moves one named deadline later, recording who and why; an
    earlier date, missing reasons or an unknown deadline is refused."""
    review = _screened(engine)
    engine.execute(
        review.id, c.AppointPanelChair(Appointment(PANEL_CHAIR.id, PANEL_CHAIR.name)), BOARD_CHAIR
    )
    with pytest.raises(InvalidRequest) as refused:
        engine.execute(
            review.id, c.ExtendDeadline("initial_meeting", date(2026, 3, 1), ""), PANEL_CHAIR
        )
    assert {r.field for r in refused.value.refusals} == {"reasons", "new_due"}
    with pytest.raises(InvalidRequest):
        engine.execute(review.id, c.ExtendDeadline("nope", date(2026, 4, 1), "x"), PANEL_CHAIR)
    extended = engine.execute(
        review.id,
        c.ExtendDeadline("initial_meeting", date(2026, 4, 1), "Panel chair ill."),
        PANEL_CHAIR,
    )
    assert [(x.deadline, x.new_due, x.by, x.reasons) for x in extended.extensions] == [
        ("initial_meeting", date(2026, 4, 1), PANEL_CHAIR.id, "Panel chair ill.")
    ]
    due = {d.key: d.due_on for d in engine.deadlines(review.id)}
    assert due["initial_meeting"] == date(2026, 4, 1)
    assert due["review_complete"] == date(2026, 8, 2)  # untouched


@pytest.mark.rule("PR-b")
def test_prb_overview_writer_must_be_impartial(engine: ReviewEngine) -> None:
    """PR-b: an overview writer who was concerned with the adult or family is refused."""
    review = _screened(engine)
    with pytest.raises(TransitionRefused) as refused:
        engine.execute(
            review.id,
            c.AppointOverviewWriter(Appointment("u-w", "Wyn Writer", None, True, "Family friend.")),
            BOARD_CHAIR,
        )
    assert "PR-b" in refused.value.rules
    assert engine.get(review.id).overview_writer is None


@pytest.mark.rule("PR-b")
def test_prb_imr_writers_and_reviewers_are_different_people(engine: ReviewEngine) -> None:
    """PR-b: an agency's IMR writer cannot be appointed to conduct the review, and
    someone conducting it cannot be named an IMR writer."""
    review = _screened(engine)
    engine.execute(review.id, c.RecordImrWriter("gp", "u-imr-gp", "Gil Writer"), BUSINESS_MANAGER)
    with pytest.raises(TransitionRefused) as member:
        engine.execute(
            review.id,
            c.AppointPanelMember(Appointment("u-imr-gp", "Gil Writer", "gp")),
            BOARD_CHAIR,
        )
    assert member.value.rules == ("PR-b",)
    engine.execute(review.id, c.AppointPanelChair(Appointment("u-pc", "Dee")), BOARD_CHAIR)
    with pytest.raises(TransitionRefused) as writer:
        engine.execute(review.id, c.RecordImrWriter("asc", "u-pc", "Dee"), BUSINESS_MANAGER)
    assert writer.value.rules == ("PR-b",)


@pytest.mark.rule("PR-b")
def test_prb_an_imr_writer_who_declares_involvement_is_refused(engine: ReviewEngine) -> None:
    """PR-b binds the conduct of an IMR as of the review: an IMR writer who declares
    direct involvement with the adult or the family is refused, saying what they
    declared and that the agency names another; one who declares none, or (as in
    records made before the declaration existed) makes no declaration, is recorded."""
    review = _screened(engine)
    involved = c.RecordImrWriter("gp", "u-imr-gp", "Gil Writer", True, "Was Mr X's named nurse.")
    with pytest.raises(TransitionRefused) as refused:
        engine.execute(review.id, involved, BUSINESS_MANAGER)
    assert [(r.rule, r.field, r.message) for r in refused.value.refusals] == [
        (
            "PR-b",
            "declared_involvement",
            "Gil Writer declared direct involvement with the adult or family (Was Mr X's "
            "named nurse.) and cannot write gp's IMR impartially: the agency names another "
            "IMR writer",
        )
    ]
    assert engine.get(review.id).imr_writers == ()
    none = attrs.evolve(involved, person_id="u-imr-gp2", declared_involvement=False, involvement="")
    engine.execute(review.id, none, BUSINESS_MANAGER)
    engine.execute(review.id, c.RecordImrWriter("asc", "u-imr-asc", "Ann"), BUSINESS_MANAGER)
    assert [(w.person_id, w.declared_involvement) for w in engine.get(review.id).imr_writers] == [
        ("u-imr-gp2", False),
        ("u-imr-asc", None),
    ]
    old = {"command": "record_imr_writer", "agency": "police", "person_id": "p", "writer_name": "P"}
    assert c.from_dict(old) == c.RecordImrWriter("police", "p", "P")


@pytest.mark.rule("PR-c")
def test_prc_every_agency_contributes(engine: ReviewEngine, clock: FixedClock) -> None:
    """PR-c: thoroughness: the panel is not convened without every agency represented
    (SU-2), and the evidence is not accepted without every IMR (EV-1)."""
    review = _screened(engine)
    prepare_panel(engine, review.id, members=False)
    with pytest.raises(TransitionRefused) as unrepresented:
        engine.execute(review.id, c.ConvenePanel(), PANEL_CHAIR)
    assert unrepresented.value.rules == ("SU-2",)

    convened = to_stage(engine, clock, Stage.PANEL_CONVENED)
    engine.execute(convened.id, c.ReceiveImr("asc", "ASC IMR."), PANEL_CHAIR)
    engine.execute(convened.id, c.ConfirmOverviewBrief("Brief."), PANEL_CHAIR)
    with pytest.raises(TransitionRefused) as missing:
        engine.execute(convened.id, c.AcceptEvidence(), PANEL_CHAIR)
    assert ("EV-1", "no IMR yet from: gp, police") in {
        (r.rule, r.message) for r in missing.value.refusals
    }


@pytest.mark.rule("PR-c")
@pytest.mark.rule("SU-7")
@pytest.mark.parametrize(
    ("imr_agencies", "left_out"),
    [(("asc", "gp"), "police"), (("gp",), "asc, police"), (("gp", "gp"), "asc, police")],
    ids=["one-left-out", "two-left-out", "repeated"],
)
def test_prc_terms_ask_every_involved_agency_for_an_imr(
    engine: ReviewEngine, imr_agencies: tuple[str, ...], left_out: str
) -> None:
    """PR-c: thoroughness: terms of reference that leave an involved agency out of the
    IMRs are refused citing PR-c on ``terms.imr_agencies``, naming those left out;
    nothing is recorded."""
    review, terms = _ready_for_meeting(engine)
    refused = _meeting_refusal(engine, review, attrs.evolve(terms, imr_agencies=imr_agencies))
    assert ("PR-c", "terms.imr_agencies") in {(r.rule, r.field) for r in refused.refusals}
    [prc] = [r for r in refused.refusals if r.rule == "PR-c"]
    assert prc.message.endswith(f"the terms leave out: {left_out}")
    assert engine.get(review.id).initial_meeting_on is None


@pytest.mark.rule("PR-c")
def test_prc_refusal_is_alone_when_only_an_agency_is_left_out(engine: ReviewEngine) -> None:
    """PR-c: leaving out one agency is a guard refusal (TransitionRefused), the only
    one when the terms are otherwise complete; the full terms are then agreed."""
    review, terms = _ready_for_meeting(engine)
    refused = _meeting_refusal(engine, review, attrs.evolve(terms, imr_agencies=("asc", "gp")))
    assert [(r.rule, r.field) for r in refused.refusals] == [("PR-c", "terms.imr_agencies")]
    assert not isinstance(refused, InvalidRequest | PermissionDenied)
    held = engine.execute(review.id, c.HoldInitialMeeting(terms), PANEL_CHAIR)
    assert held.imr_agencies == ("asc", "gp", "police")


@pytest.mark.rule("PR-d")
def test_prd_history_shows_who_did_what_when_and_why(
    engine: ReviewEngine, clock: FixedClock
) -> None:
    """PR-d: every accepted action is in the append-only history with actor, role,
    time and payload (reasons included); a refused one leaves no trace."""
    harm = CriteriaFacts(life_threatening_injury=True, abuse_or_neglect_factor=True)
    review = submit(engine, demo_request(harm))
    engine.execute(review.id, c.AssessCriteria(), BOARD_CHAIR)
    with pytest.raises(TransitionRefused):
        engine.execute(review.id, c.Decline(""), BOARD_CHAIR)
    clock.advance(hours=3)
    engine.execute(review.id, c.Withdraw("The requester withdrew the request."), BOARD_CHAIR)
    history = engine.history(review.id)
    assert [e.command for e in history] == ["submit_request", "assess_criteria", "withdraw"]
    last = history[-1]
    assert (last.actor_id, last.role, last.at) == (BOARD_CHAIR.id, Role.BOARD_CHAIR, clock.now())
    assert last.payload["reasons"] == "The requester withdrew the request."
    assert (last.stage_before, last.stage_after) == (Stage.REQUESTED, Stage.WITHDRAWN)
    assert engine.get(review.id).outcome_reasons == "The requester withdrew the request."


@pytest.mark.rule("CR-1")
def test_cr1_request_cannot_be_withdrawn_before_screening(engine: ReviewEngine) -> None:
    """CR-1: withdrawing a death-with-suspected-neglect request before it is screened
    would decline it by another name, so it is refused; once the review is confirmed it
    may be withdrawn with reasons."""
    review = submit(engine)
    with pytest.raises(TransitionRefused) as refused:
        engine.execute(review.id, c.Withdraw("Sent in error."), BOARD_CHAIR)
    assert refused.value.rules == ("CR-1",)
    assert engine.get(review.id).stage is Stage.REQUESTED
    engine.execute(review.id, c.AssessCriteria(), BOARD_CHAIR)
    engine.execute(review.id, c.ConfirmReview(), BOARD_CHAIR)
    withdrawn = engine.execute(review.id, c.Withdraw("Criminal trial first."), BOARD_CHAIR)
    assert withdrawn.stage is Stage.WITHDRAWN


# --------------------------------------------------------------------------- clocks


@pytest.mark.rule("PR-d")
def test_prd_withdrawal_needs_reasons(engine: ReviewEngine) -> None:
    """PR-d: no suspicion of concealment: a review is never stopped without reasons."""
    review = _screened(engine)
    with pytest.raises(InvalidRequest) as refused:
        engine.execute(review.id, c.Withdraw(""), BOARD_CHAIR)
    assert [(r.rule, r.field) for r in refused.value.refusals] == [("PR-d", "reasons")]
    assert engine.get(review.id).stage is Stage.SCREENED


@pytest.mark.rule("PR-e")
def test_pre_public_summary_holds_no_personal_data(engine: ReviewEngine, clock: FixedClock) -> None:
    """PR-e: an executive summary marked as holding personal data cannot be accepted
    as the public summary; an unmarked one is."""
    review = to_stage(engine, clock, Stage.EVIDENCE_RECEIVED)
    report = full_report(review)
    leaky = attrs.evolve(report, executive_summary=ExecutiveSummary("Mr X, of 1 River Lane.", True))
    with pytest.raises(TransitionRefused) as refused:
        engine.execute(review.id, c.SubmitOverviewReport(leaky), OVERVIEW_WRITER)
    assert [(r.rule, r.field) for r in refused.value.refusals] == [
        ("PR-e", "report.executive_summary")
    ]
    drafted = engine.execute(review.id, c.SubmitOverviewReport(report), OVERVIEW_WRITER)
    assert drafted.overview_report is not None
    summary = drafted.overview_report.executive_summary
    assert summary is not None and not summary.contains_personal_data


@pytest.mark.rule("PR-g")
def test_prg_accepted_recommendations_become_actions(
    engine: ReviewEngine, clock: FixedClock
) -> None:
    """PR-g: ratification waits until every recommendation has become an action."""
    review = to_stage(engine, clock, Stage.OVERVIEW_DRAFTED)
    plan_actions(engine, review.id, actions=False)
    with pytest.raises(TransitionRefused) as refused:
        engine.execute(review.id, c.Ratify(), BOARD_CHAIR)
    assert set(refused.value.rules) == {"RP-5", "PR-g"}


@pytest.mark.rule("PR-h")
def test_prh_review_closes_only_when_implemented(engine: ReviewEngine, clock: FixedClock) -> None:
    """PR-h: closure is refused while any action is outstanding (AP-3, PR-h)."""
    review = to_stage(engine, clock, Stage.ACTION_PLAN_MONITORED)
    with pytest.raises(TransitionRefused) as refused:
        engine.execute(review.id, c.CloseReview(), BOARD_CHAIR)
    assert set(refused.value.rules) == {"AP-3", "PR-h"}
    assert engine.get(review.id).closed_on is None


@pytest.mark.rule("SU-6")
def test_su6_full_terms_are_recorded_as_agreed(engine: ReviewEngine) -> None:
    """SU-6/SU-7/SU-8/SU-10: the demo's full terms of reference pass every check and
    are recorded as given, with the meeting's date (SU-5)."""
    review, terms = _ready_for_meeting(engine)
    held = do(engine, review.id, c.HoldInitialMeeting(terms), PANEL_CHAIR)
    assert held.terms_of_reference == terms
    assert held.initial_meeting_on == today(engine)
    assert demo_request().agency_codes() == held.imr_agencies


def _others() -> list[Appointment]:
    """Members the Membership guidance names who are not an involved agency."""
    return [
        Appointment("u-adv", "Ash Advocate", "advocacy", represents=MemberCapacity.ADVOCACY),
        Appointment("u-fam", "Fen Family", represents=MemberCapacity.SUBJECT_OR_FAMILY),
        Appointment("u-cqc", "Cy Inspector", "cqc", represents=MemberCapacity.CQC_INSPECTOR),
        Appointment("u-cor", "Cole Coroner", represents=MemberCapacity.CORONER),
        Appointment(
            "u-isp", "Iva Provider", "care-home", represents=MemberCapacity.INDEPENDENT_PROVIDER
        ),
        Appointment("u-oth", "Otto Pharmacist", represents=MemberCapacity.OTHER_PROFESSIONAL),
    ]


# --------------------------------------------------------------------------- SU-2


@pytest.mark.rule("SU-2")
def test_su2_panel_may_seat_members_who_are_not_an_involved_agency(
    engine: ReviewEngine,
) -> None:
    """SU-2 is a floor, not a fence: besides a member for every involved agency, the
    panel may seat a representative of the subject or family, advocacy services, the
    CQC inspector, the coroner, an independent provider and other professionals —
    with or without an organisation code of their own — and is then convened."""
    review = _screened(engine)
    for member in _others():
        do(engine, review.id, c.AppointPanelMember(member), BOARD_CHAIR)
    prepare_panel(engine, review.id)
    convened = do(engine, review.id, c.ConvenePanel(), PANEL_CHAIR)
    assert convened.stage is Stage.PANEL_CONVENED
    seated = {m.person_id: m.represents for m in convened.panel_members}
    assert seated["u-adv"] is MemberCapacity.ADVOCACY
    assert seated["u-cor"] is MemberCapacity.CORONER
    assert seated["u-pm-gp"] is None  # an agency's member, as before
    assert len(convened.panel_members) == len(_others()) + len(convened.agencies)


@pytest.mark.rule("SU-2")
def test_su2_other_members_do_not_stand_for_an_involved_agency(engine: ReviewEngine) -> None:
    """SU-2: the floor still holds — a panel of advocates, inspectors and coroners does
    not represent the involved agencies, so it is not convened until each has its own
    member; and no member in another capacity may claim an involved agency."""
    review = _screened(engine)
    for member in _others():
        do(engine, review.id, c.AppointPanelMember(member), BOARD_CHAIR)
    prepare_panel(engine, review.id, members=False)
    with pytest.raises(TransitionRefused) as refused:
        engine.execute(review.id, c.ConvenePanel(), PANEL_CHAIR)
    assert [(r.rule, r.message) for r in refused.value.refusals] == [
        ("SU-2", "the panel has no member from: asc, gp, police")
    ]
    claim = Appointment("u-x", "Xi Advocate", "gp", represents=MemberCapacity.ADVOCACY)
    with pytest.raises(InvalidRequest) as claimed:
        engine.execute(review.id, c.AppointPanelMember(claim), BOARD_CHAIR)
    assert [(r.rule, r.field) for r in claimed.value.refusals] == [
        ("SU-2", "appointment.represents")
    ]
    assert "gp is involved in this review" in str(claimed.value)


@pytest.mark.rule("SU-2")
def test_su2_agency_member_names_an_involved_agency(engine: ReviewEngine) -> None:
    """SU-2: a member sitting for an agency (``represents`` agency, or not given as in
    records made before it existed) must name an involved agency."""
    review = _screened(engine)
    nameless = Appointment("u-m", "Mo Member", represents=MemberCapacity.AGENCY)
    with pytest.raises(InvalidRequest) as none:
        engine.execute(review.id, c.AppointPanelMember(nameless), BOARD_CHAIR)
    assert [(r.rule, r.field) for r in none.value.refusals] == [("SU-2", "appointment.agency")]
    outsider = Appointment("u-m", "Mo Member", "advocacy", represents=MemberCapacity.AGENCY)
    with pytest.raises(InvalidRequest) as unknown:
        engine.execute(review.id, c.AppointPanelMember(outsider), BOARD_CHAIR)
    assert "'advocacy' is not involved in this review" in str(unknown.value)
    explicit = Appointment("u-m", "Mo Member", "gp", represents=MemberCapacity.AGENCY)
    after = do(engine, review.id, c.AppointPanelMember(explicit), BOARD_CHAIR)
    assert after.panel_members[-1].represents is MemberCapacity.AGENCY


@pytest.mark.rule("SU-2")
@pytest.mark.rule("SU-1")
@pytest.mark.rule("PR-b")
@pytest.mark.parametrize("member", _others(), ids=lambda m: str(m.represents))
def test_su2_every_member_is_impartial(engine: ReviewEngine, member: Appointment) -> None:
    """SU-1, PR-b: impartiality binds every member, whatever they represent: one who
    declares previous involvement with the adult, the family or the case is refused."""
    review = _screened(engine)
    involved = Appointment(
        member.person_id,
        member.name,
        member.agency,
        declared_involvement=True,
        involvement="Knew the adult.",
        represents=member.represents,
    )
    with pytest.raises(TransitionRefused) as refused:
        engine.execute(review.id, c.AppointPanelMember(involved), BOARD_CHAIR)
    assert set(refused.value.rules) == {"SU-1", "PR-b"}
    assert engine.get(review.id).panel_members == ()


@pytest.mark.rule("SU-2")
@pytest.mark.rule("RP-4")
def test_su2_other_members_cannot_sign_off_for_an_agency(
    engine: ReviewEngine, clock: FixedClock
) -> None:
    """RP-4: only an agency's own member confirms its information is fairly
    represented; an advocate seated on the panel cannot, even acting for that agency."""
    review = submit(engine)
    screen(engine, review.id)
    advocate = Appointment("u-adv", "Ash Advocate", represents=MemberCapacity.ADVOCACY)
    do(engine, review.id, c.AppointPanelMember(advocate), BOARD_CHAIR)
    prepare_panel(engine, review.id)
    do(engine, review.id, c.ConvenePanel(), PANEL_CHAIR)
    gather_evidence(engine, review.id)
    draft_report(engine, review.id)
    actor = Actor("u-adv", "Ash Advocate", {Role.PANEL_MEMBER}, "gp")
    with pytest.raises(PermissionDenied) as denied:
        engine.execute(review.id, c.RecordAgencySignoff("gp"), actor)
    assert denied.value.rules == ("RP-4",)
    signed = do(engine, review.id, c.RecordAgencySignoff("gp"), panel_member("gp"))
    assert "gp" in signed.signoffs


@pytest.mark.rule("SU-2")
def test_su2_appointments_without_represents_still_load(engine: ReviewEngine) -> None:
    """SU-2, PR-d: JSON written before ``represents`` existed still loads (as an
    agency's member), and a history with the new field replays and verifies."""
    old = {"person_id": "u-pm-gp", "name": "Panel member for gp", "agency": "gp"}
    appointment = structure(old, Appointment)
    assert appointment.represents is None
    command = c.from_dict({"command": "appoint_panel_member", "appointment": old})
    review = _screened(engine)
    do(engine, review.id, command, BOARD_CHAIR)
    other = _others()[0]
    do(engine, review.id, c.AppointPanelMember(other), BOARD_CHAIR)
    assert unstructure(other)["represents"] == "advocacy"
    assert c.from_dict(c.to_dict(c.AppointPanelMember(other))) == c.AppointPanelMember(other)
    events = engine.history(review.id)
    assert verify_history(events) == []
    assert replay(events) == engine.get(review.id)


# --------------------------------------------------------------------------- SU-1


PAUSE = c.PauseClock("inquest", "The coroner's inquest must finish first.")


RESUME = c.ResumeClock("The inquest has concluded.")


CLOCK_COMMANDS = ("pause_clock", "resume_clock", "extend_deadline")


def _extension(engine: ReviewEngine, review_id: str) -> c.ExtendDeadline:
    deadline = next(d for d in engine.deadlines(review_id) if d.open)
    return c.ExtendDeadline(deadline.key, deadline.due_on + timedelta(days=14), "More time.")


@pytest.mark.rule("SU-1")
@pytest.mark.parametrize("stage", [Stage.REQUESTED, Stage.SCREENED], ids=str)
def test_su1_no_one_acts_as_panel_chair_before_one_is_appointed(
    engine: ReviewEngine, clock: FixedClock, stage: Stage
) -> None:
    """SU-1: until the review has its panel chair, an actor holding the panel_chair
    role is refused the chairs' commands (pause, resume, extend) — they are the board
    chair's only — and allowed() does not list them; the board chair may issue them."""
    review = to_stage(engine, clock, stage)
    assert review.panel_chair is None
    someone = Actor("u-any-pc", "Any Panelchair", {Role.PANEL_CHAIR})
    for actor in (PANEL_CHAIR, someone):
        assert engine.allowed(review.id, actor) == []
        for command in (PAUSE, _extension(engine, review.id)):
            with pytest.raises(PermissionDenied) as denied:
                engine.execute(review.id, command, actor)
            assert denied.value.rules == ("SU-1",)
            assert "no panel chair is appointed yet" in str(denied.value)
            assert "the board chair's only" in str(denied.value)
    assert set(CLOCK_COMMANDS) - {"resume_clock"} <= set(engine.allowed(review.id, BOARD_CHAIR))
    do(engine, review.id, PAUSE, BOARD_CHAIR)
    with pytest.raises(PermissionDenied) as denied:
        engine.execute(review.id, RESUME, PANEL_CHAIR)
    assert denied.value.rules == ("SU-1",)
    assert "resume_clock" not in engine.allowed(review.id, PANEL_CHAIR)
    assert "resume_clock" in engine.allowed(review.id, BOARD_CHAIR)
    do(engine, review.id, RESUME, BOARD_CHAIR)
    extended = do(engine, review.id, _extension(engine, review.id), BOARD_CHAIR)
    assert extended.extensions


@pytest.mark.rule("SU-1")
def test_su1_panel_chair_only_commands_wait_for_the_appointment(engine: ReviewEngine) -> None:
    """SU-1: a command only a panel chair may issue (the initial meeting) is refused
    as a matter of standing before a panel chair is appointed; once appointed, the
    appointee acts as panel chair, clocks included."""
    review = _screened(engine)
    ready = prepare_panel(engine, review.id, panel_chair=False, meeting=False)
    with pytest.raises(PermissionDenied) as denied:
        engine.execute(
            ready.id, c.HoldInitialMeeting(full_terms(ready, today(engine))), PANEL_CHAIR
        )
    assert set(denied.value.rules) == {"SU-1"}
    assert "no panel chair is appointed yet: u-pc cannot act" in str(denied.value)
    appointment = Appointment(PANEL_CHAIR.id, PANEL_CHAIR.name)
    do(engine, review.id, c.AppointPanelChair(appointment), BOARD_CHAIR)
    allowed = engine.allowed(review.id, PANEL_CHAIR)
    assert {"hold_initial_meeting", "pause_clock", "extend_deadline"} <= set(allowed)
    paused = do(engine, review.id, PAUSE, PANEL_CHAIR)
    assert paused.paused


@pytest.mark.rule("SU-1")
def test_su1_board_chair_who_also_holds_panel_chair_acts_as_board_chair(
    engine: ReviewEngine,
) -> None:
    """SU-1: an actor holding both chairs' roles acts as the board chair (the first of
    their roles the command allows), so the absence of a panel chair does not stop
    them."""
    review = submit(engine)
    both = Actor("u-both", "Bo Both", {Role.BOARD_CHAIR, Role.PANEL_CHAIR})
    paused = do(engine, review.id, PAUSE, both)
    assert paused.paused
    assert engine.history(review.id)[-1].role is Role.BOARD_CHAIR


# --------------------------------------------------------------------------- commands


@pytest.mark.rule("SU-7")
@pytest.mark.rule("PR-c")
def test_unknown_agency_in_terms_of_reference(engine: ReviewEngine, screened: Review) -> None:
    """SU-7: the terms cannot ask an uninvolved agency for an IMR: bad input, even
    when every involved agency is asked too; leaving involved agencies out as well
    adds the PR-c refusal to the same InvalidRequest."""
    ready = prepare_panel(engine, screened.id, meeting=False)
    terms = full_terms(ready, today(engine))
    extra = attrs.evolve(terms, imr_agencies=(*ready.agencies, "fire"))
    refused = invalid(engine, ready.id, c.HoldInitialMeeting(extra), PANEL_CHAIR)
    assert [(r.rule, r.field) for r in refused.refusals] == [("INPUT", "terms.imr_agencies")]
    assert "'fire' is not involved in this review" in str(refused)
    instead = attrs.evolve(terms, imr_agencies=("gp", "fire"))
    refused = invalid(engine, ready.id, c.HoldInitialMeeting(instead), PANEL_CHAIR)
    assert [(r.rule, r.field) for r in refused.refusals] == [
        ("INPUT", "terms.imr_agencies"),
        ("PR-c", "terms.imr_agencies"),
    ]


# --------------------------------------------------------------------------- referral


@pytest.mark.rule("PR-b")
def test_prb_an_appointee_cannot_write_an_imr(engine: ReviewEngine, clock: FixedClock) -> None:
    rid = to_stage(engine, clock, Stage.SCREENED).id
    for appoint in (
        c.AppointPanelChair(Appointment(PANEL_CHAIR.id, PANEL_CHAIR.name)),
        c.AppointOverviewWriter(Appointment(OVERVIEW_WRITER.id, OVERVIEW_WRITER.name)),
        c.AppointPanelMember(Appointment("u-pm-gp", "Member", "gp")),
    ):
        engine.execute(rid, appoint, BOARD_CHAIR)
        person = appoint.appointment.person_id
        command = c.RecordImrWriter("gp", person, "Writer")
        assert_refused(engine, rid, command, BUSINESS_MANAGER, "PR-b", None, TransitionRefused)


# --------------------------------------------------------------------------- setting up


@pytest.mark.rule("SU-1")
@pytest.mark.parametrize(
    ("appointment", "field"),
    [
        (Appointment(" ", "A Name"), "appointment.person_id"),
        (Appointment("u-x", " "), "appointment.name"),
    ],
)
@pytest.mark.parametrize("kind", [c.AppointPanelChair, c.AppointOverviewWriter])
def test_su1_an_appointee_needs_an_id_and_a_name(
    engine: ReviewEngine,
    clock: FixedClock,
    appointment: Appointment,
    field: str,
    kind: type[c.AppointPanelChair] | type[c.AppointOverviewWriter],
) -> None:
    rid = to_stage(engine, clock, Stage.SCREENED).id
    command = kind(appointment)
    assert_refused(engine, rid, command, BOARD_CHAIR, "SU-1", field, InvalidRequest)


@pytest.mark.rule("SU-2")
def test_su2_a_member_for_no_agency_and_a_member_twice(
    engine: ReviewEngine, clock: FixedClock
) -> None:
    rid = to_stage(engine, clock, Stage.SCREENED).id
    nobody = c.AppointPanelMember(Appointment("u-m", "Member"))
    assert_refused(engine, rid, nobody, BOARD_CHAIR, "SU-2", "appointment.agency", InvalidRequest)
    member = c.AppointPanelMember(Appointment("u-m", "Member", "gp"))
    engine.execute(rid, member, BOARD_CHAIR)
    assert_refused(engine, rid, member, BOARD_CHAIR, "SU-2", None, TransitionRefused)
    unknown = c.AppointPanelMember(Appointment("u-n", "Member", "zzz"))
    assert_refused(engine, rid, unknown, BOARD_CHAIR, "INPUT", "appointment.agency", InvalidRequest)


@pytest.mark.rule("SU-3")
def test_su3_the_budget_says_what_it_covers(engine: ReviewEngine, clock: FixedClock) -> None:
    rid = to_stage(engine, clock, Stage.SCREENED).id
    command = c.RecordBudget(100, " ")
    assert_refused(engine, rid, command, BOARD_CHAIR, "SU-3", "notes", InvalidRequest)


def _meeting_ready(engine: ReviewEngine, clock: FixedClock) -> str:
    rid = to_stage(engine, clock, Stage.SCREENED).id
    return prepare_panel(engine, rid, meeting=False).id


@pytest.mark.rule("SU-7")
def test_su7_imr_agencies_named_and_not_twice(engine: ReviewEngine, clock: FixedClock) -> None:
    rid = _meeting_ready(engine, clock)
    terms = full_terms(engine.get(rid), today(engine))
    none = c.HoldInitialMeeting(attrs.evolve(terms, imr_agencies=()))
    assert_refused(engine, rid, none, PANEL_CHAIR, "SU-7", "terms.imr_agencies", TransitionRefused)
    twice = c.HoldInitialMeeting(attrs.evolve(terms, imr_agencies=(*terms.imr_agencies, "gp")))
    assert_refused(engine, rid, twice, PANEL_CHAIR, "SU-7", "terms.imr_agencies", InvalidRequest)
    left_out = c.HoldInitialMeeting(attrs.evolve(terms, imr_agencies=terms.imr_agencies[:-1]))
    assert_refused(
        engine, rid, left_out, PANEL_CHAIR, "PR-c", "terms.imr_agencies", TransitionRefused
    )


@pytest.mark.rule("SU-10")
def test_su10_support_and_meetings_recorded(engine: ReviewEngine, clock: FixedClock) -> None:
    rid = _meeting_ready(engine, clock)
    terms = full_terms(engine.get(rid), today(engine))
    support = c.HoldInitialMeeting(attrs.evolve(terms, support=" "))
    assert_refused(engine, rid, support, PANEL_CHAIR, "SU-10", "terms.support", InvalidRequest)
    meetings = c.HoldInitialMeeting(attrs.evolve(terms, meetings=()))
    assert_refused(engine, rid, meetings, PANEL_CHAIR, "SU-10", "terms.meetings", TransitionRefused)


@pytest.mark.rule("SU-8")
def test_su8_family_decision_needs_reasons(engine: ReviewEngine, clock: FixedClock) -> None:
    rid = _meeting_ready(engine, clock)
    terms = full_terms(engine.get(rid), today(engine))
    assert terms.family is not None
    blank = c.HoldInitialMeeting(
        attrs.evolve(terms, family=attrs.evolve(terms.family, reasons=" "))
    )
    field = "terms.family.reasons"
    assert_refused(engine, rid, blank, PANEL_CHAIR, "SU-8", field, TransitionRefused)


@pytest.mark.rule("SU-6")
def test_su6_the_meeting_is_held_once(engine: ReviewEngine, clock: FixedClock) -> None:
    rid = _meeting_ready(engine, clock)
    terms = full_terms(engine.get(rid), today(engine))
    engine.execute(rid, c.HoldInitialMeeting(terms), PANEL_CHAIR)
    again = c.HoldInitialMeeting(terms)
    assert_refused(engine, rid, again, PANEL_CHAIR, "SU-6", None, TransitionRefused)


# --------------------------------------------------------------------------- evidence, report


@pytest.mark.rule("SU-9")
def test_su9_only_this_reviews_writer_meets_and_submits(
    engine: ReviewEngine, clock: FixedClock
) -> None:
    rid = to_stage(engine, clock, Stage.EVIDENCE_RECEIVED).id
    stranger = Actor("u-other-writer", "Another Writer", {Role.OVERVIEW_WRITER})
    meeting = c.RecordWriterMeeting(frozenset({WriterMeetingPurpose.FINAL_FORMAT}), "Format.")
    assert_refused(engine, rid, meeting, stranger, "SU-9", None, PermissionDenied)
    no_purpose = c.RecordWriterMeeting(frozenset(), "Format.")
    assert_refused(engine, rid, no_purpose, OVERVIEW_WRITER, "OW-1", "purposes", InvalidRequest)
    report = c.SubmitOverviewReport(full_report(engine.get(rid)))
    assert_refused(engine, rid, report, stranger, "SU-9", None, PermissionDenied)
    # The panel chair may record a meeting: the writer check is for writers only.
    engine.execute(rid, meeting, PANEL_CHAIR)


# --------------------------------------------------------------------------- defences
# Guards re-check what earlier commands or the permission check already ensure; called
# here on reviews the engine never builds, so that a defence that stopped working, or
# started to fail, would be seen.


def _ctx(engine: ReviewEngine, actor: Actor, role: Role) -> Context:
    return Context(actor, role, today(engine), DEFAULT_SETTINGS)


@pytest.mark.rule("SU-9")
@pytest.mark.rule("RP-4")
@pytest.mark.rule("RP-5")
@pytest.mark.rule("RP-7")
def test_report_guards_hold_on_reviews_the_engine_never_builds(
    engine: ReviewEngine, clock: FixedClock
) -> None:

    review = to_stage(engine, clock, Stage.EVIDENCE_RECEIVED)
    ctx = _ctx(engine, PANEL_CHAIR, Role.PANEL_CHAIR)
    meeting = c.RecordWriterMeeting((WriterMeetingPurpose.MONITOR_PROGRESS,), "Met.")
    assert report.record_writer_meeting(review, meeting, ctx) == []
    unwritten = attrs.evolve(review, overview_writer=None)
    found = report.record_writer_meeting(unwritten, meeting, ctx)
    assert [(r.rule, r.field, r.kind) for r in found] == [("SU-9", None, RefusalKind.GUARD)]
    found = report.record_agency_signoff(review, c.RecordAgencySignoff("nowhere"), ctx)
    assert [(r.rule, r.field) for r in found] == [("INPUT", "agency")]
    action = c.AddAction("A1", "R1", "gp", 6, "Better.", "Audit.")
    found = report.add_action(review, action, ctx)  # no report yet
    assert [(r.rule, r.field) for r in found] == [("RP-5", "recommendation_id")]
    from scr_engine.rules import evidence

    brief = c.ConfirmOverviewBrief("Write it.")
    assert evidence.confirm_overview_brief(review, brief, ctx) == []
    found = evidence.confirm_overview_brief(unwritten, brief, ctx)
    assert [(r.rule, r.field, r.kind) for r in found] == [("SU-9", None, RefusalKind.GUARD)]
    ratified = report.ratify(review, c.Ratify(today(engine)), ctx)
    assert "RP-7" not in {r.rule for r in ratified if r.field == "occurred_on"}


@pytest.mark.rule("SU-7")
@pytest.mark.parametrize("code", [" ", "gp"])
def test_su7_an_agency_brought_in_has_a_code_not_yet_involved(
    engine: ReviewEngine, clock: FixedClock, code: str
) -> None:

    rid = to_stage(engine, clock, Stage.SCREENED).id
    command = c.AddAgency(Agency(code, "Fire and Rescue"), "They attended twice.")
    assert_refused(engine, rid, command, BOARD_CHAIR, "SU-7", "agency.code", InvalidRequest)


@pytest.mark.rule("SU-7")
@pytest.mark.rule("RF-5")
def test_su7_an_agency_brought_in_gets_its_letters(engine: ReviewEngine, clock: FixedClock) -> None:

    rid = to_stage(engine, clock, Stage.SCREENED).id
    before = {t.id for t in engine.pending_tasks()}
    fire = Agency("fire", "Fire and Rescue")
    after = engine.execute(rid, c.AddAgency(fire, "They attended twice."), BOARD_CHAIR)
    new = [t for t in engine.pending_tasks() if t.id not in before]
    assert new and all(t.agency == "fire" and t.review_id == rid for t in new)
    assert all(t.id == f"{rid}:{after.version}:{t.kind.value}:fire" for t in new)


@pytest.mark.rule("SU-1")
def test_su1_no_meeting_and_no_panel_without_a_panel_chair(
    engine: ReviewEngine, clock: FixedClock
) -> None:
    from scr_engine.rules import setup

    rid = to_stage(engine, clock, Stage.SCREENED).id
    review = prepare_panel(engine, rid, panel_chair=False)
    # Only the appointed panel chair holds the meeting and convenes the panel (judged
    # before the guards): the guards' own checks are defences, called here directly.
    meeting = c.HoldInitialMeeting(full_terms(review, today(engine)))
    ctx = _ctx(engine, PANEL_CHAIR, Role.PANEL_CHAIR)
    found = setup.hold_initial_meeting(review, meeting, ctx)
    assert [(r.rule, r.field, r.kind) for r in found] == [("SU-1", None, RefusalKind.GUARD)]
    found = setup.convene_panel(review, c.ConvenePanel(), ctx)
    assert ("SU-1", None, RefusalKind.GUARD) in [(r.rule, r.field, r.kind) for r in found]


DAY = timedelta(days=1)


TODAY = START.date()


# --------------------------------------------------------------------------- SU-3


@pytest.mark.rule("SU-3")
def test_su3_a_zero_budget_is_recorded_a_negative_one_refused(
    engine: ReviewEngine, clock: FixedClock
) -> None:
    rid = to_stage(engine, clock, Stage.SCREENED).id
    negative = c.RecordBudget(-1, "Nothing.")
    assert_refused(engine, rid, negative, BOARD_CHAIR, "SU-3", "amount_pounds", InvalidRequest)
    accepted(engine, rid, c.RecordBudget(0, "Met from existing resources."), BOARD_CHAIR)


# --------------------------------------------------------------------------- SU-4, SU-7, RP-1


@pytest.mark.rule("SU-4")
def test_su4_review_months_from_one_to_the_longest(engine: ReviewEngine, clock: FixedClock) -> None:
    rid, terms = ready_for_meeting(engine, clock)
    for months in (0, LONGEST_MONTHS + 1):
        assert_refused(
            engine,
            rid,
            meeting(terms, review_months=months),
            PANEL_CHAIR,
            "SU-4",
            "terms.review_months",
            InvalidRequest,
        )
    assert engine.explain(rid, meeting(terms, review_months=LONGEST_MONTHS), PANEL_CHAIR) == []
    held = accepted(engine, rid, meeting(terms, review_months=1), PANEL_CHAIR)
    assert held.terms_of_reference is not None
    assert held.terms_of_reference.review_months == 1


@pytest.mark.rule("SU-7")
def test_su7_imrs_due_from_tomorrow(engine: ReviewEngine, clock: FixedClock) -> None:
    rid, terms = ready_for_meeting(engine, clock)
    now = today(engine)
    on_the_day = meeting(terms, imr_due=now)
    assert_refused(engine, rid, on_the_day, PANEL_CHAIR, "SU-7", "terms.imr_due", InvalidRequest)
    accepted(engine, rid, meeting(terms, imr_due=now + DAY), PANEL_CHAIR)


@pytest.mark.rule("SU-7")
@pytest.mark.rule("RP-1")
def test_su7_rp1_due_dates_up_to_exactly_ten_years(engine: ReviewEngine, clock: FixedClock) -> None:
    rid, terms = ready_for_meeting(engine, clock)
    furthest = today(engine) + timedelta(days=FURTHEST_DAYS)
    beyond = furthest + DAY
    overview = meeting(terms, overview_due=beyond)
    field = "terms.overview_due"
    assert_refused(engine, rid, overview, PANEL_CHAIR, "RP-1", field, InvalidRequest)
    both = meeting(terms, imr_due=beyond, overview_due=beyond)
    with pytest.raises(InvalidRequest) as refused:
        engine.execute(rid, both, PANEL_CHAIR)
    assert [(r.rule, r.field) for r in refused.value.refusals] == [
        ("SU-7", "terms.imr_due"),
        ("RP-1", "terms.overview_due"),
    ]
    accepted(engine, rid, meeting(terms, imr_due=furthest, overview_due=furthest), PANEL_CHAIR)


def _guard_review() -> Review:
    """A review ready for its initial meeting, for calling the guards directly."""
    engine = ReviewEngine(MemoryStore(), FixedClock(START))
    rid = to_stage(engine, None, Stage.SCREENED).id
    return prepare_panel(engine, rid, meeting=False)


_REVIEW = _guard_review()


_TERMS = full_terms(_REVIEW, TODAY)


_AS_PANEL_CHAIR = Context(PANEL_CHAIR, Role.PANEL_CHAIR, TODAY, DEFAULT_SETTINGS)


def _meeting_fields(**change: object) -> set[tuple[str, str | None]]:
    refusals = setup.hold_initial_meeting(_REVIEW, meeting(_TERMS, **change), _AS_PANEL_CHAIR)
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


# --------------------------------------------------------------------------- SU-9, writer


@pytest.mark.rule("SU-9")
def test_su9_the_writer_submits_on_the_day(engine: ReviewEngine, clock: FixedClock) -> None:
    review = to_stage(engine, clock, Stage.EVIDENCE_RECEIVED)
    from support.builders import full_report

    command = c.SubmitOverviewReport(full_report(review))
    with pytest.raises(TransitionRefused):
        engine.execute(review.id, command, PANEL_CHAIR)
    drafted = accepted(engine, review.id, command, OVERVIEW_WRITER)
    assert drafted.overview_report is not None
    assert drafted.overview_report.submitted_on == date(2026, 2, 2)
