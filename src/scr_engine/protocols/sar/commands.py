"""The SAR review's commands (``sar/map.md`` §1): one attrs class per command.

Names are the public vocabulary, shared with the SCR where the meaning is the same, so
the classes live here, keyed by name in :data:`COMMANDS` (a SAR review's events carry
these names). They round-trip through JSON as ``{"command": "<name>", ...fields}``
with the library's converter (:func:`to_dict`, :func:`from_dict`), and each has a JSON
Schema shipped in ``schemas/`` beside this module (:mod:`.schemas`). Every command
that records something that happened is dated (``occurred_on``, SAR-G-4); personal
data is marked (SAR-G-5).
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import Any, ClassVar

from attrs import field, frozen

from scr_engine.commands import Command, command_from_dict, to_dict
from scr_engine.marks import MARK, TEXT
from scr_engine.protocols.sar.records import (
    Action,
    AdultAssessment,
    AlternativeKind,
    Consent,
    Implementation,
    InvolvementEntry,
    LeadReviewer,
    Mandate,
    Methodology,
    Outcome,
    ParallelProcess,
    PublicationChoice,
    Referral,
    Report,
    TermsOfReference,
    WithdrawReason,
)

__all__ = [
    "COMMANDS",
    "AcceptEvidence",
    "AcknowledgeRequest",
    "AddAction",
    "AgreeLeadAuthority",
    "AgreeTermsOfReference",
    "AppointLeadReviewer",
    "AppointPanelChair",
    "AppointPanelMember",
    "ArrangeAdvocate",
    "AssessAdvocacy",
    "AssessCriteria",
    "ChooseMethodology",
    "CloseReview",
    "CommissionReview",
    "CompleteAction",
    "ConfirmReview",
    "CooperationIssue",
    "DecideFinding",
    "DecidePublication",
    "Decline",
    "ExtendDeadline",
    "InformationKind",
    "JudgeEvidence",
    "PauseClock",
    "PublishedWhat",
    "Ratify",
    "ReceiveEvidence",
    "RecommendAlternative",
    "RecommendDecision",
    "RecordActionProgress",
    "RecordAgencySignoff",
    "RecordBudget",
    "RecordChairNotified",
    "RecordConsent",
    "RecordCooperationIssue",
    "RecordDissemination",
    "RecordFamilyResponse",
    "RecordInvolvement",
    "RecordPractitionerInvolvement",
    "RecordPublication",
    "RecordRecordsSecured",
    "RecordWaiver",
    "RecordWriterMeeting",
    "RegisterParallelProcess",
    "ReopenRequest",
    "RequestInformation",
    "RequestRevision",
    "ResumeClock",
    "SarCommand",
    "StartMonitoring",
    "SubmitReport",
    "SubmitRequest",
    "Withdraw",
    "from_dict",
    "to_dict",
]


class SarCommand(Command):
    """Base of every SAR command."""

    __slots__ = ()


class InformationKind(StrEnum):
    """A request's kind (SAR-I-2): binding under s.45, or voluntary."""

    S45 = "s45"
    VOLUNTARY = "voluntary"


class CooperationIssue(StrEnum):
    """A co-operation problem (SAR-M-6)."""

    REFUSED = "refused"
    NO_RESPONSE = "no_response"


class PublishedWhat(StrEnum):
    """What a publication record is of (SAR-P-4, SAR-P-7)."""

    TERMS_OF_REFERENCE = "terms_of_reference"
    REPORT = "report"
    SUMMARY = "summary"


@frozen
class SubmitRequest(SarCommand):
    """Receive a referral (SAR-R-1, SAR-R-2); every missing required field is named."""

    name: ClassVar[str] = "submit_request"
    referral: Referral
    reference: str = ""
    settings_version: str = ""
    occurred_on: date | None = None
    protocol: str = "sar"
    protocol_version: str = "1"


@frozen
class AcknowledgeRequest(SarCommand):
    """The referral's receipt is acknowledged to the referrer (SAR-R-3)."""

    name: ClassVar[str] = "acknowledge_request"
    occurred_on: date | None = None


