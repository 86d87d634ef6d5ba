"""Domain records: the review and everything recorded on it.

All records are frozen attrs classes: a command never mutates a review, it makes a
new one (``attrs.evolve``). Collections are tuples (ordered) or frozensets, so two
reviews built from the same history compare equal.

Each record names the protocol rules it carries (``requirements.md``).
"""

from collections.abc import Iterable
from datetime import date, datetime
from enum import StrEnum

from attrs import field, frozen

from scr_engine.marks import MARK, TEXT
from scr_engine.states.roles import Role
from scr_engine.states.stages import Stage

__all__ = [
    "Action",
    "ActionStatus",
    "Actor",
    "Agency",
    "AlternativeReview",
    "Analysis",
    "Appointment",
    "Budget",
    "ChronologyEntry",
    "Conclusions",
    "CriteriaAssessment",
    "CriteriaFacts",
    "Dissemination",
    "ExecutiveSummary",
    "Extension",
    "Facts",
    "FamilyDecision",
    "FamilyInvolvement",
    "FamilyRepresentation",
    "Imr",
    "ImrJudgement",
    "ImrWriter",
    "Incident",
    "Introduction",
    "Joining",
    "LearningLogEntry",
    "LegalService",
    "Meeting",
    "MemberCapacity",
    "OtherContact",
    "OverviewReport",
    "Pause",
    "ProgressNote",
    "Recommendation",
    "Replacement",
    "RequestForm",
    "Requester",
    "RequesterCategory",
    "Review",
    "Role",
    "Task",
    "TaskKind",
    "TaskState",
    "TaskStatus",
    "TermsOfReference",
    "TermsRevision",
    "TextRewrite",
    "TorAnswer",
    "TorItem",
    "WriterMeeting",
    "WriterMeetingPurpose",
]


# --------------------------------------------------------------------------- people


def _roles(value: Iterable[Role]) -> frozenset[Role]:
    return frozenset(value)


@frozen
class Actor:
    """Someone who issues commands: an ID the host knows them by, a name, the roles
    they hold and (for agency representatives) the code of their agency."""

    id: str
    name: str
    roles: frozenset[Role] = field(converter=_roles)
    agency: str | None = None


@frozen
class Agency:
    """An agency involved in the case. ``local_authority`` matters for RF-6."""

    code: str
    name: str
    local_authority: bool = False


# --------------------------------------------------------------------------- request


class RequesterCategory(StrEnum):
    """Who asked for the review (RF-1)."""

    PARTNER_AGENCY = "partner_agency"
    CORONER = "coroner"
    MP = "mp"
    ELECTED_MEMBER = "elected_member"
    OTHER_INTERESTED_PARTY = "other_interested_party"


@frozen
class Requester:
    """The person requesting the review (Appendix 1, first block; RF-1, RF-2)."""

    name: str = field(metadata=MARK)
    job_title: str = field(metadata=MARK)
    organisation: str
    workplace: str = field(metadata=MARK)
    address: str = field(metadata=MARK)
    contact_number: str = field(metadata=MARK)
    email: str = field(metadata=MARK)
    category: RequesterCategory


@frozen
class OtherContact:
    """Another contact named on the request (Appendix 1, second block; RF-2)."""

    name: str = field(metadata=MARK)
    job_title: str = field(metadata=MARK)
    contact_number: str = field(metadata=MARK)
    email: str = field(metadata=MARK)


@frozen
class Incident:
    """One incident the request describes (Appendix 1; RF-2)."""

    date: date
    details: str = field(metadata=MARK)


@frozen
class CriteriaFacts:
    """The facts of a case that the §3 criteria turn on (CR-1…CR-3)."""

    adult_died: bool = False
    """The vulnerable adult died (death by suicide included)."""
    abuse_or_neglect_factor: bool = False
    """Abuse or neglect is known or suspected to be a factor (in the death or harm)."""
    life_threatening_injury: bool = False
    serious_sexual_abuse: bool = False
    serious_permanent_impairment: bool = False
    """Serious and permanent impairment of health, mental health or development."""
    inter_agency_concern: bool = False
    """The case raises concerns about how local professionals and services work together."""
    serious_abuse_in_institution: bool = False
    multiple_abusers: bool = False


