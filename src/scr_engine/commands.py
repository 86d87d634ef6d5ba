"""Commands: every change to a review, one attrs class per command of ``map.md``.

Each class has a stable ``name`` (the public vocabulary). Commands round-trip through
JSON with :func:`to_dict` / :func:`from_dict` (the library's cattrs converter), as
``{"command": "<name>", ...fields}``, so host systems can send them over the wire.
"""

from collections.abc import Callable, Iterable, Mapping
from datetime import date
from typing import Any, ClassVar, TypeAlias, TypeVar, get_args

from attrs import field, frozen

from scr_engine.errors import InvalidRequest
from scr_engine.errors.refusals import Refusal
from scr_engine.marks import MARK
from scr_engine.records import (
    Agency,
    AlternativeReview,
    Appointment,
    ChronologyEntry,
    CriteriaFacts,
    Dissemination,
    ImrJudgement,
    OverviewReport,
    RequestForm,
    TermsOfReference,
    TextRewrite,
    WriterMeetingPurpose,
)
from scr_engine.sections import missing_sections
from scr_engine.serialization import shape_problems, structure, unstructure

__all__ = [
    "COMMANDS",
    "AcceptEvidence",
    "AddAction",
    "AddAgency",
    "AgreeLeadAuthority",
    "AnyCommand",
    "AppointOverviewWriter",
    "AppointPanelChair",
    "AppointPanelMember",
    "AssessCriteria",
    "CloseReview",
    "Command",
    "CompleteAction",
    "ConfirmOverviewBrief",
    "ConfirmReview",
    "ConvenePanel",
    "Decline",
    "ErasePersonalData",
    "ExtendDeadline",
    "HoldInitialMeeting",
    "JudgeImr",
    "PauseClock",
    "Ratify",
    "ReceiveImr",
    "RecommendAlternative",
    "RecordActionProgress",
    "RecordAgencySignoff",
    "RecordBudget",
    "RecordChairNotified",
    "RecordDissemination",
    "RecordImrWriter",
    "RecordRecordsSecured",
    "RecordWriterMeeting",
    "ReplaceOverviewWriter",
    "ReplacePanelChair",
    "RequestRevision",
    "RestrictAccess",
    "ResumeClock",
    "ReviseTermsOfReference",
    "ScrCommand",
    "StandDownPanelMember",
    "StartMonitoring",
    "SubmitOverviewReport",
    "SubmitRequest",
    "Withdraw",
    "command_from_dict",
    "from_dict",
    "tabulate",
    "to_dict",
]


def _purposes(value: Iterable[WriterMeetingPurpose]) -> frozenset[WriterMeetingPurpose]:
    return frozenset(value)


class Command:
    """Base of every command. ``name`` is the stable command code of ``map.md``."""

    __slots__ = ()
    name: ClassVar[str]


class ScrCommand(Command):
    """Base of every command of the SCR protocol alone (:class:`ErasePersonalData`,
    which every protocol takes, is a plain :class:`Command`): for it,
    :meth:`ReviewEngine.execute <scr_engine.ReviewEngine.execute>` returns a
    :class:`~scr_engine.records.Review`, as a type checker knows."""

    __slots__ = ()


@frozen
class SubmitRequest(ScrCommand):
    """Receive an Appendix 1 request (RF-1, RF-2). ``reference``,
    ``settings_version`` and ``protocol_version`` are filled in by the engine."""

    name: ClassVar[str] = "submit_request"
    request: RequestForm
    reference: str = ""
    settings_version: str = ""
    occurred_on: date | None = None
    """The day it happened; the day it is recorded when omitted."""
    protocol: str = "scr"
    """The protocol the review runs under (the SCR when omitted)."""
    protocol_version: str = "1"
    """The version of that protocol's definition (the newest when submitted)."""


@frozen
class RecordChairNotified(ScrCommand):
    """Record the date the Chair of the Board received the request (RF-3)."""

    name: ClassVar[str] = "record_chair_notified"
    received_on: date


