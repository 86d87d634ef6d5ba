"""The protocol's clocks (``map.md``, Clocks): every deadline of a review, derived
from what the review records, as a pure function of the review, the settings and the
date asked about.

Calendar months clamp to the month's end (31 January + 1 month = 28/29 February).
A pause stops every running clock: an open deadline's due date moves by the days
paused. An extension moves one deadline (never earlier). A missed deadline never
blocks the review; it is reported.
"""

from __future__ import annotations

import functools
from collections.abc import Container, Sequence
from datetime import date, timedelta
from enum import StrEnum
from typing import Protocol

from attrs import frozen
from dateutil.relativedelta import relativedelta

from scr_engine.records import Review
from scr_engine.rules.settings import ProtocolSettings
from scr_engine.states.stages import TERMINAL_STAGES

__all__ = [
    "FURTHEST_DAYS",
    "LONGEST_MONTHS",
    "Clocked",
    "Deadline",
    "DeadlineStatus",
    "add_months",
    "add_working_days",
    "clocks_changed",
    "deadline_of",
    "deadlines",
    "find_deadline",
    "imr_clock",
]


LONGEST_MONTHS = 120
"""The longest timescale in months a review, an action or a setting may set (ten
years): anything longer is an input error, not a plan."""
FURTHEST_DAYS = 3660
"""How far ahead (about ten years) a due date may be set or extended."""


def too_far(day: date, today: date) -> bool:
    """Whether ``day`` is more than :data:`FURTHEST_DAYS` after ``today``, counted so
    that a ``today`` near the calendar's end (a command dated 9999-12-31) does not
    overflow it."""
    return (day - today).days > FURTHEST_DAYS


class DeadlineStatus(StrEnum):
    """Where a deadline stands on a given date."""

    DUE = "due"
    """Open, not yet past its due date."""
    MET = "met"
    """Met on or before its due date."""
    MISSED = "missed"
    """Met, but late."""
    OVERDUE = "overdue"
    """Open and past its due date."""
    PAUSED = "paused"
    """Open while the review's clocks are paused."""
    CANCELLED = "cancelled"
    """Never met: the review ended (closed, redirected, not taken forward, withdrawn)."""


@frozen
class Deadline:
    """One clock of one review."""

    key: str
    """Stable within the review: ``chair_notified``, ``initial_meeting``,
    ``review_complete``, ``imr:<agency>``, ``overview_report``, ``action:<id>``."""
    rule: str
    title: str
    starts_on: date
    due_on: date
    met_on: date | None
    status: DeadlineStatus
    days_late: int = 0
    """For a missed deadline, how late it was met; for an overdue one, how late now."""

    @property
    def open(self) -> bool:
        """Not met and not cancelled."""
        return self.met_on is None and self.status is not DeadlineStatus.CANCELLED


@functools.lru_cache(maxsize=8192)
def add_months(start: date, months: int) -> date:
    """``start`` plus calendar months, clamped to the month's end (``relativedelta``;
    cached, since every command of a review asks again for the same few dates)."""
    result: date = start + relativedelta(months=months)
    return result


@functools.cache
def _bank_holidays() -> Container[date]:
    try:
        import holidays
    except ImportError as exc:  # pragma: no cover - depends on the environment
        from scr_engine.errors import ScrEngineError

        raise ScrEngineError(
            "working-day targets need the holidays package: pip install 'scr_engine[holidays]'"
        ) from exc
    found: Container[date] = holidays.country_holidays("GB", subdiv="ENG")
    return found


def add_working_days(start: date, days: int) -> date:
    """The date ``days`` working days after ``start``: weekends and England-and-Wales
    bank holidays do not count."""
    off = _bank_holidays()
    current, left = start, days
    while left > 0:
        current += timedelta(days=1)
        if current.weekday() < 5 and current not in off:
            left -= 1
    return current


class _Paused(Protocol):
    @property
    def started_on(self) -> date: ...
    @property
    def ended_on(self) -> date | None: ...


