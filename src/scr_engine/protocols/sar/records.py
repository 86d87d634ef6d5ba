"""The records of a Safeguarding Adults Review (``sar/map.md`` §1, ``sar/requirements.md``).

:class:`SarReview` is the whole review, rebuilt from its history; the classes before it
are its parts: the referral (SAR-R-1, SAR-R-2), the per-adult three-valued mandatory
test (SAR-C-1 to SAR-C-5, SAR-C-8), the decision and mandate (SAR-D-2, SAR-D-3,
SAR-D-8), the methodology with its evidence plan (SAR-M-1, SAR-M-2, SAR-M-11), the
people, the report and its findings (SAR-P-1, SAR-P-2), the findings decisions
(SAR-A-1), actions (SAR-A-2), the publication record (SAR-P-5, SAR-P-7) and the waivers
(SAR-G-6). Personal data is marked (SAR-G-5).
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum

from attrs import field, frozen

from scr_engine.marks import KEYS, MARK, TEXT
from scr_engine.protocols.sar.appointments import LeadReviewer, ReviewerReplacement
from scr_engine.protocols.sar.information_records import InformationRequest
from scr_engine.protocols.sar.methodology import EvidenceType, MethodologyCode, profile
from scr_engine.protocols.sar.stages import REQUESTED, entered_on
from scr_engine.protocols.sar.terms import PRINCIPLES, TOR_ITEMS, TermsOfReference, TorEntry
from scr_engine.states.roles import Role

__all__ = [
    "APPENDIX_3",
    "PRINCIPLES",
    "TOR_ITEMS",
    "AbuseType",
    "Action",
    "ActionStatus",
    "Adult",
    "AdultAssessment",
    "AdvocacyAssessment",
    "AgencyRecord",
    "AlternativeKind",
    "ClockPause",
    "Conjunct",
    "Consent",
    "ConsentStatus",
    "DatedEvent",
    "Decision",
    "EvidenceItem",
    "EvidenceStatus",
    "Extension",
    "Finding",
    "FindingDecision",
    "Implementation",
    "InvolvementEntry",
    "InvolvementLevel",
    "LeadReviewer",
    "Mandate",
    "MandateKind",
    "Methodology",
    "Outcome",
    "ParallelProcess",
    "ParallelProcessType",
    "PublicationChoice",
    "PublicationEntry",
    "PublicationRecord",
    "PublicationStatus",
    "Recommendation",
    "Referral",
    "ReferrerCategory",
    "Report",
    "ReviewerReplacement",
    "SarReview",
    "Seriousness",
    "TermsOfReference",
    "TestResult",
    "TestValue",
    "TorEntry",
    "Waiver",
    "WithdrawReason",
    "conjunct_d",
    "review_test",
]


class TestValue(StrEnum):
    """One conjunct of the mandatory test, as the SAB records it (SAR-C-5): the
    threshold is knowledge or suspicion, not proof."""

    __test__ = False  # not a pytest test class

    MET = "met"
    NOT_MET = "not_met"
    UNKNOWN = "unknown"


class TestResult(StrEnum):
    """The mandatory test's result (SAR-C-5): met if all four conjuncts are met, not
    met if any is not met, undetermined otherwise."""

    __test__ = False

    MET = "met"
    NOT_MET = "not_met"
    UNDETERMINED = "undetermined"


class AbuseType(StrEnum):
    """Types of abuse and neglect (SAR-C-4: ``financial`` and ``self_neglect`` are
    always on the list and never excluded)."""

    PHYSICAL = "physical"
    DOMESTIC = "domestic"
    SEXUAL = "sexual"
    PSYCHOLOGICAL = "psychological"
    FINANCIAL = "financial"
    MODERN_SLAVERY = "modern_slavery"
    DISCRIMINATORY = "discriminatory"
    ORGANISATIONAL = "organisational"
    NEGLECT = "neglect"
    SELF_NEGLECT = "self_neglect"


class Seriousness(StrEnum):
    """What made abuse or neglect "serious" (SAR-C-3): the guidance's examples, or
    ``other`` with a reason (the list is "for example")."""

    LIKELY_DIED_BUT_FOR_INTERVENTION = "likely_died_but_for_intervention"
    PERMANENT_HARM = "permanent_harm"
    REDUCED_CAPACITY_OR_QUALITY_OF_LIFE = "reduced_capacity_or_quality_of_life"
    OTHER = "other"


class ReferrerCategory(StrEnum):
    """Who referred (SAR-R-1: anyone may)."""

    MEMBER_AGENCY = "member_agency"
    OTHER_AGENCY = "other_agency"
    ADULT = "adult"
    FAMILY = "family"
    FRIEND_OR_CARER = "friend_or_carer"
    PUBLIC = "public"
    CORONER = "coroner"
    MP_OR_COUNCILLOR = "mp_or_councillor"
    SAB_OWN_MOTION = "sab_own_motion"


class Outcome(StrEnum):
    """The four outcomes of a referral (SAR-D-2)."""

    SAR_MANDATORY = "sar_mandatory"
    SAR_DISCRETIONARY = "sar_discretionary"
    OTHER_LEARNING_REVIEW = "other_learning_review"
    NO_REVIEW = "no_review"


class AlternativeKind(StrEnum):
    """The kinds of other learning review (SAR-D-2)."""

    SINGLE_AGENCY_REVIEW = "single_agency_review"
    MULTI_AGENCY_LEARNING_REVIEW = "multi_agency_learning_review"
    LEARNING_EVENT = "learning_event"
    THEMATIC_REVIEW = "thematic_review"
    OTHER = "other"


class MandateKind(StrEnum):
    """The mandate (SAR-D-8). "Non-statutory" is not a value: all SARs are statutory."""

    MANDATORY = "mandatory"
    DISCRETIONARY = "discretionary"
    UNDETERMINED = "undetermined"


class EvidenceStatus(StrEnum):
    """Where an evidence item stands (SAR-M-11)."""

    REQUESTED = "requested"
    RECEIVED = "received"
    SUFFICIENT = "sufficient"
    FURTHER_INFORMATION_REQUESTED = "further_information_requested"


class InvolvementLevel(StrEnum):
    """How a person wishes to be involved (SAR-F-1)."""

    INFORMED = "informed"
    CONTRIBUTE = "contribute"
    SEE_REPORT = "see_report"
    DECLINED = "declined"
    NOT_CONTACTABLE = "not_contactable"


class ConsentStatus(StrEnum):
    """The adult's consent (SAR-F-4)."""

    GIVEN = "given"
    REFUSED = "refused"
    LACKS_CAPACITY = "lacks_capacity"


