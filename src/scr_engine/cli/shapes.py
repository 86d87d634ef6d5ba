"""What ``scr`` prints: the stable JSON shapes of ``--json`` (documented in
``docs/cli.md``), and the words a person reads beside each code.

Every shape is a plain dict of JSON values: dates and times as ISO 8601 text, stage,
command, role and status codes as the protocol's stable codes, each code with its
words beside it (``stage_words``, ``command_words``, ``title``).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from scr_engine.words import ROLE_WORDS, STAGE_WORDS, TASK_WORDS

if TYPE_CHECKING:
    from scr_engine.engine import CommandOption
    from scr_engine.errors.refusals import Refusal
    from scr_engine.history import Event
    from scr_engine.integrity import Fault, VerifyReport
    from scr_engine.protocols import Protocol
    from scr_engine.protocols.sar.annual.records import AnnualReport
    from scr_engine.protocols.sar.records import SarReview
    from scr_engine.records import Review, Task
    from scr_engine.rules.deadlines import Deadline
    from scr_engine.storage.port import DeadlineRow

__all__ = [
    "ROLE_WORDS",
    "STAGE_WORDS",
    "TASK_WORDS",
    "appointee_name",
    "command_about",
    "command_words",
    "deadline_json",
    "deadline_row_json",
    "event_json",
    "fault_json",
    "option_json",
    "parse_command",
    "refusal_json",
    "review_json",
    "short_ids",
    "stage_words",
    "task_json",
    "verify_json",
]

Names = Callable[[str], str]
"""A person's name by id ('' when unknown)."""

_ABBREVIATIONS = {"imr": "IMR"}


def command_words(name: str) -> str:
    """A command code in words: ``record_action_progress`` → "Record action progress"."""
    words = [_ABBREVIATIONS.get(w, w) for w in name.split("_")]
    if not words:
        return name
    first = words[0]
    return " ".join([first[:1].upper() + first[1:], *words[1:]])


def is_scr(review: Any) -> bool:
    """Whether ``review`` is an SCR (its record the SCR's: its words are the SCR's)."""
    from scr_engine.records import Review

    return isinstance(review, Review)


def stage_words(review: Any) -> str:
    """A review's stage in words: the SCR's words, or the first clause of what the
    stage means in the review's protocol (its ``StageDef``)."""
    from scr_engine.protocols import of

    code = str(review.stage)
    if is_scr(review):
        return STAGE_WORDS.get(code, code)
    meaning = next((s.meaning for s in of(review).stages if s.code == code), code)
    return meaning.split("; ")[0].split(" (")[0].rstrip(".")


def parse_command(definition: Protocol, data: Any) -> Any:
    """A command of ``definition`` from its JSON form (``{"command": name, ...}``);
    :class:`~scr_engine.InvalidRequest` naming every problem."""
    from scr_engine.commands import command_from_dict, from_dict
    from scr_engine.protocols import DEFAULT

    if definition is DEFAULT:
        return from_dict(data)
    return command_from_dict(data, definition.commands, f"{definition.name.upper()} command")


def command_about(name: str, definition: Protocol | None = None) -> str:
    """What a command does: the first sentence of its documentation ('' if unknown);
    ``definition`` is the protocol whose command it is (the SCR's by default)."""
    from scr_engine.commands import COMMANDS

    cls = (definition.commands if definition is not None else COMMANDS).get(name)
    doc = (cls.__doc__ or "") if cls is not None else ""
    text = " ".join(doc.split())
    end = text.find(". ")
    return text[: end + 1] if end >= 0 else text


def _day(value: date | None) -> str | None:
    return value.isoformat() if value is not None else None


def _time(value: datetime) -> str:
    return value.isoformat()


def refusal_json(refusal: Refusal) -> dict[str, Any]:
    """``{"rule", "message", "kind", "field"}`` (:meth:`Refusal.to_json`)."""
    return refusal.to_json()


def appointee_name(review: Review, person_id: str | None) -> str | None:
    """The name a review records for someone appointed to it (panel chair, member,
    overview writer, now or before a correction), or None."""
    if person_id is None:
        return None
    people = [review.panel_chair, review.overview_writer, *review.panel_members]
    people += [gone.person for gone in review.replaced]
    for appointed in people:
        if appointed is not None and appointed.person_id == person_id:
            return appointed.name
    return None


