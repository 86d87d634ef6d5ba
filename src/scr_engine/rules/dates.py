"""Dates after the fact: when a recorded happening may say it happened.

Every command that records something that happened has ``occurred_on`` (the day it
happened; the day it is recorded when omitted). :func:`date_problems` judges it for
any command class with that field: not in the future, not before the request was
received, not before the review entered its current stage, and not before what the
command itself depends on (an IMR judged after it was received, EV-2; a sign-off after
the report was submitted, RP-4; the Board's agreement after the report and its last
sign-off, RP-7; the review closed after its last action was completed, AP-3; a clock
resumed after it was paused). See ``docs/decisions.md`` ("Dates after the fact").
"""

from __future__ import annotations

from datetime import date
from typing import Any

from attrs import fields, has

from scr_engine.errors.refusals import Refusal, RefusalKind
from scr_engine.records import Review

__all__ = ["DATE_RULE", "date_problems", "entered_on", "is_dated"]

DATE_RULE = "DATE"
"""The rule ID of a refused ``occurred_on`` that no protocol rule of its own covers:
a day in the future, before the request was received, or before the current stage."""

_FIELD = "occurred_on"


def is_dated(cls: type) -> bool:
    """Whether commands of ``cls`` record the day they happened (``occurred_on``)."""
    return has(cls) and any(a.name == _FIELD for a in fields(cls))


def entered_on(review: Review) -> date:
    """The day the review entered its current stage, as far as it is known: the day
    kept with the stage, else the request's receipt (a review recorded before that
    day was kept)."""
    entered: date | None = getattr(review, "stage_entered_on", None)
    return entered or review.received_on


def _dependencies(review: Review, command: Any) -> list[tuple[str, date, str]]:
    """What the command's day may not precede: (rule, day, what it is)."""
    name = command.name
    out: list[tuple[str, date, str]] = []
    report = review.overview_report
    if name == "judge_imr":
        imr = review.imr(command.agency) if isinstance(command.agency, str) else None
        if imr is not None:
            out.append(("EV-2", imr.received_on, f"{command.agency}'s IMR was received"))
    elif name == "record_agency_signoff" and report is not None and report.submitted_on:
        out.append(("RP-4", report.submitted_on, "the overview report was submitted"))
    elif name == "ratify":
        if report is not None and report.submitted_on is not None:
            out.append(("RP-7", report.submitted_on, "the overview report was submitted"))
        if review.last_signoff_on is not None:
            out.append(("RP-7", review.last_signoff_on, "the last agency signed it off (RP-4)"))
    elif name == "close_review":
        done = [a.completed_on for a in review.actions if a.completed_on is not None]
        if done:
            out.append(("AP-3", max(done), "the last action was completed"))
    elif name == "resume_clock" and review.pauses:
        out.append((DATE_RULE, review.pauses[-1].started_on, "the clocks were paused"))
    return out


def date_problems(review: Review, command: Any, today: date) -> list[Refusal]:
    """Every reason the day ``command`` says it happened cannot be: in the future
    (after ``today``, the day it is recorded), before the request was received, before
    the review entered its current stage, or before what it depends on. None for a
    command without ``occurred_on`` or without a day given."""
    day = getattr(command, _FIELD, None)
    if not isinstance(day, date) or not is_dated(type(command)):
        return []
    out: list[Refusal] = []
    on = day.isoformat()

    def refuse(rule: str, message: str) -> None:
        out.append(Refusal(rule, message, RefusalKind.INPUT, _FIELD))

    if day > today:
        refuse(DATE_RULE, f"{command.name} cannot have happened on {on}, after today")
    floors = [
        (DATE_RULE, review.received_on, "the request was received"),
        (DATE_RULE, entered_on(review), f"the review became {review.stage}"),
        *(_dependencies(review, command) if isinstance(review, Review) else ()),
    ]
    seen: set[tuple[str, date]] = set()
    for rule, floor, what in floors:
        if day < floor and (rule, floor) not in seen:
            seen.add((rule, floor))
            refuse(rule, f"{command.name} cannot have happened on {on}, before {what} ({floor})")
    return out