class ParallelProcessType(StrEnum):
    """The parallel processes of SAR-M-10."""

    INQUEST = "inquest"
    POLICE = "police"
    DHR = "dhr"
    CHILD_REVIEW = "child_review"
    LEDER = "leder"
    NHS_PATIENT_SAFETY = "nhs_patient_safety"
    CQC = "cqc"
    MAPPA = "mappa"
    DISCIPLINARY_OR_REGULATOR = "disciplinary_or_regulator"


class Implementation(StrEnum):
    """A findings decision (SAR-A-1)."""

    IMPLEMENT = "implement"
    NOT_IMPLEMENT = "not_implement"


class ActionStatus(StrEnum):
    """Where an action stands (SAR-A-2, SAR-A-4)."""

    OPEN = "open"
    COMPLETED = "completed"
    DISCONTINUED = "discontinued"


class PublicationStatus(StrEnum):
    """The publication record (``map.md``: publication is a record, not a stage)."""

    UNDECIDED = "undecided"
    DEFERRED = "deferred"
    TO_PUBLISH = "to_publish"
    PUBLISHED = "published"
    NOT_PUBLISHED = "not_published"


class PublicationChoice(StrEnum):
    """The publication decision (SAR-P-5)."""

    PUBLISH_FULL = "publish_full"
    PUBLISH_SUMMARY = "publish_summary"
    DO_NOT_PUBLISH = "do_not_publish"
    DEFER = "defer"


class WithdrawReason(StrEnum):
    """Why a review is withdrawn (``map.md``, ``withdraw``)."""

    CRITERIA_NOT_MET_ON_NEW_INFORMATION = "criteria_not_met_on_new_information"
    MERGED_INTO_OTHER_REVIEW = "merged_into_other_review"
    TRANSFERRED_TO_OTHER_SAB = "transferred_to_other_sab"
    OTHER = "other"


@frozen
class AgencyRecord:
    """An involved agency; members are under the s.44(5) duty (SAR-M-6)."""

    code: str
    name: str
    sab_member: bool


