"""The people and bodies of each protocol (the roles tables of ``requirements.md``
and ``sar/requirements.md``).

:class:`Role` holds every protocol's roles, the SCR's first, in their original order;
a protocol names its own (:data:`SCR_ROLES`, :data:`SAR_ROLES`). Code that means one
protocol iterates its tuple, never all of :class:`Role`.
"""

from __future__ import annotations

from enum import StrEnum

__all__ = ["SAR_ROLES", "SCR_ROLES", "Role"]


class Role(StrEnum):
    """The people and bodies of the protocols. The SCR's nine come first, in their
    original order; members added for another protocol come after them."""

    REQUESTER = "requester"
    BOARD_CHAIR = "board_chair"
    BUSINESS_MANAGER = "business_manager"
    SUBGROUP_CHAIR = "subgroup_chair"
    PANEL_CHAIR = "panel_chair"
    PANEL_MEMBER = "panel_member"
    IMR_WRITER = "imr_writer"
    OVERVIEW_WRITER = "overview_writer"
    BOARD = "board"
    REFERRER = "referrer"
    """SAR: anyone who asks for a SAR (SAR-R-1)."""
    LEAD_REVIEWER = "lead_reviewer"
    """SAR: the independent reviewer who leads the review (SAR-M-3)."""
    AGENCY_CONTRIBUTOR = "agency_contributor"
    """SAR: the named contact of an involved agency."""
    LA_ADVOCACY_LEAD = "la_advocacy_lead"
    """SAR: the local-authority officer who discharges s.68 (SAR-F-3)."""


SCR_ROLES: tuple[Role, ...] = (
    Role.REQUESTER,
    Role.BOARD_CHAIR,
    Role.BUSINESS_MANAGER,
    Role.SUBGROUP_CHAIR,
    Role.PANEL_CHAIR,
    Role.PANEL_MEMBER,
    Role.IMR_WRITER,
    Role.OVERVIEW_WRITER,
    Role.BOARD,
)
"""The SCR's nine roles, in the order the SCR judges them (``acting_role``)."""

SAR_ROLES: tuple[Role, ...] = (
    Role.REFERRER,
    Role.BUSINESS_MANAGER,
    Role.SUBGROUP_CHAIR,
    Role.BOARD_CHAIR,
    Role.BOARD,
    Role.LEAD_REVIEWER,
    Role.PANEL_CHAIR,
    Role.PANEL_MEMBER,
    Role.AGENCY_CONTRIBUTOR,
    Role.LA_ADVOCACY_LEAD,
)
"""The SAR's roles (``sar/requirements.md``, People and bodies), in its order."""
