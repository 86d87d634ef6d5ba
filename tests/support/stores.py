"""A fresh store of each kind, for tests that run on every store: in memory, on a
SQLite file, and in a PostgreSQL schema of its own (skipped with its reason when the
server is unreachable, failed when ``CI=true``)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from scr_engine import MemoryStore
from scr_engine.storage.port import ReviewStore
from support.postgres import postgres_schema

__all__ = ["KINDS", "fresh_store"]

KINDS = ("memory", "sqlite", "postgresql")
"""Every kind of store the library ships."""


@contextmanager
def fresh_store(kind: str, folder: Path) -> Iterator[ReviewStore]:
    """A new, empty store of ``kind`` (one of :data:`KINDS`), closed on exit."""
    if kind == "memory":
        yield MemoryStore()
        return
    from scr_engine.storage.sql import SqlStore

    if kind == "sqlite":
        with SqlStore(f"sqlite:///{folder / 'board.db'}", migrate="create") as sql:
            yield sql
        return
    with postgres_schema() as url, SqlStore(url, migrate="create") as sql:
        yield sql
