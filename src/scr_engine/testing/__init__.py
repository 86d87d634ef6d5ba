"""Test support shipped with the library: the contract every store must meet.

A host that writes its own :class:`~scr_engine.storage.port.ReviewStore` proves it
by subclassing :class:`StoreContract` in its test suite (it needs pytest:
``pip install 'scr_engine[testing]'``). Importing :mod:`scr_engine` never imports
this package.
"""

from scr_engine.testing.contract import (
    START,
    STRANGE_TEXT,
    RecordingStore,
    Save,
    StoreContract,
    brute_force_overdue,
    closure_saves,
    portfolio_saves,
    strange_saves,
    submission_saves,
)

__all__ = [
    "START",
    "STRANGE_TEXT",
    "RecordingStore",
    "Save",
    "StoreContract",
    "brute_force_overdue",
    "closure_saves",
    "portfolio_saves",
    "strange_saves",
    "submission_saves",
]
