"""The set-up and evidence guards refusal by refusal (SAR-M-1 to SAR-M-12, SAR-D-8,
SAR-D-9, SAR-F-3, SAR-F-4, SAR-G-1, SAR-G-2, SAR-R-6), and what every SAR guard shares
(the table's MAP and role refusals, SAR-G-6's waivable guards).

Each case calls the guard itself and pins every refusal it gives: the rule ID, the
field and the kind, which a caller acts on (the wording is free)."""

from __future__ import annotations

from datetime import date, timedelta

from attrs import evolve

from scr_engine.errors.refusals import Refusal, RefusalKind
from scr_engine.protocols.sar import commands as c
from scr_engine.protocols.sar import guards_setup as s
from scr_engine.protocols.sar.guards_common import permission, standing
from scr_engine.protocols.sar.methodology import EvidenceType, MethodologyCode
from scr_engine.protocols.sar.records import (
    AdvocacyAssessment,
    ClockPause,
    Consent,
    ConsentStatus,
    EvidenceItem,
    EvidenceStatus,
    LeadReviewer,
    Methodology,
    ParallelProcess,
    ParallelProcessType,
    SarReview,
    TermsOfReference,
    TorEntry,
    Waiver,
)
from scr_engine.protocols.sar.table import row
from scr_engine.rules.deadlines import FURTHEST_DAYS
from scr_engine.states.roles import Role
from support.sar import (
    ADVOCACY,
    CHAIR,
    MANAGER,
    START,
    SUBGROUP,
    adult,
    commissioned,
    ctx,
    methodology,
    referral,
    report_drafted,
    screened,
    terms,
)

IN, G, P, S = RefusalKind.INPUT, RefusalKind.GUARD, RefusalKind.PERMISSION, RefusalKind.STAGE


def refused(refusals: list[Refusal]) -> list[tuple[str, str | None, RefusalKind]]:
    """Rule, field and kind of each refusal, in order."""
    return [(r.rule, r.field, r.kind) for r in refusals]


def _screened() -> SarReview:
    return screened().r


def _waiver(rule: str, subject: str = "") -> Waiver:
    return Waiver(rule, "agreed by the Board", CHAIR.id, Role.BOARD_CHAIR, START, subject)


def _panel() -> Methodology:
    return Methodology(MethodologyCode.IMR_OVERVIEW, "why", "proportionate")


def _living() -> SarReview:
    """A screened review whose adult is alive."""
    review = _screened()
    return evolve(review, referral=evolve(review.referral, adults=(adult(alive=True),)))


# --- what every guard shares (guards_common.py) ------------------------------------


def test_standing_refuses_a_command_needing_a_review_before_the_referral_map() -> None:
    """MAP: a command other than submit_request needs a review; the table's role rule
    refuses an actor without a permitted role, on the field ``role``."""
    assert refused(standing(None, "confirm_review", ctx(CHAIR))) == [("MAP", None, S)]
    assert refused(standing(None, "submit_request", ctx(MANAGER))) == []
    assert refused(standing(_screened(), "confirm_review", ctx(MANAGER))) == [
        ("MAP", None, S),
        (row("confirm_review").role_rule, "role", P),
    ]


def test_permission_as_the_definition_says_it_sar_d_2() -> None:
    """The role an actor acts in by the table (default settings), or the row's role
    rule refused on ``role``: confirm_review (SAR-D-2's decision) is the chair's."""
    table_row = row("confirm_review")
    assert permission(None, table_row, CHAIR) == (Role.BOARD_CHAIR, [])
    role, refusals = permission(None, table_row, MANAGER)
    assert role is None
    assert refused(refusals) == [(table_row.role_rule, "role", P)]
    assert "board_chair" in refusals[0].message


# --- SAR-D-9, SAR-M-6: an involved agency -------------------------------------------


