"""What every guard shares: the context it judges in, and two small checks.

A guard (one per command, in the module of its protocol section) is a pure function
``(review, command, context) -> list[Refusal]``; an empty list means the command may
go ahead. Guards never stop at the first problem: a refusal names every failing rule
at once. Stage and role are judged elsewhere (:mod:`scr_engine.rules.judge`); the
guards hold the protocol's own conditions.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any, TypeAlias, TypeVar

from attrs import frozen

from scr_engine.commands import Command
from scr_engine.errors.refusals import Refusal, RefusalKind
from scr_engine.records import Actor, Review, Role
from scr_engine.rules.request import is_text
from scr_engine.rules.settings import ProtocolSettings

__all__ = ["Check", "Context", "known_agency", "need_text"]


@frozen
class Context:
    """Who is acting, as which role, on which date, under which settings."""

    actor: Actor
    role: Role | None
    today: date
    settings: ProtocolSettings


_C = TypeVar("_C", bound=Command)

Check: TypeAlias = Callable[[Review, _C, Context], list[Refusal]]
"""A guard of commands of one class (``Check[AssessCriteria]``): every reason such a
command would be refused on a review."""


def need_text(out: list[Refusal], value: Any, rule: str, field: str, what: str) -> None:
    """Note in ``out`` that ``what`` (the input ``field``) must be given, unless it is
    non-blank text."""
    if not is_text(value):
        out.append(Refusal(rule, f"{what} must be given", RefusalKind.INPUT, field))


def known_agency(out: list[Refusal], review: Review, agency: Any, field: str = "agency") -> bool:
    """Whether ``agency`` is involved in the review; if not, note it in ``out`` as bad
    input naming the agencies that are."""
    if agency in review.agencies:
        return True
    out.append(
        Refusal.input(
            f"agency {agency!r} is not involved in this review "
            f"(involved: {', '.join(review.agencies)})",
            field,
        )
    )
    return False