@frozen
class AssessCriteria(ScrCommand):
    """The Chair assesses the request against §3 (CR-1…CR-4). ``facts`` defaults to
    the facts stated on the request form."""

    name: ClassVar[str] = "assess_criteria"
    facts: CriteriaFacts | None = None
    notes: str = field(default="", metadata=MARK)
    occurred_on: date | None = None
    """The day it happened; the day it is recorded when omitted."""


@frozen
class ConfirmReview(ScrCommand):
    """The Chair confirms that the case proceeds to an SCR (RF-4); emits RF-5 tasks."""

    name: ClassVar[str] = "confirm_review"
    reasons: str = ""
    occurred_on: date | None = None
    """The day it happened; the day it is recorded when omitted."""


@frozen
class RecommendAlternative(ScrCommand):
    """The Chair recommends an Individual Practice or Near Miss Review (RF-4a/b)."""

    name: ClassVar[str] = "recommend_alternative"
    kind: AlternativeReview
    reasons: str
    occurred_on: date | None = None
    """The day it happened; the day it is recorded when omitted."""


@frozen
class Decline(ScrCommand):
    """The Chair decides on no review, with reasons (CR-4)."""

    name: ClassVar[str] = "decline"
    reasons: str
    occurred_on: date | None = None
    """The day it happened; the day it is recorded when omitted."""


@frozen
class RecordRecordsSecured(ScrCommand):
    """An agency has secured its records (RF-5)."""

    name: ClassVar[str] = "record_records_secured"
    agency: str
    occurred_on: date | None = None
    """The day it happened; the day it is recorded when omitted."""


@frozen
class RecordImrWriter(ScrCommand):
    """An agency has identified its IMR writer (RF-5), with what the writer declared
    about direct involvement with the adult or the family (PR-b: those conducting an
    IMR were not directly concerned with them); a writer who declares it is refused."""

    name: ClassVar[str] = "record_imr_writer"
    agency: str
    person_id: str
    writer_name: str = field(metadata=MARK)
    declared_involvement: bool | None = None
    """Whether the writer declared direct involvement with the adult or the family
    (PR-b); left out when no declaration is recorded (as in records made before it
    could be)."""
    involvement: str = field(default="", metadata=MARK)
    """What the declared involvement was."""
    occurred_on: date | None = None
    """The day it happened; the day it is recorded when omitted."""


@frozen
class AgreeLeadAuthority(ScrCommand):
    """The local authorities involved agreed which of them leads (RF-6)."""

    name: ClassVar[str] = "agree_lead_authority"
    agency: str
    occurred_on: date | None = None
    """The day it happened; the day it is recorded when omitted."""


@frozen
class AppointPanelChair(ScrCommand):
    """Appoint the chair of the review panel (SU-1, PR-b)."""

    name: ClassVar[str] = "appoint_panel_chair"
    appointment: Appointment
    occurred_on: date | None = None
    """The day it happened; the day it is recorded when omitted."""


@frozen
class AppointPanelMember(ScrCommand):
    """Appoint a panel member (SU-1, SU-2, PR-b): an involved agency's representative,
    or another member the Membership guidance names (``appointment.represents``)."""

    name: ClassVar[str] = "appoint_panel_member"
    appointment: Appointment
    occurred_on: date | None = None
    """The day it happened; the day it is recorded when omitted."""


@frozen
class AppointOverviewWriter(ScrCommand):
    """Appoint the overview report writer (SU-9, PR-b)."""

    name: ClassVar[str] = "appoint_overview_writer"
    appointment: Appointment
    occurred_on: date | None = None
    """The day it happened; the day it is recorded when omitted."""


@frozen
class RecordBudget(ScrCommand):
    """Record the panel's budgetary requirements (SU-3)."""

    name: ClassVar[str] = "record_budget"
    amount_pounds: int
    notes: str
    occurred_on: date | None = None
    """The day it happened; the day it is recorded when omitted."""


