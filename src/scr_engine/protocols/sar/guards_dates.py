"""The SAR commands' date inputs, read by their meaning (``docs/decisions.md``, "The
SAR's date inputs").

- A day something **happened** (a death, a contact, a sending, a response, a meeting,
  the period reviewed) is not after the command's day: its ``occurred_on`` when it is
  recorded after the fact, else the day it is recorded.
- A day something is **due or planned** (a request's or an evidence item's due date,
  the report's due date, an action's timescale, a deferral's review date) is no more
  than :data:`~scr_engine.rules.deadlines.FURTHEST_DAYS` (about ten years) after the
  command's day (:func:`~scr_engine.rules.deadlines.too_far`), as the SCR bounds its
  due dates. Where it must also follow a day (a request's due date the day sent, an
  action's timescale and a deferral's review date today), the command's guard says so;
  a plan item's and the report's due dates may have passed when a plan or the terms
  are agreed again.

Each refusal is of kind INPUT, cites the rule of the guard that judges the command and
names the field. :data:`DATES` holds the check of every command with such a field; the
occurred days themselves are the engine's (``DATE``, :mod:`scr_engine.rules.dates`),
``record_chair_notified`` (SAR-R-3) and ``extend_deadline`` (SAR-M-12) their guards'.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date
from types import MappingProxyType
from typing import Any

from scr_engine.errors.refusals import Refusal, RefusalKind
from scr_engine.protocols.sar import commands as c
from scr_engine.protocols.sar.guards_common import SarContext
from scr_engine.protocols.sar.records import SarReview
from scr_engine.rules.dates import DATE_RULE
from scr_engine.rules.deadlines import FURTHEST_DAYS, too_far

__all__ = ["DATES", "happened", "planned"]


def happened(
    out: list[Refusal], day: date | None, ctx: SarContext, rule: str, field: str, what: str
) -> None:
    """Note in ``out`` that ``what`` (a day something happened) cannot be after the
    command's day."""
    if isinstance(day, date) and day > ctx.today:
        message = (
            f"{what} cannot be {day.isoformat()}, after the day this is recorded for "
            f"({ctx.today.isoformat()}): give the day it happened, that day or before"
        )
        out.append(Refusal(rule, message, RefusalKind.INPUT, field))


def planned(
    out: list[Refusal], day: date | None, ctx: SarContext, rule: str, field: str, what: str
) -> None:
    """Note in ``out`` that ``what`` (a day something is due or planned) cannot be more
    than ten years after the command's day. (Not before the day it follows: the
    command's guard, where one is due after it.)"""
    if isinstance(day, date) and too_far(day, ctx.today):
        message = (
            f"{what} cannot be {day.isoformat()}: at most {FURTHEST_DAYS} days (about ten "
            f"years) after {ctx.today.isoformat()}"
        )
        out.append(Refusal(rule, message, RefusalKind.INPUT, field))


def _referral(review: SarReview | None, cmd: c.SubmitRequest, ctx: SarContext) -> list[Refusal]:
    out: list[Refusal] = []
    for n, adult in enumerate(cmd.referral.adults):
        happened(out, adult.died_on, ctx, "SAR-R-2", f"adults[{n}].died_on", "the date of death")
    for n, event in enumerate(cmd.referral.events):
        happened(out, event.on, ctx, "SAR-R-2", f"events[{n}].on", "an event's date")
    return out


def _assessment(review: SarReview, cmd: c.AssessCriteria, ctx: SarContext) -> list[Refusal]:
    out: list[Refusal] = []
    for n, a in enumerate(cmd.assessments):
        happened(out, a.died_on, ctx, "SAR-C-2", f"assessments[{n}].died_on", "the date of death")
    return out


def _request(review: SarReview, cmd: c.RequestInformation, ctx: SarContext) -> list[Refusal]:
    out: list[Refusal] = []
    # Not before the day sent: SAR-I-1 in the request's guard.
    planned(out, cmd.due_on, ctx, "SAR-I-1", "due_on", "the due date")
    return out


