"""What every SAR guard shares: the context it judges in, the stage and role check,
and small helpers.

A guard is a pure function ``(review, command, context) -> list[Refusal]``; an empty
list means the command may go ahead. Guards never stop at the first problem: a
refusal names every failing rule, each with its SAR rule ID and field.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any, TypeAlias, TypeVar

from attrs import frozen

from scr_engine.errors.refusals import Refusal, RefusalKind
from scr_engine.protocols.sar.commands import SarCommand
from scr_engine.protocols.sar.records import SarReview
from scr_engine.protocols.sar.settings import DEFAULT_SAR_SETTINGS, SarSettings
from scr_engine.protocols.sar.table import roles_for, row
from scr_engine.records import Actor
from scr_engine.states.roles import SAR_ROLES, Role
from scr_engine.states.table import Row

__all__ = [
    "SarCheck",
    "SarContext",
    "acting_role",
    "guard",
    "is_text",
    "need_text",
    "permission",
    "standing",
    "waivable",
]


@frozen
class SarContext:
    """Who is acting, as which role, on which day, under which settings."""

    actor: Actor
    role: Role | None
    today: date
    settings: SarSettings


_C = TypeVar("_C", bound=SarCommand)

SarCheck: TypeAlias = Callable[[SarReview, _C, SarContext], list[Refusal]]
"""A guard of one SAR command class."""


def is_text(value: Any) -> bool:
    """Whether ``value`` is non-blank text."""
    return isinstance(value, str) and bool(value.strip())


def need_text(out: list[Refusal], value: Any, rule: str, field: str, what: str) -> None:
    """Note in ``out`` that ``what`` must be given unless it is non-blank text."""
    if not is_text(value):
        out.append(Refusal(rule, f"{what} must be given", RefusalKind.INPUT, field))


def guard(
    out: list[Refusal], holds: bool, rule: str, message: str, field: str | None = None
) -> None:
    """Note a guard refusal of ``rule`` in ``out`` unless ``holds``."""
    if not holds:
        out.append(Refusal(rule, message, RefusalKind.GUARD, field))


def waivable(
    out: list[Refusal],
    review: SarReview,
    holds: bool,
    rule: str,
    message: str,
    field: str | None = None,
    subject: str = "",
) -> None:
    """A waivable guard (SAR-G-6): refused unless it holds or a waiver of ``rule``
    (for ``subject``) is recorded; the refusal says a waiver is the way past."""
    if not holds and not review.waived(rule, subject):
        out.append(
            Refusal(
                rule, f"{message} (unless waived: record_waiver, SAR-G-6)", RefusalKind.GUARD, field
            )
        )


def acting_role(command: str, actor: Actor, settings: SarSettings) -> Role | None:
    """The role in which ``actor`` may issue ``command`` (the first of the actor's
    roles, in the SAR's order, that may), or None."""
    allowed = roles_for(command, settings)
    for role in SAR_ROLES:
        if role in actor.roles and role in allowed:
            return role
    return None


def permission(
    review: Any, table_row: Row, actor: Actor, command: Any = None
) -> tuple[Role | None, list[Refusal]]:
    """Who may issue the row's command, as a definition says it
    (:attr:`scr_engine.protocols.Protocol.permission`): the role ``actor`` would act
    in under the default settings, or the row's role rule. (The SAR's own runner,
    :func:`.effects.judge`, reads the Board's settings: :func:`standing`.)"""
    try:
        allowed_roles = roles_for(table_row.command, DEFAULT_SAR_SETTINGS)
    except KeyError:  # a row the definition adds to map.md's (the engine's erasure)
        allowed_roles = table_row.roles
    role = next((r for r in SAR_ROLES if r in actor.roles and r in allowed_roles), None)
    if role is not None:
        return role, []
    allowed = ", ".join(sorted(allowed_roles))
    message = f"{table_row.command} may be issued only by: {allowed}"
    return None, [Refusal(table_row.role_rule, message, RefusalKind.PERMISSION, "role")]


def standing(review: SarReview | None, command: str, ctx: SarContext) -> list[Refusal]:
    """The table's objections: the command is not valid from the review's stage, or
    not for the actor's roles (citing the row's role rule)."""
    found = row(command)
    out: list[Refusal] = []
    sources: tuple[str, ...] = tuple(found.sources)
    if review is None:
        if sources:
            out.append(Refusal("MAP", f"{command} needs a review", RefusalKind.STAGE))
    elif review.stage not in sources:
        out.append(
            Refusal(
                "MAP",
                f"{command} cannot be issued from stage {review.stage}",
                RefusalKind.STAGE,
            )
        )
    if acting_role(command, ctx.actor, ctx.settings) is None:
        allowed = ", ".join(sorted(roles_for(command, ctx.settings)))
        out.append(
            Refusal(
                found.role_rule,
                f"{command} may be issued only by: {allowed}",
                RefusalKind.PERMISSION,
                "role",
            )
        )
    return out