@frozen
class RequestForm:
    """The Appendix 1 pro forma "Request for a Vulnerable Adult Serious Case Review".

    Every field but ``other_information`` is required (RF-2); ``facts`` structures
    what ``how_meets_criteria`` says in words, so the criteria can be assessed.
    """

    requester: Requester
    other_contact: OtherContact
    incidents: tuple[Incident, ...]
    how_meets_criteria: str = field(metadata=MARK)
    facts: CriteriaFacts
    agencies: tuple[Agency, ...]
    signed_name: str = field(metadata=MARK)
    signed_date: date
    other_information: str = field(default="", metadata=MARK)

    def agency_codes(self) -> tuple[str, ...]:
        """The codes of the agencies known to be involved, in form order."""
        return tuple(a.code for a in self.agencies)


@frozen
class CriteriaAssessment:
    """The Chair's assessment of a request against §3 (CR-1…CR-4), in words a Board
    can read."""

    met: frozenset[str]
    """The criteria met: any of ``"CR-1"``, ``"CR-2"``, ``"CR-3"``."""
    mandatory: bool
    """CR-1 is met: the Board must conduct a review."""
    complex: bool
    """CR-3 is met: larger scale, more time, case-specific terms of reference."""
    reasons: tuple[str, ...]
    """One plain-English sentence per criterion, saying why it is or is not met."""
    notes: str = field(default="", metadata=MARK)
    facts: CriteriaFacts | None = None
    """The facts assessed: the request's, with every fact the Chair has found."""


class AlternativeReview(StrEnum):
    """The alternatives to an SCR the Chair may recommend (RF-4a, RF-4b, CR-4)."""

    INDIVIDUAL_PRACTICE_REVIEW = "individual_practice_review"
    NEAR_MISS_REVIEW = "near_miss_review"


class TaskKind(StrEnum):
    """Work the engine hands to people (RF-5)."""

    SECURE_RECORDS = "secure_records"
    REQUEST_IMR_WRITER = "request_imr_writer"


@frozen
class Task:
    """A task emitted by a command, to be delivered by the host (an outbox row)."""

    id: str
    review_id: str
    kind: TaskKind
    agency: str
    created_at: datetime
    rule: str = "RF-5"


class TaskStatus(StrEnum):
    """Where a task stands for the host that delivers it (RF-5, PR-d).

    The string values are stable and never renamed."""

    PENDING = "pending"
    """Not delivered yet, and its review is open: deliver it."""
    DONE = "done"
    """Marked delivered (:meth:`ReviewEngine.complete_task
    <scr_engine.ReviewEngine.complete_task>`), whatever became of its review."""
    CANCELLED = "cancelled"
    """Not delivered, and its review has ended (withdrawn, closed, redirected or not
    taken forward: a stage of :data:`~scr_engine.states.TERMINAL_STAGES`): do not send
    it. Derived from the review's stage; nothing stored changes."""

    @classmethod
    def of(cls, stage: Stage, done: bool) -> "TaskStatus":
        """The status of a task of a review at ``stage``, delivered or not: how every
        store decides it."""
        if done:
            return cls.DONE
        return cls.CANCELLED if stage.terminal else cls.PENDING


@frozen
class TaskState:
    """A task with where it stands (:meth:`ReviewEngine.tasks
    <scr_engine.ReviewEngine.tasks>`)."""

    task: Task
    status: TaskStatus


# --------------------------------------------------------------------------- set-up


class MemberCapacity(StrEnum):
    """What a panel member represents (SU-2, Membership guidance): an involved agency,
    or one of the other members the guidance names."""

    AGENCY = "agency"
    SUBJECT_OR_FAMILY = "subject_or_family"
    ADVOCACY = "advocacy"
    CQC_INSPECTOR = "cqc_inspector"
    CORONER = "coroner"
    INDEPENDENT_PROVIDER = "independent_provider"
    OTHER_PROFESSIONAL = "other_professional"


