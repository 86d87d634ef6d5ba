"""Safeguarding Adults Review helpers: the people, a referral, the per-adult test,
and a review brought to any stage through the SAR definition's pure runner
(:func:`scr_engine.protocols.sar.effects.execute`)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import attrs

from scr_engine.errors.refusals import Refusal
from scr_engine.protocols.sar import commands as c
from scr_engine.protocols.sar.effects import SarTask, execute, judge
from scr_engine.protocols.sar.guards_common import SarContext
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
    ParallelProcess,
    Recommendation,
    Referral,
    ReferrerCategory,
    Report,
    SarReview,
    Seriousness,
    TermsOfReference,
    TestValue,
    TorEntry,
)
from scr_engine.protocols.sar.settings import DEFAULT_SAR_SETTINGS, SarSettings
from scr_engine.records import Actor
from scr_engine.states.roles import Role

START = date(2027, 1, 11)
"""When every SAR test's referral is received (a Monday)."""
DIED = date(2027, 1, 2)
"""When the referral's adult died (unless the review is received before)."""

CHAIR = Actor("u-chair", "Chris Chair", {Role.BOARD_CHAIR})
SUBGROUP = Actor("u-sub", "Sam Subgroup", {Role.SUBGROUP_CHAIR})
MANAGER = Actor("u-bm", "Bea Manager", {Role.BUSINESS_MANAGER})
LEAD = Actor("u-lead", "Lee Reviewer", {Role.LEAD_REVIEWER})
ADVOCACY = Actor("u-adv", "Ada Advocacy", {Role.LA_ADVOCACY_LEAD})
REFERRER = Actor("u-ref", "Rae Referrer", {Role.REFERRER})
BOARD = Actor("u-board", "The Board", {Role.BOARD})


def contributor(agency: str) -> Actor:
    """The named contact of ``agency``."""
    return Actor(f"u-{agency}", f"Contact at {agency}", {Role.AGENCY_CONTRIBUTOR}, agency)


AGENCIES = (
    AgencyRecord("asc", "Adult Social Care", True),
    AgencyRecord("nhs", "Community Health Trust", True),
    AgencyRecord("housing", "Housing Association", False),
)


def adult(adult_id: str = "a1", *, alive: bool = False, area: str = "Shire") -> Adult:
    """An adult of the referral (died on 2 January 2027 unless ``alive``)."""
    return Adult(adult_id, f"Adult {adult_id}", area, alive, None if alive else date(2027, 1, 2))


def referral(*adults: Adult, **changes: Any) -> Referral:
    """A referral with every SAR-R-2 default field given."""
    fields: dict[str, Any] = dict(
        referrer_category=ReferrerCategory.MEMBER_AGENCY,
        referrer="Dr Reed",
        referrer_contact="reed@example.org",
        adults=adults or (adult(),),
        events=(DatedEvent(date(2027, 1, 2), "found at home"),),
        rationale="all four conjuncts appear met",
        agencies=AGENCIES,
        other_processes=("inquest",),
        adult_or_family_aware=True,
    )
    fields.update(changes)
    return Referral(**fields)


def conj(value: TestValue | str) -> Conjunct:
    """A conjunct with reasons (SAR-C-5)."""
    v = TestValue(value)
    return Conjunct(v, "" if v is TestValue.UNKNOWN else f"the Board finds it {v.value}")


def assessment(
    adult_id: str = "a1",
    a: TestValue | str = "met",
    b: TestValue | str = "met",
    c_: TestValue | str = "met",
    cond1: TestValue | str = "met",
    cond2: TestValue | str = "not_met",
    **changes: Any,
) -> AdultAssessment:
    """One adult's assessment, with the data conditions 1 and 2 need when met."""
    fields: dict[str, Any] = dict(
        in_area=conj(a),
        care_and_support_needs=conj(b),
        working_together_concern=conj(c_),
        condition_1=conj(cond1),
        condition_2=conj(cond2),
        abuse_types=frozenset({AbuseType.NEGLECT}),
        died_on=date(2027, 1, 2) if TestValue(cond1) is TestValue.MET else None,
        knowledge_basis="post-mortem findings",
        seriousness=(
            frozenset({Seriousness.PERMANENT_HARM})
            if TestValue(cond2) is TestValue.MET
            else frozenset()
        ),
    )
    fields.update(changes)
    return AdultAssessment(adult_id, **fields)


def ctx(
    actor: Actor, today: date = START, settings: SarSettings = DEFAULT_SAR_SETTINGS
) -> SarContext:
    """The context ``actor`` acts in (role judged by the runner)."""
    role = next(iter(sorted(actor.roles)), None)
    return SarContext(actor, role, today, settings)


class Run:
    """A review driven command by command; ``tasks`` collects every output."""

    def __init__(self, settings: SarSettings = DEFAULT_SAR_SETTINGS, today: date = START) -> None:
        self.settings = settings
        self.today = today
        self.review: SarReview | None = None
        self.tasks: list[SarTask] = []

    @property
    def r(self) -> SarReview:
        """The review (after ``submit_request``)."""
        assert self.review is not None
        return self.review

    def do(self, actor: Actor, command: c.SarCommand, days: int = 0) -> SarReview:
        """Issue ``command`` as ``actor``, ``days`` after the run's day (which moves on)."""
        self.today += timedelta(days=days)
        self.review, tasks = execute(self.review, command, ctx(actor, self.today, self.settings))
        self.tasks.extend(tasks)
        return self.review

    def refusals(self, actor: Actor, command: c.SarCommand) -> list[Refusal]:
        """Every reason ``command`` would be refused now (nothing changes)."""
        return judge(self.review, command, ctx(actor, self.today, self.settings))

    def rules(self, actor: Actor, command: c.SarCommand) -> set[str]:
        """The rule IDs of :meth:`refusals`."""
        return {p.rule for p in self.refusals(actor, command)}


