"""What a screen can offer an actor on a review, for
:meth:`ReviewEngine.options <scr_engine.ReviewEngine.options>`: each command of the
review's stage with every reason against it whatever its input (the read policy and
the clock are the engine's to apply)."""

from __future__ import annotations

from datetime import date
from typing import Any

from attrs import frozen

from scr_engine.errors.refusals import Refusal
from scr_engine.protocols import Protocol
from scr_engine.records import Actor, Review
from scr_engine.rules.judge import obstacles, takes_input

__all__ = ["CommandOption", "command_options"]


@frozen
class CommandOption:
    """One command a screen could offer an actor on a review (see
    :meth:`ReviewEngine.options <scr_engine.ReviewEngine.options>`)."""

    command: str
    """The command's stable name."""
    takes_input: bool
    """Whether the command has fields that must be given (a form to fill in)."""
    refusals: tuple[Refusal, ...]
    """Every reason the actor could not issue it now, whatever its input: their role,
    agency or appointment; the stage; a guard no input can satisfy (CR-1 for
    ``decline``); for a command that takes no input, every guard that fails."""

    @property
    def allowed(self) -> bool:
        """Whether some input could make the command succeed now (for a command that
        takes no input: whether it would)."""
        return not self.refusals


def command_options(
    review: Review, actor: Actor, today: date, settings: Any, definition: Protocol
) -> list[CommandOption]:
    """Every command of the review's stage (each row of the definition's table valid
    from it), in the table's order, with every reason ``actor`` could not issue it."""
    valid = definition.commands_from(review.stage)
    return [
        CommandOption(
            row.command,
            takes_input(definition.commands[row.command]),
            tuple(obstacles(review, row, actor, today, settings, definition)),
        )
        for row in definition.table
        if row.command in valid
    ]
