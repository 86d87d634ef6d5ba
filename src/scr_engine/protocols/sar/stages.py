"""The stages of a Safeguarding Adults Review (``sar/map.md`` §1): stable public codes,
plain strings, with what each means and whether it is terminal.

Publication is not a stage but a record (:class:`~.records.PublicationStatus`): it may
be deferred for months while actions proceed.
"""

from __future__ import annotations

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