def test_records_secured_and_cooperation_name_an_involved_agency_sar_d_9_sar_m_6() -> None:
    """SAR-D-9 (records secured), SAR-M-6 (a co-operation issue): by an involved agency
    only, refused on ``agency``."""
    review, k = _screened(), ctx(MANAGER)
    assert refused(s.check_agency(review, c.RecordRecordsSecured("zz"), k)) == [
        ("INPUT", "agency", IN)
    ]
    assert s.check_agency(review, c.RecordRecordsSecured("asc"), k) == []
    issue = c.CooperationIssue.REFUSED
    assert refused(s.check_cooperation(review, c.RecordCooperationIssue("zz", issue), k)) == [
        ("INPUT", "agency", IN)
    ]
    assert s.check_cooperation(review, c.RecordCooperationIssue("nhs", issue), k) == []


# --- SAR-M-1, SAR-M-2: the methodology and its plan ---------------------------------


def test_a_described_methodology_and_a_change_after_commissioning_sar_m_1() -> None:
    """SAR-M-1: ``other`` needs its description; a change after commissioning needs
    reasons."""
    review, k = _screened(), ctx(SUBGROUP)
    bare = Methodology(MethodologyCode.OTHER, "why", "proportionate")
    assert refused(s.check_choose_methodology(review, c.ChooseMethodology(bare), k)) == [
        ("SAR-M-1", "methodology.description", IN)
    ]
    described = evolve(bare, description="a mixed approach")
    assert s.check_choose_methodology(review, c.ChooseMethodology(described), k) == []
    later = commissioned().r
    assert refused(s.check_choose_methodology(later, c.ChooseMethodology(methodology()), k)) == [
        ("SAR-M-1", "change_reasons", IN)
    ]
    change = c.ChooseMethodology(methodology(), change_reasons="the inquest changed scope")
    assert s.check_choose_methodology(later, change, k) == []


def test_the_plan_items_differ_and_have_owners_sar_m_2() -> None:
    """SAR-M-2: evidence item ids differ; each item has an owner."""
    plan = (
        EvidenceItem("e1", EvidenceType.CHRONOLOGY, "asc"),
        EvidenceItem("e1", EvidenceType.CHRONOLOGY, " "),
    )
    m = Methodology(MethodologyCode.SILP, "why", "proportionate", plan=plan)
    assert refused(
        s.check_choose_methodology(_screened(), c.ChooseMethodology(m), ctx(SUBGROUP))
    ) == [
        ("SAR-M-2", "methodology.plan", IN),
        ("SAR-M-2", "methodology.plan[1].owner", IN),
    ]


# --- SAR-M-3, SAR-M-4: the reviewer, the panel ---------------------------------------


def test_the_lead_reviewer_is_named_and_independent_sar_m_3() -> None:
    """SAR-M-3: the reviewer named; a declared involvement says what it was and is
    refused unless waived; so is employment by an involved agency (code or name)."""
    review, k = _screened(), ctx(CHAIR)
    conflicted = LeadReviewer(" ", "Pat", "asc", declared_involvement=True)
    assert refused(s.check_appoint_lead_reviewer(review, c.AppointLeadReviewer(conflicted), k)) == [
        ("SAR-M-3", "reviewer.person_id", IN),
        ("SAR-M-3", "reviewer.involvement", IN),
        ("SAR-M-3", "reviewer.declared_involvement", G),
        ("SAR-M-3", "reviewer.employer", G),
    ]
    by_name = LeadReviewer("p1", "Pat", "Community Health Trust")
    assert refused(s.check_appoint_lead_reviewer(review, c.AppointLeadReviewer(by_name), k)) == [
        ("SAR-M-3", "reviewer.employer", G)
    ]
    waived = evolve(review, waivers=(_waiver("SAR-M-3"),))
    assert s.check_appoint_lead_reviewer(waived, c.AppointLeadReviewer(by_name), k) == []