@frozen
class DatedEvent:
    """One dated event of the referral (SAR-R-2)."""

    on: date
    what: str = field(metadata=MARK)


@frozen
class Adult:
    """An adult the review concerns (SAR-C-8: there may be more than one)."""

    id: str
    name: str = field(metadata=MARK)
    area: str = ""
    alive: bool = True
    died_on: date | None = None


@frozen
class Referral:
    """A referral (SAR-R-1, SAR-R-2). Which fields are required is a setting
    (``referral_required_fields``); the referrer's category always is (SAR-R-1)."""

    referrer_category: ReferrerCategory | None = None
    referrer: str = field(default="", metadata=MARK)
    referrer_contact: str = field(default="", metadata=MARK)
    adults: tuple[Adult, ...] = ()
    events: tuple[DatedEvent, ...] = ()
    rationale: str = field(default="", metadata=TEXT)
    """How each conjunct of SAR-C-1 appears to be met."""
    agencies: tuple[AgencyRecord, ...] = ()
    other_processes: tuple[str, ...] = ()
    adult_or_family_aware: bool | None = None


@frozen
class Conjunct:
    """One conjunct's value and the reasons a Board can read (SAR-C-5)."""

    value: TestValue = TestValue.UNKNOWN
    reasons: str = field(default="", metadata=TEXT)


def _or(a: TestValue, b: TestValue) -> TestValue:
    if TestValue.MET in (a, b):
        return TestValue.MET
    if a is TestValue.NOT_MET and b is TestValue.NOT_MET:
        return TestValue.NOT_MET
    return TestValue.UNKNOWN


@frozen
class AdultAssessment:
    """The mandatory test for one adult (SAR-C-1 to SAR-C-5): conjuncts (a) in the
    area, (b) care-and-support needs, (c) concern about working together, and (d)
    condition 1 (died, from abuse or neglect, SAR-C-2) or condition 2 (alive, serious
    abuse or neglect, SAR-C-3); plus the local discretionary grounds (SAR-C-9)."""

    adult: str
    in_area: Conjunct = Conjunct()
    care_and_support_needs: Conjunct = Conjunct()
    working_together_concern: Conjunct = Conjunct()
    condition_1: Conjunct = Conjunct()
    condition_2: Conjunct = Conjunct()
    abuse_types: frozenset[AbuseType] = frozenset()
    died_on: date | None = None
    knowledge_basis: str = field(default="", metadata=TEXT)
    seriousness: frozenset[Seriousness] = frozenset()
    seriousness_other: str = field(default="", metadata=TEXT)
    local_grounds: tuple[str, ...] = ()
    complex: bool = False
    """An institutional or multiple-abuser case (SAR-C-8)."""

    @property
    def conditions(self) -> TestValue:
        """Conjunct (d): condition 1 or condition 2, three-valued."""
        return conjunct_d(self.condition_1.value, self.condition_2.value)

    @property
    def values(self) -> tuple[TestValue, TestValue, TestValue, TestValue]:
        """Conjuncts (a) to (d)."""
        return (
            self.in_area.value,
            self.care_and_support_needs.value,
            self.working_together_concern.value,
            self.conditions,
        )

    @property
    def result(self) -> TestResult:
        """SAR-C-5: met if all four are met; not met if any is not; else undetermined."""
        values = self.values
        if TestValue.NOT_MET in values:
            return TestResult.NOT_MET
        if all(v is TestValue.MET for v in values):
            return TestResult.MET
        return TestResult.UNDETERMINED

    @property
    def condition(self) -> int | None:
        """The condition met (1 or 2) when the test is met (SAR-D-8), else None."""
        if self.result is not TestResult.MET:
            return None
        return 1 if self.condition_1.value is TestValue.MET else 2

    @property
    def discretionary_basis(self) -> bool:
        """SAR-C-6: (a) and (b) are met, so a discretionary SAR is possible."""
        return (
            self.in_area.value is TestValue.MET
            and self.care_and_support_needs.value is TestValue.MET
        )


def conjunct_d(condition_1: TestValue, condition_2: TestValue) -> TestValue:
    """SAR-C-1(d), three-valued: met if either condition is met, not met if both are
    not met, unknown otherwise."""
    return _or(condition_1, condition_2)


