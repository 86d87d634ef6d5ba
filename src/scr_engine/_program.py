"""The ``scr`` program's start: its entry point (``[project.scripts]``) and
``python -m scr_engine``.

The program's start-up builds hundreds of classes and imports SQLAlchemy: tens of
thousands of objects, none of them garbage, which the cyclic garbage collector would
walk again and again, for about a tenth of a command's time. So the collector rests
from the first line until the command has what it needs (:func:`resume_gc`, called by
the command line once a command's store is open), and what exists then is set aside for good
(:func:`gc.freeze`), so that a long command does not walk it either. Nothing here
runs when the library is imported: a host's collector is its own.
"""

from __future__ import annotations

import gc
import sys

__all__ = ["pause_gc", "resume_gc", "run"]

_paused = False
"""Whether :func:`pause_gc` paused the collector (and :func:`resume_gc` has not yet
resumed it)."""


def pause_gc() -> None:
    """Pause the garbage collector, if it runs, until :func:`resume_gc`."""
    global _paused
    if gc.isenabled():
        gc.disable()
        _paused = True


def resume_gc() -> None:
    """Resume the collector :func:`pause_gc` paused, with every object that exists now
    frozen out of its reach. Does nothing if it was not paused here (a host or a
    test runner that disabled it keeps it disabled), or when called again."""
    global _paused
    if _paused:
        _paused = False
        gc.freeze()
        gc.enable()


def run() -> None:
    """Run ``scr`` on the process's arguments and end the process."""
    pause_gc()
    try:
        from scr_engine.cli.app import main
    except ImportError as exc:  # pragma: no cover - depends on the installed extras
        if exc.name not in ("click", "rich"):
            raise
        sys.exit("scr: the command line needs the cli extra: pip install 'scr_engine[cli]'")
    sys.exit(main())
