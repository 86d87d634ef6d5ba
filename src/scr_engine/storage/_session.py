"""Sessions of the SQL store's hot paths (private to :mod:`scr_engine.storage.sql`).

A :class:`_Session` runs the prebuilt statements of :mod:`._statements` on one
connection, on the driver's connection itself when nobody watches the engine's SQL,
raising driver errors as SQLAlchemy would.
"""

from __future__ import annotations

import logging
import os
import threading
from collections import deque
from collections.abc import Mapping, Sequence
from contextlib import suppress
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from scr_engine.storage._statements import _Sql


def _observed(engine: Engine) -> bool:
    """Whether anyone watches the engine's SQL: cursor-execute event listeners, or
    SQLAlchemy's statement log (``echo``, or the ``sqlalchemy.engine`` logger at
    INFO). The store then runs every statement through SQLAlchemy's execution, so
    they see each one; otherwise the hot paths' statements on SQLite go to the
    driver's connection directly (see :class:`_Session`)."""
    dispatch = engine.dispatch
    if dispatch.before_cursor_execute or dispatch.after_cursor_execute:
        return True
    return engine.logger.isEnabledFor(logging.INFO)


class _Reuse:
    """Driver connections the store's SQLite hot paths hand from one session to the
    next without a round through the engine's pool.

    Taking a connection from SQLAlchemy's pool and giving it back (locks, events, a
    ``ROLLBACK`` to reset it) costs a command's two sessions about as much as the
    SQL they run. A session ends with its transaction committed or rolled back (or,
    for a read, with its one statement finished), so the connection is as clean as
    the reset would leave it: the store keeps up to ``keep`` of them, still checked
    out of the pool, and the next session on any thread takes one. More are taken
    from the pool and returned to it. A process started by ``fork`` never uses the
    parent's kept connections; like the pool's own, a child should not use its
    parent's store at all, but open its own.
    """

    __slots__ = ("_engine", "_forks", "_idle", "_keep", "_lock")

    def __init__(self, engine: Engine, keep: int) -> None:
        self._engine = engine
        self._keep = keep
        self._idle: deque[Any] = deque()
        self._lock = threading.Lock()
        self._forks = _forks[0]

    def take(self) -> Any:
        """A pooled connection (a ``_ConnectionFairy``) for one session."""
        if self._forks == _forks[0]:
            try:
                return self._idle.pop()
            except IndexError:
                pass
        return self._engine.raw_connection()

    def give(self, pooled: Any) -> None:
        """Keep the pooled connection for the next session, or return it to the pool."""
        if pooled.is_valid and self._forks == _forks[0]:
            with self._lock:  # never more than ``keep``, however many threads give
                if len(self._idle) < self._keep:
                    self._idle.append(pooled)
                    return
        pooled.close()

    def close(self) -> None:
        """Return every kept connection to the pool (in this process)."""
        if self._forks != _forks[0]:
            self._idle.clear()  # the parent's: never close them here
            return
        while self._idle:
            self._idle.pop().close()


_forks = [0]
"""How many ``fork`` s lie between this process and the one that imported the module
(``os.getpid()`` is a system call per use; this is a list read)."""


def _forked() -> None:
    _forks[0] += 1


if hasattr(os, "register_at_fork"):  # no fork, no need, where it is missing
    os.register_at_fork(after_in_child=_forked)


