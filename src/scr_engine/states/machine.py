"""A protocol's table compiled once, at import, into one ``transitions`` machine.

One machine serves every review of a protocol: it is built with ``model=None`` (a
rulebook), and each command fires its event against a light, throw-away token holding
only the current stage. No review is ever bound to the machine, so memory does not grow
with the number of reviews. The machine owns *which stage leads where*; the guards are
evaluated by :mod:`scr_engine.rules` beforehand so that every reason is collected
(transitions itself would only return ``False``).

:class:`Moves` compiles any protocol's table (stage codes are plain text); the
module's functions answer for the SCR's (:data:`SCR_MOVES`), as they always have.
"""

from __future__ import annotations

from collections.abc import Iterable

from transitions import Machine, MachineError

from scr_engine.states.stages import Stage
from scr_engine.states.table import TABLE, Row

__all__ = [
    "RULEBOOK",
    "SCR_MOVES",
    "Moves",
    "commands_from",
    "mermaid",
    "next_stage",
    "valid_in",
]


class _Token:
    """What the machine moves: the current stage, nothing else."""

    __slots__ = ("state",)

    def __init__(self, state: str) -> None:
        self.state = state


class Moves:
    """Which command leads where, for one table: the table compiled into one
    ``transitions`` machine and every allowed move fired on it once, so that each
    answer is a dictionary lookup.

    ``stages`` are the protocol's stage codes, ``initial`` the one a review starts in,
    ``terminal`` those no command leads out of. A row whose sources or destination is
    not one of ``stages`` is refused (``ValueError``): a definition's table must name
    its own stages only.
    """

    __slots__ = ("_next", "_rows", "_valid", "initial", "machine", "stages", "table", "terminal")

    def __init__(
        self,
        table: Iterable[Row],
        stages: Iterable[str],
        initial: str,
        terminal: Iterable[str] = (),
    ) -> None:
        self.table: tuple[Row, ...] = tuple(table)
        self.stages: tuple[str, ...] = tuple(str(s) for s in stages)
        self.initial = str(initial)
        self.terminal: frozenset[str] = frozenset(str(s) for s in terminal)
        self._rows: dict[str, Row] = {r.command: r for r in self.table}
        known = set(self.stages)
        for r in self.table:
            named = (*r.sources, *([r.dest] if r.dest is not None else []))
            unknown = [str(s) for s in named if s not in known]
            if unknown:
                raise ValueError(f"{r.command} names stages the protocol has not: {unknown}")
        if self.initial not in known:
            raise ValueError(f"the initial stage {self.initial!r} is not one of the stages")
        self.machine = Machine(
            model=None,
            states=list(self.stages),
            transitions=[
                {
                    "trigger": r.command,
                    "source": [str(s) for s in r.sources],
                    "dest": str(r.dest) if r.dest is not None else None,
                }
                for r in self.table
                if r.sources
            ],
            initial=self.initial,
            auto_transitions=False,
            send_event=False,
        )
        self._valid: dict[str, frozenset[str]] = {
            stage: frozenset(self.machine.get_triggers(stage)) for stage in self.stages
        }
        self._next: dict[tuple[str, str], str] = {
            (stage, command): self._fire(stage, command)
            for stage in self.stages
            for command in self._valid[stage]
        }

    def _fire(self, stage: str, command: str) -> str:
        token = _Token(stage)
        try:
            self.machine.events[command].trigger(token)
        except (MachineError, KeyError) as exc:  # pragma: no cover - only allowed moves fired
            raise ValueError(f"{command} is not valid from {stage}") from exc
        return str(token.state)

    def row(self, command: str) -> Row:
        """The table row of ``command`` (``KeyError`` for a name it does not have)."""
        return self._rows[command]

    def valid_in(self, stage: str, command: str) -> bool:
        """Whether the table allows ``command`` from ``stage`` at all."""
        return command in self._valid.get(stage, frozenset())

    def commands_from(self, stage: str) -> frozenset[str]:
        """Every command the table allows from ``stage``."""
        return self._valid.get(stage, frozenset())

    def next_stage(self, stage: str, command: str) -> str:
        """Where ``command`` leads from ``stage`` (the same stage for a record made
        inside a stage). ``ValueError`` if the table has no such move: callers check
        :meth:`valid_in` first and report a refusal instead."""
        found = self._next.get((stage, command))
        if found is None:
            raise ValueError(f"{command} is not valid from {stage}")
        return found

    def mermaid(self) -> str:
        """The stage diagram as Mermaid ``stateDiagram-v2`` text."""
        lines = ["stateDiagram-v2", f"    [*] --> {self.initial}"]
        for r in self.table:
            if r.dest is None or not r.sources:
                continue
            for source in r.sources:
                lines.append(f"    {source} --> {r.dest}: {r.command}")
        for stage in self.stages:
            if stage in self.terminal:
                lines.append(f"    {stage} --> [*]")
        return "\n".join(lines)


SCR_MOVES = Moves(
    TABLE, (s.value for s in Stage), Stage.REQUESTED.value, (s.value for s in Stage if s.terminal)
)
"""The SCR's table, compiled."""

RULEBOOK: Machine = SCR_MOVES.machine
"""The SCR's one ``transitions`` machine (no models attached)."""


def valid_in(stage: Stage, command: str) -> bool:
    """Whether the SCR's table allows ``command`` from ``stage`` at all."""
    return SCR_MOVES.valid_in(stage, command)


def commands_from(stage: Stage) -> frozenset[str]:
    """Every command the SCR's table allows from ``stage``."""
    return SCR_MOVES.commands_from(stage)


def next_stage(stage: Stage, command: str) -> Stage:
    """Where ``command`` leads from ``stage`` on the SCR's rulebook (the same stage for
    a record made inside a stage). ``ValueError`` if the table has no such move."""
    return Stage(SCR_MOVES.next_stage(stage, command))


def mermaid() -> str:
    """The SCR's stage diagram as Mermaid ``stateDiagram-v2`` text."""
    return SCR_MOVES.mermaid()