@frozen
class HoldInitialMeeting(ScrCommand):
    """The initial meeting agrees the terms of reference (SU-4…SU-8, SU-10)."""

    name: ClassVar[str] = "hold_initial_meeting"
    terms: TermsOfReference
    occurred_on: date | None = None
    """The day it happened; the day it is recorded when omitted."""


@frozen
class ConvenePanel(ScrCommand):
    """Convene the panel on the agreed terms of reference."""

    name: ClassVar[str] = "convene_panel"
    occurred_on: date | None = None
    """The day it happened; the day it is recorded when omitted."""


@frozen
class ReceiveImr(ScrCommand):
    """An agency presents its IMR (EV-1); also a resubmission with further information."""

    name: ClassVar[str] = "receive_imr"
    agency: str
    summary: str = field(metadata=MARK)
    recommendations: tuple[str, ...] = ()
    chronology: tuple[ChronologyEntry, ...] = ()
    """The agency's dated chronology (RP-2): each entry names this agency and a day
    no later than the day the IMR is received."""
    occurred_on: date | None = None
    """The day it happened; the day it is recorded when omitted."""


@frozen
class JudgeImr(ScrCommand):
    """The panel judges an IMR (EV-2)."""

    name: ClassVar[str] = "judge_imr"
    agency: str
    judgement: ImrJudgement
    further_information: str = field(default="", metadata=MARK)
    occurred_on: date | None = None
    """The day it happened; the day it is recorded when omitted."""


@frozen
class ConfirmOverviewBrief(ScrCommand):
    """The panel confirms the brief for the overview report (EV-3)."""

    name: ClassVar[str] = "confirm_overview_brief"
    brief: str
    occurred_on: date | None = None
    """The day it happened; the day it is recorded when omitted."""


@frozen
class AcceptEvidence(ScrCommand):
    """Every IMR is in and sufficient; the writer is briefed (EV-1…EV-3)."""

    name: ClassVar[str] = "accept_evidence"
    occurred_on: date | None = None
    """The day it happened; the day it is recorded when omitted."""


@frozen
class RecordWriterMeeting(ScrCommand):
    """A meeting between the overview writer and the panel, with its purpose (OW-1)."""

    name: ClassVar[str] = "record_writer_meeting"
    purposes: frozenset[WriterMeetingPurpose] = field(converter=_purposes)
    notes: str = ""
    occurred_on: date | None = None
    """The day it happened; the day it is recorded when omitted."""


@frozen
class SubmitOverviewReport(ScrCommand):
    """The overview writer submits the report and executive summary (RP-2, RP-3)."""

    name: ClassVar[str] = "submit_overview_report"
    report: OverviewReport
    occurred_on: date | None = None
    """The day it happened; the day it is recorded when omitted."""


@frozen
class RequestRevision(ScrCommand):
    """The panel sends the report back to the writer, with reasons."""

    name: ClassVar[str] = "request_revision"
    reasons: str
    occurred_on: date | None = None
    """The day it happened; the day it is recorded when omitted."""


@frozen
class RecordAgencySignoff(ScrCommand):
    """An agency confirms its information is fully and fairly represented (RP-4)."""

    name: ClassVar[str] = "record_agency_signoff"
    agency: str
    occurred_on: date | None = None
    """The day it happened; the day it is recorded when omitted."""


@frozen
class AddAction(ScrCommand):
    """Add an action to the action plan for a recommendation (RP-5, AP-1)."""

    name: ClassVar[str] = "add_action"
    action_id: str
    recommendation_id: str
    owner: str
    timescale_months: int
    outcome: str
    monitoring: str
    occurred_on: date | None = None
    """The day it happened; the day it is recorded when omitted."""