def review_test(assessments: tuple[AdultAssessment, ...]) -> TestResult:
    """SAR-C-8: the review is mandatory if any adult meets the test; not met when it is
    not met for every adult (and there is one); undetermined otherwise."""
    results = [a.result for a in assessments]
    if TestResult.MET in results:
        return TestResult.MET
    if results and all(r is TestResult.NOT_MET for r in results):
        return TestResult.NOT_MET
    return TestResult.UNDETERMINED


@frozen
class Mandate:
    """The mandate (SAR-D-8): mandatory with the condition (1 or 2), discretionary,
    or undetermined (to be resolved before commissioning)."""

    kind: MandateKind
    condition: int | None = None


@frozen
class Decision:
    """The decision record (SAR-D-3)."""

    outcome: Outcome
    reasons: str = field(metadata=TEXT)
    decided_by: str
    decided_on: date
    assessment: tuple[AdultAssessment, ...] = ()
    information_considered: tuple[str, ...] = ()
    agencies_consulted: tuple[str, ...] = ()
    alternative: AlternativeKind | None = None
    mandate: Mandate | None = None
    joint_with: str = ""
    """The other statutory review a joint SAR is arranged with (SAR-D-7)."""


@frozen
class EvidenceItem:
    """One item of the evidence plan (SAR-M-2), judged on receipt (SAR-M-11)."""

    id: str
    type: EvidenceType
    owner: str
    due_on: date | None = None
    status: EvidenceStatus = EvidenceStatus.REQUESTED
    received_on: date | None = None
    judged_on: date | None = None


@frozen
class Methodology:
    """The methodology chosen (SAR-M-1) and its evidence plan (SAR-M-2)."""

    code: MethodologyCode
    rationale: str = field(metadata=TEXT)
    proportionality: str = field(metadata=TEXT)
    description: str = ""
    """Required for ``other`` and ``hybrid``."""
    agreed_with_lead_reviewer: bool = False
    plan: tuple[EvidenceItem, ...] = ()

    @property
    def has_panel(self) -> bool:
        """Whether the methodology uses a review panel (SAR-M-4)."""
        return profile(self.code).has_panel


@frozen
class AdvocacyAssessment:
    """The s.68 assessment for a living adult (SAR-F-3)."""

    adult: str
    substantial_difficulty: bool
    appropriate_person: bool
    assessed_on: date
    advocate: str = field(default="", metadata=MARK)
    advocate_arranged_on: date | None = None

    @property
    def advocate_required(self) -> bool:
        """Difficulty and no appropriate person: an advocate must be arranged."""
        return self.substantial_difficulty and not self.appropriate_person

    @property
    def satisfied(self) -> bool:
        """Assessed and, where required, an advocate arranged."""
        return not self.advocate_required or self.advocate_arranged_on is not None


@frozen
class Consent:
    """The adult's consent and, if refused or lacking capacity, the route (SAR-F-4)."""

    adult: str
    status: ConsentStatus
    route: str = field(default="", metadata=TEXT)
    on: date | None = None


@frozen
class InvolvementEntry:
    """One person of the involvement plan (SAR-F-1, SAR-F-2, SAR-F-5; SAR-F-7's other
    support, optional)."""

    person_id: str
    relationship: str
    level: InvolvementLevel | None = None
    contacted_on: date | None = None
    contacted_by: str = ""
    wishes: str = field(default="", metadata=MARK)
    communication_needs: str = field(default="", metadata=MARK)
    named_contact: str = field(default="", metadata=MARK)
    not_contacted_reason: str = field(default="", metadata=TEXT)
    informed_on: date | None = None
    invited: bool | None = None
    not_invited_reason: str = field(default="", metadata=TEXT)
    sight_sent_on: date | None = None
    responded_on: date | None = None
    response: str = field(default="", metadata=MARK)
    handling: str = field(default="", metadata=TEXT)
    other_support: str = field(default="", metadata=MARK)
    """Advocacy or support beyond the statutory, such as specialist bereavement
    advocacy (SAR-F-7: optional data, not a duty; nothing asks for it)."""


@frozen
class ParallelProcess:
    """An entry of the parallel processes register (SAR-M-10)."""

    id: str
    type: ParallelProcessType
    reference: str = ""
    contact: str = field(default="", metadata=MARK)
    status: str = ""
    coordination: str = field(default="", metadata=TEXT)


APPENDIX_3: tuple[str, ...] = ("introduction", "facts", "analysis", "conclusions")
"""The sections of the SCR's overview report (its Appendix 3), as an ``imr_overview``
report gives them (SAR-P-1)."""