@frozen
class RecordChairNotified(SarCommand):
    """The board_chair and subgroup_chair were told of the referral (SAR-R-3)."""

    name: ClassVar[str] = "record_chair_notified"
    notified_on: date


@frozen
class RequestInformation(SarCommand):
    """An information request under the review (SAR-I-1 to SAR-I-4, SAR-R-4): ``s45``
    only when conditions 1, 2 and 3-or-4 are recorded (SAR-I-2)."""

    name: ClassVar[str] = "request_information"
    kind: InformationKind
    addressee: str
    information: str = field(metadata=TEXT)
    function: str
    """The SAB function the request serves (condition 1): for ``s45``, one of
    ``information_records.SAB_FUNCTIONS``; a ``voluntary`` request's in words."""
    due_on: date | None = None
    supply_to: str = "sab"
    likely_reason: str = field(default="", metadata=TEXT)
    """Why the addressee is likely to have relevant information (condition 2)."""
    relates_to_addressee: bool = False
    """Condition 3."""
    earlier_request: str = ""
    """Condition 4: the s.45 request the information was first supplied under (a
    request of this review must be a ``s45`` one; another review's is taken as
    named)."""
    scoping: bool = False
    """A scoping request before the decision (SAR-R-4)."""
    occurred_on: date | None = None


@frozen
class RecordInvolvement(SarCommand):
    """One person of the involvement plan (SAR-R-5, SAR-F-1, SAR-F-2, SAR-F-5)."""

    name: ClassVar[str] = "record_involvement"
    entry: InvolvementEntry
    occurred_on: date | None = None


@frozen
class RegisterParallelProcess(SarCommand):
    """An entry of the parallel processes register (SAR-M-10)."""

    name: ClassVar[str] = "register_parallel_process"
    process: ParallelProcess
    criminal: bool = False
    """Criminal proceedings are pending (SAR-P-5's default deferral)."""
    occurred_on: date | None = None


@frozen
class AssessCriteria(SarCommand):
    """The mandatory test per adult, three-valued (SAR-C-1 to SAR-C-9); repeatable."""

    name: ClassVar[str] = "assess_criteria"
    assessments: tuple[AdultAssessment, ...]
    occurred_on: date | None = None


@frozen
class RecommendDecision(SarCommand):
    """The subgroup_chair's recorded recommendation and reasons (SAR-D-1)."""

    name: ClassVar[str] = "recommend_decision"
    outcome: Outcome
    reasons: str = field(metadata=TEXT)
    occurred_on: date | None = None


@frozen
class ConfirmReview(SarCommand):
    """The SAB arranges a SAR (SAR-D-2, SAR-D-3, SAR-D-7, SAR-D-8); emits SAR-D-9 tasks
    and the SAR-D-5 output."""

    name: ClassVar[str] = "confirm_review"
    outcome: Outcome
    reasons: str = field(metadata=TEXT)
    mandate: Mandate
    information_considered: tuple[str, ...] = ()
    agencies_consulted: tuple[str, ...] = ()
    joint_with: str = ""
    local_ground: str = ""
    """A configured local discretionary ground (SAR-C-9)."""
    occurred_on: date | None = None


@frozen
class RecommendAlternative(SarCommand):
    """Another learning review instead of a SAR (SAR-D-2, SAR-D-3, SAR-D-5)."""

    name: ClassVar[str] = "recommend_alternative"
    kind: AlternativeKind
    reasons: str = field(metadata=TEXT)
    information_considered: tuple[str, ...] = ()
    agencies_consulted: tuple[str, ...] = ()
    occurred_on: date | None = None


@frozen
class Decline(SarCommand):
    """No review, with reasons (SAR-D-2, SAR-D-3, SAR-D-5)."""

    name: ClassVar[str] = "decline"
    reasons: str = field(metadata=TEXT)
    information_considered: tuple[str, ...] = ()
    agencies_consulted: tuple[str, ...] = ()
    occurred_on: date | None = None


@frozen
class ReopenRequest(SarCommand):
    """Reopen a redirected or declined referral, with reasons (SAR-D-6)."""

    name: ClassVar[str] = "reopen_request"
    reasons: str = field(metadata=TEXT)
    occurred_on: date | None = None