@frozen
class RecordDissemination(ScrCommand):
    """Decide who gets the report, how, and how it is disseminated (RP-6)."""

    name: ClassVar[str] = "record_dissemination"
    dissemination: Dissemination
    occurred_on: date | None = None
    """The day it happened; the day it is recorded when omitted."""


@frozen
class Ratify(ScrCommand):
    """The Board agrees the report and the action plan (RP-7): issued by the board
    chair on the Board's behalf, or by an actor holding the ``board`` role.
    ``occurred_on`` is the date of the Board's meeting (formerly ``agreed_on``); the
    day the command is recorded when omitted."""

    name: ClassVar[str] = "ratify"
    occurred_on: date | None = None


@frozen
class StartMonitoring(ScrCommand):
    """Start monitoring the action plan (AP-1)."""

    name: ClassVar[str] = "start_monitoring"
    occurred_on: date | None = None
    """The day it happened; the day it is recorded when omitted."""


@frozen
class RecordActionProgress(ScrCommand):
    """Note progress on an action (AP-1, AP-2)."""

    name: ClassVar[str] = "record_action_progress"
    action_id: str
    note: str
    occurred_on: date | None = None
    """The day it happened; the day it is recorded when omitted."""


@frozen
class CompleteAction(ScrCommand):
    """An action is completed; its outcome goes into the learning log (AP-1, AP-3)."""

    name: ClassVar[str] = "complete_action"
    action_id: str
    outcome: str
    occurred_on: date | None = None
    """The day it happened; the day it is recorded when omitted."""


@frozen
class CloseReview(ScrCommand):
    """Close the review: every action completed and logged (AP-3, PR-h)."""

    name: ClassVar[str] = "close_review"
    occurred_on: date | None = None
    """The day it happened; the day it is recorded when omitted."""


@frozen
class Withdraw(ScrCommand):
    """Stop the review before ratification, with reasons."""

    name: ClassVar[str] = "withdraw"
    reasons: str
    occurred_on: date | None = None
    """The day it happened; the day it is recorded when omitted."""


@frozen
class ErasePersonalData(Command):
    """Erase, or pseudonymise, personal data of an ended review when its retention
    ends (PR-e), with reasons and the legal basis: every personal field (no
    ``paths``), or the fields at ``paths`` (JSON pointers into the review, such as
    ``/request/requester/name``), replaced by :data:`~scr_engine.personal.ERASED` or by
    ``pseudonym``. The history keeps verifying: each event committed to its personal
    values without containing them (see ``docs/integrity.md``)."""

    name: ClassVar[str] = "erase_personal_data"
    reasons: str
    legal_basis: str
    paths: tuple[str, ...] | None = None
    """The review's fields to erase; left out (the default) for every personal field."""
    pseudonym: str = ""
    rewrites: tuple[TextRewrite, ...] = ()
    """Personal texts that named the person, with only those spans struck out
    (replaced by ``pseudonym``, or :data:`~scr_engine.personal.ERASED`); filled in by
    :meth:`ReviewEngine.erase_person <scr_engine.ReviewEngine.erase_person>`."""


@frozen
class AddAgency(ScrCommand):
    """Bring an agency not named on the request into the review (SU-7: the terms of
    reference decide which agencies contribute), with reasons. It is then involved:
    RF-5 letters go to it, and every rule on involved agencies covers it."""

    name: ClassVar[str] = "add_agency"
    agency: Agency
    reasons: str
    occurred_on: date | None = None
    """The day it happened; the day it is recorded when omitted."""


@frozen
class RestrictAccess(ScrCommand):
    """Restrict who may read the review (PR-e) to the people named on it and the
    ``readers`` given (the chair issuing it is added), or lift the restriction
    (``restricted`` false), with reasons."""

    name: ClassVar[str] = "restrict_access"
    reasons: str
    readers: tuple[str, ...] = ()
    restricted: bool = True


