"""What each accepted command records on the review.

Pure functions ``(review, command, actor_id, today, at) -> (changes, tasks)``, where
``changes`` are the review's fields that change (one ``evolve`` applies them); the
stage change itself is the rulebook's (:func:`scr_engine.states.machine.next_stage`).
They run only after every guard has passed, and a replay of the history runs them
again to rebuild the review exactly. ``today`` is the day the command *occurred*
(its ``occurred_on``), which may be earlier than the day it was recorded (``at``):
:func:`apply` is the one way the engine and a replay call them.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date, datetime
from typing import Any, TypeAlias, TypeVar, assert_never

from attrs import evolve, fields

from scr_engine import commands as c
from scr_engine.clock import local_date
from scr_engine.personal import ERASED, personal_paths, replace_at
from scr_engine.records import (
    Action,
    ActionStatus,
    Budget,
    CriteriaFacts,
    Extension,
    Imr,
    ImrJudgement,
    ImrWriter,
    Joining,
    LearningLogEntry,
    Pause,
    ProgressNote,
    Replacement,
    Review,
    Task,
    TaskKind,
    TermsRevision,
    WriterMeeting,
)
from scr_engine.rules.criteria import assess
from scr_engine.serialization import structure, unstructure

__all__ = ["EFFECTS", "Effect", "apply", "effect_of", "fulfils", "merge_facts", "occurred_day"]

_C = TypeVar("_C", bound=c.Command)

Outcome = tuple[dict[str, Any], tuple[Task, ...]]
"""The fields a command changes on the review, and the tasks it emits."""
Effect: TypeAlias = Callable[[Review, _C, str, date, datetime], Outcome]
"""What commands of one class record (``Effect[AssessCriteria]``): ``(review, command,
actor_id, today, at) -> (changes, tasks)``."""
_NONE: tuple[Task, ...] = ()


def merge_facts(stated: CriteriaFacts, found: CriteriaFacts | None) -> CriteriaFacts:
    """The facts the Chair assesses: those already established plus any the Chair
    finds. A fact is never dropped: what was "known or suspected" by the requester,
    or found by the Chair at an earlier assessment, stays so (CR-1)."""
    if found is None:
        return stated
    merged = {
        a.name: getattr(stated, a.name) or getattr(found, a.name) for a in fields(CriteriaFacts)
    }
    return CriteriaFacts(**merged)


def _record_chair_notified(
    r: Review, cmd: c.RecordChairNotified, who: str, today: date, at: datetime
) -> Outcome:
    return dict(chair_received_on=cmd.received_on), _NONE


def _assess_criteria(
    r: Review, cmd: c.AssessCriteria, who: str, today: date, at: datetime
) -> Outcome:
    found = r.assessment.facts if r.assessment is not None else None
    facts = merge_facts(merge_facts(r.request.facts, found), cmd.facts)
    return dict(assessment=assess(facts, cmd.notes)), _NONE


def _confirm_review(
    r: Review, cmd: c.ConfirmReview, who: str, today: date, at: datetime
) -> Outcome:
    tasks = tuple(
        Task(f"{r.id}:{r.version + 1}:{kind.value}:{agency}", r.id, kind, agency, at)
        for agency in r.agencies
        for kind in (TaskKind.SECURE_RECORDS, TaskKind.REQUEST_IMR_WRITER)
    )
    return dict(outcome_reasons=cmd.reasons), tasks


def _recommend_alternative(
    r: Review, cmd: c.RecommendAlternative, who: str, today: date, at: datetime
) -> Outcome:
    return dict(alternative=cmd.kind, outcome_reasons=cmd.reasons), _NONE


def _with_reasons(
    r: Review, cmd: c.Decline | c.Withdraw, who: str, today: date, at: datetime
) -> Outcome:
    return dict(outcome_reasons=cmd.reasons), _NONE


def _record_records_secured(
    r: Review, cmd: c.RecordRecordsSecured, who: str, today: date, at: datetime
) -> Outcome:
    return dict(records_secured=r.records_secured | {cmd.agency}), _NONE


def _record_imr_writer(
    r: Review, cmd: c.RecordImrWriter, who: str, today: date, at: datetime
) -> Outcome:
    writer = ImrWriter(cmd.agency, cmd.person_id, cmd.writer_name, cmd.declared_involvement)
    return dict(imr_writers=(*r.imr_writers, writer)), _NONE


def _agree_lead_authority(
    r: Review, cmd: c.AgreeLeadAuthority, who: str, today: date, at: datetime
) -> Outcome:
    return dict(lead_authority=cmd.agency), _NONE


def _appoint_panel_chair(
    r: Review, cmd: c.AppointPanelChair, who: str, today: date, at: datetime
) -> Outcome:
    return dict(panel_chair=evolve(cmd.appointment, appointed_on=today)), _NONE


def _appoint_panel_member(
    r: Review, cmd: c.AppointPanelMember, who: str, today: date, at: datetime
) -> Outcome:
    member = evolve(cmd.appointment, appointed_on=today)
    return dict(panel_members=(*r.panel_members, member)), _NONE


def _appoint_overview_writer(
    r: Review, cmd: c.AppointOverviewWriter, who: str, today: date, at: datetime
) -> Outcome:
    return dict(overview_writer=evolve(cmd.appointment, appointed_on=today)), _NONE


def _record_budget(r: Review, cmd: c.RecordBudget, who: str, today: date, at: datetime) -> Outcome:
    return dict(budget=Budget(cmd.amount_pounds, cmd.notes)), _NONE


def _hold_initial_meeting(
    r: Review, cmd: c.HoldInitialMeeting, who: str, today: date, at: datetime
) -> Outcome:
    return dict(terms_of_reference=cmd.terms, initial_meeting_on=today), _NONE


def _nothing(r: Review, cmd: c.Command, who: str, today: date, at: datetime) -> Outcome:
    return {}, _NONE


def _replace_imr(r: Review, imr: Imr) -> tuple[Imr, ...]:
    return (
        tuple(imr if i.agency == imr.agency else i for i in r.imrs)
        if r.imr(imr.agency)
        else (*r.imrs, imr)
    )


def _receive_imr(r: Review, cmd: c.ReceiveImr, who: str, today: date, at: datetime) -> Outcome:
    previous = r.imr(cmd.agency)
    first = previous.first_received_on if previous is not None else today
    imr = Imr(cmd.agency, today, cmd.summary, cmd.recommendations, None, "", first, cmd.chronology)
    return dict(imrs=_replace_imr(r, imr)), _NONE


def _judge_imr(r: Review, cmd: c.JudgeImr, who: str, today: date, at: datetime) -> Outcome:
    imr = r.imr(cmd.agency)
    assert imr is not None  # guarded by EV-1
    further = cmd.further_information if cmd.judgement is not ImrJudgement.SUFFICIENT else ""
    judged = evolve(imr, judgement=cmd.judgement, further_information=further)
    return dict(imrs=_replace_imr(r, judged)), _NONE


def _confirm_overview_brief(
    r: Review, cmd: c.ConfirmOverviewBrief, who: str, today: date, at: datetime
) -> Outcome:
    return dict(overview_brief=cmd.brief), _NONE


def _record_writer_meeting(
    r: Review, cmd: c.RecordWriterMeeting, who: str, today: date, at: datetime
) -> Outcome:
    meeting = WriterMeeting(today, cmd.purposes, cmd.notes)
    return dict(writer_meetings=(*r.writer_meetings, meeting)), _NONE


def _submit_overview_report(
    r: Review, cmd: c.SubmitOverviewReport, who: str, today: date, at: datetime
) -> Outcome:
    first = r.overview_first_received_on or today
    report = evolve(cmd.report, submitted_on=today)
    return dict(overview_report=report, overview_first_received_on=first), _NONE


def _request_revision(
    r: Review, cmd: c.RequestRevision, who: str, today: date, at: datetime
) -> Outcome:
    # A revised report must be signed off and planned afresh.
    return dict(
        overview_report=None,
        signoffs=frozenset(),
        actions=(),
        dissemination=None,
        last_signoff_on=None,
    ), _NONE


def _record_agency_signoff(
    r: Review, cmd: c.RecordAgencySignoff, who: str, today: date, at: datetime
) -> Outcome:
    return dict(signoffs=r.signoffs | {cmd.agency}), _NONE


def _add_action(r: Review, cmd: c.AddAction, who: str, today: date, at: datetime) -> Outcome:
    action = Action(
        cmd.action_id,
        cmd.recommendation_id,
        cmd.owner,
        cmd.timescale_months,
        cmd.outcome,
        cmd.monitoring,
    )
    return dict(actions=(*r.actions, action)), _NONE


def _record_dissemination(
    r: Review, cmd: c.RecordDissemination, who: str, today: date, at: datetime
) -> Outcome:
    return dict(dissemination=cmd.dissemination), _NONE


def _ratify(r: Review, cmd: c.Ratify, who: str, today: date, at: datetime) -> Outcome:
    return dict(ratified_on=today), _NONE


def _replace_action(r: Review, action: Action) -> tuple[Action, ...]:
    return tuple(action if a.id == action.id else a for a in r.actions)


def _record_action_progress(
    r: Review, cmd: c.RecordActionProgress, who: str, today: date, at: datetime
) -> Outcome:
    action = r.action(cmd.action_id)
    assert action is not None  # guarded
    noted = evolve(action, progress=(*action.progress, ProgressNote(today, cmd.note)))
    return dict(actions=_replace_action(r, noted)), _NONE


def _complete_action(
    r: Review, cmd: c.CompleteAction, who: str, today: date, at: datetime
) -> Outcome:
    action = r.action(cmd.action_id)
    assert action is not None  # guarded
    done = evolve(action, status=ActionStatus.COMPLETED, completed_on=today)
    entry = LearningLogEntry(cmd.action_id, today, cmd.outcome)
    return dict(actions=_replace_action(r, done), learning_log=(*r.learning_log, entry)), _NONE


def _close_review(r: Review, cmd: c.CloseReview, who: str, today: date, at: datetime) -> Outcome:
    return dict(closed_on=today), _NONE


def _pause_clock(r: Review, cmd: c.PauseClock, who: str, today: date, at: datetime) -> Outcome:
    return dict(pauses=(*r.pauses, Pause(today, cmd.process, cmd.reasons))), _NONE


def _resume_clock(r: Review, cmd: c.ResumeClock, who: str, today: date, at: datetime) -> Outcome:
    last = evolve(r.pauses[-1], ended_on=today)
    return dict(pauses=(*r.pauses[:-1], last)), _NONE


def _extend_deadline(
    r: Review, cmd: c.ExtendDeadline, who: str, today: date, at: datetime
) -> Outcome:
    ext = Extension(cmd.deadline, cmd.new_due, cmd.reasons, who, today)
    return dict(extensions=(*r.extensions, ext)), _NONE


def _add_agency(r: Review, cmd: c.AddAgency, who: str, today: date, at: datetime) -> Outcome:
    """The agency joins (SU-7) on the day the command occurred: the RF-5 letters go to
    it, and once the terms of reference are set it is among the agencies that provide
    an IMR (PR-c)."""
    code = cmd.agency.code
    tasks = tuple(
        Task(f"{r.id}:{r.version + 1}:{kind.value}:{code}", r.id, kind, code, at)
        for kind in (TaskKind.SECURE_RECORDS, TaskKind.REQUEST_IMR_WRITER)
    )
    changes: dict[str, Any] = {
        "joined_agencies": (*r.joined_agencies, cmd.agency),
        "joinings": (*r.joinings, Joining(code, today)),
    }
    terms = r.terms_of_reference
    if terms is not None and code not in terms.imr_agencies:
        changes["terms_of_reference"] = evolve(terms, imr_agencies=(*terms.imr_agencies, code))
    return changes, tasks


def _restrict_access(
    r: Review, cmd: c.RestrictAccess, actor_id: str, today: date, at: datetime
) -> Outcome:
    if not cmd.restricted:
        return dict(restricted=False, readers=frozenset()), ()
    return dict(restricted=True, readers=frozenset({*cmd.readers, actor_id})), ()


def _erase_personal_data(
    r: Review, cmd: c.ErasePersonalData, actor_id: str, today: date, at: datetime
) -> Outcome:
    """Every personal field (or those at ``cmd.paths``) becomes ``[erased]`` or the
    pseudonym, and each of ``cmd.rewrites`` its struck text; only the fields of the
    review that change are returned."""
    data = unstructure(r)
    record = type(r)  # any protocol's record
    held = [path for path, _ in personal_paths(record, data)]
    targets = set(held) if cmd.paths is None else set(cmd.paths)
    replacement = cmd.pseudonym or ERASED
    for path in held:
        if path in targets:
            data = replace_at(data, path, replacement)
    for rewrite in cmd.rewrites:  # guarded: only strikes, of personal texts (PR-e)
        data = replace_at(data, rewrite.path, rewrite.text)
    erased = structure(data, record, what="erased review")
    changes = {
        a.name: getattr(erased, a.name)
        for a in fields(record)
        if getattr(erased, a.name) != getattr(r, a.name)
    }
    return changes, ()


def _replace_panel_chair(
    r: Review, cmd: c.ReplacePanelChair, who: str, today: date, at: datetime
) -> Outcome:
    assert r.panel_chair is not None  # guarded (SU-1)
    gone = Replacement("panel_chair", r.panel_chair, cmd.appointment.person_id, cmd.reasons, today)
    chair = evolve(cmd.appointment, appointed_on=today)
    return dict(panel_chair=chair, replaced=(*r.replaced, gone)), _NONE


def _replace_overview_writer(
    r: Review, cmd: c.ReplaceOverviewWriter, who: str, today: date, at: datetime
) -> Outcome:
    assert r.overview_writer is not None  # guarded (SU-9)
    gone = Replacement(
        "overview_writer", r.overview_writer, cmd.appointment.person_id, cmd.reasons, today
    )
    writer = evolve(cmd.appointment, appointed_on=today)
    return dict(overview_writer=writer, replaced=(*r.replaced, gone)), _NONE


def _stand_down_panel_member(
    r: Review, cmd: c.StandDownPanelMember, who: str, today: date, at: datetime
) -> Outcome:
    member = next(m for m in r.panel_members if m.person_id == cmd.person_id)
    newcomer = cmd.replacement
    gone = Replacement(
        "panel_member",
        member,
        newcomer.person_id if newcomer is not None else None,
        cmd.reasons,
        today,
    )
    members = tuple(m for m in r.panel_members if m.person_id != cmd.person_id)
    if newcomer is not None:
        members = (*members, evolve(newcomer, appointed_on=today))
    return dict(panel_members=members, replaced=(*r.replaced, gone)), _NONE


def _revise_terms_of_reference(
    r: Review, cmd: c.ReviseTermsOfReference, who: str, today: date, at: datetime
) -> Outcome:
    assert r.terms_of_reference is not None  # guarded (SU-6)
    revision = TermsRevision(r.terms_of_reference, cmd.reasons, today)
    return dict(terms_of_reference=cmd.terms, terms_revisions=(*r.terms_revisions, revision)), _NONE


def _for(cls: type[_C], effect: Effect[_C]) -> Effect[Any]:
    """``effect``, which mypy checks is an effect of commands of ``cls``."""
    return effect


def effect_of(cls: type[c.AnyCommand]) -> Effect[Any] | None:
    """What commands of ``cls`` record (``None`` for ``submit_request``: the request
    makes the review, :func:`scr_engine.history.start`).

    Written over every class of :data:`~scr_engine.commands.AnyCommand`: mypy strict
    names a command missing here (``assert_never``), and each effect is checked to take
    its own command class."""
    if issubclass(cls, c.SubmitRequest):
        return None
    if issubclass(cls, c.RecordChairNotified):
        return _for(cls, _record_chair_notified)
    if issubclass(cls, c.AssessCriteria):
        return _for(cls, _assess_criteria)
    if issubclass(cls, c.ConfirmReview):
        return _for(cls, _confirm_review)
    if issubclass(cls, c.RecommendAlternative):
        return _for(cls, _recommend_alternative)
    if issubclass(cls, c.Decline):
        return _for(cls, _with_reasons)
    if issubclass(cls, c.RecordRecordsSecured):
        return _for(cls, _record_records_secured)
    if issubclass(cls, c.RecordImrWriter):
        return _for(cls, _record_imr_writer)
    if issubclass(cls, c.AgreeLeadAuthority):
        return _for(cls, _agree_lead_authority)
    if issubclass(cls, c.AppointPanelChair):
        return _for(cls, _appoint_panel_chair)
    if issubclass(cls, c.AppointPanelMember):
        return _for(cls, _appoint_panel_member)
    if issubclass(cls, c.AppointOverviewWriter):
        return _for(cls, _appoint_overview_writer)
    if issubclass(cls, c.RecordBudget):
        return _for(cls, _record_budget)
    if issubclass(cls, c.HoldInitialMeeting):
        return _for(cls, _hold_initial_meeting)
    if issubclass(cls, c.ConvenePanel):
        return _for(cls, _nothing)
    if issubclass(cls, c.ReceiveImr):
        return _for(cls, _receive_imr)
    if issubclass(cls, c.JudgeImr):
        return _for(cls, _judge_imr)
    if issubclass(cls, c.ConfirmOverviewBrief):
        return _for(cls, _confirm_overview_brief)
    if issubclass(cls, c.AcceptEvidence):
        return _for(cls, _nothing)
    if issubclass(cls, c.RecordWriterMeeting):
        return _for(cls, _record_writer_meeting)
    if issubclass(cls, c.SubmitOverviewReport):
        return _for(cls, _submit_overview_report)
    if issubclass(cls, c.RequestRevision):
        return _for(cls, _request_revision)
    if issubclass(cls, c.RecordAgencySignoff):
        return _for(cls, _record_agency_signoff)
    if issubclass(cls, c.AddAction):
        return _for(cls, _add_action)
    if issubclass(cls, c.RecordDissemination):
        return _for(cls, _record_dissemination)
    if issubclass(cls, c.Ratify):
        return _for(cls, _ratify)
    if issubclass(cls, c.StartMonitoring):
        return _for(cls, _nothing)
    if issubclass(cls, c.RecordActionProgress):
        return _for(cls, _record_action_progress)
    if issubclass(cls, c.CompleteAction):
        return _for(cls, _complete_action)
    if issubclass(cls, c.CloseReview):
        return _for(cls, _close_review)
    if issubclass(cls, c.Withdraw):
        return _for(cls, _with_reasons)
    if issubclass(cls, c.ErasePersonalData):
        return _for(cls, _erase_personal_data)
    if issubclass(cls, c.RestrictAccess):
        return _for(cls, _restrict_access)
    if issubclass(cls, c.AddAgency):
        return _for(cls, _add_agency)
    if issubclass(cls, c.PauseClock):
        return _for(cls, _pause_clock)
    if issubclass(cls, c.ResumeClock):
        return _for(cls, _resume_clock)
    if issubclass(cls, c.ExtendDeadline):
        return _for(cls, _extend_deadline)
    if issubclass(cls, c.ReplacePanelChair):
        return _for(cls, _replace_panel_chair)
    if issubclass(cls, c.ReplaceOverviewWriter):
        return _for(cls, _replace_overview_writer)
    if issubclass(cls, c.StandDownPanelMember):
        return _for(cls, _stand_down_panel_member)
    if issubclass(cls, c.ReviseTermsOfReference):
        return _for(cls, _revise_terms_of_reference)
    assert_never(cls)


EFFECTS: dict[str, Effect[Any]] = c.tabulate(effect_of)
"""What every command but ``submit_request`` records."""


def fulfils(command: Any) -> tuple[TaskKind, str] | None:
    """The task ``command`` fulfils, as (kind, agency), if any: an agency that has
    secured its records needs no letter asking it to (RF-5), nor one that has named
    its IMR writer a request for one. The engine closes the review's tasks of that
    kind for that agency in the save that records the command. By the command's name:
    a SAR's ``record_records_secured`` fulfils its SAR-D-9 task as an SCR's does."""
    name = getattr(command, "name", None)
    agency = getattr(command, "agency", None)
    if name == "record_records_secured" and isinstance(agency, str):
        return TaskKind.SECURE_RECORDS, agency
    if isinstance(command, c.RecordImrWriter):
        return TaskKind.REQUEST_IMR_WRITER, command.agency
    return None


def occurred_day(command: Any, at: datetime) -> date:
    """The day ``command`` happened: its ``occurred_on`` when it has one, else the
    day it was recorded (``at``, in the protocol's time zone)."""
    day = getattr(command, "occurred_on", None)
    return day if isinstance(day, date) else local_date(at)


def apply(
    review: Review,
    command: c.Command,
    actor_id: str,
    at: datetime,
    after: Any,
    *,
    dated: bool,
    effects: Mapping[str, Effect[Any]] | None = None,
) -> Outcome:
    """What the accepted ``command`` changes on ``review`` and the tasks it emits, its
    effect run on the day it occurred (:func:`occurred_day`). ``after`` is the stage
    it leads to. ``dated`` says the command was recorded with its ``occurred_on`` (every
    command recorded since that field exists): then the day the stage was entered and
    the day of the last sign-off are kept too, which later dates may not precede. The
    engine and the replay of a history both call it, so they agree. ``effects`` are
    the protocol's (the SCR's, :data:`EFFECTS`, by default)."""
    day = occurred_day(command, at)
    effect = (EFFECTS if effects is None else effects)[command.name]
    changes, tasks = effect(review, command, actor_id, day, at)
    if dated:
        if after != review.stage:
            changes = {**changes, "stage_entered_on": day}
        if isinstance(command, c.RecordAgencySignoff):
            last = review.last_signoff_on
            changes = {**changes, "last_signoff_on": day if last is None else max(last, day)}
    return changes, tasks
