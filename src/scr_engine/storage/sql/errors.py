"""Driver errors of the SQL store, raised as :class:`~scr_engine.errors.StorageError`.

Driver errors (sqlite3, psycopg, SQLAlchemy, Alembic) never reach callers: each is
raised as :class:`~scr_engine.errors.StorageError` (or
:class:`~scr_engine.errors.ConcurrencyConflict`) with the original chained as
``__cause__``, its message the driver's first line, never the SQL's parameters.
"""

from __future__ import annotations

import sqlite3
import sys
from collections.abc import Iterator
from contextlib import contextmanager

import sqlalchemy as sa

from scr_engine.errors import ConcurrencyConflict, ScrEngineError, StorageError


def _is_driver_error(exc: BaseException) -> bool:
    if isinstance(exc, sa.exc.SQLAlchemyError | sqlite3.Error):
        return True
    psycopg = sys.modules.get("psycopg")
    if psycopg is not None and isinstance(exc, psycopg.Error):
        return True
    alembic_exc = sys.modules.get("alembic.util.exc")
    return alembic_exc is not None and isinstance(exc, alembic_exc.CommandError)


def _describe(exc: BaseException) -> str:
    """The driver's own first line, without the SQL statement or its parameters."""
    orig = getattr(exc, "orig", None)
    cause = orig if isinstance(orig, BaseException) else exc
    lines = str(cause).strip().splitlines()
    first = lines[0] if lines else ""
    return f"{type(cause).__name__}: {first}" if first else type(cause).__name__


@contextmanager
def _translated(what: str) -> Iterator[None]:
    """Raise driver errors escaping the block as :class:`StorageError`, chained."""
    try:
        yield
    except ScrEngineError:
        raise
    except Exception as exc:
        if _is_driver_error(exc):
            raise StorageError(f"{what} failed: {_describe(exc)}") from exc
        raise


_LOST_RACE = frozenset({"40001", "40P01"})  # serialization failure, deadlock detected


@contextmanager
def _conflicts_on_serialization(review_id: str, expected_version: int) -> Iterator[None]:
    """A write that PostgreSQL aborted because a concurrent transaction won (under
    REPEATABLE READ or SERIALIZABLE, or in a deadlock) is a lost race: a conflict."""
    try:
        yield
    except sa.exc.DBAPIError as exc:
        if getattr(exc.orig, "sqlstate", None) in _LOST_RACE:
            raise ConcurrencyConflict(review_id, expected_version, None) from exc
        raise
