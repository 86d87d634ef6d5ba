"""The people and the request (§3–§4, Appendix 1): who acts, the agencies, the request
form and the facts the criteria turn on (RF-1, RF-2, CR-1 … CR-4), the Chair's
assessment, and the tasks confirming a review emits (RF-5)."""

from collections.abc import Iterable
from datetime import date, datetime
from enum import StrEnum

from attrs import field, frozen

from scr_engine.marks import MARK
from scr_engine.states.roles import Role
from scr_engine.states.stages import TERMINAL_STAGES

__all__ = [
    "Actor",
    "Agency",
    "AlternativeReview",
    "CriteriaAssessment",
    "CriteriaFacts",
    "Incident",
    "OtherContact",
    "RequestForm",
    "Requester",
    "RequesterCategory",
    "Task",
    "TaskKind",
    "TaskState",
    "TaskStatus",
]


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
    NOTICE = "notice"
    """Someone must be told something the protocol names (a SAR's receipt acknowledged
    to the referrer, its decision, the SAR arranged to each agency …): the task's
    ``rule`` says what, its ``agency`` whom (an agency's code, or a role)."""


@frozen
class Task:
    """A task emitted by a command, to be delivered by the host (an outbox row)."""

    id: str
    review_id: str
    kind: TaskKind
    agency: str
    created_at: datetime
    rule: str = "RF-5"
    detail: str | None = None
    """What the task asks, in the protocol's words, where its protocol says more than
    kind and recipient (a SAR's notices: ``s.45 request IR-2 refused: escalation is the
    chair's``); ids, codes and fixed phrases only, never the review's free text, which
    its reader opens the review for. ``None`` for the SCR's tasks, and for a task stored
    before tasks kept it."""

    @property
    def sort_key(self) -> tuple[datetime, str]:
        """``(created_at, id)``: the order of :meth:`ReviewEngine.pending_tasks
        <scr_engine.ReviewEngine.pending_tasks>`; pass the last task's as ``after``
        for the next page."""
        return (self.created_at, self.id)


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
    def of(cls, stage: str, done: bool) -> "TaskStatus":
        """The status of a task of a review at ``stage`` (its code, of any protocol:
        every protocol's ending stages are the SCR's codes), delivered or not: how
        every store decides it."""
        if done:
            return cls.DONE
        return cls.CANCELLED if stage in TERMINAL_STAGES else cls.PENDING


@frozen
class TaskState:
    """A task with where it stands (:meth:`ReviewEngine.tasks
    <scr_engine.ReviewEngine.tasks>`)."""

    task: Task
    status: TaskStatus