@frozen
class PauseClock(ScrCommand):
    """Stop every running clock of the review for a parallel process."""

    name: ClassVar[str] = "pause_clock"
    process: str
    reasons: str
    occurred_on: date | None = None
    """The day it happened; the day it is recorded when omitted."""


@frozen
class ResumeClock(ScrCommand):
    """Restart the review's clocks after a pause."""

    name: ClassVar[str] = "resume_clock"
    reasons: str = ""
    occurred_on: date | None = None
    """The day it happened; the day it is recorded when omitted."""


@frozen
class ExtendDeadline(ScrCommand):
    """Move one deadline later, recording who and why."""

    name: ClassVar[str] = "extend_deadline"
    deadline: str
    new_due: date
    reasons: str


@frozen
class ReplacePanelChair(ScrCommand):
    """Replace the panel chair, with reasons (SU-1, PR-b): the newcomer is appointed as
    at first, impartial; the chair replaced stays in the review's history."""

    name: ClassVar[str] = "replace_panel_chair"
    appointment: Appointment
    reasons: str = field(metadata=MARK)
    occurred_on: date | None = None


@frozen
class ReplaceOverviewWriter(ScrCommand):
    """Replace the overview report writer, with reasons (SU-9, PR-b): the newcomer is
    appointed as at first, impartial; the writer replaced stays in the history."""

    name: ClassVar[str] = "replace_overview_writer"
    appointment: Appointment
    reasons: str = field(metadata=MARK)
    occurred_on: date | None = None


@frozen
class StandDownPanelMember(ScrCommand):
    """Stand a panel member down, with reasons (SU-2, PR-b), for instance when a
    conflict of interest surfaces, optionally seating a ``replacement``; the member
    stood down stays in the history."""

    name: ClassVar[str] = "stand_down_panel_member"
    person_id: str
    reasons: str = field(metadata=MARK)
    replacement: Appointment | None = None
    occurred_on: date | None = None


@frozen
class ReviseTermsOfReference(ScrCommand):
    """Revise the terms of reference agreed at the initial meeting, with reasons
    (Appendix 2, "to review the scope of the SCR"; SU-6 … SU-10): the new terms are
    judged as at the initial meeting, the deadlines follow them, and the terms
    replaced stay in the history."""

    name: ClassVar[str] = "revise_terms_of_reference"
    terms: TermsOfReference
    reasons: str
    occurred_on: date | None = None


AnyCommand: TypeAlias = (
    SubmitRequest
    | RecordChairNotified
    | AssessCriteria
    | ConfirmReview
    | RecommendAlternative
    | Decline
    | RecordRecordsSecured
    | RecordImrWriter
    | AgreeLeadAuthority
    | AppointPanelChair
    | AppointPanelMember
    | AppointOverviewWriter
    | RecordBudget
    | HoldInitialMeeting
    | ConvenePanel
    | ReceiveImr
    | JudgeImr
    | ConfirmOverviewBrief
    | AcceptEvidence
    | RecordWriterMeeting
    | SubmitOverviewReport
    | RequestRevision
    | RecordAgencySignoff
    | AddAction
    | RecordDissemination
    | Ratify
    | StartMonitoring
    | RecordActionProgress
    | CompleteAction
    | CloseReview
    | Withdraw
    | ErasePersonalData
    | RestrictAccess
    | AddAgency
    | PauseClock
    | ResumeClock
    | ExtendDeadline
    | ReplacePanelChair
    | ReplaceOverviewWriter
    | StandDownPanelMember
    | ReviseTermsOfReference
)
"""Every command, as one closed union of its classes.

A table with an entry per command is written as a function over
``type[AnyCommand]`` that narrows with ``issubclass`` and ends in
``typing.assert_never`` (see :func:`tabulate`): mypy strict then names every command
the function misses. A class that subclasses :class:`Command` here but is left out of
the union stops the import, naming it."""