def test_panel_appointments_need_a_panel_and_an_involved_agency_sar_m_4() -> None:
    """SAR-M-4: a chair or member only with a panel; a member for an involved agency;
    declared involvement refused unless waived (for a member: the waiver names them)."""
    review, k = evolve(_screened(), methodology=methodology()), ctx(CHAIR)
    chair = c.AppointPanelChair("p2", declared_involvement=True)
    assert refused(s.check_appoint_panel_chair(review, chair, k)) == [
        ("SAR-M-4", None, G),
        ("SAR-M-4", "declared_involvement", G),
    ]
    member = c.AppointPanelMember("p3", "zz", declared_involvement=True)
    assert refused(s.check_appoint_panel_member(review, member, k)) == [
        ("SAR-M-4", None, G),
        ("INPUT", "agency", IN),
        ("SAR-M-4", "declared_involvement", G),
    ]
    panel = evolve(review, methodology=_panel(), waivers=(_waiver("SAR-M-4", "p3"),))
    assert s.check_appoint_panel_chair(panel, c.AppointPanelChair("p2"), k) == []
    assert s.check_appoint_panel_member(panel, evolve(member, agency="asc"), k) == []
    other = c.AppointPanelMember("p4", "asc", declared_involvement=True)
    assert refused(s.check_appoint_panel_member(panel, other, k)) == [
        ("SAR-M-4", "declared_involvement", G)
    ]


# --- SAR-M-9: the budget -------------------------------------------------------------


def test_sums_of_money_are_not_negative_sar_m_9() -> None:
    """SAR-M-9: each sum refused on its own field when below zero; zero is accepted."""
    review, k = _screened(), ctx(MANAGER)
    assert refused(s.check_budget(review, c.RecordBudget(-1, 0), k)) == [
        ("SAR-M-9", "amount_pounds", IN)
    ]
    assert refused(s.check_budget(review, c.RecordBudget(0, -1), k)) == [
        ("SAR-M-9", "reviewer_fees_pounds", IN)
    ]
    assert s.check_budget(review, c.RecordBudget(0, 0), k) == []


def test_sums_of_money_are_bounded_sar_m_9() -> None:
    """SAR-M-9: a sum past MOST_POUNDS is refused on its own field; MOST_POUNDS is not."""
    review, k = _screened(), ctx(MANAGER)
    most = s.MOST_POUNDS
    assert refused(s.check_budget(review, c.RecordBudget(most + 1, 10**35), k)) == [
        ("SAR-M-9", "amount_pounds", IN),
        ("SAR-M-9", "reviewer_fees_pounds", IN),
    ]
    assert s.check_budget(review, c.RecordBudget(most, most), k) == []


# --- SAR-M-5, SAR-D-8, SAR-G-1, SAR-G-2: the terms of reference ---------------------


def test_terms_missing_everything_name_each_rule_sar_m_5_sar_d_8_sar_g_1_sar_g_2() -> None:
    """SAR-M-5 (items, period; an amendment's reasons), SAR-G-1 (purpose), SAR-D-8
    (mandate recorded), SAR-G-2 (principles), each on its field."""
    review = evolve(_screened(), mandate=None, terms=terms())
    empty = c.AgreeTermsOfReference(TermsOfReference({}))
    assert refused(s.check_terms(review, empty, ctx(SUBGROUP))) == [
        ("SAR-M-5", "terms.items", G),
        ("SAR-M-5", "terms.period_start", G),
        ("SAR-G-1", "terms.items.purpose", G),
        ("SAR-D-8", "terms.items.mandate", G),
        ("SAR-G-2", "terms.principles", G),
        ("SAR-M-5", "amendment_reasons", IN),
    ]
    amended = c.AgreeTermsOfReference(terms(), amendment_reasons="a second adult")
    assert refused(s.check_terms(review, amended, ctx(SUBGROUP))) == [
        ("SAR-D-8", "terms.items.mandate", G)
    ]


