"""A fictional review, run through every stage: the library's demonstration.

Everything here is invented. The builders (:func:`demo_request`, :func:`full_terms`,
:func:`full_report`) make complete, valid records that tests, benchmarks and hosts
may reuse as a starting point.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta

from scr_engine import commands as c
from scr_engine.engine import ReviewEngine
from scr_engine.errors import TransitionRefused
from scr_engine.records import (
    Actor,
    Agency,
    Analysis,
    Appointment,
    ChronologyEntry,
    Conclusions,
    CriteriaFacts,
    Dissemination,
    ExecutiveSummary,
    Facts,
    FamilyDecision,
    FamilyInvolvement,
    FamilyRepresentation,
    ImrJudgement,
    Incident,
    Introduction,
    LegalService,
    Meeting,
    MemberCapacity,
    OtherContact,
    OverviewReport,
    Recommendation,
    Requester,
    RequesterCategory,
    RequestForm,
    Review,
    Role,
    TermsOfReference,
    TorAnswer,
    TorItem,
    WriterMeetingPurpose,
)
from scr_engine.states.stages import Stage

__all__ = [
    "AGENCIES",
    "BOARD_CHAIR",
    "BUSINESS_MANAGER",
    "FAMILY_ADVOCATE",
    "OVERVIEW_WRITER",
    "PANEL_CHAIR",
    "REQUESTER",
    "demo_chronology",
    "demo_request",
    "echo_history_and_deadlines",
    "full_report",
    "full_terms",
    "panel_member",
    "run_demo",
    "run_to_closure",
    "scr_review",
]

AGENCIES: tuple[Agency, ...] = (
    Agency("asc", "Adult Social Care", local_authority=True),
    Agency("gp", "Riverside GP Practice"),
    Agency("police", "County Police"),
)

REQUESTER = Actor("u-req", "Dr Ada Requester", {Role.REQUESTER}, "gp")
BOARD_CHAIR = Actor("u-chair", "Bea Chair", {Role.BOARD_CHAIR})
BUSINESS_MANAGER = Actor("u-bm", "Cal Manager", {Role.BUSINESS_MANAGER})
PANEL_CHAIR = Actor("u-pc", "Dee Panelchair", {Role.PANEL_CHAIR})
OVERVIEW_WRITER = Actor("u-ow", "Eve Writer", {Role.OVERVIEW_WRITER})


FAMILY_ADVOCATE = Appointment("u-advocate", "Fen Advocate", represents=MemberCapacity.ADVOCACY)
"""The panel member for advocacy services: the demo's terms of reference have the
family represented via advocacy, which needs such a seat on the panel (SU-2, SU-8)."""

_FAMILY = FamilyInvolvement(
    FamilyDecision.CONSULT,
    FamilyRepresentation.ADVOCACY,
    "The family asked to be kept informed through an advocate.",
)


def panel_member(agency: str) -> Actor:
    """The fictional panel member representing ``agency``."""
    return Actor(f"u-pm-{agency}", f"Panel member for {agency}", {Role.PANEL_MEMBER}, agency)


def demo_request(
    facts: CriteriaFacts | None = None,
    agencies: tuple[Agency, ...] = AGENCIES,
    incident_on: date = date(2026, 1, 5),
) -> RequestForm:
    """A complete Appendix 1 request (by default a CR-1 case: the adult died and
    neglect is suspected)."""
    return RequestForm(
        requester=Requester(
            name="Dr Ada Requester",
            job_title="General Practitioner",
            organisation="Riverside GP Practice",
            workplace="Riverside Surgery",
            address="1 River Lane, Hereford",
            contact_number="01432 000000",
            email="ada.requester@example.org",
            category=RequesterCategory.PARTNER_AGENCY,
        ),
        other_contact=OtherContact(
            name="Fay Contact",
            job_title="Practice Manager",
            contact_number="01432 000001",
            email="fay.contact@example.org",
        ),
        incidents=(Incident(incident_on, "Mr X was found dead at home; neglect suspected."),),
        how_meets_criteria="The adult died and neglect is suspected to be a factor (§3).",
        facts=facts
        if facts is not None
        else CriteriaFacts(
            adult_died=True, abuse_or_neglect_factor=True, inter_agency_concern=True
        ),
        agencies=agencies,
        signed_name="Ada Requester",
        signed_date=incident_on,
    )


_DEMO_CHRONOLOGY: dict[str, tuple[tuple[date, str, bool, bool], ...]] = {
    "asc": (
        (
            date(2025, 10, 14),
            "Care needs assessment at home; Mr X said he wished to stay at home.",
            True,
            True,
        ),
        (date(2025, 12, 1), "Care package reviewed by telephone with his daughter.", False, False),
    ),
    "gp": (
        (
            date(2025, 11, 3),
            "Home visit: weight loss noted, referral to the dietitian.",
            True,
            False,
        ),
        (date(2025, 12, 1), "Repeat prescription issued without a review.", False, False),
    ),
    "police": (
        (
            date(2025, 12, 20),
            "Welfare check after a neighbour's call; no answer at the door.",
            False,
            False,
        ),
        (date(2026, 1, 5), "Called to the house; Mr X found dead.", False, False),
    ),
}


def demo_chronology(agency: str) -> tuple[ChronologyEntry, ...]:
    """The fictional dated chronology of an agency's IMR (RP-2): two entries for each
    of the demo's agencies, one for any other."""
    rows = _DEMO_CHRONOLOGY.get(agency) or (
        (date(2025, 12, 1), f"{agency} contact with Mr X.", True, True),
    )
    return tuple(ChronologyEntry(on, agency, event, seen, views) for on, event, seen, views in rows)


