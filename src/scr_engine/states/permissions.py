"""Who may issue each command, as data: the command × role table of
:data:`~scr_engine.states.table.TABLE`, with the rules that look at *who* the actor is
as well as their role.

- **Appointment** (SU-1): a command issued as ``panel_chair`` only by the review's
  appointed panel chair; before one is appointed nobody acts as panel chair, so the
  commands both chairs may issue are the board chair's only.
- **Overview writer** (SU-9): ``submit_overview_report``, and
  ``record_writer_meeting`` as ``overview_writer``, only by the appointed writer.
- **Agency** (RP-4): ``record_agency_signoff`` only by a panel member sitting for an
  involved agency, whose actor ``agency`` is that agency, for that agency.

:func:`scr_engine.rules.judge.permission` judges exactly this, before any input; the
documentation's table (``docs/protocol.md``) is :func:`markdown`'s, kept equal by a
test.
"""

from __future__ import annotations

from enum import StrEnum

from attrs import frozen

from scr_engine.states.roles import SCR_ROLES, Role
from scr_engine.states.table import TABLE

__all__ = ["PERMISSIONS", "Condition", "Permission", "markdown", "permissions"]


class Condition(StrEnum):
    """A rule on *who* the actor is, beyond their role."""

    PANEL_CHAIR = "panel_chair"
    """As ``panel_chair``: only the review's appointed panel chair (SU-1)."""
    OVERVIEW_WRITER = "overview_writer"
    """As ``overview_writer``: only the review's appointed overview writer (SU-9)."""
    AGENCY = "agency"
    """Only a panel member sitting for an involved agency, for that agency (RP-4)."""


_NOTES = {
    Condition.PANEL_CHAIR: "as panel_chair: the appointed panel chair only (SU-1)",
    Condition.OVERVIEW_WRITER: "as overview_writer: the appointed overview writer only (SU-9)",
    Condition.AGENCY: "a panel member sitting for that agency, for their own agency (RP-4)",
}


@frozen
class Permission:
    """Who may issue one command."""

    command: str
    roles: frozenset[Role]
    """The roles that may issue it (an actor acts in the first of theirs, in the
    order of :class:`Role`)."""
    rule: str
    """The rule a refusal for a role not among them cites."""
    conditions: frozenset[Condition]
    """What else must hold of the actor, when acting in the role the condition names
    (``agency``: whatever the role)."""

    def allows(self, role: Role) -> bool:
        """Whether ``role`` may issue the command at all."""
        return role in self.roles


def _conditions(command: str, roles: frozenset[Role]) -> frozenset[Condition]:
    out = set()
    if Role.PANEL_CHAIR in roles:
        out.add(Condition.PANEL_CHAIR)
    if command in ("submit_overview_report", "record_writer_meeting"):
        out.add(Condition.OVERVIEW_WRITER)
    if command == "record_agency_signoff":
        out.add(Condition.AGENCY)
    return frozenset(out)


PERMISSIONS: tuple[Permission, ...] = tuple(
    Permission(r.command, r.roles, r.role_rule, _conditions(r.command, r.roles)) for r in TABLE
)
"""Every command's permission, in the order of the table."""


def permissions() -> tuple[Permission, ...]:
    """Every command's permission (:data:`PERMISSIONS`)."""
    return PERMISSIONS


def markdown() -> str:
    """The permission matrix as Markdown: a row per command, a column per role (✓ where
    the role may issue it), and the conditions on who the actor is."""
    roles = list(SCR_ROLES)
    head = "| Command | " + " | ".join(r.value for r in roles) + " | Also |"
    lines = [head, "|---|" + "---|" * len(roles) + "---|"]
    for p in PERMISSIONS:
        marks = " | ".join("✓" if p.allows(r) else "" for r in roles)
        also = "; ".join(_NOTES[c] for c in sorted(p.conditions)) or "—"
        lines.append(f"| `{p.command}` | {marks} | {also} |")
    return "\n".join(lines)
