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

from collections.abc import Callable
from datetime import date, datetime
from typing import Any

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

__all__ = ["EFFECTS", "Effect", "apply", "fulfils", "merge_facts", "occurred_day"]

Outcome = tuple[dict[str, Any], tuple[Task, ...]]
"""The fields a command changes on the review, and the tasks it emits."""
Effect = Callable[[Review, Any, str, date, datetime], Outcome]
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


def _with_reasons(r: Review, cmd: Any, who: str, today: date, at: datetime) -> Outcome:
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


def _nothing(r: Review, cmd: Any, who: str, today: date, at: datetime) -> Outcome:
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
    held = [path for path, _ in personal_paths(Review, data)]
    targets = set(held) if cmd.paths is None else set(cmd.paths)
    replacement = cmd.pseudonym or ERASED
    for path in held:
        if path in targets:
            data = replace_at(data, path, replacement)
    for rewrite in cmd.rewrites:  # guarded: only strikes, of personal texts (PR-e)
        data = replace_at(data, rewrite.path, rewrite.text)
    erased = structure(data, Review, what="erased review")
    changes = {
        a.name: getattr(erased, a.name)
        for a in fields(Review)
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


EFFECTS: dict[str, Effect] = {
    "record_chair_notified": _record_chair_notified,
    "assess_criteria": _assess_criteria,
    "confirm_review": _confirm_review,
    "recommend_alternative": _recommend_alternative,
    "decline": _with_reasons,
    "record_records_secured": _record_records_secured,
    "record_imr_writer": _record_imr_writer,
    "agree_lead_authority": _agree_lead_authority,
    "appoint_panel_chair": _appoint_panel_chair,
    "appoint_panel_member": _appoint_panel_member,
    "appoint_overview_writer": _appoint_overview_writer,
    "record_budget": _record_budget,
    "hold_initial_meeting": _hold_initial_meeting,
    "convene_panel": _nothing,
    "receive_imr": _receive_imr,
    "judge_imr": _judge_imr,
    "confirm_overview_brief": _confirm_overview_brief,
    "accept_evidence": _nothing,
    "record_writer_meeting": _record_writer_meeting,
    "submit_overview_report": _submit_overview_report,
    "request_revision": _request_revision,
    "record_agency_signoff": _record_agency_signoff,
    "add_action": _add_action,
    "record_dissemination": _record_dissemination,
    "ratify": _ratify,
    "start_monitoring": _nothing,
    "record_action_progress": _record_action_progress,
    "complete_action": _complete_action,
    "close_review": _close_review,
    "withdraw": _with_reasons,
    "pause_clock": _pause_clock,
    "resume_clock": _resume_clock,
    "extend_deadline": _extend_deadline,
    "erase_personal_data": _erase_personal_data,
    "restrict_access": _restrict_access,
    "add_agency": _add_agency,
    "replace_panel_chair": _replace_panel_chair,
    "replace_overview_writer": _replace_overview_writer,
    "stand_down_panel_member": _stand_down_panel_member,
    "revise_terms_of_reference": _revise_terms_of_reference,
}
"""What every command but ``submit_request`` records."""


def fulfils(command: Any) -> tuple[TaskKind, str] | None:
    """The task ``command`` fulfils, as (kind, agency), if any: an agency that has
    secured its records needs no letter asking it to (RF-5), nor one that has named
    its IMR writer a request for one. The engine closes the review's tasks of that
    kind for that agency in the save that records the command."""
    if isinstance(command, c.RecordRecordsSecured):
        return TaskKind.SECURE_RECORDS, command.agency
    if isinstance(command, c.RecordImrWriter):
        return TaskKind.REQUEST_IMR_WRITER, command.agency
    return None


def occurred_day(command: Any, at: datetime) -> date:
    """The day ``command`` happened: its ``occurred_on`` when it has one, else the
    day it was recorded (``at``, in the protocol's time zone)."""
    day = getattr(command, "occurred_on", None)
    return day if isinstance(day, date) else local_date(at)


def apply(
    review: Review, command: Any, actor_id: str, at: datetime, after: Any, *, dated: bool
) -> Outcome:
    """What the accepted ``command`` changes on ``review`` and the tasks it emits, its
    effect run on the day it occurred (:func:`occurred_day`). ``after`` is the stage
    it leads to. ``dated`` says the command was recorded with its ``occurred_on`` (every
    command recorded since that field exists): then the day the stage was entered and
    the day of the last sign-off are kept too, which later dates may not precede. The
    engine and the replay of a history both call it, so they agree."""
    day = occurred_day(command, at)
    changes, tasks = EFFECTS[command.name](review, command, actor_id, day, at)
    if dated:
        if after is not review.stage:
            changes = {**changes, "stage_entered_on": day}
        if isinstance(command, c.RecordAgencySignoff):
            last = review.last_signoff_on
            changes = {**changes, "last_signoff_on": day if last is None else max(last, day)}
    return changes, tasks