def test_an_item_not_applicable_with_a_reason_covers_it_sar_m_5() -> None:
    """SAR-M-5: an item may be "not applicable" with a reason; the period then needs no
    dates. A period of one day (start = end) is a period."""
    review, k = _screened(), ctx(SUBGROUP)
    full = terms()
    items = {**full.items, "lines_of_enquiry": TorEntry("", "one agency only")}
    assert s.check_terms(review, c.AgreeTermsOfReference(evolve(full, items=items)), k) == []
    no_period = {**full.items, "period": TorEntry("", "a single incident")}
    undated = evolve(full, items=no_period, period_start=None, period_end=None)
    assert s.check_terms(review, c.AgreeTermsOfReference(undated), k) == []
    one_day = evolve(full, period_start=full.period_end)
    assert s.check_terms(review, c.AgreeTermsOfReference(one_day), k) == []
    backwards = evolve(full, period_start=date(2027, 1, 3))
    assert refused(s.check_terms(review, c.AgreeTermsOfReference(backwards), k)) == [
        ("SAR-M-5", "terms.period_start", G)
    ]


# --- SAR-F-3, SAR-F-4: advocacy and consent ------------------------------------------


def test_advocacy_and_consent_for_a_living_adult_of_the_referral_sar_f_3_sar_f_4() -> None:
    """SAR-F-3, SAR-F-4: an adult of the referral (else INPUT on ``adult``), alive (else
    the rule itself, on ``adult``)."""
    dead, k = _screened(), ctx(ADVOCACY)
    assert refused(s.check_assess_advocacy(dead, c.AssessAdvocacy("zz", True, False), k)) == [
        ("INPUT", "adult", IN)
    ]
    assert refused(s.check_assess_advocacy(dead, c.AssessAdvocacy("a1", True, False), k)) == [
        ("SAR-F-3", "adult", G)
    ]
    assert s.check_assess_advocacy(_living(), c.AssessAdvocacy("a1", True, False), k) == []
    given = Consent("a1", ConsentStatus.GIVEN)
    assert refused(s.check_record_consent(dead, c.RecordConsent(given), k)) == [
        ("SAR-F-4", "adult", G)
    ]
    assert s.check_record_consent(_living(), c.RecordConsent(given), k) == []


def test_an_advocate_follows_the_assessment_and_is_named_sar_f_3() -> None:
    """SAR-F-3: an advocate is arranged for a living adult, after their s.68
    assessment, and named."""
    k = ctx(ADVOCACY)
    assert refused(s.check_arrange_advocate(_screened(), c.ArrangeAdvocate("a1", " "), k)) == [
        ("SAR-F-3", "adult", G),
        ("SAR-F-3", "adult", G),
        ("SAR-F-3", "advocate", IN),
    ]
    assessed = evolve(_living(), advocacy=(AdvocacyAssessment("a1", True, False, START),))
    assert s.check_arrange_advocate(assessed, c.ArrangeAdvocate("a1", "Ada"), k) == []


def test_consent_refused_or_lacking_capacity_records_the_route_sar_f_4() -> None:
    """SAR-F-4: a refusal, or a lack of capacity, records the route taken."""
    review, k = _living(), ctx(MANAGER)
    for status in (ConsentStatus.REFUSED, ConsentStatus.LACKS_CAPACITY):
        assert refused(
            s.check_record_consent(review, c.RecordConsent(Consent("a1", status)), k)
        ) == [("SAR-F-4", "consent.route", IN)]
        routed = Consent("a1", status, route="best interests under the MCA")
        assert s.check_record_consent(review, c.RecordConsent(routed), k) == []


# --- SAR-M-7: commissioning ----------------------------------------------------------


