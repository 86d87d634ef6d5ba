"""The words a person reads in place of the protocol's codes.

Stage, role, task and decision codes are stable (stored, in JSON, in the register);
what the command line and the documents show a person beside or instead of them comes
from here, one mapping per kind of code, so that ``scr show`` and the overview report
word a stage the same way.
"""

from __future__ import annotations

from enum import StrEnum

from scr_engine.records import (
    ActionStatus,
    AlternativeReview,
    FamilyDecision,
    FamilyRepresentation,
    ImrJudgement,
    RequesterCategory,
)

__all__ = [
    "CODE_WORDS",
    "ROLE_WORDS",
    "STAGE_WORDS",
    "TASK_WORDS",
    "in_words",
    "stage_words",
]

STAGE_WORDS: dict[str, str] = {
    "requested": "Request received",
    "screened": "Screened: set-up under way",
    "panel_convened": "Panel convened: IMRs being gathered",
    "evidence_received": "Evidence received: overview report being written",
    "overview_drafted": "Overview report drafted: sign-off and action plan",
    "ratified": "Ratified by the Board",
    "action_plan_monitored": "Action plan being monitored",
    "closed": "Closed",
    "redirected": "Redirected to another kind of review",
    "not_taken_forward": "Not taken forward",
    "withdrawn": "Withdrawn",
}
"""Each stage code in words (``protocol/map.md``)."""

ROLE_WORDS: dict[str, str] = {
    "panel_chair": "Panel chair",
    "overview_writer": "Overview writer",
    "panel_member": "Panel member",
}
"""Each role of :class:`~scr_engine.records.Replacement` in words."""

TASK_WORDS: dict[str, str] = {
    "notice": "Give the notice the rule names",
    "secure_records": "Ask the agency to secure its records",
    "request_imr_writer": "Ask the agency to name its IMR writer",
}
"""Each task kind in words (RF-5 letters)."""

CODE_WORDS: dict[StrEnum, str] = {
    RequesterCategory.PARTNER_AGENCY: "a partner agency",
    RequesterCategory.CORONER: "the coroner",
    RequesterCategory.MP: "a Member of Parliament",
    RequesterCategory.ELECTED_MEMBER: "an elected member",
    RequesterCategory.OTHER_INTERESTED_PARTY: "another interested party",
    FamilyDecision.CONSULT: "to consult the adult or their family",
    FamilyDecision.INVOLVE: "to involve the adult or their family",
    FamilyDecision.NOT_INVOLVED: "not to involve the adult or their family",
    FamilyRepresentation.DIRECT: "represented directly",
    FamilyRepresentation.ADVOCACY: "represented through advocacy",
    FamilyRepresentation.NONE: "not represented",
    ImrJudgement.SUFFICIENT: "sufficient",
    ImrJudgement.FURTHER_INFORMATION_REQUESTED: "further information requested",
    AlternativeReview.INDIVIDUAL_PRACTICE_REVIEW: "Individual practice review",
    AlternativeReview.NEAR_MISS_REVIEW: "Near miss review",
    ActionStatus.OPEN: "open",
    ActionStatus.COMPLETED: "completed",
}
"""The other codes a document prints, each in words (SU-8's decision and
representation, RF-1's requester category, EV-2's judgement …)."""


def stage_words(code: str) -> str:
    """A stage code in words (the code itself when it is not a stage's)."""
    return STAGE_WORDS.get(code, code)


def in_words(code: StrEnum) -> str:
    """A code of :data:`CODE_WORDS` (or a stage) in words; any other code with its
    underscores as spaces."""
    found = CODE_WORDS.get(code)
    if found is not None:
        return found
    return STAGE_WORDS.get(code.value, code.value.replace("_", " "))
