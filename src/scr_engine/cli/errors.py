"""How the command line fails: :class:`CliError` and the exit statuses ``scr`` ends with
(:data:`EXIT_CODES`), below every command module (:mod:`scr_engine.cli.app` names them
too)."""

from __future__ import annotations

from typing import Any

__all__ = [
    "EXIT_CODES",
    "EXIT_FAILED",
    "EXIT_INTEGRITY",
    "EXIT_INTERRUPTED",
    "EXIT_NOT_FOUND",
    "EXIT_OK",
    "EXIT_PIPE",
    "EXIT_USAGE",
    "CliError",
    "usage",
]

EXIT_OK = 0
"""Done."""
EXIT_FAILED = 1
"""Refused by the protocol (every reason printed with its rule ID), or failed."""
EXIT_USAGE = 2
"""A bad option, argument, file or value: nothing was done."""
EXIT_NOT_FOUND = 3
"""No such review or task."""
EXIT_INTEGRITY = 4
"""A review disagrees with its history, or ``verify`` found a fault."""
EXIT_INTERRUPTED = 130
"""Interrupted (Ctrl-C): nothing half-done is kept (every write is one transaction)."""
EXIT_PIPE = 141
"""The output was closed early (piped into ``head``): ``scr`` stops quietly."""

EXIT_CODES: dict[int, str] = {
    EXIT_OK: "done",
    EXIT_FAILED: "refused or failed",
    EXIT_USAGE: "usage",
    EXIT_NOT_FOUND: "not found",
    EXIT_INTEGRITY: "integrity fault",
    EXIT_INTERRUPTED: "interrupted",
    EXIT_PIPE: "output closed",
}
"""Every exit status ``scr`` ends with, and what it means."""


class CliError(Exception):
    """A failure the command line reports as one line, with an exit status and a
    ``kind`` for ``--json`` (``usage``, ``not_found``, ``no_database`` …)."""

    def __init__(
        self,
        message: str,
        code: int = EXIT_FAILED,
        *,
        kind: str = "failed",
        data: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.code = code
        self.kind = kind
        self.data = data or {}


def usage(message: str) -> CliError:
    """A :class:`CliError` for a bad option, argument, file or value (exit 2)."""
    return CliError(message, EXIT_USAGE, kind="usage")