def review_json(
    review: Review | SarReview | AnnualReport, names: Names | None = None
) -> dict[str, Any]:
    """A review's summary: ids, stage, dates, agencies, the people appointed, and the
    corrections: the people replaced or stood down (``replaced``: SU-1, SU-9, SU-2) and
    the revisions of the terms of reference (``terms_revisions``: SU-6), oldest first.
    A review of another protocol has its own summary (:func:`other_review_json`)."""
    from scr_engine.records import Review as Scr

    if not isinstance(review, Scr):
        return other_review_json(review, names)

    def person(person_id: str | None, name: str | None = None) -> dict[str, Any] | None:
        if person_id is None:
            return None
        found = name or (names(person_id) if names is not None else "")
        return {"id": person_id, "name": found or None}

    return {
        "id": review.id,
        "reference": review.reference,
        "protocol": review.protocol,
        "protocol_version": review.protocol_version,
        "stage": review.stage.value,
        "stage_words": stage_words(review),
        "version": review.version,
        "received_on": _day(review.received_on),
        "chair_received_on": _day(review.chair_received_on),
        "ratified_on": _day(review.ratified_on),
        "closed_on": _day(review.closed_on),
        "requested_by": person(review.requested_by),
        "agencies": [
            {"code": a.code, "name": a.name, "local_authority": a.local_authority}
            for a in review.involved_agencies
        ],
        "panel_chair": person(
            review.panel_chair.person_id if review.panel_chair else None,
            review.panel_chair.name if review.panel_chair else None,
        ),
        "overview_writer": person(
            review.overview_writer.person_id if review.overview_writer else None,
            review.overview_writer.name if review.overview_writer else None,
        ),
        "actions": [
            {"id": a.id, "recommendation_id": a.recommendation_id, "status": a.status.value}
            for a in review.actions
        ],
        "restricted": review.restricted,
        "replaced": [
            {
                "role": gone.role,
                "role_words": ROLE_WORDS.get(gone.role, gone.role),
                "person": person(gone.person.person_id, gone.person.name),
                "replaced_by": person(gone.replaced_by, appointee_name(review, gone.replaced_by)),
                "reasons": gone.reasons,
                "day": _day(gone.day),
            }
            for gone in review.replaced
        ],
        "terms_revisions": [
            {"day": _day(revision.day), "reasons": revision.reasons}
            for revision in review.terms_revisions
        ],
    }


def other_review_json(review: Any, names: Names | None = None) -> dict[str, Any]:
    """The summary of a review of a protocol other than the SCR (a SAR): its envelope
    (ids, protocol, stage with its words, version, day received, who submitted it), its
    agencies, and what it records of the fields every protocol shares (``None`` where
    it records nothing): the lead reviewer, the mandate, the actions, publication."""

    def person(person_id: str | None, name: str | None = None) -> dict[str, Any] | None:
        if not person_id:
            return None
        found = name or (names(person_id) if names is not None else "")
        return {"id": person_id, "name": found or None}

    lead = getattr(review, "lead_reviewer", None)
    mandate = getattr(review, "mandate", None)
    publication = getattr(review, "publication", None)
    return {
        "id": review.id,
        "reference": review.reference,
        "protocol": review.protocol,
        "protocol_version": review.protocol_version,
        "stage": str(review.stage),
        "stage_words": stage_words(review),
        "version": review.version,
        "received_on": _day(review.received_on),
        "requested_by": person(review.requested_by),
        "agencies": [
            {"code": a.code, "name": a.name} for a in getattr(review, "involved_agencies", ())
        ],
        "lead_reviewer": person(lead.person_id, lead.name) if lead is not None else None,
        "mandate": (
            {"kind": str(mandate.kind), "condition": mandate.condition}
            if mandate is not None
            else None
        ),
        "ratified_on": _day(getattr(review, "ratified_on", None)),
        "actions": [
            {"id": a.id, "status": str(a.status), "findings": list(a.findings)}
            for a in getattr(review, "actions", ())
        ],
        "publication": (
            {
                "status": str(publication.status),
                "choice": str(publication.choice) if publication.choice is not None else None,
            }
            if publication is not None
            else None
        ),
        "restricted": review.restricted,
    }


