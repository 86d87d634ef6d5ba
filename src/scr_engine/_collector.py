"""The garbage collector's rest while the ``scr`` program starts (:mod:`scr_engine._program`).

The program's start-up builds hundreds of classes and imports SQLAlchemy: tens of
thousands of objects, none of them garbage, which the cyclic garbage collector would
walk again and again. :func:`pause_gc` rests the collector from the program's first
line; :func:`resume_gc`, called by the command line once a command's store is open,
sets aside for good what exists then (:func:`gc.freeze`) and lets the collector run.
Nothing here runs when the library is imported: a host's collector is its own.
"""

from __future__ import annotations

import gc

__all__ = ["pause_gc", "resume_gc"]

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
