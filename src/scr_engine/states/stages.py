"""The stages of a Serious Case Review (``protocol/map.md``): stable public codes."""

from __future__ import annotations

from enum import StrEnum

__all__ = ["OPEN_STAGES", "TERMINAL_STAGES", "Stage"]


class Stage(StrEnum):
    """Where a review stands. The string values are stable and never renamed."""

    REQUESTED = "requested"
    SCREENED = "screened"
    PANEL_CONVENED = "panel_convened"
    EVIDENCE_RECEIVED = "evidence_received"
    OVERVIEW_DRAFTED = "overview_drafted"
    RATIFIED = "ratified"
    ACTION_PLAN_MONITORED = "action_plan_monitored"
    CLOSED = "closed"
    REDIRECTED = "redirected"
    NOT_TAKEN_FORWARD = "not_taken_forward"
    WITHDRAWN = "withdrawn"

    @property
    def terminal(self) -> bool:
        """True for stages no command leads out of."""
        return self in TERMINAL_STAGES


TERMINAL_STAGES: frozenset[Stage] = frozenset(
    {Stage.CLOSED, Stage.REDIRECTED, Stage.NOT_TAKEN_FORWARD, Stage.WITHDRAWN}
)
OPEN_STAGES: tuple[Stage, ...] = tuple(s for s in Stage if s not in TERMINAL_STAGES)