@frozen
class AgreeLeadAuthority(SarCommand):
    """The lead SAB and the contributing SABs (SAR-R-6)."""

    name: ClassVar[str] = "agree_lead_authority"
    lead_sab: str
    contributing: tuple[str, ...] = ()
    occurred_on: date | None = None


@frozen
class RecordRecordsSecured(SarCommand):
    """An agency secured its records (SAR-D-9)."""

    name: ClassVar[str] = "record_records_secured"
    agency: str
    occurred_on: date | None = None


@frozen
class ChooseMethodology(SarCommand):
    """The methodology and its evidence plan (SAR-M-1, SAR-M-2); a change after
    commissioning needs reasons."""

    name: ClassVar[str] = "choose_methodology"
    methodology: Methodology
    change_reasons: str = field(default="", metadata=TEXT)
    occurred_on: date | None = None


@frozen
class AppointLeadReviewer(SarCommand):
    """The lead reviewer, with their declaration (SAR-M-3; waivable, SAR-G-6). When
    one was appointed before, this replaces them: ``reasons`` says why, and the review
    keeps who they were (``SarReview.replaced_reviewers``)."""

    name: ClassVar[str] = "appoint_lead_reviewer"
    reviewer: LeadReviewer
    occurred_on: date | None = None
    reasons: str = field(default="", metadata=MARK)
    """Why the lead reviewer appointed before is replaced (required then; personal
    data, PR-e)."""


@frozen
class AppointPanelChair(SarCommand):
    """The panel chair, if the methodology has a panel (SAR-M-4)."""

    name: ClassVar[str] = "appoint_panel_chair"
    person_id: str
    declared_involvement: bool = False
    occurred_on: date | None = None


@frozen
class AppointPanelMember(SarCommand):
    """A panel member for an agency (SAR-M-4)."""

    name: ClassVar[str] = "appoint_panel_member"
    person_id: str
    agency: str
    declared_involvement: bool = False
    occurred_on: date | None = None


@frozen
class RecordBudget(SarCommand):
    """Budget, fees and administrative support (SAR-M-9, optional)."""

    name: ClassVar[str] = "record_budget"
    amount_pounds: int = 0
    reviewer_fees_pounds: int = 0
    admin_support: str = ""
    occurred_on: date | None = None


@frozen
class AgreeTermsOfReference(SarCommand):
    """The terms of reference (SAR-M-5, SAR-D-8, SAR-G-1, SAR-G-2); an amendment needs
    reasons."""

    name: ClassVar[str] = "agree_terms_of_reference"
    terms: TermsOfReference
    amendment_reasons: str = field(default="", metadata=TEXT)
    occurred_on: date | None = None


@frozen
class AssessAdvocacy(SarCommand):
    """The s.68 assessment for a living adult (SAR-F-3)."""

    name: ClassVar[str] = "assess_advocacy"
    adult: str
    substantial_difficulty: bool
    appropriate_person: bool
    occurred_on: date | None = None


@frozen
class ArrangeAdvocate(SarCommand):
    """An independent advocate arranged under s.68 (SAR-F-3)."""

    name: ClassVar[str] = "arrange_advocate"
    adult: str
    advocate: str = field(metadata=MARK)
    occurred_on: date | None = None


@frozen
class RecordConsent(SarCommand):
    """The adult's consent, or the route taken without it (SAR-F-4)."""

    name: ClassVar[str] = "record_consent"
    consent: Consent
    occurred_on: date | None = None


@frozen
class CommissionReview(SarCommand):
    """Commission the review (SAR-M-7)."""

    name: ClassVar[str] = "commission_review"
    occurred_on: date | None = None


@frozen
class ReceiveEvidence(SarCommand):
    """An evidence item of the plan is received (SAR-M-11)."""

    name: ClassVar[str] = "receive_evidence"
    item: str
    occurred_on: date | None = None


@frozen
class JudgeEvidence(SarCommand):
    """An evidence item judged: sufficient, or further information requested
    (SAR-M-11)."""

    name: ClassVar[str] = "judge_evidence"
    item: str
    sufficient: bool
    further_information: str = field(default="", metadata=TEXT)
    occurred_on: date | None = None


