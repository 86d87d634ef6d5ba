"""Methodology and set-up (SAR-M-1 to SAR-M-13), the s.68 advocacy duty (SAR-F-3),
consent (SAR-F-4) and the terms of reference's purpose and principles (SAR-G-1,
SAR-G-2).

s.44(5): "Each member of the SAB must co-operate in and contribute to the carrying out
of a review under this section with a view to— (a) identifying the lessons to be learnt
from the adult's case, and (b) applying those lessons to future cases."
"""

from __future__ import annotations

from datetime import date, timedelta

import attrs

from scr_engine.protocols.sar import commands as c
from scr_engine.protocols.sar.methodology import PROFILES, EvidenceType, MethodologyCode
from scr_engine.protocols.sar.records import (
    Action,
    Consent,
    ConsentStatus,
    EvidenceStatus,
    InvolvementEntry,
    InvolvementLevel,
    LeadReviewer,
    Mandate,
    MandateKind,
    Outcome,
    ParallelProcess,
    ParallelProcessType,
    TorEntry,
)
from support.sar import (
    ADVOCACY,
    CHAIR,
    LEAD,
    MANAGER,
    SUBGROUP,
    adult,
    assessment,
    commissioned,
    methodology,
    requested,
    screened,
    terms,
)


def test_methodology_profiles_as_data_with_evidence_plans_sar_m_1_sar_m_2() -> None:
    """SAR-M-1: imr_overview, systems_learning_together, silp, learning_event,
    rapid_time, thematic, hybrid or other; SAR-M-2: each carries an evidence plan, and
    imr_overview reproduces the SCR's IMRs and Appendix 3."""
    assert set(PROFILES) == set(MethodologyCode)
    assert PROFILES[MethodologyCode.IMR_OVERVIEW].appendix3
    assert EvidenceType.IMR in PROFILES[MethodologyCode.IMR_OVERVIEW].evidence
    assert all(p.evidence for p in PROFILES.values() if p.code not in ("hybrid", "other"))


def test_choice_records_rationale_and_proportionality_sar_m_1() -> None:
    """SAR-M-1: the rationale and proportionality judgement are recorded; `other` is
    described; a change after commissioning needs reasons."""
    run = screened()
    bare = attrs.evolve(methodology(MethodologyCode.OTHER), rationale="", proportionality="")
    assert {r.field for r in run.refusals(SUBGROUP, c.ChooseMethodology(bare))} == {
        "methodology.rationale",
        "methodology.proportionality",
        "methodology.description",
    }
    later = commissioned()
    assert later.rules(SUBGROUP, c.ChooseMethodology(methodology())) == {"SAR-M-1"}


def test_evidence_plan_items_unique_with_owners_sar_m_2() -> None:
    """SAR-M-2: each item has a type, an owner and a due date."""
    run = screened()
    m = methodology()
    twice = attrs.evolve(m, plan=(m.plan[0], attrs.evolve(m.plan[0], owner="")))
    assert run.rules(SUBGROUP, c.ChooseMethodology(twice)) == {"SAR-M-2"}


def test_lead_reviewer_independent_unless_waived_sar_m_3() -> None:
    """SAR-M-3: a declared involvement, or employment by an involved agency, is refused
    unless waived (waivable, SAR-G-6)."""
    run = screened()
    conflicted = LeadReviewer(
        "p1", "Pat", "asc", declared_involvement=True, involvement="her manager"
    )
    refusals = run.refusals(CHAIR, c.AppointLeadReviewer(conflicted))
    assert [(r.rule, r.field) for r in refusals] == [
        ("SAR-M-3", "reviewer.declared_involvement"),
        ("SAR-M-3", "reviewer.employer"),
    ]
    assert all("record_waiver" in r.message for r in refusals)
    run.do(CHAIR, c.RecordWaiver("SAR-M-3", "no independent reviewer available in time"))
    run.do(CHAIR, c.AppointLeadReviewer(conflicted))
    assert run.r.lead_reviewer == conflicted


def test_panel_only_with_a_panel_methodology_sar_m_4() -> None:
    """SAR-M-4: applies only when the methodology uses a panel; members declare
    involvement; every involved agency is represented."""
    run = screened()
    run.do(SUBGROUP, c.ChooseMethodology(methodology()))
    assert run.rules(CHAIR, c.AppointPanelChair("p2")) == {"SAR-M-4"}
    panel = screened()
    panel.do(SUBGROUP, c.ChooseMethodology(methodology(MethodologyCode.THEMATIC)))
    panel.do(CHAIR, c.AppointPanelChair("p2"))
    assert panel.rules(CHAIR, c.AppointPanelMember("p3", "asc", declared_involvement=True)) == {
        "SAR-M-4"
    }
    panel.do(CHAIR, c.AppointPanelMember("p3", "asc"))
    assert "SAR-M-4" in panel.rules(SUBGROUP, c.CommissionReview())