@frozen
class Appointment:
    """Someone appointed to the review (panel chair, panel member, overview writer)
    with what they declared about previous involvement (SU-1, PR-b).

    ``represents`` says what a panel member sits for (SU-2); ``None`` reads as
    :attr:`MemberCapacity.AGENCY`, the ``agency`` named. It means nothing for the
    panel chair or the overview writer."""

    person_id: str
    name: str = field(metadata=MARK)
    agency: str | None = None
    declared_involvement: bool = False
    involvement: str = field(default="", metadata=MARK)
    appointed_on: date | None = None
    represents: MemberCapacity | None = None


@frozen
class ImrWriter:
    """An agency's Individual Management Review writer (RF-5), with what they declared
    about direct involvement with the adult or the family (PR-b): ``False`` for none
    declared, ``None`` when no declaration was recorded."""

    agency: str
    person_id: str
    name: str = field(metadata=MARK)
    declared_involvement: bool | None = None


@frozen
class Budget:
    """The panel's budgetary requirements as considered (SU-3)."""

    amount_pounds: int
    notes: str


class TorItem(StrEnum):
    """The sixteen matters the terms of reference must address (SU-6)."""

    IMPORTANT_ISSUES = "important_issues"
    CONTRIBUTORS = "contributors"
    NON_PROFESSIONAL_CONTRIBUTION = "non_professional_contribution"
    TIME_PERIOD = "time_period"
    HISTORY = "history"
    EVIDENCE_REQUIRED = "evidence_required"
    DECISIONS = "decisions"
    POLICIES_AND_PROCEDURES = "policies_and_procedures"
    TRAINING = "training"
    RISK_ASSESSMENTS = "risk_assessments"
    ASSESSMENTS_AND_NEEDS = "assessments_and_needs"
    RESOURCE_ISSUES = "resource_issues"
    DIVERSITY_ISSUES = "diversity_issues"
    SENIOR_MANAGEMENT = "senior_management"
    INTER_AGENCY_WORKING = "inter_agency_working"
    PARALLEL_ENQUIRIES = "parallel_enquiries"


@frozen
class TorAnswer:
    """How the terms of reference address one SU-6 item: text, or "not applicable"
    with a reason."""

    text: str = ""
    not_applicable: bool = False
    reason: str = ""


class FamilyDecision(StrEnum):
    """Whether the victim or relatives are consulted or involved (SU-8)."""

    CONSULT = "consult"
    INVOLVE = "involve"
    NOT_INVOLVED = "not_involved"


class FamilyRepresentation(StrEnum):
    """How the adult and family are represented (Membership guidance; SU-8)."""

    DIRECT = "direct"
    ADVOCACY = "advocacy"
    NONE = "none"


@frozen
class FamilyInvolvement:
    """The recorded decision on consulting or involving the victim or family (SU-8)."""

    decision: FamilyDecision
    representation: FamilyRepresentation
    reasons: str = field(metadata=MARK)


class LegalService(StrEnum):
    """Legal services the review may need (SU-10)."""

    DATA_PROTECTION = "data_protection"
    FREEDOM_OF_INFORMATION = "freedom_of_information"
    HUMAN_RIGHTS_ACT = "human_rights_act"


@frozen
class Meeting:
    """A planned panel meeting: date and venue (SU-10)."""

    date: date
    venue: str


def _legal(value: Iterable[LegalService]) -> frozenset[LegalService]:
    return frozenset(value)


def _frozen_items(value: dict[TorItem, TorAnswer]) -> dict[TorItem, TorAnswer]:
    from scr_engine.serialization import FrozenDict

    if isinstance(value, FrozenDict) or not isinstance(value, dict):
        return value
    return FrozenDict(value)


@frozen
class TermsOfReference:
    """What the initial meeting agrees (SU-4 … SU-8, SU-10; CR-3)."""

    items: dict[TorItem, TorAnswer] = field(converter=_frozen_items)
    """An answer for each SU-6 item (read-only once recorded)."""
    imr_agencies: tuple[str, ...]
    """The agencies that provide IMRs (SU-7)."""
    family: FamilyInvolvement | None
    """Whether and how the victim or family are consulted or involved (SU-8)."""
    imr_due: date
    """When IMRs are due (SU-7)."""
    overview_due: date
    """When the overview report is due (RP-1)."""
    support: str
    """Support and resources secured (SU-10)."""
    meetings: tuple[Meeting, ...]
    """Meeting dates and venues (SU-10)."""
    legal_services: frozenset[LegalService] = field(converter=_legal, factory=frozenset)
    """Legal services needed (SU-10); empty when none."""
    media_strategy: str = ""
    """The media and communication strategy, where one is needed (SU-10)."""
    review_months: int = 6
    """How many calendar months the review has (SU-4; 6 unless set otherwise)."""
    case_specific_scope: str = ""
    """For a complex review (CR-3): how the terms explore the issues of this case."""