def _involvement(review: SarReview, cmd: c.RecordInvolvement, ctx: SarContext) -> list[Refusal]:
    out: list[Refusal] = []
    e = cmd.entry
    happened(out, e.contacted_on, ctx, "SAR-F-1", "entry.contacted_on", "the day contacted")
    happened(out, e.informed_on, ctx, "SAR-F-2", "entry.informed_on", "the day informed")
    happened(out, e.sight_sent_on, ctx, "SAR-F-6", "entry.sight_sent_on", "the day sent the draft")
    happened(out, e.responded_on, ctx, "SAR-F-6", "entry.responded_on", "the day responded")
    return out


def _methodology(review: SarReview, cmd: c.ChooseMethodology, ctx: SarContext) -> list[Refusal]:
    out: list[Refusal] = []
    for n, item in enumerate(cmd.methodology.plan):
        at = f"methodology.plan[{n}]"
        what = f"{item.id}'s"
        planned(out, item.due_on, ctx, "SAR-M-2", f"{at}.due_on", f"{what} due date")
        happened(out, item.received_on, ctx, "SAR-M-2", f"{at}.received_on", f"{what} receipt")
        happened(out, item.judged_on, ctx, "SAR-M-2", f"{at}.judged_on", f"{what} judgement")
    return out


def _terms(review: SarReview, cmd: c.AgreeTermsOfReference, ctx: SarContext) -> list[Refusal]:
    out: list[Refusal] = []
    t = cmd.terms
    what = "the period under review"
    happened(out, t.period_start, ctx, "SAR-M-5", "terms.period_start", f"the start of {what}")
    happened(out, t.period_end, ctx, "SAR-M-5", "terms.period_end", f"the end of {what}")
    planned(out, t.report_due, ctx, "SAR-P-10", "terms.report_due", "the report's due date")
    return out


def _consent(review: SarReview, cmd: c.RecordConsent, ctx: SarContext) -> list[Refusal]:
    out: list[Refusal] = []
    happened(out, cmd.consent.on, ctx, "SAR-F-4", "consent.on", "the day of the consent")
    return out


def _meeting(review: SarReview, cmd: c.RecordWriterMeeting, ctx: SarContext) -> list[Refusal]:
    out: list[Refusal] = []
    happened(out, cmd.held_on, ctx, DATE_RULE, "held_on", "the day the meeting was held")
    return out


def _family(review: SarReview, cmd: c.RecordFamilyResponse, ctx: SarContext) -> list[Refusal]:
    out: list[Refusal] = []
    happened(out, cmd.sent_on, ctx, "SAR-F-6", "sent_on", "the day the draft was sent")
    happened(out, cmd.responded_on, ctx, "SAR-F-6", "responded_on", "the day of the response")
    return out


def _action(review: SarReview, cmd: c.AddAction, ctx: SarContext) -> list[Refusal]:
    out: list[Refusal] = []
    a = cmd.action
    # After today: SAR-A-2 in the action's guard.
    planned(out, a.due_on, ctx, "SAR-A-2", "action.due_on", "the action's timescale")
    happened(out, a.closed_on, ctx, "SAR-A-2", "action.closed_on", "the day the action ended")
    return out


def _publication(review: SarReview, cmd: c.DecidePublication, ctx: SarContext) -> list[Refusal]:
    out: list[Refusal] = []
    # After today, for a deferral: SAR-P-5 in the decision's guard.
    planned(out, cmd.review_on, ctx, "SAR-P-5", "review_on", "the review date")
    return out


DATES: Mapping[str, Callable[[Any, Any, SarContext], list[Refusal]]] = MappingProxyType(
    {
        "submit_request": _referral,
        "assess_criteria": _assessment,
        "request_information": _request,
        "record_involvement": _involvement,
        "choose_methodology": _methodology,
        "agree_terms_of_reference": _terms,
        "record_consent": _consent,
        "record_writer_meeting": _meeting,
        "record_family_response": _family,
        "add_action": _action,
        "decide_publication": _publication,
    }
)
"""The date check of every SAR review command with a date input of its own (beside
``occurred_on``), by command name; :mod:`.guards` adds each to the command's guard."""
