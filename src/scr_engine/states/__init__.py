"""The protocol as an explicit machine: stages, the command table, the compiled
``transitions`` rulebook."""

from scr_engine.states.machine import RULEBOOK, commands_from, mermaid, next_stage, valid_in
from scr_engine.states.roles import Role
from scr_engine.states.stages import OPEN_STAGES, TERMINAL_STAGES, Stage
from scr_engine.states.table import TABLE, Row, row

__all__ = [
    "OPEN_STAGES",
    "RULEBOOK",
    "TABLE",
    "TERMINAL_STAGES",
    "Role",
    "Row",
    "Stage",
    "commands_from",
    "mermaid",
    "next_stage",
    "row",
    "valid_in",
]