def _every_class() -> tuple[type[AnyCommand], ...]:
    """The classes of :data:`AnyCommand`, checked to be every command this module
    defines, each with a ``name`` of its own, no two alike."""
    classes: tuple[type[AnyCommand], ...] = get_args(AnyCommand)
    defined = [
        v
        for v in globals().values()
        if isinstance(v, type) and issubclass(v, Command) and v not in (Command, ScrCommand)
    ]
    problems = [
        f"{cls.__name__} subclasses Command but is not in AnyCommand: add it to the union"
        for cls in defined
        if cls not in classes
    ]
    problems += [
        f"{cls.__name__} has no name of its own: give it name: ClassVar[str] = '<command>'"
        for cls in classes
        if "name" not in vars(cls)
    ]
    seen: dict[str, str] = {}
    for cls in classes:
        name = vars(cls).get("name", "")
        if name in seen:
            problems.append(f"{cls.__name__} and {seen[name]} are both named {name!r}")
        seen[name] = cls.__name__
    if problems:
        raise TypeError("scr_engine.commands: " + "; ".join(problems))
    return classes


_CLASSES = _every_class()

COMMANDS: dict[str, type[Command]] = {cls.name: cls for cls in _CLASSES}
"""Every command class by its stable name (the classes of :data:`AnyCommand`)."""

_T = TypeVar("_T")
_C = TypeVar("_C", bound=Command)


def tabulate(entry: Callable[[type[AnyCommand]], _T | None]) -> dict[str, _T]:
    """A table of every command, keyed by its stable name (the name its events carry),
    built once from ``entry``: a function written over ``type[AnyCommand]`` that
    ends in ``typing.assert_never``, so that mypy strict names any command it misses.
    ``entry`` is called once for each class; a command for which it returns ``None``
    has no entry. Looking a command up is one dictionary lookup on its name."""
    table: dict[str, _T] = {}
    for cls in _CLASSES:
        value = entry(cls)
        if value is not None:
            table[cls.name] = value
    return table


def to_dict(command: Command) -> dict[str, Any]:
    """The JSON-ready form of a command: ``{"command": name, ...fields}``."""
    data: dict[str, Any] = unstructure(command)
    return {"command": command.name, **data}


def from_dict(data: Any) -> Command:
    """Rebuild a command from :func:`to_dict`'s form.

    Raises :class:`~scr_engine.InvalidRequest` naming every problem: not an object,
    no or unknown ``command``, unknown fields, missing fields, wrong types.
    """
    return command_from_dict(data, COMMANDS)


def command_from_dict(data: Any, commands: Mapping[str, type[_C]], label: str = "command") -> _C:
    """Rebuild a command of ``commands`` (a protocol's classes by name) from
    :func:`to_dict`'s form, as :func:`from_dict` does for the SCR's; ``label`` names
    what an unknown name is not (``"SAR command"``)."""
    if not isinstance(data, dict):
        raise InvalidRequest(
            "command",
            [Refusal.input("a command must be a JSON object")],
        )
    problems = shape_problems(data)
    if problems:
        raise InvalidRequest("command", problems)
    name = data.get("command")
    cls = commands.get(name) if isinstance(name, str) else None
    if cls is None:
        known = f"known {label}s: {', '.join(sorted(commands))}"
        if name is None:
            message = f"the command is not named (its field command is missing); {known}"
        else:
            message = f"unknown {label} {name!r}; {known}"
        # A name that is not text is no command's: the refusal is the command's own.
        what = name if isinstance(name, str) and name else "command"
        raise InvalidRequest(what, [Refusal.input(message, "command")])
    fields = {k: v for k, v in data.items() if k != "command"}
    if cls is SubmitOverviewReport:
        # A report missing a section is refused naming it (RP-2), not its JSON shape.
        missing = missing_sections(fields.get("report"))
        if missing:
            raise InvalidRequest(cls.name, missing)
    built: _C = structure(fields, cls, what=cls.name)
    return built
