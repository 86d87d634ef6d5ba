"""Reasons: why a command would be refused, each citing the rule it comes from.

They sit under the error tree (:mod:`scr_engine.errors`), which carries them, and
import nothing of the domain; :mod:`scr_engine.rules.reasons` names them too."""

from __future__ import annotations

from enum import StrEnum
from typing import Any, Self

from attrs import frozen

__all__ = ["Refusal", "RefusalKind"]


class RefusalKind(StrEnum):
    """What kind of objection a :class:`Refusal` is.

    ``input`` objections make :class:`~scr_engine.InvalidRequest`, ``permission``
    ones :class:`~scr_engine.PermissionDenied`, the rest
    :class:`~scr_engine.TransitionRefused`.
    """

    INPUT = "input"
    PERMISSION = "permission"
    STAGE = "stage"
    GUARD = "guard"


@frozen
class Refusal:
    """One reason a command is refused.

    ``rule`` is the protocol rule ID of ``requirements.md`` (``"CR-1"``, ``"SU-6"`` …)
    or, for objections that the protocol's table makes rather than one rule, ``"MAP"``
    (the command is not valid in the review's stage or not for this role) or
    ``"INPUT"`` (malformed data). ``field`` names the offending field when there is one.
    """

    rule: str
    message: str
    kind: RefusalKind = RefusalKind.GUARD
    field: str | None = None

    @classmethod
    def input(cls, message: str, field: str | None = None) -> Self:
        """An ``INPUT`` refusal (malformed data): ``message`` says what is wrong and,
        when it can, what to send instead; ``field`` names the offending field."""
        return cls("INPUT", message, RefusalKind.INPUT, field)

    def to_json(self) -> dict[str, Any]:
        """``{"rule", "message", "kind", "field"}``: the refusal as every face (the
        command line, the service) writes it."""
        return {
            "rule": self.rule,
            "message": self.message,
            "kind": self.kind.value,
            "field": self.field,
        }

    def __str__(self) -> str:
        where = f" [{self.field}]" if self.field else ""
        return f"{self.rule}{where}: {self.message}"
