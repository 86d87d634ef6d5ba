"""The SAR's clocks (``sar/map.md``, Clocks): every deadline of a review, derived from
what it records, as a pure function of the review, the settings and the day asked about.

No clock ever blocks a transition: a missed deadline is reported. Calendar months
clamp to the month's end (as in the SCR, :func:`~scr_engine.rules.deadlines.add_months`);
working days skip weekends and the bank holidays of the Board's configured calendar
(``bank_holiday_calendar``). A paused clock does not run (SAR-M-10); an extension moves
one deadline, never earlier (SAR-M-12).
"""

from __future__ import annotations

import functools
from collections.abc import Container
from datetime import date, timedelta

from scr_engine.protocols.definition import ClockBasis, ClockKind
from scr_engine.protocols.sar.information_records import RequestStatus
from scr_engine.protocols.sar.records import SarReview
from scr_engine.protocols.sar.settings import (
    CALENDARS,
    CompletionStart,
    DecisionStart,
    Duration,
    DurationUnit,
    SarSettings,
)
from scr_engine.protocols.sar.stages import TERMINAL
from scr_engine.rules.deadlines import Deadline, add_months, deadline_of

__all__ = [
    "CALENDARS",
    "CLOCKS",
    "add_duration",
    "add_working_days_on",
    "bank_holidays",
    "sar_deadlines",
]

CLOCKS: tuple[ClockKind, ...] = (
    ClockKind("referral_acknowledged", "SAR-R-3", ClockBasis.LOCAL, "Referral acknowledged"),
    ClockKind("scoping:<id>", "SAR-R-4", ClockBasis.LOCAL, "Agency scoping returns"),
    ClockKind("s45:<id>", "SAR-I-5", ClockBasis.LOCAL, "s.45 response"),
    ClockKind("decision", "SAR-D-4", ClockBasis.LOCAL, "Decision on the referral"),
    ClockKind("referrer_told", "SAR-D-5", ClockBasis.LOCAL, "Referrer told the decision"),
    ClockKind("commissioning", "SAR-M-7", ClockBasis.LOCAL, "Review commissioned"),
    ClockKind("evidence:<id>", "SAR-M-11", ClockBasis.LOCAL, "Each evidence item"),
    ClockKind("review_complete", "SAR-M-12", ClockBasis.GUIDANCE, "Review complete"),
    ClockKind("report_due", "SAR-P-10", ClockBasis.LOCAL, "Report due"),
    ClockKind("accuracy:<agency>", "SAR-P-3", ClockBasis.LOCAL, "Agency accuracy window"),
    ClockKind("family_sight:<person>", "SAR-F-6", ClockBasis.LOCAL, "Family sight window"),
    ClockKind("action:<id>", "SAR-A-3", ClockBasis.LOCAL, "Each action"),
    ClockKind("annual_report", "SAR-A-5", ClockBasis.STATUTE, "Annual report published"),
    ClockKind("annual_report_sent", "SAR-A-8", ClockBasis.STATUTE, "Annual report sent"),
)
"""``map.md``'s clocks table."""


@functools.cache
def bank_holidays(calendar: str) -> Container[date]:
    """The bank holidays of ``calendar`` (an id of :data:`CALENDARS`)."""
    import holidays

    country, subdiv = CALENDARS[calendar]
    found: Container[date] = holidays.country_holidays(country, subdiv=subdiv)
    return found


def add_working_days_on(start: date, days: int, calendar: str = "england_and_wales") -> date:
    """The day ``days`` working days after ``start``: weekends and ``calendar``'s bank
    holidays do not count."""
    off = bank_holidays(calendar)
    current, left = start, days
    while left > 0 and current < date.max:  # the calendar's end stops the count
        current += timedelta(days=1)
        if current.weekday() < 5 and current not in off:
            left -= 1
    return current


def add_duration(start: date, length: Duration, calendar: str = "england_and_wales") -> date:
    """``start`` plus ``length``, counted in its unit; past the calendar's end, its
    last day (a start day far ahead, which nothing bounds, stays a date)."""
    if length.unit is DurationUnit.MONTHS:
        try:
            return add_months(start, length.amount)
        except (OverflowError, ValueError):
            return date.max
    if length.unit is DurationUnit.WORKING_DAYS:
        return add_working_days_on(start, length.amount, calendar)
    if length.amount >= (date.max - start).days:
        return date.max
    return start + timedelta(days=length.amount)