def test_commissioning_more_than_one_area_needs_the_lead_sab_sar_m_7_sar_r_6() -> None:
    """SAR-M-7, SAR-R-6: adults in two areas need the lead SAB agreed first."""
    review = commissioned().r
    two = (adult("a1"), adult("a2", area="Borough"))
    spread = evolve(review, referral=referral(*two))
    assert refused(s.commission_problems(spread)) == [("SAR-R-6", None, G)]
    assert s.commission_problems(evolve(spread, lead_sab="Shire SAB")) == []


def test_commissioning_a_panel_seats_each_agency_unless_waived_sar_m_7_sar_m_4() -> None:
    """SAR-M-7, SAR-M-4: with a panel every involved agency is seated, or a waiver
    names the agency (SAR-G-6)."""
    review = evolve(commissioned().r, methodology=_panel())
    seated = evolve(review, panel_members=("asc", "nhs"))
    assert refused(s.commission_problems(seated)) == [("SAR-M-4", None, G)]
    assert "housing" in s.commission_problems(seated)[0].message
    assert s.commission_problems(evolve(seated, waivers=(_waiver("SAR-M-4", "housing"),))) == []
    assert s.commission_problems(evolve(seated, panel_members=("asc", "nhs", "housing"))) == []


# --- SAR-M-11: evidence --------------------------------------------------------------


def _plan(*statuses: EvidenceStatus) -> SarReview:
    items = tuple(
        EvidenceItem(f"e{n}", EvidenceType.CHRONOLOGY, "asc", status=st)
        for n, st in enumerate(statuses)
    )
    return evolve(_screened(), methodology=evolve(methodology(), plan=items))


def test_evidence_received_is_an_awaited_item_of_the_plan_sar_m_11() -> None:
    """SAR-M-11: an item of the plan (INPUT on ``item``), requested or awaiting further
    information (else refused on ``item``)."""
    k = ctx(CHAIR)
    review = _plan(
        EvidenceStatus.REQUESTED,
        EvidenceStatus.FURTHER_INFORMATION_REQUESTED,
        EvidenceStatus.RECEIVED,
    )
    assert s.check_receive_evidence(review, c.ReceiveEvidence("e0"), k) == []
    assert s.check_receive_evidence(review, c.ReceiveEvidence("e1"), k) == []
    assert refused(s.check_receive_evidence(review, c.ReceiveEvidence("e2"), k)) == [
        ("SAR-M-11", "item", G)
    ]
    assert refused(s.check_receive_evidence(review, c.ReceiveEvidence("e9"), k)) == [
        ("INPUT", "item", IN)
    ]
    bare = evolve(review, methodology=None)
    assert refused(s.check_receive_evidence(bare, c.ReceiveEvidence("e0"), k)) == [
        ("INPUT", "item", IN)
    ]


def test_evidence_is_judged_once_received_sar_m_11() -> None:
    """SAR-M-11: judged after receipt; "not sufficient" names the further information."""
    k = ctx(CHAIR)
    review = _plan(EvidenceStatus.REQUESTED, EvidenceStatus.RECEIVED)
    assert refused(s.check_judge_evidence(review, c.JudgeEvidence("e0", True), k)) == [
        ("SAR-M-11", "item", G)
    ]
    assert refused(s.check_judge_evidence(review, c.JudgeEvidence("e1", False), k)) == [
        ("SAR-M-11", "further_information", IN)
    ]
    asked = c.JudgeEvidence("e1", False, further_information="the GP's notes")
    assert s.check_judge_evidence(review, asked, k) == []
    assert refused(s.check_judge_evidence(review, c.JudgeEvidence("e9", True), k)) == [
        ("INPUT", "item", IN)
    ]