def option_json(option: CommandOption, definition: Protocol | None = None) -> dict[str, Any]:
    """``{"command", "command_words", "about", "takes_input", "allowed", "refusals"}``
    (``definition`` as for :func:`command_about`)."""
    return {
        "command": option.command,
        "command_words": command_words(option.command),
        "about": command_about(option.command, definition),
        "takes_input": option.takes_input,
        "allowed": option.allowed,
        "refusals": [refusal_json(r) for r in option.refusals],
    }


def deadline_json(deadline: Deadline) -> dict[str, Any]:
    """One deadline of a review with its status."""
    return {
        "key": deadline.key,
        "rule": deadline.rule,
        "title": deadline.title,
        "starts_on": _day(deadline.starts_on),
        "due_on": _day(deadline.due_on),
        "met_on": _day(deadline.met_on),
        "status": deadline.status.value,
        "days_late": deadline.days_late,
    }


def deadline_row_json(row: DeadlineRow, as_of: date) -> dict[str, Any]:
    """One row of ``overdue``: a deadline of one review."""
    late = (as_of - row.due_on).days if row.due_on < as_of else 0
    return {
        "review_id": row.review_id,
        "reference": row.reference,
        "key": row.key,
        "rule": row.rule,
        "title": row.title,
        "due_on": _day(row.due_on),
        "status": row.status.value,
        "days_late": late,
    }


def short_ids(review_id: str, tasks: Iterable[tuple[str, str]]) -> dict[str, str]:
    """The short id of each task of one review, from every ``(id, "kind:agency")`` of
    it: ``kind:agency`` (``secure_records:gp``) when no other task of the review has
    the same, else the task's id after the review's (``2:0:notice:referrer``), so that
    each is unique within its review and ``scr tasks --done`` names one task."""
    pairs = list(tasks)
    counts = Counter(short for _, short in pairs)
    prefix = f"{review_id}:"
    return {
        task_id: short if counts[short] == 1 else task_id.removeprefix(prefix)
        for task_id, short in pairs
    }


def task_json(task: Task, short_id: str | None = None) -> dict[str, Any]:
    """One pending task (an RF-5 letter to deliver); ``short_id`` as
    :func:`short_ids` gives it (``kind:agency`` when not given)."""
    return {
        "id": task.id,
        "short_id": short_id or f"{task.kind.value}:{task.agency}",
        "review_id": task.review_id,
        "kind": task.kind.value,
        "kind_words": TASK_WORDS.get(task.kind.value, task.kind.value),
        "agency": task.agency,
        "created_at": _time(task.created_at),
        "rule": task.rule,
        "detail": task.detail,
    }


def event_json(event: Event, names: Names | None = None) -> dict[str, Any]:
    """One event of a review's history (its payload as stored: personal values may be
    commitments or erased): ``at`` when it was recorded, ``occurred_on`` the day it
    happened (:func:`scr_engine.history.event_day`)."""
    from scr_engine.history import event_day

    name = names(event.actor_id) if names is not None else ""
    return {
        "sequence": event.sequence,
        "at": _time(event.at),
        "occurred_on": event_day(event).isoformat(),
        "actor_id": event.actor_id,
        "actor_name": name or None,
        "role": event.role.value,
        "command": event.command,
        "command_words": command_words(event.command),
        "stage_before": str(event.stage_before) if event.stage_before is not None else None,
        "stage_after": str(event.stage_after),
        "payload": _plain(event.payload),
        "hash": event.hash,
    }


def _plain(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


def fault_json(fault: Fault) -> dict[str, Any]:
    """``{"review_id", "sequence", "kind", "message"}``."""
    return {
        "review_id": fault.review_id,
        "sequence": fault.sequence,
        "kind": fault.kind.value,
        "message": fault.message,
    }


def verify_json(report: VerifyReport) -> dict[str, Any]:
    """What ``verify`` found."""
    checkpoint = report.checkpoint
    return {
        "ok": report.ok,
        "reviews": report.reviews,
        "events": report.events,
        "faults": [fault_json(f) for f in report.faults],
        "checkpoint": (
            {
                "created_at": _time(checkpoint.created_at),
                "reviews": len(checkpoint.entries),
                "root": checkpoint.root,
            }
            if checkpoint is not None
            else None
        ),
        "uncovered": [{"review_id": r, "events": n} for r, n in report.uncovered],
        "notes": list(report.notes),
    }
