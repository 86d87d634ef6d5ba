"""The protocol as an explicit machine: stages, the command table, the compiled
``transitions`` rulebook."""

from scr_engine.states.machine import RULEBOOK, commands_from, mermaid, next_stage, valid_in
from scr_engine.states.permissions import PERMISSIONS, Condition, Permission, permissions
from scr_engine.states.roles import Role
from scr_engine.states.stages import OPEN_STAGES, TERMINAL_STAGES, Stage
from scr_engine.states.table import TABLE, Row, row

__all__ = [
    "OPEN_STAGES",
    "PERMISSIONS",
    "RULEBOOK",
    "TABLE",
    "TERMINAL_STAGES",
    "Condition",
    "Permission",
    "Role",
    "Row",
    "Stage",
    "commands_from",
    "mermaid",
    "next_stage",
    "permissions",
    "row",
    "valid_in",
]