@frozen
class RecordPractitionerInvolvement(SarCommand):
    """How practitioners take part, or why not (SAR-M-8)."""

    name: ClassVar[str] = "record_practitioner_involvement"
    how: str = field(default="", metadata=TEXT)
    why_not: str = field(default="", metadata=TEXT)
    occurred_on: date | None = None


@frozen
class RecordCooperationIssue(SarCommand):
    """A member's refusal or silence, escalated to the board_chair (SAR-M-6)."""

    name: ClassVar[str] = "record_cooperation_issue"
    agency: str
    issue: CooperationIssue
    details: str = field(default="", metadata=TEXT)
    occurred_on: date | None = None


@frozen
class AcceptEvidence(SarCommand):
    """Every plan item is sufficient or waived (SAR-M-11)."""

    name: ClassVar[str] = "accept_evidence"
    occurred_on: date | None = None


@frozen
class RecordWriterMeeting(SarCommand):
    """An optional log of a meeting with the lead reviewer."""

    name: ClassVar[str] = "record_writer_meeting"
    held_on: date
    notes: str = field(default="", metadata=TEXT)


@frozen
class SubmitReport(SarCommand):
    """The report and publishable summary (SAR-P-1, SAR-P-2)."""

    name: ClassVar[str] = "submit_report"
    report: Report
    occurred_on: date | None = None


@frozen
class RequestRevision(SarCommand):
    """Send the report back, with reasons."""

    name: ClassVar[str] = "request_revision"
    reasons: str = field(metadata=TEXT)
    occurred_on: date | None = None


@frozen
class RecordAgencySignoff(SarCommand):
    """An agency's accuracy check: confirmed, or its dissent (SAR-P-3)."""

    name: ClassVar[str] = "record_agency_signoff"
    agency: str
    confirmed: bool
    dissent: str = field(default="", metadata=TEXT)
    occurred_on: date | None = None


@frozen
class RecordFamilyResponse(SarCommand):
    """Family sight: the draft sent, and the response and its handling (SAR-F-6)."""

    name: ClassVar[str] = "record_family_response"
    person_id: str
    sent_on: date | None = None
    responded_on: date | None = None
    response: str = field(default="", metadata=MARK)
    handling: str = field(default="", metadata=TEXT)


@frozen
class DecideFinding(SarCommand):
    """``implement``, or ``not_implement`` with reasons; dated (SAR-A-1)."""

    name: ClassVar[str] = "decide_finding"
    finding: str
    decision: Implementation
    reasons: str = field(default="", metadata=TEXT)
    occurred_on: date | None = None


@frozen
class AddAction(SarCommand):
    """An action (SAR-A-2); interim before the report (SAR-M-13)."""

    name: ClassVar[str] = "add_action"
    action: Action
    occurred_on: date | None = None


@frozen
class RecordDissemination(SarCommand):
    """To whom, by what means, and the feedback routes (SAR-P-8)."""

    name: ClassVar[str] = "record_dissemination"
    to_whom: str
    means: str
    feedback_routes: str = ""
    occurred_on: date | None = None


@frozen
class Ratify(SarCommand):
    """The SAB signs off (SAR-P-9, SAR-A-1, SAR-A-2, SAR-P-1, SAR-P-3)."""

    name: ClassVar[str] = "ratify"
    occurred_on: date | None = None


@frozen
class DecidePublication(SarCommand):
    """The publication decision (SAR-P-5, SAR-P-6): ``defer`` needs an event and a
    review date."""

    name: ClassVar[str] = "decide_publication"
    choice: PublicationChoice
    reasons: str = field(default="", metadata=TEXT)
    defer_until_event: str = ""
    review_on: date | None = None
    occurred_on: date | None = None


@frozen
class RecordPublication(SarCommand):
    """What was published: date, URL, version (SAR-P-4, SAR-P-7)."""

    name: ClassVar[str] = "record_publication"
    what: PublishedWhat
    url: str
    version: str = "1"
    cleared: bool = False
    """Redacted, anonymised or with consent, and no s.45 information uncleared (SAR-P-6)."""
    occurred_on: date | None = None