# --------------------------------------------------------------------------- evidence


class ImrJudgement(StrEnum):
    """The panel's judgement of an IMR (EV-2)."""

    SUFFICIENT = "sufficient"
    FURTHER_INFORMATION_REQUESTED = "further_information_requested"


@frozen
class ChronologyEntry:
    """One entry of a chronology: of an agency's IMR, or of the integrated chronology
    (Appendix 3, The Facts (a); RP-2)."""

    date: date
    agency: str
    event: str = field(metadata=MARK)
    adult_seen: bool = False
    views_sought_or_expressed: bool = False


@frozen
class Imr:
    """An agency's Individual Management Review (EV-1, EV-2)."""

    agency: str
    received_on: date
    summary: str = field(metadata=MARK)
    recommendations: tuple[str, ...] = ()
    judgement: ImrJudgement | None = None
    further_information: str = field(default="", metadata=MARK)
    first_received_on: date | None = None
    chronology: tuple[ChronologyEntry, ...] = ()
    """The agency's dated chronology of its involvement with the adult (RP-2): what
    happened, whether the adult was seen, whether their views and wishes were sought
    or expressed. The integrated chronology merges every agency's
    (:func:`scr_engine.documents.integrated_chronology`)."""


class WriterMeetingPurpose(StrEnum):
    """The objectives of meetings between the overview writer and the panel (App. 2)."""

    REVIEW_SCOPE = "review_scope"
    MONITOR_PROGRESS = "monitor_progress"
    NEW_ISSUES = "new_issues"
    FACTUAL_ACCURACY = "factual_accuracy"
    IMMEDIATE_ACTION = "immediate_action"
    LIKELY_RECOMMENDATIONS = "likely_recommendations"
    FINAL_FORMAT = "final_format"


def _purposes(value: Iterable[WriterMeetingPurpose]) -> frozenset[WriterMeetingPurpose]:
    return frozenset(value)


@frozen
class WriterMeeting:
    """A meeting between the overview writer and the panel, with its purpose (OW-1)."""

    held_on: date
    purposes: frozenset[WriterMeetingPurpose] = field(converter=_purposes)
    notes: str = ""


# --------------------------------------------------------------------------- report


@frozen
class Introduction:
    """Appendix 3, Introduction (a)–(d)."""

    circumstances: str = field(metadata=MARK)
    terms_of_reference: str = field(metadata=TEXT)
    contributors: str = field(metadata=MARK)
    """Who contributed: agencies, and the people who gave information (personal)."""
    panel_and_writer: str = field(metadata=MARK)
    """The panel's members and the overview writer, by name (personal)."""


@frozen
class Facts:
    """Appendix 3, The Facts (a)–(b)."""

    chronology: tuple[ChronologyEntry, ...]
    overview_of_known: str = field(metadata=MARK)


@frozen
class Analysis:
    """Appendix 3, Analysis (a)–(b)."""

    how_and_why: str = field(metadata=MARK)
    hindsight: str = field(metadata=MARK)
    good_practice: str = field(metadata=TEXT)


@frozen
class Recommendation:
    """A recommendation of the report; ``source`` is ``"overview"`` or the agency
    whose IMR made it (Appendix 3, Conclusions (b))."""

    id: str
    text: str = field(metadata=TEXT)
    source: str = "overview"
    national: bool = False


@frozen
class Conclusions:
    """Appendix 3, Conclusions and Recommendations (a)–(b)."""

    lessons: str = field(metadata=TEXT)
    recommendations: tuple[Recommendation, ...]
    national_lessons: str = field(default="", metadata=TEXT)