def terms(**items: str) -> TermsOfReference:
    """Terms of reference covering every SAR-M-5 item and the six principles."""
    entries = {k: TorEntry(items.get(k, f"{k} as agreed")) for k in TOR_ITEMS}
    return TermsOfReference(
        entries,
        period_start=date(2026, 1, 1),
        period_end=date(2027, 1, 2),
        report_due=date(2027, 6, 1),
        principles={p: f"{p} reflected" for p in PRINCIPLES},
    )


def plan() -> tuple[EvidenceItem, ...]:
    """An evidence plan of a chronology per agency."""
    return tuple(
        EvidenceItem(f"chron-{a.code}", EvidenceType.CHRONOLOGY, a.code, date(2027, 3, 1))
        for a in AGENCIES
    )


def methodology(code: MethodologyCode = MethodologyCode.SYSTEMS_LEARNING_TOGETHER) -> Methodology:
    """A chosen methodology with its plan."""
    return Methodology(
        code, "fits a single death", "proportionate to two agencies' involvement", plan=plan()
    )


def report(*finding_ids: str) -> Report:
    """A report with every SAR-P-1 part, findings and linked recommendations."""
    ids = finding_ids or ("F1", "F2")
    return Report(
        mandate_and_tor="mandatory, condition 1; ToR attached",
        methodology="learning together, chosen for",
        involvement="family contributed",
        period="2026",
        analysis="what happened and why",
        purpose="to learn lessons, not to apportion blame",
        findings=tuple(Finding(i, f"finding {i}", "communication") for i in ids),
        recommendations=tuple(Recommendation(f"R{i}", f"recommend {i}", (i,)) for i in ids),
        summary="a learning briefing",
    )


def requested(run: Run | None = None, *adults: Adult) -> Run:
    """A referral received."""
    run = run or Run()
    if adults:
        run.do(MANAGER, c.SubmitRequest(referral(*adults)))
        return run
    # A referral's days are not after its receipt (SAR-R-2): a review received before
    # 2 January 2027 tells of a death on the day it is received.
    day = min(DIED, run.today)
    made = referral(attrs.evolve(adult(), died_on=day), events=(DatedEvent(day, "found at home"),))
    run.do(MANAGER, c.SubmitRequest(made))
    return run


def screened(run: Run | None = None, *, processes: tuple[ParallelProcess, ...] = ()) -> Run:
    """A mandatory SAR confirmed (condition 1), with ``processes`` registered before
    the decision (which tells each of them, SAR-D-9)."""
    run = requested(run)
    for process in processes:
        run.do(MANAGER, c.RegisterParallelProcess(process))
    run.do(SUBGROUP, c.AssessCriteria((assessment(died_on=min(DIED, run.today)),)))
    run.do(
        CHAIR,
        c.ConfirmReview(
            Outcome.SAR_MANDATORY, "the test is met", Mandate(MandateKind.MANDATORY, 1)
        ),
        days=1,
    )
    return run


def commissioned(run: Run | None = None) -> Run:
    """A SAR commissioned: methodology, lead reviewer, ToR, involvement plan."""
    run = screened(run)
    run.do(SUBGROUP, c.ChooseMethodology(methodology()))
    run.do(CHAIR, c.AppointLeadReviewer(LeadReviewer("u-lead", "Lee Reviewer", "Independent Ltd")))
    run.do(SUBGROUP, c.AgreeTermsOfReference(terms()))
    run.do(
        MANAGER,
        c.RecordInvolvement(
            InvolvementEntry(
                "sister", "sister", InvolvementLevel.SEE_REPORT, contacted_on=run.today
            )
        ),
    )
    run.do(SUBGROUP, c.CommissionReview(), days=1)
    return run


def evidence_received(run: Run | None = None) -> Run:
    """Every plan item received and judged sufficient, and accepted."""
    run = commissioned(run)
    for item in run.r.methodology.plan if run.r.methodology else ():
        run.do(LEAD, c.ReceiveEvidence(item.id), days=1)
        run.do(LEAD, c.JudgeEvidence(item.id, True))
    run.do(LEAD, c.AcceptEvidence())
    return run


def report_drafted(run: Run | None = None, made: Report | None = None) -> Run:
    """The report (``made``, else :func:`report`'s) submitted."""
    run = evidence_received(run)
    run.do(LEAD, c.SubmitReport(made or report()), days=1)
    return run


def ratified(run: Run | None = None, made: Report | None = None, declined: str = "") -> Run:
    """Accuracy checked, findings decided (F1 implemented with an action, F2 declined
    for ``declined`` reasons), signed off."""
    run = report_drafted(run, made)
    for agency in AGENCIES:
        run.do(contributor(agency.code), c.RecordAgencySignoff(agency.code, True))
    run.do(
        MANAGER,
        c.AddAction(Action("A1", "asc", date(2027, 12, 1), "better handovers", "audit", ("F1",))),
    )
    run.do(CHAIR, c.DecideFinding("F1", Implementation.IMPLEMENT))
    run.do(
        CHAIR,
        c.DecideFinding(
            "F2", Implementation.NOT_IMPLEMENT, declined or "national policy already covers it"
        ),
    )
    run.do(BOARD, c.Ratify(), days=1)
    return run


def monitored(run: Run | None = None, made: Report | None = None, declined: str = "") -> Run:
    """Monitoring started."""
    run = ratified(run, made, declined)
    run.do(MANAGER, c.StartMonitoring())
    return run
