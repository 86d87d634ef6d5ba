"""A fictional mandatory Safeguarding Adults Review, taken as far along its main line as
the SAR definition allows: the library's SAR demonstration (``scr demo --protocol sar``).

Everything here is invented: the adult, the people, the agencies, the events. The
review is referred, assessed, confirmed mandatory (condition 1), set up (methodology,
lead reviewer, terms of reference, involvement plan) and commissioned; its evidence is
received and judged sufficient; the report is submitted and checked for accuracy by
every agency; one finding is decided to be implemented, with an action, and one
declined with reasons; the Board ratifies; the action plan is monitored and its action
completed; publication of the summary is decided and carried out.

``close_review`` then needs the findings in a published annual report (SAR-A-4), which
only the annual report machine sets: until it exists the review stays at
``action_plan_monitored`` (:data:`CLOSE_BLOCKED`), and :func:`run_sar_demo` says why.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from scr_engine.clock import local_date
from scr_engine.demo import echo_history_and_deadlines
from scr_engine.engine import ReviewEngine
from scr_engine.protocols.sar import commands as c
from scr_engine.protocols.sar.guards_setup import PRINCIPLES, TOR_ITEMS
from scr_engine.protocols.sar.methodology import EvidenceType, MethodologyCode
from scr_engine.protocols.sar.records import (
    AbuseType,
    Action,
    Adult,
    AdultAssessment,
    AgencyRecord,
    Conjunct,
    DatedEvent,
    EvidenceItem,
    Finding,
    Implementation,
    InvolvementEntry,
    InvolvementLevel,
    LeadReviewer,
    Mandate,
    MandateKind,
    Methodology,
    Outcome,
    PublicationChoice,
    Recommendation,
    Referral,
    ReferrerCategory,
    Report,
    SarReview,
    TermsOfReference,
    TestValue,
    TorEntry,
)
from scr_engine.records import Actor, Role

if TYPE_CHECKING:
    from scr_engine.protocols.sar.annual.records import AnnualReportForm

__all__ = [
    "AGENCIES",
    "BOARD",
    "BOARD_CHAIR",
    "BUSINESS_MANAGER",
    "CLOSE_BLOCKED",
    "EXAMPLE_FORMS",
    "LEAD_REVIEWER",
    "SUBGROUP_CHAIR",
    "close_through_annual_report",
    "contributor",
    "demo_annual_report_form",
    "demo_referral",
    "run_sar_demo",
    "run_sar_main_line",
]

BOARD_CHAIR = Actor("u-chair", "Bea Chair", {Role.BOARD_CHAIR})
BUSINESS_MANAGER = Actor("u-bm", "Cal Manager", {Role.BUSINESS_MANAGER})
SUBGROUP_CHAIR = Actor("u-sub", "Gus Subgroup", {Role.SUBGROUP_CHAIR})
LEAD_REVIEWER = Actor("u-lead", "Hal Reviewer", {Role.LEAD_REVIEWER})
BOARD = Actor("u-board", "The Board", {Role.BOARD})

AGENCIES = (
    AgencyRecord("asc", "Adult Social Care", True),
    AgencyRecord("nhs", "Riverside Community Health Trust", True),
    AgencyRecord("housing", "Meadow Housing Association", False),
)
"""The involved agencies (the first two SAB members)."""

CLOSE_BLOCKED = (
    "close_review needs the findings in a published annual report (SAR-A-4, Care Act 2014 "
    "Sch. 2 para 4(1)(d)): the annual report of the financial year the review concluded "
    "in, published once that year has ended (SAR-A-5)."
)
"""Why the review cannot close straight after monitoring."""


def contributor(agency: str) -> Actor:
    """The named contact of ``agency`` (who checks the report for accuracy)."""
    return Actor(f"u-{agency}", f"Contact at {agency}", {Role.AGENCY_CONTRIBUTOR}, agency)


def demo_referral(today: date = date(2026, 1, 12)) -> Referral:
    """A fictional referral received on ``today``: one adult, who died a week before."""
    died = today - timedelta(days=7)
    return Referral(
        referrer_category=ReferrerCategory.MEMBER_AGENCY,
        referrer="Dr Ivo Quill",
        referrer_contact="ivo.quill@example.org",
        adults=(Adult("a1", "Mr Olaf Vance", "Riverside", False, died),),
        events=(DatedEvent(died, "Mr Vance was found dead at home; neglect is suspected."),),
        rationale="He had care and support needs, died, and neglect by others is suspected; "
        "agencies did not share what they knew.",
        agencies=AGENCIES,
        other_processes=("inquest",),
        adult_or_family_aware=True,
    )


def _conjunct(value: TestValue) -> Conjunct:
    return Conjunct(value, f"the Board finds it {value.value}")


def _assessment(died: date) -> AdultAssessment:
    met, not_met = TestValue.MET, TestValue.NOT_MET
    return AdultAssessment(
        "a1",
        in_area=_conjunct(met),
        care_and_support_needs=_conjunct(met),
        working_together_concern=_conjunct(met),
        condition_1=_conjunct(met),
        condition_2=_conjunct(not_met),
        abuse_types=frozenset({AbuseType.NEGLECT}),
        died_on=died,
        knowledge_basis="post-mortem findings and the GP's records",
    )


def _terms(today: date) -> TermsOfReference:
    return TermsOfReference(
        {k: TorEntry(f"{k.replace('_', ' ')}: as the panel agreed") for k in TOR_ITEMS},
        period_start=today - timedelta(days=365),
        period_end=today,
        report_due=today + timedelta(days=180),
        principles={p: f"{p.replace('_', ' ')} is reflected in the plan" for p in PRINCIPLES},
    )


def _report() -> Report:
    return Report(
        mandate_and_tor="A mandatory SAR (condition 1); the terms of reference are attached.",
        methodology="Learning together, chosen for a single death with two agencies involved.",
        involvement="Mr Vance's sister contributed her memories of him.",
        period="The twelve months before Mr Vance died.",
        analysis="What happened, and why agencies did not share what they knew.",
        purpose="To learn lessons, not to apportion blame.",
        findings=(
            Finding("F1", "Hospital discharge notes did not reach the care team.", "handover"),
            Finding("F2", "No national guidance covers self-funded carers.", "policy"),
        ),
        recommendations=(
            Recommendation("R1", "Send discharge notes to the care team the same day.", ("F1",)),
            Recommendation("R2", "Ask for national guidance on self-funded carers.", ("F2",)),
        ),
        summary="A learning briefing for every agency.",
    )


def run_sar_main_line(
    engine: ReviewEngine, step: Callable[[], object] = lambda: None, today: date | None = None
) -> SarReview:
    """Submit the fictional referral and take the review along the main line as far
    as the SAR definition allows (``action_plan_monitored``: :data:`CLOSE_BLOCKED`);
    ``step`` runs after each command (to move a fixed clock on). Returns the review."""
    start = today if today is not None else local_date(engine.clock.now())
    review = engine.submit(demo_referral(start), BUSINESS_MANAGER, protocol="sar")

    def do(command: c.SarCommand, actor: Actor) -> SarReview:
        done = engine.execute(review.id, command, actor)
        step()
        return done

    day = start
    do(c.AssessCriteria((_assessment(start - timedelta(days=7)),)), SUBGROUP_CHAIR)
    mandate = Mandate(MandateKind.MANDATORY, 1)
    do(c.ConfirmReview(Outcome.SAR_MANDATORY, "The mandatory test is met.", mandate), BOARD_CHAIR)
    plan = tuple(
        EvidenceItem(f"chron-{a.code}", EvidenceType.CHRONOLOGY, a.code, day + timedelta(days=60))
        for a in AGENCIES
    )
    methodology = Methodology(
        MethodologyCode.SYSTEMS_LEARNING_TOGETHER,
        "It fits a single death with several agencies involved.",
        "Proportionate to the agencies' involvement.",
        plan=plan,
    )
    do(c.ChooseMethodology(methodology), SUBGROUP_CHAIR)
    lead = LeadReviewer(LEAD_REVIEWER.id, LEAD_REVIEWER.name, "Independent Reviews Ltd")
    do(c.AppointLeadReviewer(lead), BOARD_CHAIR)
    do(c.AgreeTermsOfReference(_terms(day)), SUBGROUP_CHAIR)
    sister = InvolvementEntry("fam-sister", "sister", InvolvementLevel.CONTRIBUTE, contacted_on=day)
    do(c.RecordInvolvement(sister), BUSINESS_MANAGER)
    do(c.CommissionReview(), SUBGROUP_CHAIR)
    for item in plan:
        do(c.ReceiveEvidence(item.id), LEAD_REVIEWER)
        do(c.JudgeEvidence(item.id, True), LEAD_REVIEWER)
    do(c.AcceptEvidence(), LEAD_REVIEWER)
    do(c.SubmitReport(_report()), LEAD_REVIEWER)
    for agency in AGENCIES:
        do(c.RecordAgencySignoff(agency.code, True), contributor(agency.code))
    now = local_date(engine.clock.now())
    action = Action(
        "A1",
        "asc",
        now + timedelta(days=120),
        "Discharge notes reach the care team the same day.",
        "A quarterly audit of discharges.",
        ("F1",),
    )
    do(c.AddAction(action), BUSINESS_MANAGER)
    do(c.DecideFinding("F1", Implementation.IMPLEMENT), BOARD_CHAIR)
    do(
        c.DecideFinding(
            "F2", Implementation.NOT_IMPLEMENT, "National policy is a matter for the government."
        ),
        BOARD_CHAIR,
    )
    do(c.Ratify(), BOARD)
    do(c.StartMonitoring(), BUSINESS_MANAGER)
    do(c.RecordActionProgress("A1", "The new discharge letter is in use."), BUSINESS_MANAGER)
    do(c.CompleteAction("A1", "Every discharge audited since reached the team."), BUSINESS_MANAGER)
    do(c.DecidePublication(PublicationChoice.PUBLISH_SUMMARY), BOARD_CHAIR)
    return do(
        c.RecordPublication(
            c.PublishedWhat.SUMMARY,
            "https://example.org/sab/sar-summary",
            cleared=True,
        ),
        BUSINESS_MANAGER,
    )


def demo_annual_report_form(year: int = 2025) -> AnnualReportForm:
    """A fictional annual report form of the financial year from 1 April ``year``: the
    demo's agencies as the SAB's members, the four kinds of statutory recipient
    (SAR-A-5, SAR-A-8)."""
    from scr_engine.protocols.sar.annual.records import (
        AnnualReportForm,
        Member,
        Recipient,
        RecipientKind,
    )

    members = tuple(Member(a.code, a.name) for a in AGENCIES)
    recipients = (
        Recipient("la", RecipientKind.LOCAL_AUTHORITY, "The council's chief executive and leader"),
        Recipient("pcc", RecipientKind.POLICING_BODY, "The Police and Crime Commissioner"),
        Recipient("hw", RecipientKind.HEALTHWATCH, "Healthwatch Riverside"),
        Recipient(
            "hwb", RecipientKind.HEALTH_AND_WELLBEING_BOARD, "The Health and Wellbeing Board"
        ),
    )
    return AnnualReportForm(year, members, recipients)


EXAMPLE_FORMS: dict[str, Callable[[], Any]] = {
    "sar": demo_referral,
    "sar-annual-report": demo_annual_report_form,
}
"""A fictional request form per protocol, by its name, for a person to start from
(``scr submit --protocol NAME --template``)."""


def close_through_annual_report(
    engine: ReviewEngine, review: SarReview, echo: Callable[[str], None] = print
) -> SarReview:
    """Take a monitored SAR to ``closed`` the way the Act has it (SAR-A-4): move the
    clock past the end of the financial year it concluded in, open that year's annual
    report, write sections (a)-(c), compute (d)-(g) from the store, approve and publish
    it, record on the review that its findings are in it, close the review, and send the
    report to its four statutory recipients. The clock must be one that can be set
    (:class:`~scr_engine.clock.FixedClock`); otherwise the review is left as it is."""
    from scr_engine import annual_reports
    from scr_engine.protocols.sar.annual import commands as ac
    from scr_engine.protocols.sar.annual.records import SectionCode

    concluded = review.concluded_on
    set_clock = getattr(engine.clock, "set", None)
    if concluded is None or not callable(set_clock):
        return review
    year = concluded.year if concluded.month >= 4 else concluded.year - 1
    set_clock(datetime(year + 1, 4, 20, 9, tzinfo=UTC))  # the year has ended (SAR-A-5)
    form = demo_annual_report_form(year)
    members, recipients = form.members, form.recipients
    report = annual_reports.open_report(engine, form, BUSINESS_MANAGER)
    parts = [("a", ""), ("b", ""), *(("c", m.id) for m in members)]
    for section, member in parts:
        text = f"What {member or 'the Board'} did in the year ({section})."
        command = ac.RecordAnnualReportSection(SectionCode(section), text, member)
        engine.execute(report.id, command, BUSINESS_MANAGER)
    annual_reports.compile_sections(engine, report.id, BUSINESS_MANAGER)
    engine.execute(report.id, ac.ApproveAnnualReport(), BOARD_CHAIR)
    url = f"https://example.org/sab/annual-report-{year}-{(year + 1) % 100:02d}"
    report = engine.execute(report.id, ac.PublishAnnualReport(url), BUSINESS_MANAGER)
    echo(
        f"Annual report {report.reference} of {year}-{(year + 1) % 100:02d} published at "
        f"{url}: its section (d) lists {review.reference} (SAR-A-4, SAR-A-6, SAR-A-9)."
    )
    annual_reports.record_inclusions(engine, report.id, BUSINESS_MANAGER)
    review = engine.execute(review.id, c.CloseReview(), BOARD_CHAIR)
    for recipient in recipients:
        report = annual_reports.send(engine, report.id, recipient.id, BUSINESS_MANAGER)
    echo(f"Annual report {report.reference} sent to its four recipients (SAR-A-8).")
    return review


def run_sar_demo(
    engine: ReviewEngine,
    echo: Callable[[str], None] = print,
    step: Callable[[], object] = lambda: None,
) -> SarReview:
    """Run the fictional SAR along its main line and print what happens: its history,
    its deadlines, the SAR-A-4 refusal to close it before its findings are in a
    published annual report, then that year's annual report published and the review
    closed (:func:`close_through_annual_report`)."""
    review = run_sar_main_line(engine, step)
    echo(f"Review {review.reference} (a Safeguarding Adults Review) received and run.")
    echo("")
    echo_history_and_deadlines(engine, review.id, echo, role_width=18, rule_width=9)
    echo("")
    refusals = engine.explain(review.id, c.CloseReview(), BOARD_CHAIR)
    if refusals:
        echo("Closing it is refused, as the protocol requires:")
        for refusal in refusals:
            echo(f"  {refusal}")
        echo(CLOSE_BLOCKED)
        echo("")
    review = close_through_annual_report(engine, review, echo)
    echo(f"Review {review.reference} is {review.stage}.")
    return review