def test_evidence_is_not_judged_before_the_day_it_was_received_sar_m_11() -> None:
    """SAR-M-11: an item is received and then judged, so a judgement recorded after the
    fact (``occurred_on``) cannot precede the day the item was received."""
    k = ctx(CHAIR)
    review = _plan(EvidenceStatus.RECEIVED)
    assert review.methodology is not None
    received = START - timedelta(days=3)
    item = evolve(review.methodology.plan[0], received_on=received)
    review = evolve(review, methodology=evolve(review.methodology, plan=(item,)))
    early = c.JudgeEvidence("e0", True, occurred_on=received - timedelta(days=1))
    assert refused(s.check_judge_evidence(review, early, k)) == [("SAR-M-11", "occurred_on", IN)]
    assert (
        s.check_judge_evidence(review, c.JudgeEvidence("e0", True, occurred_on=received), k) == []
    )


def test_evidence_accepted_when_every_item_is_sufficient_or_waived_sar_m_11() -> None:
    """SAR-M-11 (each insufficient item refused on its own id, unless a waiver names
    it), SAR-M-2 (no plan at all)."""
    k = ctx(CHAIR)
    assert refused(
        s.check_accept_evidence(evolve(_screened(), methodology=None), c.AcceptEvidence(), k)
    ) == [("SAR-M-2", None, G)]
    review = _plan(EvidenceStatus.SUFFICIENT, EvidenceStatus.RECEIVED, EvidenceStatus.REQUESTED)
    assert refused(s.check_accept_evidence(review, c.AcceptEvidence(), k)) == [
        ("SAR-M-11", "e1", G),
        ("SAR-M-11", "e2", G),
    ]
    waived = evolve(review, waivers=(_waiver("SAR-M-11", "e2"),))
    assert refused(s.check_accept_evidence(waived, c.AcceptEvidence(), k)) == [
        ("SAR-M-11", "e1", G)
    ]


# --- SAR-M-8, SAR-M-10, SAR-M-12 -----------------------------------------------------


def test_practitioners_take_part_or_the_reason_is_given_sar_m_8() -> None:
    """SAR-M-8: how practitioners take part, or why not (either suffices)."""
    review, k = _screened(), ctx(CHAIR)
    assert refused(s.check_practitioners(review, c.RecordPractitionerInvolvement(), k)) == [
        ("SAR-M-8", "how", G)
    ]
    assert s.check_practitioners(review, c.RecordPractitionerInvolvement(how="an event"), k) == []
    why = c.RecordPractitionerInvolvement(why_not="all have left")
    assert s.check_practitioners(review, why, k) == []


def test_a_parallel_process_is_new_and_named_sar_m_10() -> None:
    """SAR-M-10: the entry has an id, not one registered already."""
    review, k = _screened(), ctx(MANAGER)
    blank = ParallelProcess(" ", ParallelProcessType.INQUEST)
    assert refused(s.check_parallel_process(review, c.RegisterParallelProcess(blank), k)) == [
        ("SAR-M-10", "process.id", IN)
    ]
    inquest = ParallelProcess("inq-1", ParallelProcessType.INQUEST)
    assert s.check_parallel_process(review, c.RegisterParallelProcess(inquest), k) == []
    held = evolve(review, parallel_processes=(inquest,))
    assert refused(s.check_parallel_process(held, c.RegisterParallelProcess(inquest), k)) == [
        ("SAR-M-10", "process.id", G)
    ]


def test_a_pause_names_a_process_with_reasons_once_sar_m_10_sar_m_12() -> None:
    """SAR-M-10 (a registered process, on ``process``), SAR-M-12 (reasons; not paused
    already); only paused clocks resume."""
    inquest = ParallelProcess("inq-1", ParallelProcessType.INQUEST)
    paused = evolve(_screened(), pauses=(ClockPause(START, "inq-1", "inquest opened"),))
    k = ctx(CHAIR)
    assert refused(s.check_pause(paused, c.PauseClock("zz", " "), k)) == [
        ("SAR-M-10", "process", G),
        ("SAR-M-12", "reasons", IN),
        ("SAR-M-12", None, G),
    ]
    running = evolve(_screened(), parallel_processes=(inquest,))
    assert s.check_pause(running, c.PauseClock("inq-1", "inquest opened"), k) == []
    assert refused(s.check_resume(running, c.ResumeClock(), k)) == [("SAR-M-12", None, G)]
    assert s.check_resume(paused, c.ResumeClock(), k) == []