@frozen
class Finding:
    """A numbered finding (SAR-P-2)."""

    id: str
    text: str = field(metadata=TEXT)
    theme: str = ""


@frozen
class Recommendation:
    """A recommendation linked to findings (SAR-P-1, SAR-P-2)."""

    id: str
    text: str = field(metadata=TEXT)
    findings: tuple[str, ...] = ()


@frozen
class Report:
    """The report (SAR-P-1): each required part, findings and recommendations."""

    mandate_and_tor: str = field(default="", metadata=TEXT)
    methodology: str = field(default="", metadata=TEXT)
    involvement: str = field(default="", metadata=TEXT)
    period: str = field(default="", metadata=TEXT)
    analysis: str = field(default="", metadata=TEXT)
    purpose: str = field(default="", metadata=TEXT)
    """Learning, not blame (SAR-G-1)."""
    findings: tuple[Finding, ...] = ()
    recommendations: tuple[Recommendation, ...] = ()
    summary: str = field(default="", metadata=TEXT)
    appendix3: dict[str, str] = field(factory=dict, metadata={KEYS: APPENDIX_3})
    """The SCR Appendix 3 sections, under ``imr_overview`` only."""
    submitted_on: date | None = None


@frozen
class FindingDecision:
    """The SAB's decision on a finding (SAR-A-1), dated; a change needs reasons."""

    finding: str
    decision: Implementation
    decided_on: date
    reasons: str = field(default="", metadata=TEXT)


@frozen
class Action:
    """An action (SAR-A-2); interim before the report (SAR-M-13)."""

    id: str
    owner: str
    due_on: date
    intended_outcome: str = field(metadata=TEXT)
    impact_measure: str = field(metadata=TEXT)
    findings: tuple[str, ...] = ()
    interim: bool = False
    created_on: date | None = None
    status: ActionStatus = ActionStatus.OPEN
    outcome: str = field(default="", metadata=TEXT)
    closed_on: date | None = None


@frozen
class PublicationEntry:
    """What was published (SAR-P-7): date, URL, version and what."""

    on: date
    url: str
    version: str
    what: str


@frozen
class PublicationRecord:
    """The publication record (SAR-P-5, SAR-P-7): its status, the decision, and what
    was published. Not a stage: it gates ``close_review`` (SAR-A-4)."""

    status: PublicationStatus = PublicationStatus.UNDECIDED
    choice: PublicationChoice | None = None
    reasons: str = field(default="", metadata=TEXT)
    defer_until_event: str = ""
    review_on: date | None = None
    tor_published_on: date | None = None
    entries: tuple[PublicationEntry, ...] = ()


@frozen
class Waiver:
    """A recorded waiver (SAR-G-6): the guard waived, what it covers, reasons, who."""

    rule: str
    reasons: str = field(metadata=TEXT)
    by: str
    role: Role
    on: date
    subject: str = ""
    """What the waiver covers, when the guard is per item (an evidence item's id)."""


@frozen
class ClockPause:
    """A pause of the review's clocks, naming the parallel process (SAR-M-10)."""

    started_on: date
    process: str
    reasons: str = field(metadata=TEXT)
    ended_on: date | None = None


@frozen
class Extension:
    """One deadline moved, with why (SAR-M-12); the board_chair is told."""

    deadline: str
    new_due: date
    reasons: str = field(metadata=TEXT)
    on: date