@frozen
class ExecutiveSummary:
    """The summary that can be made public (RP-3). It must hold no personal data
    (PR-e): ``contains_personal_data`` marks one that does, which cannot be accepted."""

    text: str = field(metadata=TEXT)
    contains_personal_data: bool = False


@frozen
class OverviewReport:
    """The overview report in the Appendix 3 outline, with its executive summary."""

    introduction: Introduction
    facts: Facts
    analysis: Analysis
    conclusions: Conclusions
    executive_summary: ExecutiveSummary | None
    submitted_on: date | None = None


@frozen
class Dissemination:
    """Who gets the report and how, and how it is disseminated (RP-6)."""

    recipients: tuple[str, ...]
    means: str
    processes: str
    media: bool = False


# --------------------------------------------------------------------------- actions


class ActionStatus(StrEnum):
    """Where an action of the action plan stands (AP-1 … AP-3)."""

    OPEN = "open"
    COMPLETED = "completed"


@frozen
class ProgressNote:
    """A progress note on an action (AP-1, AP-2)."""

    on: date
    note: str = field(metadata=TEXT)


@frozen
class Action:
    """One action of the action plan (RP-5, AP-1, AP-2)."""

    id: str
    recommendation_id: str
    owner: str = field(metadata=TEXT)
    """Who is responsible."""
    timescale_months: int
    """Calendar months from ratification (AP-2)."""
    outcome: str = field(metadata=TEXT)
    """The intended outcome."""
    monitoring: str = field(metadata=TEXT)
    """The mechanism for monitoring it (learning log)."""
    status: ActionStatus = ActionStatus.OPEN
    progress: tuple[ProgressNote, ...] = ()
    completed_on: date | None = None


@frozen
class LearningLogEntry:
    """What a completed action achieved, for the learning log (AP-3)."""

    action_id: str
    recorded_on: date
    outcome: str


# --------------------------------------------------------------------------- clocks


@frozen
class Pause:
    """A pause of the review's clocks for a parallel process (inquest, criminal
    proceedings …); open while ``ended_on`` is None."""

    started_on: date
    process: str
    reasons: str
    ended_on: date | None = None


@frozen
class Extension:
    """A deadline moved, by whom and why."""

    deadline: str
    new_due: date
    reasons: str
    by: str
    on: date


@frozen
class Replacement:
    """Someone who no longer acts on the review: the panel chair or overview writer
    replaced, or a panel member stood down (``replace_panel_chair``,
    ``replace_overview_writer``, ``stand_down_panel_member``), as they were appointed,
    with who took their place (``None`` when nobody did), the reasons and the day."""

    role: str
    """``panel_chair``, ``overview_writer`` or ``panel_member``."""
    person: Appointment
    replaced_by: str | None
    reasons: str = field(metadata=MARK)
    """Why: personal data, for it may say what someone knew or did (PR-e)."""
    day: date


@frozen
class TextRewrite:
    """A personal text as an erasure leaves it (``erase_personal_data``): the text at
    ``path`` (a JSON pointer into the review) with the spans that named the person
    struck out, each replaced by the erasure's mark. Only strikes are allowed: every
    other character of the text stays as it was (PR-e)."""

    path: str
    text: str = field(metadata=MARK)


@frozen
class TermsRevision:
    """Terms of reference that a revision replaced (``revise_terms_of_reference``),
    with the reasons and the day of the revision."""

    previous: TermsOfReference
    reasons: str
    day: date


@frozen
class Joining:
    """The day an agency was brought into the review (``add_agency``, SU-7): the
    ``occurred_on`` of the command. An IMR asked of an agency that joined after the
    initial meeting is counted from this day (SU-7)."""

    agency: str
    on: date


# --------------------------------------------------------------------------- review