def test_a_clock_resumes_no_earlier_than_it_was_paused_sar_m_12() -> None:
    """SAR-M-12 with the engine's rule ``DATE`` (docs/decisions.md, "Dates after the
    fact": a clock cannot resume before it was paused): a resumption recorded after the
    fact is refused on ``occurred_on`` when dated before the pause began."""
    paused = evolve(_screened(), pauses=(ClockPause(START, "inq-1", "inquest opened"),))
    k = ctx(CHAIR)
    early = c.ResumeClock(START - timedelta(days=1))
    assert refused(s.check_resume(paused, early, k)) == [("DATE", "occurred_on", IN)]
    assert s.check_resume(paused, c.ResumeClock(START), k) == []


def test_an_extension_names_a_deadline_the_review_has_sar_m_12() -> None:
    """SAR-M-12: an extension moves one of the review's deadlines; a key the review has
    no deadline by (misspelt, or of a clock that is off) is refused on ``deadline``,
    naming the keys there are, instead of being recorded and moving nothing."""
    review, k = _screened(), ctx(CHAIR)
    later = START + timedelta(days=1)
    wrong = c.ExtendDeadline("review_complet", later, "the inquest")
    refusals = s.check_extend(review, wrong, k)
    assert refused(refusals) == [("SAR-M-12", "deadline", IN)]
    assert "review_complete" in refusals[0].message


def test_a_deadline_already_met_is_not_extended_sar_m_12() -> None:
    """SAR-M-12: only an open deadline moves; one the review has met is refused on
    ``deadline`` (a guard: the deadline is the review's, but no longer open), saying
    so; an open one of the same review is extended."""
    run = report_drafted()
    k = ctx(CHAIR, run.today)
    later = run.today + timedelta(days=30)
    met = c.ExtendDeadline("report_due", later, "the inquest")
    refusals = s.check_extend(run.r, met, k)
    assert refused(refusals) == [("SAR-M-12", "deadline", G)]
    assert refusals[0].message == "report_due is no longer open (met)"
    assert s.check_extend(run.r, evolve(met, deadline="review_complete"), k) == []


def test_an_extension_has_reasons_a_deadline_and_a_later_date_sar_m_12() -> None:
    """SAR-M-12: reasons, the deadline extended, and a new date after today."""
    review, k = _screened(), ctx(CHAIR)
    today = c.ExtendDeadline(" ", START, " ")
    assert refused(s.check_extend(review, today, k)) == [
        ("SAR-M-12", "reasons", IN),
        ("SAR-M-12", "deadline", IN),
        ("SAR-M-12", "new_due", IN),
    ]
    later = c.ExtendDeadline("review_complete", START + timedelta(days=1), "the inquest")
    assert s.check_extend(review, later, k) == []


def test_an_extension_is_of_an_open_deadline_within_ten_years_sar_m_12() -> None:
    """SAR-M-12 (as PR-a): a deadline the review does not have is refused on
    ``deadline``, a day more than ten years away on ``new_due``."""
    review, k = _screened(), ctx(CHAIR)
    unknown = c.ExtendDeadline("no_such_deadline", START + timedelta(days=1), "the inquest")
    assert refused(s.check_extend(review, unknown, k)) == [("SAR-M-12", "deadline", IN)]
    far = START + timedelta(days=FURTHEST_DAYS + 1)
    too_far = c.ExtendDeadline("review_complete", far, "the inquest")
    assert refused(s.check_extend(review, too_far, k)) == [("SAR-M-12", "new_due", IN)]
    furthest = c.ExtendDeadline("review_complete", far - timedelta(days=1), "the inquest")
    assert s.check_extend(review, furthest, k) == []