@frozen
class SarReview:
    """A Safeguarding Adults Review: every record the history has built.

    Its envelope is every review's (:attr:`scr_engine.protocols.Protocol.record`):
    ``id``, ``reference``, ``stage``, ``version`` (the count of its history's events),
    ``head`` (the hash of the last), ``settings_version``, ``requested_by``,
    ``received_on``, ``protocol`` and ``protocol_version``."""

    reference: str
    received_on: date
    referral: Referral
    stage: str = REQUESTED
    settings_version: str = ""
    protocol: str = "sar"
    protocol_version: str = "1"
    id: str = ""
    version: int = 1
    head: str = ""
    requested_by: str = ""
    acknowledged_on: date | None = None
    chairs_notified_on: date | None = None
    information_outstanding: int = 0
    """Open information requests (SAR-R-4: "information incomplete" while any is)."""
    information_complete_on: date | None = None
    information_requests: tuple[InformationRequest, ...] = ()
    """Each information request with its own state (``map.md`` §2)."""
    assessments: tuple[AdultAssessment, ...] = ()
    recommendation: Decision | None = None
    decision: Decision | None = None
    mandate: Mandate | None = None
    lead_sab: str = ""
    contributing_sabs: tuple[str, ...] = ()
    records_secured: tuple[str, ...] = ()
    methodology: Methodology | None = None
    lead_reviewer: LeadReviewer | None = None
    replaced_reviewers: tuple[ReviewerReplacement, ...] = ()
    """Lead reviewers who no longer lead the review, with the reasons, oldest first."""
    panel_chair: str = ""
    panel_members: tuple[str, ...] = ()
    terms: TermsOfReference | None = None
    advocacy: tuple[AdvocacyAssessment, ...] = ()
    consents: tuple[Consent, ...] = ()
    involvement: tuple[InvolvementEntry, ...] = ()
    parallel_processes: tuple[ParallelProcess, ...] = ()
    commissioned_on: date | None = None
    practitioner_involvement: str = ""
    report: Report | None = None
    signoffs: dict[str, str] = field(factory=dict)
    """Each agency's accuracy check (SAR-P-3): ``confirmed`` or its dissent."""
    findings_decisions: tuple[FindingDecision, ...] = ()
    actions: tuple[Action, ...] = ()
    publication: PublicationRecord = PublicationRecord()
    ratified_on: date | None = None
    concluded_on: date | None = None
    in_published_annual_report: bool = False
    """Whether the findings appear in section (d) of a published annual report
    (SAR-A-4; set by the annual report machine, ``map.md`` §3)."""
    criminal_proceedings_pending: bool = False
    waivers: tuple[Waiver, ...] = ()
    pauses: tuple[ClockPause, ...] = ()
    extensions: tuple[Extension, ...] = ()
    withdrawal: WithdrawReason | None = None

    @property
    def paused(self) -> bool:
        """Whether the clocks are paused now."""
        return bool(self.pauses) and self.pauses[-1].ended_on is None

    @property
    def stage_entered_on(self) -> date:
        """The latest day the review can have entered its stage (:func:`entered_on`)."""
        return entered_on(self)

    @property
    def test(self) -> TestResult:
        """The review's mandatory test over its adults (SAR-C-8)."""
        return review_test(self.assessments)

    def adult(self, adult_id: str) -> Adult | None:
        """The referral's adult ``adult_id``."""
        return next((a for a in self.referral.adults if a.id == adult_id), None)

    @property
    def living_adults(self) -> tuple[Adult, ...]:
        """The adults who are alive (SAR-F-3, SAR-F-4 apply to them only)."""
        return tuple(a for a in self.referral.adults if a.alive)

    @property
    def agency_codes(self) -> tuple[str, ...]:
        """The involved agencies' codes."""
        return tuple(a.code for a in self.referral.agencies)

    @property
    def involved_agencies(self) -> tuple[AgencyRecord, ...]:
        """The involved agencies (as every review names them: a code and a name)."""
        return self.referral.agencies

    @property
    def agencies(self) -> tuple[str, ...]:
        """The involved agencies' codes (as every review names them, for the read
        policy's agency scope)."""
        return self.agency_codes

    @property
    def restricted(self) -> bool:
        """A SAR is never restricted to the people named on it (the SCR's
        ``restrict_access`` has no SAR counterpart): the read policy's scopes apply."""
        return False

    def named(self) -> frozenset[str]:
        """The ids of the people named on the review: its referrer (who submitted
        it), lead reviewer, panel chair and panel members."""
        people = {self.requested_by, self.panel_chair, *self.panel_members}
        if self.lead_reviewer is not None:
            people.add(self.lead_reviewer.person_id)
        people.discard("")
        return frozenset(people)

    def waived(self, rule: str, subject: str = "") -> bool:
        """Whether a waiver of ``rule`` (for ``subject``, or for the whole review) is
        recorded (SAR-G-6)."""
        return any(w.rule == rule and w.subject in ("", subject) for w in self.waivers)

    def information_request(self, request_id: str) -> InformationRequest | None:
        """The information request ``request_id``."""
        return next((r for r in self.information_requests if r.id == request_id), None)

    def decision_on(self, finding: str) -> FindingDecision | None:
        """The latest decision on ``finding`` (SAR-A-1)."""
        found = [d for d in self.findings_decisions if d.finding == finding]
        return found[-1] if found else None
