"""The ``scr`` command line: a Board's business manager runs reviews from a terminal.

``scr`` drives the engine on the embedded SQLite store (``./scr.sqlite3`` by default,
``--database URL`` or ``SCR_DATABASE_URL`` for another file or PostgreSQL) as a named
person from an actors file (``--as ID`` or ``SCR_ACTOR``). Every command takes
``--json`` for scripts and ends with a documented exit status (:data:`EXIT_CODES`);
``docs/cli.md`` describes every command, its JSON shape and the actors file.

It needs the ``cli`` extra (``pip install 'scr_engine[cli]'``: click, Rich, SQLAlchemy
and Alembic). The core never imports this package; this package imports the engine,
SQLAlchemy and Rich only inside the commands that use them, so that a command starts
quickly.

One module per group of commands: :mod:`.app` (the root, the common options, errors
and output), :mod:`.reviews` (submit, run, show, history, list), :mod:`.clocks`
(overdue, tasks), :mod:`.integrity` (verify, checkpoint, keygen), :mod:`.db` (init,
db upgrade), :mod:`.misc` (demo, diagram, export, actors), :mod:`.serve` (serve,
token), :mod:`.protocols` (protocols), :mod:`.annual` (annual-report); :mod:`.actors`
reads the
actors file and :mod:`.shapes` makes the JSON shapes.
"""

from __future__ import annotations

# Each module registers its commands on ``cli`` when imported.
from scr_engine.cli import (  # noqa: F401
    annual,
    clocks,
    db,
    integrity,
    misc,
    protocols,
    reviews,
    serve,
    webhook,
)
from scr_engine.cli.app import (
    EXIT_CODES,
    EXIT_FAILED,
    EXIT_INTEGRITY,
    EXIT_INTERRUPTED,
    EXIT_NOT_FOUND,
    EXIT_OK,
    EXIT_PIPE,
    EXIT_USAGE,
    CliError,
    cli,
    main,
)

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
    "cli",
    "main",
]