@frozen
class Review:
    """A Serious Case Review: everything recorded on it, at one version.

    ``version`` counts the history events; ``head`` is the hash of the last one.
    A review always equals the replay of its history (:func:`scr_engine.replay`).
    """

    id: str
    reference: str
    stage: Stage
    version: int
    head: str
    settings_version: str
    request: RequestForm
    requested_by: str
    received_on: date
    chair_received_on: date | None = None
    assessment: CriteriaAssessment | None = None
    alternative: AlternativeReview | None = None
    outcome_reasons: str = ""
    records_secured: frozenset[str] = frozenset()
    imr_writers: tuple[ImrWriter, ...] = ()
    lead_authority: str | None = None
    panel_chair: Appointment | None = None
    panel_members: tuple[Appointment, ...] = ()
    overview_writer: Appointment | None = None
    budget: Budget | None = None
    terms_of_reference: TermsOfReference | None = None
    initial_meeting_on: date | None = None
    imrs: tuple[Imr, ...] = ()
    overview_brief: str = ""
    writer_meetings: tuple[WriterMeeting, ...] = ()
    overview_report: OverviewReport | None = None
    overview_first_received_on: date | None = None
    signoffs: frozenset[str] = frozenset()
    actions: tuple[Action, ...] = ()
    dissemination: Dissemination | None = None
    ratified_on: date | None = None
    learning_log: tuple[LearningLogEntry, ...] = ()
    pauses: tuple[Pause, ...] = ()
    extensions: tuple[Extension, ...] = ()
    closed_on: date | None = None
    joined_agencies: tuple[Agency, ...] = ()
    """Agencies brought into the review after the request (``add_agency``, SU-7)."""
    restricted: bool = False
    """Only the people named on the review, and its ``readers``, may read it (PR-e)."""
    readers: frozenset[str] = frozenset()
    """Actor ids given access to a restricted review (``restrict_access``)."""
    replaced: tuple[Replacement, ...] = ()
    """People who no longer act on the review: replaced or stood down, oldest first."""
    terms_revisions: tuple[TermsRevision, ...] = ()
    """Terms of reference replaced by a revision, oldest first."""
    stage_entered_on: date | None = None
    """The day the current stage was entered (the ``occurred_on`` of the command that
    led to it); None in a review recorded before that day was kept."""
    last_signoff_on: date | None = None
    """The day of the last agency sign-off of the current report (RP-4)."""
    joinings: tuple[Joining, ...] = ()
    """The day each agency of ``joined_agencies`` joined, in the same order; empty in
    a review recorded before that day was kept."""

    @property
    def agencies(self) -> tuple[str, ...]:
        """Codes of the agencies involved: those on the request form, then those
        brought in since (SU-7)."""
        codes = self.request.agency_codes()
        if self.joined_agencies:
            codes += tuple(a.code for a in self.joined_agencies)
        return codes

    @property
    def involved_agencies(self) -> tuple[Agency, ...]:
        """The agencies involved, as records (local authority or not, RF-6)."""
        return self.request.agencies + self.joined_agencies

    @property
    def complex(self) -> bool:
        """CR-3 met: a complex review."""
        return self.assessment is not None and self.assessment.complex

    @property
    def imr_agencies(self) -> tuple[str, ...]:
        """The agencies that must provide an IMR (SU-7): as the terms of reference set,
        else every agency involved."""
        if self.terms_of_reference is not None:
            return self.terms_of_reference.imr_agencies
        return self.agencies

    @property
    def paused(self) -> bool:
        """A pause is in force."""
        return bool(self.pauses) and self.pauses[-1].ended_on is None

    def named(self) -> frozenset[str]:
        """The ids of the people named on the review: its requester, panel chair,
        panel members, overview writer, IMR writers, and its ``readers``."""
        people = {self.requested_by, *self.readers}
        for appointment in (self.panel_chair, self.overview_writer, *self.panel_members):
            if appointment is not None:
                people.add(appointment.person_id)
        people.update(writer.person_id for writer in self.imr_writers)
        return frozenset(people)

    def joined_on(self, agency: str) -> date | None:
        """The day ``agency`` was brought into the review (``add_agency``); None for an
        agency named on the request, or one that joined before the day was kept."""
        for joining in self.joinings:
            if joining.agency == agency:
                return joining.on
        return None

    def imr(self, agency: str) -> Imr | None:
        """The IMR received from an agency, if any."""
        for imr in self.imrs:
            if imr.agency == agency:
                return imr
        return None

    def action(self, action_id: str) -> Action | None:
        """The action with this ID, if any."""
        for action in self.actions:
            if action.id == action_id:
                return action
        return None