class _Extended(Protocol):
    @property
    def deadline(self) -> str: ...
    @property
    def new_due(self) -> date: ...
    @property
    def on(self) -> date: ...


class Clocked(Protocol):
    """What :func:`deadline_of` reads of a review, whatever its protocol: its stage,
    its clock pauses and its deadline extensions."""

    @property
    def stage(self) -> str: ...
    @property
    def paused(self) -> bool: ...
    @property
    def pauses(self) -> Sequence[_Paused]: ...
    @property
    def extensions(self) -> Sequence[_Extended]: ...


def _later(day: date, days: int) -> date:
    """``day`` plus ``days``, stopping at the calendar's last day: a due date far ahead
    (a protocol that does not bound it) moved by a pause stays a date."""
    if days >= (date.max - day).days:
        return date.max
    return day + timedelta(days=days)


def _paused_days(review: Clocked, since: date, until: date) -> int:
    total = 0
    for pause in review.pauses:
        lo = max(pause.started_on, since)
        hi = min(pause.ended_on or until, until)
        if hi > lo:
            total += (hi - lo).days
    return total


def deadline_of(
    review: Clocked,
    today: date,
    key: str,
    rule: str,
    title: str,
    starts_on: date,
    base_due: date,
    met_on: date | None,
    *,
    terminal: Container[str],
) -> Deadline:
    """One deadline of ``review`` on ``today``, for any protocol: due ``base_due``
    plus the days its clocks were paused since ``starts_on``, or the latest
    extension's date (plus the pauses after it: an extension never leaves a deadline
    earlier than the protocol's own date); met on ``met_on`` (late or not), cancelled
    once the review is in a ``terminal`` stage, paused while its clocks are, else due
    or overdue."""
    until = met_on if met_on is not None else today
    due = _later(base_due, _paused_days(review, starts_on, until))
    for ext in review.extensions:
        if ext.deadline == key:
            since = max(starts_on, ext.on)
            due = max(due, _later(ext.new_due, _paused_days(review, since, until)))
    if met_on is not None:
        late = (met_on - due).days
        status = DeadlineStatus.MISSED if late > 0 else DeadlineStatus.MET
        return Deadline(key, rule, title, starts_on, due, met_on, status, max(late, 0))
    if review.stage in terminal:
        return Deadline(key, rule, title, starts_on, due, None, DeadlineStatus.CANCELLED)
    if review.paused:
        return Deadline(key, rule, title, starts_on, due, None, DeadlineStatus.PAUSED)
    late = (today - due).days
    if late > 0:
        return Deadline(key, rule, title, starts_on, due, None, DeadlineStatus.OVERDUE, late)
    return Deadline(key, rule, title, starts_on, due, None, DeadlineStatus.DUE)


def _make(
    review: Review,
    today: date,
    key: str,
    rule: str,
    title: str,
    starts_on: date,
    base_due: date,
    met_on: date | None,
) -> Deadline:
    return deadline_of(
        review, today, key, rule, title, starts_on, base_due, met_on, terminal=TERMINAL_STAGES
    )


def imr_clock(review: Review, imr_due: date, agency: str) -> tuple[date, date]:
    """When ``agency``'s IMR clock starts and the day its IMR is due (SU-7), before
    pauses and extensions: from the initial meeting to the terms' ``imr_due``; for an
    agency brought in after the meeting (``add_agency``), from the day it joined, due
    as many days after ``imr_due`` as it joined after the meeting, so that it has the
    time the others had."""
    meeting = review.initial_meeting_on
    assert meeting is not None  # the IMR clocks run from the initial meeting
    joined = review.joined_on(agency)
    if joined is None or joined <= meeting:
        return meeting, imr_due
    return joined, imr_due + (joined - meeting)