def test_terms_of_reference_cover_every_item_sar_m_5_sar_g_1_sar_g_2() -> None:
    """SAR-M-5 (every item, or "not applicable" with a reason; the period with start and
    end), SAR-G-1 (purpose: learning, not blame), SAR-G-2 (the six principles)."""
    run = screened()
    t = terms()
    items = {k: v for k, v in t.items.items() if k not in ("purpose", "timescale")}
    items["governance"] = TorEntry(not_applicable="set by the Board's constitution")
    partial = attrs.evolve(t, items=items, period_end=None, principles={"empowerment": "yes"})
    rules = [(r.rule, r.field) for r in run.refusals(SUBGROUP, c.AgreeTermsOfReference(partial))]
    assert rules == [
        ("SAR-M-5", "terms.items"),
        ("SAR-M-5", "terms.period_start"),
        ("SAR-G-1", "terms.items.purpose"),
        ("SAR-G-2", "terms.principles"),
    ]
    run.do(SUBGROUP, c.AgreeTermsOfReference(t))
    assert run.rules(SUBGROUP, c.AgreeTermsOfReference(t)) == {
        "SAR-M-5"
    }  # an amendment needs reasons
    run.do(SUBGROUP, c.AgreeTermsOfReference(t, "period extended"))


def test_cooperation_issue_escalated_to_the_board_chair_sar_m_6() -> None:
    """SAR-M-6: a member's refusal or silence is recorded and escalated (output)."""
    run = commissioned()
    run.do(MANAGER, c.RecordCooperationIssue("nhs", c.CooperationIssue.NO_RESPONSE))
    assert run.tasks[-1].rule == "SAR-M-6" and run.tasks[-1].to == "board_chair"
    assert run.rules(MANAGER, c.RecordCooperationIssue("zz", c.CooperationIssue.REFUSED)) == {
        "INPUT"
    }


def test_commissioning_needs_every_part_sar_m_7_sar_d_8_sar_f_1_sar_r_6() -> None:
    """SAR-M-7: methodology (M-1), lead reviewer (M-3), ToR (M-5), lead SAB where more
    than one (R-6), a determined mandate (D-8), the involvement plan (F-1), the s.68
    outcome for a living adult (F-3) — every missing part named."""
    run = requested(None, adult("a1", alive=True, area="Shire"), adult("a2", area="County"))
    run.do(
        SUBGROUP,
        c.AssessCriteria(
            (
                assessment("a1", c_="unknown", cond1="not_met", cond2="met", died_on=None),
                assessment("a2", c_="unknown"),
            )
        ),
    )
    run.do(
        CHAIR, c.ConfirmReview(Outcome.SAR_MANDATORY, "unclear", Mandate(MandateKind.UNDETERMINED))
    )
    assert run.rules(SUBGROUP, c.CommissionReview()) == {
        "SAR-M-1",
        "SAR-M-3",
        "SAR-M-5",
        "SAR-R-6",
        "SAR-D-8",
        "SAR-F-1",
        "SAR-F-3",
    }


def test_s68_advocate_required_before_commissioning_sar_f_3() -> None:
    """SAR-F-3, s.68: substantial difficulty and no appropriate person ⇒ an independent
    advocate must be arranged before commissioning; not applicable if the adult died."""
    run = requested(None, adult("a1", alive=True))
    run.do(
        SUBGROUP, c.AssessCriteria((assessment("a1", cond1="not_met", cond2="met", died_on=None),))
    )
    run.do(CHAIR, c.ConfirmReview(Outcome.SAR_MANDATORY, "met", Mandate(MandateKind.MANDATORY, 2)))
    run.do(SUBGROUP, c.ChooseMethodology(methodology()))
    run.do(CHAIR, c.AppointLeadReviewer(LeadReviewer("p", "P", "Independent")))
    run.do(SUBGROUP, c.AgreeTermsOfReference(terms()))
    run.do(
        MANAGER,
        c.RecordInvolvement(
            InvolvementEntry("a1", "the adult", InvolvementLevel.CONTRIBUTE, contacted_on=run.today)
        ),
    )
    assert run.rules(SUBGROUP, c.CommissionReview()) == {"SAR-F-3"}
    assert run.rules(ADVOCACY, c.ArrangeAdvocate("a1", "Alex")) == {"SAR-F-3"}
    run.do(ADVOCACY, c.AssessAdvocacy("a1", substantial_difficulty=True, appropriate_person=False))
    assert run.rules(SUBGROUP, c.CommissionReview()) == {"SAR-F-3"}
    run.do(ADVOCACY, c.ArrangeAdvocate("a1", "Alex Advocate"))
    run.do(SUBGROUP, c.CommissionReview())
    assert run.r.stage == "commissioned"
    dead = screened()
    assert dead.rules(ADVOCACY, c.AssessAdvocacy("a1", True, False)) == {"SAR-F-3"}


def test_consent_refused_records_the_route_sar_f_4() -> None:
    """SAR-F-4: a refusal or lack of capacity is recorded with the route taken."""
    run = requested(None, adult("a1", alive=True))
    run.do(
        SUBGROUP, c.AssessCriteria((assessment("a1", cond1="not_met", cond2="met", died_on=None),))
    )
    run.do(CHAIR, c.ConfirmReview(Outcome.SAR_MANDATORY, "met", Mandate(MandateKind.MANDATORY, 2)))
    refused = Consent("a1", ConsentStatus.LACKS_CAPACITY)
    assert run.rules(LEAD, c.RecordConsent(refused)) == {"SAR-F-4"}
    run.do(
        LEAD, c.RecordConsent(attrs.evolve(refused, route="best-interests decision under the MCA"))
    )
    assert run.r.consents[0].status is ConsentStatus.LACKS_CAPACITY