class _Session:
    """One use of a connection by the hot paths: runs :class:`_Sql`'s statements.

    With ``dbapi`` (when nobody watches the engine's SQL: see :func:`_observed`) the
    statements run on the driver's connection itself: SQLAlchemy's own work per
    statement and per connection use cost more than SQLite's, and on PostgreSQL about
    as much client CPU as the round trip. The transaction is then the store's
    (SQLite: :meth:`~scr_engine.storage.sql.SqlStore._writing`; PostgreSQL:
    autocommit, one statement) or SQLAlchemy's (a host's SQLite connection). Driver
    errors are raised as SQLAlchemy raises them, and a connection the server dropped
    is invalidated, as SQLAlchemy would (see
    :func:`~scr_engine.storage.sql.create_engine`). Otherwise the statements run
    through :meth:`Connection.exec_driver_sql`, with all of SQLAlchemy's events,
    logging and error handling."""

    __slots__ = ("_conn", "_dbapi", "_dialect", "_engine", "_error", "_pooled")

    def __init__(
        self,
        conn: Connection | None,
        dbapi: Any,
        sql: _Sql,
        pooled: Any = None,
        engine: Engine | None = None,
    ) -> None:
        self._conn = conn
        self._dbapi = dbapi
        self._dialect = sql.dialect
        self._error: type[Exception] = sql.dialect.loaded_dbapi.Error
        self._pooled = pooled
        self._engine = engine

    @classmethod
    def on(cls, conn: Connection, sql: _Sql) -> _Session:
        """A session on a SQLAlchemy connection, in its transaction (statements on
        the driver's connection only for SQLite)."""
        if sql.sqlite and not _observed(conn.engine):
            return cls(conn, conn.connection.dbapi_connection, sql)
        return cls(conn, None, sql)

    def run(self, sql: str, params: Sequence[Any] | Mapping[str, Any] = ()) -> Any:
        """Execute one statement; returns the DBAPI cursor or the
        :class:`~sqlalchemy.engine.CursorResult` (both have ``rowcount``,
        ``fetchone()`` and ``fetchall()``)."""
        dbapi = self._dbapi
        if dbapi is None:
            assert self._conn is not None
            return self._conn.exec_driver_sql(
                sql, dict(params) if isinstance(params, Mapping) else tuple(params)
            )
        try:
            return dbapi.execute(sql, params)
        except self._error as exc:
            raise self._driver_error(sql, exc) from exc

    def run_many(self, sql: str, rows: list[tuple[Any, ...]]) -> None:
        """Execute one statement once per row of ``rows``."""
        dbapi = self._dbapi
        if dbapi is None:
            assert self._conn is not None
            self._conn.exec_driver_sql(sql, rows)
            return
        try:
            dbapi.cursor().executemany(sql, rows)
        except self._error as exc:
            raise self._driver_error(sql, exc) from exc

    def commit(self) -> None:
        try:
            self._dbapi.commit()
        except self._error as exc:
            raise self._driver_error("COMMIT", exc) from exc

    def rollback_quietly(self) -> None:
        """Roll back after an error, which stays the one raised."""
        with suppress(Exception):
            self._dbapi.rollback()

    def _driver_error(self, sql: str, exc: Any) -> BaseException:
        """``exc``, a driver error, as SQLAlchemy raises it; the connection (and the
        pool's older ones) invalidated when the server dropped it."""
        invalidated = False
        if self._pooled is not None and self._dialect.is_disconnect(exc, self._dbapi, None):
            # As SQLAlchemy does on a disconnect: drop this connection and the pooled
            # ones made before it (a restarted server dropped them all).
            self._pooled.invalidate(exc)
            if self._engine is not None:
                self._engine.dispose()
            invalidated = True
        return _as_sqlalchemy_error(self._dialect, sql, exc, invalidated)


def _as_sqlalchemy_error(
    dialect: sa.Dialect, sql: str, exc: Any, invalidated: bool = False
) -> BaseException:
    """A driver error raised on the driver's connection, as SQLAlchemy would have
    raised it: the matching :class:`sqlalchemy.exc.DBAPIError` subclass with ``exc``
    as its ``orig`` (the parameters are never shown)."""
    wrapped: BaseException = sa.exc.DBAPIError.instance(
        sql,
        None,
        exc,
        dialect.loaded_dbapi.Error,
        hide_parameters=True,
        connection_invalidated=invalidated,
        dialect=dialect,
    )
    return wrapped