def deadlines(review: Review, settings: ProtocolSettings, today: date) -> tuple[Deadline, ...]:
    """Every deadline the review has, with its status on ``today``."""
    out: list[Deadline] = []
    chair_on = review.chair_received_on or review.received_on
    received = review.received_on
    notify_due: date | None = None
    if settings.chair_notification_working_days is not None:
        notify_due = add_working_days(received, settings.chair_notification_working_days)
    elif settings.chair_notification_days is not None:
        notify_due = received + timedelta(days=settings.chair_notification_days)
    if notify_due is not None:
        out.append(
            _make(
                review,
                today,
                "chair_notified",
                "RF-3",
                "Chair of the Board notified",
                received,
                notify_due,
                review.chair_received_on,
            )
        )
    if settings.initial_meeting_working_days is not None:
        meeting_due = add_working_days(chair_on, settings.initial_meeting_working_days)
    else:
        meeting_due = add_months(chair_on, settings.initial_meeting_months)
    out.append(
        _make(
            review,
            today,
            "initial_meeting",
            "SU-5",
            "initial meeting held",
            chair_on,
            meeting_due,
            review.initial_meeting_on,
        )
    )
    terms = review.terms_of_reference
    months = terms.review_months if terms is not None else settings.review_months
    out.append(
        _make(
            review,
            today,
            "review_complete",
            "SU-4",
            "review complete (ratified)",
            chair_on,
            add_months(chair_on, months),
            review.ratified_on,
        )
    )
    if terms is not None and review.initial_meeting_on is not None:
        for agency in terms.imr_agencies:
            imr = review.imr(agency)
            starts_on, due_on = imr_clock(review, terms.imr_due, agency)
            out.append(
                _make(
                    review,
                    today,
                    f"imr:{agency}",
                    "SU-7",
                    f"IMR from {agency}",
                    starts_on,
                    due_on,
                    imr.first_received_on if imr is not None else None,
                )
            )
        out.append(
            _make(
                review,
                today,
                "overview_report",
                "RP-1",
                "overview report received",
                review.initial_meeting_on,
                terms.overview_due,
                review.overview_first_received_on,
            )
        )
    if review.ratified_on is not None:
        for action in review.actions:
            out.append(
                _make(
                    review,
                    today,
                    f"action:{action.id}",
                    "AP-2",
                    f"action {action.id}",
                    review.ratified_on,
                    add_months(review.ratified_on, action.timescale_months),
                    action.completed_on,
                )
            )
    return tuple(out)


_CLOCK_FIELDS = (
    "received_on",
    "chair_received_on",
    "initial_meeting_on",
    "terms_of_reference",
    "overview_first_received_on",
    "ratified_on",
    "pauses",
    "extensions",
    "joinings",
)


def _imr_clocks(review: Review) -> list[tuple[str, date | None]]:
    return [(imr.agency, imr.first_received_on) for imr in review.imrs]


def _action_clocks(review: Review) -> list[tuple[str, int, date | None]]:
    return [(a.id, a.timescale_months, a.completed_on) for a in review.actions]


def clocks_changed(before: Review, after: Review) -> bool:
    """Whether a change from ``before`` to ``after`` can change which deadlines the
    review has, their due or met dates, or whether they run. (Records are immutable,
    so an unchanged field is the very same object; IMRs and actions count only by
    what their clocks read, so a judgement or a progress note changes nothing.)"""
    if (before.stage in TERMINAL_STAGES) != (after.stage in TERMINAL_STAGES):
        return True
    if any(getattr(before, name) is not getattr(after, name) for name in _CLOCK_FIELDS):
        return True
    if before.imrs is not after.imrs and _imr_clocks(before) != _imr_clocks(after):
        return True
    return before.actions is not after.actions and _action_clocks(before) != _action_clocks(after)


def find_deadline(
    review: Review, settings: ProtocolSettings, today: date, key: str
) -> Deadline | None:
    """The deadline with this key, if the review has it."""
    for d in deadlines(review, settings, today):
        if d.key == key:
            return d
    return None