def test_practitioner_involvement_or_why_not_sar_m_8() -> None:
    """SAR-M-8: how practitioners take part, or why not."""
    run = commissioned()
    assert run.rules(LEAD, c.RecordPractitionerInvolvement()) == {"SAR-M-8"}
    run.do(LEAD, c.RecordPractitionerInvolvement(how="a learning event on 3 March"))


def test_budget_is_optional_and_never_negative_sar_m_9() -> None:
    """SAR-M-9: budget, fees and support recorded (optional)."""
    run = screened()
    assert run.rules(MANAGER, c.RecordBudget(-1)) == {"SAR-M-9"}
    run.do(MANAGER, c.RecordBudget(5000, 3000, "minute taker"))


def test_parallel_processes_registered_and_pausing_names_one_sar_m_10_sar_m_12() -> None:
    """SAR-M-10: a register of parallel processes; a pause names one (and gives reasons,
    SAR-M-12)."""
    run = screened()
    assert run.rules(CHAIR, c.PauseClock("inq", "")) == {"SAR-M-10", "SAR-M-12"}
    run.do(
        MANAGER,
        c.RegisterParallelProcess(ParallelProcess("inq", ParallelProcessType.INQUEST, "C-1")),
    )
    assert run.rules(
        MANAGER, c.RegisterParallelProcess(ParallelProcess("inq", ParallelProcessType.CQC))
    ) == {"SAR-M-10"}
    assert run.rules(CHAIR, c.ResumeClock()) == {"SAR-M-12"}
    run.do(CHAIR, c.PauseClock("inq", "the coroner asked us to wait"))
    assert run.r.paused and run.rules(CHAIR, c.PauseClock("inq", "again")) == {"SAR-M-12"}
    run.do(CHAIR, c.ResumeClock(), days=10)
    assert not run.r.paused


def test_evidence_received_then_judged_and_accepted_sar_m_11() -> None:
    """SAR-M-11: each item received, then judged sufficient or further information
    requested; accept_evidence needs every item sufficient, or waived with reasons."""
    run = commissioned()
    first, *rest = run.r.methodology.plan if run.r.methodology else ()
    assert run.rules(LEAD, c.JudgeEvidence(first.id, True)) == {"SAR-M-11"}
    assert run.rules(LEAD, c.ReceiveEvidence("nope")) == {"INPUT"}
    run.do(LEAD, c.ReceiveEvidence(first.id))
    assert run.rules(LEAD, c.JudgeEvidence(first.id, False)) == {"SAR-M-11"}
    run.do(LEAD, c.JudgeEvidence(first.id, False, "the chronology stops in June"))
    assert run.r.methodology is not None
    assert run.r.methodology.plan[0].status is EvidenceStatus.FURTHER_INFORMATION_REQUESTED
    refusals = run.refusals(LEAD, c.AcceptEvidence())
    assert {r.field for r in refusals} == {i.id for i in run.r.methodology.plan}
    run.do(LEAD, c.ReceiveEvidence(first.id))
    run.do(LEAD, c.JudgeEvidence(first.id, True))
    for item in rest:
        run.do(CHAIR, c.RecordWaiver("SAR-M-11", "the agency closed; records lost", item.id))
    run.do(LEAD, c.AcceptEvidence())
    assert run.r.stage == "evidence_received"


def test_extension_needs_reasons_and_tells_the_board_chair_sar_m_12() -> None:
    """SAR-M-12: taking longer needs recorded reasons; the board_chair is told."""
    run = commissioned()
    assert run.rules(CHAIR, c.ExtendDeadline("review_complete", run.today, "")) == {"SAR-M-12"}
    run.do(CHAIR, c.ExtendDeadline("review_complete", run.today + timedelta(90), "trial"))
    assert run.tasks[-1].rule == "SAR-M-12" and run.tasks[-1].to == "board_chair"


def test_interim_actions_before_the_report_sar_m_13() -> None:
    """SAR-M-13: from `screened`, immediate actions are recorded as interim actions."""
    run = screened()
    action = Action("A0", "asc", date(2027, 6, 1), "safe discharge", "audit")
    assert run.rules(MANAGER, c.AddAction(action)) == {"SAR-M-13"}
    run.do(MANAGER, c.AddAction(attrs.evolve(action, interim=True)))
    assert run.r.actions[0].interim


def test_records_secured_by_an_involved_agency_sar_d_9() -> None:
    """SAR-D-9: records secured, per agency."""
    run = screened()
    assert run.rules(MANAGER, c.RecordRecordsSecured("zz")) == {"INPUT"}
    run.do(MANAGER, c.RecordRecordsSecured("asc"))
    assert run.r.records_secured == ("asc",)
