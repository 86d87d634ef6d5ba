"""Storage: the port every store satisfies, and the in-memory adapter.

The SQL adapter lives in :mod:`scr_engine.storage.sql` and needs the ``sql`` extra;
importing this package never imports SQLAlchemy.
"""

from scr_engine.storage.memory import MemoryStore
from scr_engine.storage.port import ReviewStore

__all__ = ["MemoryStore", "ReviewStore"]
