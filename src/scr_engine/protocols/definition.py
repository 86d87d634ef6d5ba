"""What a protocol definition is: the data and pure functions the engine runs.

A :class:`Protocol` names its stages, roles, commands, transition table, guards,
preconditions, effects, clocks, settings, rules, request form and documents. The
engine, the stores, the history, integrity, confidentiality and every face are the
same for every protocol; only the definition differs. Each review records the
``name`` and ``version`` of the definition it runs under.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date, datetime
from enum import StrEnum
from typing import Any

import attrs
from attrs import evolve, frozen

from scr_engine.commands import Command
from scr_engine.errors.refusals import Refusal
from scr_engine.records import Actor, Review, Role, Task
from scr_engine.records.envelope import ENVELOPE_FIELDS
from scr_engine.rules.common import Check
from scr_engine.rules.deadlines import Deadline
from scr_engine.rules.preconditions import Precondition
from scr_engine.rules.registry import Rule
from scr_engine.states.effects import Effect
from scr_engine.states.machine import Moves
from scr_engine.states.stages import TERMINAL_STAGES
from scr_engine.states.table import Row

__all__ = [
    "Applier",
    "ClockBasis",
    "ClockKind",
    "Opener",
    "Permission",
    "Protocol",
    "SettingDef",
    "StageDef",
    "Step",
    "compile_moves",
]

Permission = Callable[[Review, Row, Actor, Any], tuple[Role | None, list[Refusal]]]
"""Who may issue a row's command on a review: ``(review, row, actor, command)`` to the
role they would act in and every reason who they are does not allow it (the command
is None when only the person, not the input, is judged)."""


Opener = Callable[["Protocol", str, Any, str, date], Any]
"""How a protocol's review begins: ``(definition, review_id, submit command, actor_id,
received_on)`` to its record at version 1, in the definition's first stage, with no
``head`` yet (the history sets it)."""


@frozen
class Step:
    """What the history knows of an accepted command besides the command itself:
    who issued it, in which role, when it was recorded, the stage it leads to, whether
    it was recorded with its day (``occurred_on``), and the settings of the review
    (None when a replay was not given them)."""

    actor_id: str
    role: Role
    at: datetime
    after: str
    dated: bool
    settings: Any


Applier = Callable[["Protocol", Any, Any, Step], tuple[dict[str, Any], tuple[Task, ...]]]
"""What an accepted command changes: ``(definition, review, command, step)`` to the
fields of the record that change (the history sets ``stage``, ``version`` and
``head``) and the tasks it emits. The engine and the replay of a history both call it,
so they agree."""


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
    name, the name the stored events carry. ``moves`` is the table compiled
    (:class:`~scr_engine.states.machine.Moves`): which command leads where.
    ``permission`` judges who may issue a command. The engine judges, advances and
    replays a review by the definition it records (:func:`scr_engine.protocols.of`).
    Two definitions are the same when their ``name`` and ``version`` are.
    """

    name: str
    version: str
    title: str
    stages: tuple[StageDef, ...]
    initial: str
    roles: tuple[str, ...]
    commands: Mapping[str, type[Command]]
    table: tuple[Row, ...]
    moves: Moves
    permission: Permission
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
    record: type
    """The class of the protocol's review record (:class:`~scr_engine.records.Review`
    for the SCR): an attrs class with the envelope every review has
    (:class:`~scr_engine.records.Envelope`: ``id``, ``reference``, ``stage``,
    ``version``, ``head``, ``settings_version``, ``requested_by``, ``received_on``,
    ``protocol`` and ``protocol_version``), all a store reads of it."""
    open: Opener
    """Makes a review's record from its ``submit_request``."""
    apply: Applier
    """Runs an accepted command's effect (one of ``effects``) on a review."""
    stage_type: Callable[[str], str]
    """Makes a stage code the value a record holds (the SCR's
    :class:`~scr_engine.states.Stage`; plain text for others)."""
    deadlines: Callable[[Any, Any, date], tuple[Deadline, ...]]
    """``(review, settings, today)`` to every deadline of the review (its clocks)."""
    clocks_changed: Callable[[Any, Any], bool]
    """``(before, after)``: whether a change can change the review's deadlines (True
    is always safe: the engine then computes them again)."""
    reference_prefix: str = "SCR"
    """What a review's reference starts with (``SAR-2027-004``): every protocol's
    reviews are numbered in one sequence per year, so a reference names one review
    whatever its protocol."""
    admits: Callable[[Any, Any], list[Refusal]] | None = None
    """``(request, store)``: what the store already holds that refuses a new review of
    this request (the annual report's one per financial year, SAR-A-5), judged when it
    is submitted, after the request's own checks; None when nothing does."""
    prefill: Callable[[str, Any], dict[str, Any]] | None = None
    """``(command, review)`` to the JSON-ready values the template of ``command`` on
    ``review`` starts from: what the review already knows (the adults to assess, the
    next finding to decide). None: a template is filled from its defaults only."""
    reference: Callable[[Any], str] | None = None
    """``(request)`` to the reference a new review of it takes, when the definition
    names it (the annual report of 2026: ``SAR-AR-2026-27``) instead of numbering it.
    A store holds each reference once, so with :attr:`admits` judging the same thing
    two submissions at the same moment cannot both be stored: the second is refused
    with :attr:`admits`' reasons. None (the default): numbered in the yearly sequence."""

    def __attrs_post_init__(self) -> None:
        problems = self.problems()
        if problems:
            raise ValueError(f"protocol {self.name} {self.version}: " + "; ".join(problems))

    def problems(self) -> list[str]:
        """Every way the definition contradicts itself (it is refused when built with
        any): ``moves`` compiled from another table or other stages; a stage its
        record cannot hold (an SCR variant's stage the SCR's ``Stage`` lacks); a command of the
        table with no class, or (but for the one that creates a review) no guard or
        no effect; a guard, effect or precondition of a command the table lacks; a
        record class without the envelope every record has."""
        found: list[str] = []
        if self.moves.table != self.table:
            found.append("moves are compiled from another table: build them from this one")
        if self.moves.stages != self.stage_codes or self.moves.initial != self.initial:
            found.append("moves are compiled for other stages")
        if self.moves.terminal != self.terminal_stages:
            found.append("moves name other terminal stages")
        ended = sorted(self.terminal_stages - TERMINAL_STAGES)
        if ended:
            # The stores tell an ended review's tasks from a running one's by its code.
            found.append(
                f"terminal stages the stores do not know as ended: {', '.join(ended)} "
                f"(an ending stage is one of {', '.join(sorted(TERMINAL_STAGES))})"
            )
        held = attrs.fields_dict(self.record) if attrs.has(self.record) else {}
        lacking = [name for name in ENVELOPE_FIELDS if name not in held]
        if lacking:
            found.append(
                f"its record ({self.record.__name__}) lacks the envelope every record has: "
                + ", ".join(lacking)
            )
        for code in self.stage_codes:
            try:
                self.stage_type(code)
            except ValueError:
                found.append(f"its record ({self.record.__name__}) cannot hold stage {code!r}")
        names = set(self.command_names)
        for name in self.command_names:
            if name not in self.commands:
                found.append(f"{name} has no command class")
            if name != "submit_request" and name not in self.guards:
                found.append(f"{name} has no guard")
            if name != "submit_request" and name not in self.effects:
                found.append(f"{name} has no effect")
        for what, table in (
            ("guard", self.guards),
            ("effect", self.effects),
            ("precondition", self.preconditions),
            ("command class", self.commands),
        ):
            found.extend(f"a {what} of {n}, which the table lacks" for n in table if n not in names)
        return found

    def derive(self, name: str, version: str, **changes: Any) -> Protocol:
        """A Board's variant of this definition: the same but for ``changes`` (any
        field: ``title``, ``table``, ``guards``, ``settings`` …), under its own ``name``
        and ``version``. When the table or the stages change, ``moves`` is compiled
        again from them (unless given). ``ValueError`` (:meth:`problems`) when the
        variant contradicts itself — a table row with no guard, say."""
        if "moves" not in changes and {"table", "stages", "initial"} & set(changes):
            changes["moves"] = compile_moves(
                tuple(changes.get("table", self.table)),
                tuple(changes.get("stages", self.stages)),
                changes.get("initial", self.initial),
            )
        made: Protocol = evolve(self, name=name, version=version, **changes)
        return made

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

    def stage(self, code: str) -> str:
        """``code`` as the record holds a stage (``ValueError`` for a code the
        definition does not have)."""
        if code not in self.moves.stages:
            raise ValueError(f"{code!r} is not a stage of protocol {self.name}")
        return self.stage_type(code)

    def settings_named(self, version: str) -> Any:
        """The definition's default settings when their version is ``version``, else
        None (a Board's own settings are the engine's to give)."""
        default = self.default_settings
        return default if getattr(default, "version", None) == version else None

    def row(self, command: str) -> Row:
        """The table row of ``command`` (``KeyError`` for a name it does not have)."""
        return self.moves.row(command)

    def commands_from(self, stage: str) -> frozenset[str]:
        """Every command the table allows from ``stage``."""
        return self.moves.commands_from(stage)

    def valid_in(self, stage: str, command: str) -> bool:
        """Whether the table allows ``command`` from ``stage`` at all."""
        return self.moves.valid_in(stage, command)

    def next_stage(self, stage: str, command: str) -> str:
        """Where ``command`` leads from ``stage`` (``ValueError`` for no such move)."""
        return self.moves.next_stage(stage, command)

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


def compile_moves(table: tuple[Row, ...], stages: tuple[StageDef, ...], initial: str) -> Moves:
    """``table`` compiled over ``stages`` (:class:`~scr_engine.states.machine.Moves`):
    what a definition's ``moves`` are."""
    return Moves(table, (s.code for s in stages), initial, (s.code for s in stages if s.terminal))