def full_terms(review: Review, today: date) -> TermsOfReference:
    """Terms of reference addressing every SU-6 item, due dates after ``today``."""
    return TermsOfReference(
        items={
            item: TorAnswer(text=f"The panel will examine {item.value.replace('_', ' ')}.")
            for item in TorItem
        },
        imr_agencies=review.agencies,
        family=_FAMILY,
        imr_due=today + timedelta(days=42),
        overview_due=today + timedelta(days=90),
        support="Administrative support from the Board's business unit.",
        meetings=(Meeting(today + timedelta(days=14), "Board room, Plough Lane"),),
        legal_services=frozenset({LegalService.DATA_PROTECTION}),
        case_specific_scope="Care home placement and its commissioning." if review.complex else "",
    )


def _panel_and_writer(review: Review) -> str:
    """Appendix 3, Introduction (d): the panel and the writer, by name."""
    chair = review.panel_chair.name if review.panel_chair else "the panel chair"
    writer = review.overview_writer.name if review.overview_writer else "an independent writer"
    members = ", ".join(m.name for m in review.panel_members) or "no other members"
    return f"Chaired by {chair}, with {members}; the report was written by {writer}."


def full_report(review: Review, recommendations: int = 2) -> OverviewReport:
    """An overview report with every Appendix 3 section, covering every IMR."""
    recs = [Recommendation(f"R{i}", f"Recommendation {i}.") for i in range(1, recommendations + 1)]
    for imr in review.imrs:
        for n, text in enumerate(imr.recommendations, start=1):
            suffix = "" if n == 1 else f"-{n}"
            recs.append(Recommendation(f"R-{imr.agency}{suffix}", text, imr.agency))
    return OverviewReport(
        introduction=Introduction(
            "Mr X died at home.",
            "As agreed at the initial meeting.",
            "Every agency involved contributed an IMR.",
            _panel_and_writer(review),
        ),
        facts=Facts(
            _report_chronology(review),
            "Agencies knew Mr X lived alone with increasing needs.",
        ),
        analysis=Analysis(
            "Information was not shared.",
            "Earlier sharing may have helped.",
            "The GP's home visits were good practice.",
        ),
        conclusions=Conclusions("Share information early.", tuple(recs)),
        executive_summary=ExecutiveSummary("A review of inter-agency work; lessons on sharing."),
    )


def _report_chronology(review: Review) -> tuple[ChronologyEntry, ...]:
    """Every IMR's chronology in date order (an agency whose IMR has none: one entry)."""
    entries: list[ChronologyEntry] = []
    for agency in review.imr_agencies:
        imr = review.imr(agency)
        entries.extend(
            imr.chronology
            if imr is not None and imr.chronology
            else (
                ChronologyEntry(
                    date(2025, 12, 1), agency, f"{agency} contact with Mr X", True, True
                ),
            )
        )
    return tuple(sorted(entries, key=lambda e: e.date))


def scr_review(review: object) -> Review:
    """``review`` as the SCR's record (what the engine returns for an SCR); a review of
    another protocol is a ``TypeError``."""
    if not isinstance(review, Review):
        raise TypeError(f"not an SCR review: {type(review).__name__}")
    return review