def _make(
    review: SarReview,
    today: date,
    key: str,
    rule: str,
    title: str,
    starts_on: date,
    due: date,
    met_on: date | None,
) -> Deadline:
    return deadline_of(review, today, key, rule, title, starts_on, due, met_on, terminal=TERMINAL)


def sar_deadlines(review: SarReview, settings: SarSettings, today: date) -> tuple[Deadline, ...]:
    """Every deadline of ``review`` on ``today`` under ``settings``. A target that is
    off (``None``) makes no deadline."""
    cal = settings.bank_holiday_calendar
    out: list[Deadline] = []

    def clock(
        key: str,
        rule: str,
        title: str,
        start: date | None,
        length: Duration | None,
        met: date | None,
    ) -> None:
        if start is not None and length is not None:
            out.append(
                _make(review, today, key, rule, title, start, add_duration(start, length, cal), met)
            )

    decided = review.decision.decided_on if review.decision is not None else None
    clock(
        "referral_acknowledged",
        "SAR-R-3",
        "Referral acknowledged",
        review.received_on,
        settings.acknowledge_target,
        review.acknowledged_on,
    )
    start = (
        review.received_on
        if settings.decision_clock_start is DecisionStart.RECEIVED
        else review.information_complete_on
    )
    clock(
        "decision", "SAR-D-4", "Decision on the referral", start, settings.decision_target, decided
    )
    if review.decision is not None and review.decision.outcome.value.startswith("sar_"):
        clock(
            "commissioning",
            "SAR-M-7",
            "Review commissioned",
            decided,
            settings.commissioning_target,
            review.commissioned_on,
        )
        begin = (
            decided
            if settings.completion_clock_start is CompletionStart.DECISION
            else (review.commissioned_on)
        )
        clock(
            "review_complete",
            "SAR-M-12",
            "Review complete",
            begin,
            Duration(settings.completion_months, DurationUnit.MONTHS),
            review.concluded_on,
        )
    if review.terms is not None and review.terms.report_due is not None and review.commissioned_on:
        submitted = review.report.submitted_on if review.report is not None else None
        out.append(
            _make(
                review,
                today,
                "report_due",
                "SAR-P-10",
                "Report due",
                review.commissioned_on,
                review.terms.report_due,
                submitted,
            )
        )
    if review.methodology is not None and review.commissioned_on is not None:
        for item in review.methodology.plan:
            if item.due_on is not None:
                done = item.judged_on if item.status.value == "sufficient" else None
                out.append(
                    _make(
                        review,
                        today,
                        f"evidence:{item.id}",
                        "SAR-M-11",
                        f"Evidence item {item.id}",
                        review.commissioned_on,
                        item.due_on,
                        done,
                    )
                )
    for person in review.involvement:
        if person.sight_sent_on is not None:
            clock(
                f"family_sight:{person.person_id}",
                "SAR-F-6",
                "Family sight window",
                person.sight_sent_on,
                settings.family_sight_days,
                person.responded_on,
            )
    for request in review.information_requests:
        if request.status is RequestStatus.WITHDRAWN or not (
            request.scoping or request.kind == "s45"
        ):
            continue
        key, rule, title, target = (
            (f"scoping:{request.id}", "SAR-R-4", "Scoping return", settings.scoping_return_target)
            if request.scoping
            else (f"s45:{request.id}", "SAR-I-5", "s.45 response", settings.s45_response_target)
        )
        due = request.due_on or (
            add_duration(request.sent_on, target, cal) if target is not None else None
        )
        if due is not None:
            out.append(
                _make(
                    review,
                    today,
                    key,
                    rule,
                    f"{title} ({request.id}, {request.addressee})",
                    request.sent_on,
                    due,
                    request.responded_on,
                )
            )
    for action in review.actions:
        start_on = action.created_on or review.ratified_on or review.received_on
        met = action.closed_on if action.status.value != "open" else None
        out.append(
            _make(
                review,
                today,
                f"action:{action.id}",
                "SAR-A-3",
                f"Action {action.id}",
                start_on,
                action.due_on,
                met,
            )
        )
    return tuple(out)
