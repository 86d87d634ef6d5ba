"""What a protocol definition is: the data and pure functions the engine runs.

A :class:`Protocol` names its stages, roles, commands, transition table, guards,
preconditions, effects, clocks, settings, rules, request form and documents. The
engine, the stores, the history, integrity, confidentiality and every face are the
same for every protocol; only the definition differs. Each review records the
``name`` and ``version`` of the definition it runs under.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from typing import Any

from attrs import frozen

from scr_engine.commands import Command
from scr_engine.rules.common import Check
from scr_engine.rules.preconditions import Precondition
from scr_engine.rules.registry import Rule
from scr_engine.states.effects import Effect
from scr_engine.states.table import Row

__all__ = ["ClockBasis", "ClockKind", "Protocol", "SettingDef", "StageDef"]


@frozen
class StageDef:
    """One stage of a protocol: its stable code, what it means, and whether no
    command leads out of it."""

    code: str
    meaning: str
    terminal: bool


class ClockBasis(StrEnum):
    """Where a clock's length comes from (the force of the deadline)."""

    TEXT = "text"
    """The protocol's own text gives the number (the SCR's)."""
    STATUTE = "statute"
    """An Act fixes the window or the duty, but gives no number."""
    GUIDANCE = "guidance"
    """Statutory guidance gives the number."""
    LOCAL = "local"
    """A local setting."""


@frozen
class ClockKind:
    """One kind of deadline a review of the protocol has."""

    key: str
    """The deadline's key, or its pattern (``imr:<agency>``)."""
    rule: str
    basis: ClockBasis
    title: str


@frozen
class SettingDef:
    """One setting a Board may change, with its default and the rule it serves."""

    name: str
    default: Any
    rules: tuple[str, ...]


@frozen(eq=False)
class Protocol:
    """A protocol the engine runs. Built once, at import, and never changed.

    ``commands``, ``guards``, ``preconditions`` and ``effects`` are keyed by command
    name, the name the stored events carry. ``moves`` maps each stage code to the
    commands the table allows from it. Two definitions are the same when their
    ``name`` and ``version`` are.
    """

    name: str
    version: str
    title: str
    stages: tuple[StageDef, ...]
    initial: str
    roles: tuple[str, ...]
    commands: Mapping[str, type[Command]]
    table: tuple[Row, ...]
    moves: Mapping[str, frozenset[str]]
    guards: Mapping[str, Check[Any]]
    preconditions: Mapping[str, Precondition]
    effects: Mapping[str, Effect[Any]]
    clocks: tuple[ClockKind, ...]
    settings: type
    default_settings: Any
    setting_defs: tuple[SettingDef, ...]
    fixed: tuple[str, ...]
    """Rule IDs the law fixes: never settings, never waived."""
    rules: Mapping[str, Rule]
    request_form: type
    documents: tuple[str, ...]

    @property
    def key(self) -> tuple[str, str]:
        """``(name, version)``: what a review records."""
        return (self.name, self.version)

    @property
    def stage_codes(self) -> tuple[str, ...]:
        """Every stage's code, in the definition's order."""
        return tuple(s.code for s in self.stages)

    @property
    def open_stages(self) -> tuple[str, ...]:
        """The codes of the stages a command can lead out of."""
        return tuple(s.code for s in self.stages if not s.terminal)

    @property
    def terminal_stages(self) -> frozenset[str]:
        """The codes of the stages no command leads out of."""
        return frozenset(s.code for s in self.stages if s.terminal)

    @property
    def command_names(self) -> tuple[str, ...]:
        """Every command, in the table's order."""
        return tuple(r.command for r in self.table)

    def row(self, command: str) -> Row:
        """The table row of ``command`` (``KeyError`` for a name it does not have)."""
        for found in self.table:
            if found.command == command:
                return found
        raise KeyError(command)

    def commands_from(self, stage: str) -> frozenset[str]:
        """Every command the table allows from ``stage``."""
        return self.moves.get(stage, frozenset())

    def schema(self, command: str) -> dict[str, Any]:
        """The JSON Schema of ``command`` (or of ``request_form``)."""
        from scr_engine.schema import load

        if command != "request_form" and command not in self.commands:
            raise KeyError(command)
        return load(command)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Protocol):
            return NotImplemented
        return self.key == other.key

    def __hash__(self) -> int:
        return hash(self.key)
