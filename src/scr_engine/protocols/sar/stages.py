"""The stages of a Safeguarding Adults Review (``sar/map.md`` §1): stable public codes,
plain strings, with what each means and whether it is terminal.

Publication is not a stage but a record (:class:`~.records.PublicationStatus`): it may
be deferred for months while actions proceed.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from scr_engine.protocols.definition import StageDef

__all__ = [
    "ACTION_PLAN_MONITORED",
    "BEFORE_RATIFIED",
    "CLOSED",
    "COMMISSIONED",
    "EVIDENCE_RECEIVED",
    "NOT_TAKEN_FORWARD",
    "OPEN",
    "RATIFIED",
    "REDIRECTED",
    "REPORT_DRAFTED",
    "REQUESTED",
    "SCREENED",
    "STAGES",
    "TERMINAL",
    "WITHDRAWN",
    "between",
    "entered_on",
]

REQUESTED = "requested"
SCREENED = "screened"
COMMISSIONED = "commissioned"
EVIDENCE_RECEIVED = "evidence_received"
REPORT_DRAFTED = "report_drafted"
RATIFIED = "ratified"
ACTION_PLAN_MONITORED = "action_plan_monitored"
CLOSED = "closed"
REDIRECTED = "redirected"
NOT_TAKEN_FORWARD = "not_taken_forward"
WITHDRAWN = "withdrawn"

STAGES: tuple[StageDef, ...] = (
    StageDef(
        REQUESTED,
        "A referral has been received; screening and information-gathering for the"
        " decision are under way (SAR-R-1 to SAR-R-5, SAR-I).",
        False,
    ),
    StageDef(
        SCREENED,
        "The SAB decided to arrange a SAR, with its mandate recorded (SAR-D-2, SAR-D-8);"
        " set-up is under way.",
        False,
    ),
    StageDef(
        COMMISSIONED,
        "Methodology, lead reviewer, terms of reference, involvement plan and, where"
        " needed, the s.68 outcome are in place (SAR-M-7); the review is gathering learning.",
        False,
    ),
    StageDef(
        EVIDENCE_RECEIVED,
        "Every item of the evidence plan is in and judged sufficient, or waived"
        " (SAR-M-11); the lead reviewer is writing.",
        False,
    ),
    StageDef(
        REPORT_DRAFTED,
        "The report and publishable summary are in; accuracy checks, family sight,"
        " findings decisions and the action plan follow.",
        False,
    ),
    StageDef(
        RATIFIED,
        "The SAB signed off the report, findings decisions and action plan; the SAR is"
        " concluded (by default, SAR-A-7).",
        False,
    ),
    StageDef(ACTION_PLAN_MONITORED, "Actions are being carried out and logged.", False),
    StageDef(
        CLOSED,
        "All actions are done; publication is decided and carried out; the findings"
        " appear in a published annual report (SAR-A-4).",
        True,
    ),
    StageDef(
        REDIRECTED,
        "Not a SAR: another learning review was chosen (SAR-D-2; only when the mandatory"
        " test is not met).",
        True,
    ),
    StageDef(
        NOT_TAKEN_FORWARD,
        "No review, with reasons (SAR-D-2; only when the mandatory test is not met).",
        True,
    ),
    StageDef(WITHDRAWN, "Stopped before sign-off, with a categorised reason.", True),
)
"""Every stage, in ``map.md``'s order."""

TERMINAL: frozenset[str] = frozenset(s.code for s in STAGES if s.terminal)
"""The codes of the stages no command leads out of (but ``reopen_request`` leads out
of ``redirected`` and ``not_taken_forward``, SAR-D-6)."""

OPEN: tuple[str, ...] = tuple(s.code for s in STAGES if not s.terminal)
"""Every non-terminal stage ("any open stage" in ``map.md``)."""

BEFORE_RATIFIED: tuple[str, ...] = OPEN[: OPEN.index(RATIFIED)]
"""The stages ``withdraw`` may be issued from."""


def between(first: str, last: str) -> tuple[str, ...]:
    """The open stages from ``first`` to ``last``, both included (``map.md``'s
    "screened … action_plan_monitored")."""
    return OPEN[OPEN.index(first) : OPEN.index(last) + 1]


def entered_on(review: Any) -> date:
    """The latest day a SAR (:class:`~scr_engine.protocols.sar.records.SarReview`) can
    have entered its current stage, from the days it records of each step forward:
    received, decided, commissioned, the evidence received (once the review has left
    ``commissioned``, where it is received), the report submitted, signed off. A
    command is not dated before it (the engine's rule ``DATE``, as for an SCR's
    ``stage_entered_on``); nothing new is stored for it."""
    days: list[date | None] = [review.received_on, review.commissioned_on, review.ratified_on]
    if review.decision is not None:
        days.append(review.decision.decided_on)
    if review.stage != COMMISSIONED and review.methodology is not None:
        days += [item.received_on for item in review.methodology.plan]
    if review.report is not None:
        days.append(review.report.submitted_on)
    return max(d for d in days if d is not None)