def run_to_closure(
    engine: ReviewEngine,
    review_id: str,
    step: Callable[[], object] = lambda: None,
    *,
    until: Stage = Stage.CLOSED,
) -> Review:
    """Drive a submitted review through every stage to ``closed`` (or only as far as
    ``until``: ``ratified`` or ``action_plan_monitored``); ``step`` runs between
    commands (a demo moves its clock there)."""

    def do(command: c.Command, actor: Actor) -> Review:
        step()
        return scr_review(engine.execute(review_id, command, actor))

    review = scr_review(engine.get(review_id))
    do(c.RecordChairNotified(review.received_on), BUSINESS_MANAGER)
    do(c.AssessCriteria(), BOARD_CHAIR)
    review = do(c.ConfirmReview("CR-1 is met."), BOARD_CHAIR)
    for agency in review.agencies:
        do(c.RecordRecordsSecured(agency), BUSINESS_MANAGER)
        do(
            c.RecordImrWriter(agency, f"u-imr-{agency}", f"IMR writer for {agency}"),
            BUSINESS_MANAGER,
        )
    authorities = [a.code for a in review.involved_agencies if a.local_authority]
    if len(authorities) > 1:
        do(c.AgreeLeadAuthority(authorities[0]), BOARD_CHAIR)
    do(c.AppointPanelChair(Appointment(PANEL_CHAIR.id, PANEL_CHAIR.name)), BOARD_CHAIR)
    for agency in review.agencies:
        member = panel_member(agency)
        do(c.AppointPanelMember(Appointment(member.id, member.name, agency)), BOARD_CHAIR)
    if _FAMILY.representation is FamilyRepresentation.ADVOCACY:
        # SU-2: the terms have the family represented via advocacy: an advocate sits.
        do(c.AppointPanelMember(FAMILY_ADVOCATE), BOARD_CHAIR)
    do(c.AppointOverviewWriter(Appointment(OVERVIEW_WRITER.id, OVERVIEW_WRITER.name)), BOARD_CHAIR)
    do(c.RecordBudget(5000, "Independent overview writer and venue costs."), BOARD_CHAIR)
    review = scr_review(engine.get(review_id))
    today = engine.history(review_id)[-1].at.date()
    do(c.HoldInitialMeeting(full_terms(review, today)), PANEL_CHAIR)
    review = do(c.ConvenePanel(), PANEL_CHAIR)
    for agency in review.imr_agencies:
        do(
            c.ReceiveImr(
                agency,
                f"{agency}'s IMR.",
                (f"{agency} to review its procedures.",),
                demo_chronology(agency),
            ),
            PANEL_CHAIR,
        )
        do(c.JudgeImr(agency, ImrJudgement.SUFFICIENT), PANEL_CHAIR)
    do(
        c.ConfirmOverviewBrief("Bring the IMRs together; focus on information sharing."),
        PANEL_CHAIR,
    )
    review = do(c.AcceptEvidence(), PANEL_CHAIR)
    do(
        c.RecordWriterMeeting(frozenset({WriterMeetingPurpose.FINAL_FORMAT}), "Format agreed."),
        OVERVIEW_WRITER,
    )
    review = do(c.SubmitOverviewReport(full_report(review)), OVERVIEW_WRITER)
    for agency in review.agencies:
        do(c.RecordAgencySignoff(agency), panel_member(agency))
    assert review.overview_report is not None
    for rec in review.overview_report.conclusions.recommendations:
        do(
            c.AddAction(
                f"A-{rec.id}",
                rec.id,
                "Head of Service",
                3,
                "Practice changes.",
                "Learning log reviewed quarterly by the sub group.",
            ),
            PANEL_CHAIR,
        )
    do(
        c.RecordDissemination(
            Dissemination(
                ("Board members", "Agencies"), "Secure e-mail", "Debriefs to staff and the family."
            )
        ),
        PANEL_CHAIR,
    )
    review = do(c.Ratify(), BOARD_CHAIR)
    if until is Stage.RATIFIED:
        return review
    review = do(c.StartMonitoring(), BUSINESS_MANAGER)
    if until is Stage.ACTION_PLAN_MONITORED:
        return review
    for action in review.actions:
        do(c.RecordActionProgress(action.id, "Under way."), BUSINESS_MANAGER)
        do(c.CompleteAction(action.id, "Done; staff briefed."), BUSINESS_MANAGER)
    return do(c.CloseReview(), BOARD_CHAIR)


def run_demo(
    engine: ReviewEngine,
    echo: Callable[[str], None] = print,
    step: Callable[[], object] = lambda: None,
) -> Review:
    """Run the fictional review through every stage and print what happens: each
    stage, one refusal explained with its rule IDs, the history and the deadlines."""
    review = scr_review(engine.submit(demo_request(), REQUESTER))
    echo(f"Review {review.reference} received: stage {review.stage.value}")
    try:
        engine.execute(review.id, c.Decline("Not needed."), BOARD_CHAIR)
    except TransitionRefused as refused:
        echo("Declining it is refused, as the protocol requires:")
        for refusal in refused.refusals:
            echo(f"  {refusal}")
    closed = run_to_closure(engine, review.id, step)
    echo("")
    echo_history_and_deadlines(engine, review.id, echo)
    echo("")
    echo(f"Review {closed.reference} is {closed.stage.value}.")
    return closed


def echo_history_and_deadlines(
    engine: ReviewEngine,
    review_id: str,
    echo: Callable[[str], None],
    *,
    role_width: int = 16,
    rule_width: int = 5,
) -> None:
    """Print a review's history (each event's day, role, command, stage move and hash)
    and its deadlines, as the demos show them (any protocol's review)."""
    echo("History:")
    for event in engine.history(review_id):
        move = (
            f"{event.stage_before} -> {event.stage_after}"
            if event.stage_before is not None and event.stage_before != event.stage_after
            else str(event.stage_after)
        )
        echo(
            f"  #{event.sequence:>3} {event.at:%Y-%m-%d} {event.role.value:<{role_width}} "
            f"{event.command:<24} {move}  {event.hash[:12]}"
        )
    echo("")
    echo("Deadlines:")
    for d in engine.deadlines(review_id):
        met = f"met {d.met_on.isoformat()}" if d.met_on else "open"
        late = f", {d.days_late} days late" if d.days_late else ""
        echo(
            f"  {d.rule:<{rule_width}} {d.key:<22} due {d.due_on.isoformat()}  "
            f"{d.status.value:<8} {met}{late}"
        )