@frozen
class StartMonitoring(SarCommand):
    """Actions are being carried out (SAR-A-2)."""

    name: ClassVar[str] = "start_monitoring"
    occurred_on: date | None = None


@frozen
class RecordActionProgress(SarCommand):
    """Progress on an action (SAR-A-2, SAR-A-3)."""

    name: ClassVar[str] = "record_action_progress"
    action: str
    note: str = field(metadata=TEXT)
    occurred_on: date | None = None


@frozen
class CompleteAction(SarCommand):
    """An action completed with its outcome, or discontinued with reasons (SAR-A-2)."""

    name: ClassVar[str] = "complete_action"
    action: str
    outcome: str = field(metadata=TEXT)
    discontinued: bool = False
    occurred_on: date | None = None


@frozen
class CloseReview(SarCommand):
    """Close the review (SAR-A-4)."""

    name: ClassVar[str] = "close_review"
    occurred_on: date | None = None


@frozen
class Withdraw(SarCommand):
    """Stop the review before sign-off, with a categorised reason."""

    name: ClassVar[str] = "withdraw"
    reason: WithdrawReason
    details: str = field(default="", metadata=TEXT)
    linked: str = ""
    """The joint review (D-7) or the other SAB (R-6)."""
    occurred_on: date | None = None


@frozen
class PauseClock(SarCommand):
    """Pause the clocks, naming the parallel process (SAR-M-10, SAR-M-12)."""

    name: ClassVar[str] = "pause_clock"
    process: str
    reasons: str = field(metadata=TEXT)
    occurred_on: date | None = None


@frozen
class ResumeClock(SarCommand):
    """Resume the clocks."""

    name: ClassVar[str] = "resume_clock"
    occurred_on: date | None = None


@frozen
class ExtendDeadline(SarCommand):
    """Move one deadline, with reasons; the board_chair is told (SAR-M-12)."""

    name: ClassVar[str] = "extend_deadline"
    deadline: str
    new_due: date
    reasons: str = field(metadata=TEXT)
    occurred_on: date | None = None


@frozen
class RecordWaiver(SarCommand):
    """Waive a waivable guard, with reasons (SAR-G-6)."""

    name: ClassVar[str] = "record_waiver"
    rule: str
    reasons: str = field(metadata=TEXT)
    subject: str = ""
    occurred_on: date | None = None


COMMANDS: dict[str, type[SarCommand]] = {
    cls.name: cls
    for cls in (
        SubmitRequest,
        AcknowledgeRequest,
        RecordChairNotified,
        RequestInformation,
        RecordInvolvement,
        RegisterParallelProcess,
        AssessCriteria,
        RecommendDecision,
        ConfirmReview,
        RecommendAlternative,
        Decline,
        ReopenRequest,
        AgreeLeadAuthority,
        RecordRecordsSecured,
        ChooseMethodology,
        AppointLeadReviewer,
        AppointPanelChair,
        AppointPanelMember,
        RecordBudget,
        AgreeTermsOfReference,
        AssessAdvocacy,
        ArrangeAdvocate,
        RecordConsent,
        CommissionReview,
        ReceiveEvidence,
        JudgeEvidence,
        RecordPractitionerInvolvement,
        RecordCooperationIssue,
        AcceptEvidence,
        RecordWriterMeeting,
        SubmitReport,
        RequestRevision,
        RecordAgencySignoff,
        RecordFamilyResponse,
        DecideFinding,
        AddAction,
        RecordDissemination,
        Ratify,
        DecidePublication,
        RecordPublication,
        StartMonitoring,
        RecordActionProgress,
        CompleteAction,
        CloseReview,
        Withdraw,
        PauseClock,
        ResumeClock,
        ExtendDeadline,
        RecordWaiver,
    )
}
"""Every SAR review command class by its name, in ``map.md``'s order."""


def from_dict(data: Any) -> SarCommand:
    """Rebuild a SAR command from :func:`to_dict`'s form; :class:`InvalidRequest`
    names every problem."""
    return command_from_dict(data, COMMANDS, "SAR command")
