"""The table compiled once, at import, into one ``transitions`` machine.

One machine serves every review: it is built with ``model=None`` (a rulebook), and
each command fires its event against a light, throw-away token holding only the
current stage. No review is ever bound to the machine, so memory does not grow with
the number of reviews. The machine owns *which stage leads where*; the guards are
evaluated by :mod:`scr_engine.rules` beforehand so that every reason is collected
(transitions itself would only return ``False``).
"""

from __future__ import annotations

from transitions import Machine, MachineError

from scr_engine.states.stages import Stage
from scr_engine.states.table import TABLE

__all__ = ["RULEBOOK", "commands_from", "mermaid", "next_stage", "valid_in"]


def _build() -> Machine:
    transitions = [
        {
            "trigger": r.command,
            "source": [s.value for s in r.sources],
            "dest": r.dest.value if r.dest is not None else None,
        }
        for r in TABLE
        if r.sources
    ]
    return Machine(
        model=None,
        states=[s.value for s in Stage],
        transitions=transitions,
        initial=Stage.REQUESTED.value,
        auto_transitions=False,
        send_event=False,
    )


RULEBOOK: Machine = _build()
"""The protocol's one ``transitions`` machine (no models attached)."""


class _Token:
    """What the machine moves: the current stage, nothing else."""

    __slots__ = ("state",)

    def __init__(self, state: str) -> None:
        self.state = state


_VALID: dict[Stage, frozenset[str]] = {
    stage: frozenset(RULEBOOK.get_triggers(stage.value)) for stage in Stage
}


def valid_in(stage: Stage, command: str) -> bool:
    """Whether the table allows ``command`` from ``stage`` at all."""
    return command in _VALID[stage]


def commands_from(stage: Stage) -> frozenset[str]:
    """Every command the table allows from ``stage``."""
    return _VALID[stage]


def next_stage(stage: Stage, command: str) -> Stage:
    """Where ``command`` leads from ``stage`` on the rulebook (the same stage for a
    record made inside a stage).

    Raises ``ValueError`` if the table has no such move; callers check
    :func:`valid_in` first and report a refusal instead. (The answer is the
    rulebook's: :data:`_NEXT` is filled by firing every allowed move on it once.)
    """
    found = _NEXT.get((stage, command))
    if found is None:
        raise ValueError(f"{command} is not valid from {stage.value}")
    return found


def _fire(stage: Stage, command: str) -> Stage:
    token = _Token(stage.value)
    try:
        RULEBOOK.events[command].trigger(token)
    except (MachineError, KeyError) as exc:  # pragma: no cover - only allowed moves fired
        raise ValueError(f"{command} is not valid from {stage.value}") from exc
    return Stage(token.state)


_NEXT: dict[tuple[Stage, str], Stage] = {
    (stage, command): _fire(stage, command) for stage in Stage for command in _VALID[stage]
}


def mermaid() -> str:
    """The protocol's stage diagram as Mermaid ``stateDiagram-v2`` text."""
    lines = ["stateDiagram-v2", f"    [*] --> {Stage.REQUESTED.value}"]
    for r in TABLE:
        if r.dest is None or not r.sources:
            continue
        for source in r.sources:
            lines.append(f"    {source.value} --> {r.dest.value}: {r.command}")
    for stage in Stage:
        if stage.terminal:
            lines.append(f"    {stage.value} --> [*]")
    return "\n".join(lines)
