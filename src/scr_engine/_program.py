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

import sys

from scr_engine._collector import pause_gc, resume_gc

__all__ = ["pause_gc", "resume_gc", "run"]


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
