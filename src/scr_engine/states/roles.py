"""The people and bodies of the protocol (``requirements.md``, roles table)."""

from __future__ import annotations

from enum import StrEnum

__all__ = ["Role"]


class Role(StrEnum):
    """The people and bodies of the protocol (``requirements.md``, roles table)."""

    REQUESTER = "requester"
    BOARD_CHAIR = "board_chair"
    BUSINESS_MANAGER = "business_manager"
    SUBGROUP_CHAIR = "subgroup_chair"
    PANEL_CHAIR = "panel_chair"
    PANEL_MEMBER = "panel_member"
    IMR_WRITER = "imr_writer"
    OVERVIEW_WRITER = "overview_writer"
    BOARD = "board"
