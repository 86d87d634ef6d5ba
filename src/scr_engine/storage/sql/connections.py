"""Connections of the SQL store: engines, pragmas, read-only files, pooling, and the
two ways the store uses a connection, :meth:`Connections.reading` and
:meth:`Connections.writing` (every read and every write of the store goes through
one of them); driver errors are translated here too.
"""

from __future__ import annotations

import logging
import os
import re
import sqlite3
import threading
import urllib.parse
import weakref
from collections import deque
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import ExitStack, contextmanager, suppress
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy import event as sa_event
from sqlalchemy.engine import URL, Connection, Engine

from scr_engine.errors import StorageError
from scr_engine.storage import schema
from scr_engine.storage.sql.errors import _translated
from scr_engine.storage.sql.statements import _Sql

_SUPPORTED = ("sqlite", "postgresql")
_WRITE = "scr_engine_write"
_CONFIGURED = "scr_engine_sqlite"  # marks a pooled connection made by create_engine()


# --------------------------------------------------------------------------- engines


def _sqlite_on_connect(synchronous: str) -> Callable[[Any, Any], None]:
    def on_connect(dbapi_connection: Any, record: Any) -> None:
        # Switch off the driver's own BEGIN handling: _sqlite_on_begin emits BEGIN.
        dbapi_connection.isolation_level = None
        record.info[_CONFIGURED] = True
        cursor = dbapi_connection.cursor()
        try:
            try:
                cursor.execute("PRAGMA journal_mode=WAL")
            except sqlite3.OperationalError as exc:
                if "readonly" not in str(exc):
                    raise  # a database opened read-only keeps its journal mode
            cursor.execute(f"PRAGMA synchronous={synchronous}")
            cursor.execute("PRAGMA foreign_keys=ON")
        finally:
            cursor.close()

    return on_connect


def _sqlite_on_begin(conn: Connection) -> None:
    # Writers take the write lock up front, so they queue (busy timeout) rather than
    # fail at their first write; readers take a snapshot.
    write = conn.get_execution_options().get(_WRITE, False)
    sql = "BEGIN IMMEDIATE" if write else "BEGIN"
    if _observed(conn.engine):
        conn.exec_driver_sql(sql)
        return
    dbapi = conn.connection.dbapi_connection
    assert dbapi is not None
    try:
        dbapi.execute(sql)
    except conn.dialect.loaded_dbapi.Error as exc:
        raise _as_sqlalchemy_error(conn.dialect, sql, exc) from exc


_SCHEMA_NAME = re.compile(r"[a-z_][a-z0-9_]{0,62}")


def check_schema_name(schema: str) -> str:
    """``schema`` if it is a PostgreSQL schema name the store can use (lower-case
    letters, digits and underscores, not starting with a digit, at most 63
    characters: a name PostgreSQL keeps as written, with no quoting); otherwise
    :class:`~scr_engine.errors.StorageError` saying so."""
    if not isinstance(schema, str) or _SCHEMA_NAME.fullmatch(schema) is None:
        raise StorageError(
            f"schema must be a PostgreSQL schema name of lower-case letters, digits and "
            f"underscores, not starting with a digit, at most 63 characters: {schema!r}"
        )
    return schema


def ensure_schema(engine: Engine, schema: str) -> None:
    """Create the PostgreSQL schema ``schema`` if it does not exist yet."""
    with engine.begin() as conn:
        conn.exec_driver_sql(f'CREATE SCHEMA IF NOT EXISTS "{check_schema_name(schema)}"')


def database_url(url: str | URL) -> URL:
    """``url`` parsed; text that is no URL (a file's path, say) is :class:`StorageError`
    saying how a database URL is written (the text itself is not repeated: it may hold
    a password)."""
    try:
        return sa.make_url(url)
    except sa.exc.ArgumentError as exc:
        raise StorageError(
            "the database is named by a URL: a SQLite file as sqlite:///board.sqlite3 "
            "(relative to the working directory) or sqlite:////srv/scr/board.sqlite3, "
            "PostgreSQL as postgresql+psycopg://user@host/database"
        ) from exc


def create_engine(
    url: str | URL,
    *,
    durable: bool = True,
    timeout: float = 30.0,
    schema: str | None = None,
    **options: Any,
) -> Engine:
    """A SQLAlchemy engine configured as the SQL store needs it.

    For SQLite: WAL mode, ``foreign_keys=ON``, ``synchronous=FULL`` (``NORMAL`` when
    ``durable`` is false, see the module documentation), a busy timeout of ``timeout``
    seconds, and transactions begun by SQLAlchemy (``BEGIN IMMEDIATE`` for the store's
    writes) so that SAVEPOINTs work. A host that hands the store its own SQLite
    connection (:meth:`SqlStore.from_connection`) should make its engine here.
    ``options`` go to :func:`sqlalchemy.create_engine`.

    For PostgreSQL, ``schema`` names the schema the store's tables live in (each
    connection's ``search_path``), so that one database can hold several stores, or
    a store beside a host's own tables; by default, the server's ``search_path``
    (usually ``public``). It is refused for SQLite, which has no schemas.

    For PostgreSQL, pooled connections are not tested before use (SQLAlchemy's
    ``pool_pre_ping`` costs a round trip to the server on every checkout, two per
    command): after the server restarts or drops a connection, the one operation
    that meets the dead connection fails with :class:`StorageError` and the pool
    replaces it. Pass ``pool_pre_ping=True`` to have every checkout tested instead.

    Raises :class:`StorageError` for a database other than SQLite or PostgreSQL, an
    in-memory SQLite database (the store uses several connections; use
    :class:`~scr_engine.MemoryStore`), or a malformed URL.
    """
    with _translated("creating the database engine"):
        parsed = database_url(url)
        backend = parsed.get_backend_name()
        if backend not in _SUPPORTED:
            raise StorageError(
                f"scr_engine stores reviews in SQLite or PostgreSQL, not {backend!r}"
            )
        if schema is not None and backend == "sqlite":
            raise StorageError("schema is for PostgreSQL: a SQLite database has no schemas")
        if backend == "sqlite":
            mode = parsed.query.get("mode")
            if parsed.database in (None, "", ":memory:") or "memory" in (
                mode if isinstance(mode, tuple) else (mode,)
            ):
                raise StorageError(
                    "an in-memory SQLite database lives in one connection, and the SQL "
                    "store uses several: give a file (sqlite:///board.sqlite3), or use "
                    "MemoryStore to keep reviews in memory"
                )
            if parsed.database and not parsed.database.startswith("file:"):
                _check_directory(Path(parsed.database).absolute())
            connect_args = dict(options.pop("connect_args", {}))
            connect_args.setdefault("timeout", timeout)
            options.setdefault("pool_use_lifo", True)
            engine = sa.create_engine(parsed, connect_args=connect_args, **options)
            sa_event.listen(engine, "connect", _sqlite_on_connect("FULL" if durable else "NORMAL"))
            sa_event.listen(engine, "begin", _sqlite_on_begin)
        else:
            if schema is not None:
                connect_args = dict(options.pop("connect_args", {}))
                given = [connect_args.get("options"), parsed.query.get("options")]
                settings = [o for o in given if isinstance(o, str) and o]
                settings.append(f"-csearch_path={check_schema_name(schema)}")
                connect_args["options"] = " ".join(settings)
                options["connect_args"] = connect_args
            engine = sa.create_engine(parsed, **options)
    _ENGINES.add(engine)
    return engine


def _shown(url: URL) -> str:
    return url.render_as_string(hide_password=True)


# --------------------------------------------------------------------------- read-only


def _writable(path: Path) -> bool:
    """Whether ``path`` may be written: the process may (``os.access``) and its
    permissions grant someone write access (root passes ``os.access`` whatever the
    permissions say; a file or directory nobody may write is read-only for it too)."""
    try:
        mode = path.stat().st_mode
    except OSError:
        return False
    return os.access(path, os.W_OK) and bool(mode & 0o222)


def _check_directory(path: Path) -> None:
    """Refuse a SQLite database whose directory does not exist, naming it (SQLite
    creates the file, not its directory, and says only "unable to open database
    file")."""
    if not path.exists() and not path.parent.is_dir():
        raise StorageError(
            f"cannot create the database {path}: there is no directory {path.parent} "
            "(SQLite creates the file, not its directory)"
        )


def _sqlite_read_only(url: URL) -> tuple[str, URL] | None:
    """For a SQLite file that cannot be written, why (naming the file or the
    directory), and the URL that opens it read-only (SQLite's ``mode=ro``); None for
    a writable one, one the URL already opens read-only, an in-memory database or
    another backend."""
    if url.get_backend_name() != "sqlite":
        return None
    database = url.database or ""
    query = dict(url.query)
    if query.get("mode") == "ro" or query.get("immutable") in ("1", "true"):
        return None  # the host asked for it: SQLite itself refuses every write
    if not database or database == ":memory:" or database.startswith("file:"):
        return None
    path = Path(database).absolute()
    folder = path.parent
    if not path.exists():
        _check_directory(path)
        if not _writable(folder):
            raise StorageError(
                f"cannot create the database {path}: the directory {folder} is read-only"
            )
        return None
    problems = []
    if not _writable(path):
        problems.append(f"the file {path} is read-only")
    if not _writable(folder):
        problems.append(f"the directory {folder} is read-only")
    if not problems:
        return None
    uri = "file:" + urllib.parse.quote(str(path))
    return " and ".join(problems), url.set(
        database=uri, query={**query, "mode": "ro", "uri": "true"}
    )


def _savepoints_work(connection: Connection) -> bool:
    """True when SAVEPOINTs nest inside the host's SQLite transaction."""
    if connection.connection.info.get(_CONFIGURED):
        return True
    dbapi = connection.connection.dbapi_connection
    return getattr(dbapi, "autocommit", None) is False


# --------------------------------------------------------------------------- sessions


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


_ENGINES: weakref.WeakSet[Engine] = weakref.WeakSet()
"""Every engine :func:`create_engine` made that is still in use."""


def _forked() -> None:
    """In a child made by ``fork``: the kept connections and every pool of the
    engines made here are the parent's, and are left to it (SQLAlchemy's recipe for
    ``fork``, ``dispose(close=False)``): the child opens connections of its own, so
    that a pre-forking server (``scr serve --workers``, Gunicorn's ``--preload``) may
    open the store before it forks."""
    _forks[0] += 1
    for engine in list(_ENGINES):
        engine.dispose(close=False)


if hasattr(os, "register_at_fork"):  # no fork, no need, where it is missing
    os.register_at_fork(after_in_child=_forked)


class _Session:
    """One use of a connection by the hot paths: runs :class:`_Sql`'s statements.

    With ``dbapi`` (when nobody watches the engine's SQL: see :func:`_observed`) the
    statements run on the driver's connection itself: SQLAlchemy's own work per
    statement and per connection use cost more than SQLite's, and on PostgreSQL about
    as much client CPU as the round trip. The transaction is then the store's
    (SQLite: :meth:`Connections.writing`; PostgreSQL:
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

    @property
    def connection(self) -> Connection:
        """The SQLAlchemy connection (a session made for Core queries has one)."""
        assert self._conn is not None
        return self._conn

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


# --------------------------------------------------------------------------- reading and writing


class Connections:
    """How a store reaches its database: its own engine, or a connection the host owns.

    Every use of a connection is one of two context managers. :meth:`reading` is a
    read: one prebuilt statement in autocommit mode where it can be (one statement
    reads one snapshot by itself), or a transaction on a SQLAlchemy connection for
    Core queries. :meth:`writing` is a write: one transaction (SQLite:
    ``BEGIN IMMEDIATE``), a SAVEPOINT of the host's transaction, or, on PostgreSQL, one
    statement atomic by itself. Both yield a :class:`_Session`.
    """

    def __init__(
        self,
        sql: _Sql,
        *,
        engine: Engine | None = None,
        connection: Connection | None = None,
        read_only: str | None = None,
    ) -> None:
        self.sql = sql
        self.engine = engine
        """The store's own engine (None on a host's connection)."""
        self.connection = connection
        """The host's connection (None on the store's own engine)."""
        self.read_only = read_only
        """Why nothing may be written, or None."""
        self.writer: Engine | None = None
        self.reader: Engine | None = None
        self.reuse: _Reuse | None = None
        self.snapshots: Engine | None = None
        if engine is not None:
            self.writer = engine.execution_options(**{_WRITE: True})
            # PostgreSQL: a read is one statement, so it runs in autocommit mode (no
            # BEGIN and ROLLBACK round trips around it). SQLite: a plain deferred BEGIN.
            self.reader = (
                engine
                if engine.dialect.name == "sqlite"
                else engine.execution_options(isolation_level="AUTOCOMMIT")
            )
            # PostgreSQL: reads of several statements that must agree (``snapshot``).
            if engine.dialect.name != "sqlite":
                self.snapshots = engine.execution_options(
                    isolation_level="REPEATABLE READ", postgresql_readonly=True
                )
            # SQLite's hot paths keep connections between sessions (PostgreSQL's do not).
            if engine.dialect.name == "sqlite":
                pool = engine.pool
                keep = pool.size() if isinstance(pool, sa.pool.QueuePool) else 0
                self.reuse = _Reuse(engine, keep)
                # Dropped without close(), it returns its kept connections to the pool.
                weakref.finalize(self, self.reuse.close)

    def refuse_if_read_only(self) -> None:
        """Raise :class:`StorageError` when the database is read-only."""
        if self.read_only is not None:
            raise StorageError(f"the database is read-only ({self.read_only}): nothing is written")

    @contextmanager
    def reading(self, *, core: bool = False, snapshot: bool = False) -> Iterator[_Session]:
        """A session for a read.

        By default, for one prebuilt statement: in autocommit mode on the store's own
        engine (a statement reads one snapshot by itself: no BEGIN and ROLLBACK around
        it; on SQLite on a kept driver connection), in the host's transaction
        otherwise. With ``core``, a SQLAlchemy connection (:attr:`_Session.connection`)
        for several statements or Core queries: in a transaction on SQLite (a plain,
        deferred BEGIN: one snapshot, no write lock), in autocommit mode on
        PostgreSQL, in the host's transaction (begun if none is open: the host's to
        end) on a host's connection. With ``snapshot`` (implies ``core``), statements
        that must agree with each other: on PostgreSQL in one ``REPEATABLE READ, READ
        ONLY`` transaction too, so a write committed between two of them is seen by
        neither."""
        sql = self.sql
        engine = self.engine
        with ExitStack() as stack:
            if snapshot and self.snapshots is not None:
                conn = stack.enter_context(self.snapshots.connect())
                conn.begin()
                yield _Session(conn, None, sql)
            elif core or snapshot or engine is None or _observed(engine):
                conn = self._core(stack, write=False)
                yield _Session(conn, None, sql) if core or snapshot else _Session.on(conn, sql)
            elif sql.sqlite:  # the driver's connection is in autocommit mode already
                yield self._kept(stack)
            else:
                yield self._autocommit(stack, engine)

    @contextmanager
    def writing(self, *, core: bool = False, one_statement: bool = False) -> Iterator[_Session]:
        """A session for a write: one transaction (SQLite: ``BEGIN IMMEDIATE``), or a
        SAVEPOINT of the host's; committed (released) when the block ends without an
        exception, rolled back otherwise. Raises :class:`StorageError` on a read-only
        database.

        On SQLite and the store's own engine the transaction runs straight on a kept
        driver connection, unless ``core`` asks for a SQLAlchemy connection
        (:attr:`_Session.connection`). With ``one_statement`` (PostgreSQL: a statement
        atomic by itself) it runs in autocommit mode on the store's own engine, with no
        BEGIN and COMMIT round trips."""
        self.refuse_if_read_only()
        sql = self.sql
        engine = self.engine
        with ExitStack() as stack:
            if core:
                yield _Session(self._core(stack, write=True), None, sql)
            elif one_statement and engine is not None:
                if _observed(engine):
                    assert self.reader is not None
                    yield _Session(stack.enter_context(self.reader.connect()), None, sql)
                else:
                    yield self._autocommit(stack, engine)
            elif engine is None or not sql.sqlite or _observed(engine):
                yield _Session.on(self._core(stack, write=True), sql)
            else:
                session = self._kept(stack)
                session.run("BEGIN IMMEDIATE")
                try:
                    yield session
                except BaseException:
                    session.rollback_quietly()
                    raise
                try:
                    session.commit()
                except BaseException:
                    session.rollback_quietly()
                    raise

    def _core(self, stack: ExitStack, *, write: bool) -> Connection:
        """A SQLAlchemy connection in its transaction, until ``stack`` closes."""
        conn = self.connection
        if conn is not None:
            if write:
                stack.enter_context(conn.begin_nested())
            elif not conn.in_transaction():
                conn.begin()  # what SQLAlchemy's autobegin would do: the host's to end
            return conn
        if write:
            assert self.writer is not None
            return stack.enter_context(self.writer.begin())
        assert self.reader is not None
        conn = stack.enter_context(self.reader.connect())
        if self.sql.sqlite:
            conn.begin()  # a plain, deferred BEGIN: one snapshot, no write lock
        return conn

    def _kept(self, stack: ExitStack) -> _Session:
        """SQLite, the store's own engine: a session on a kept driver connection,
        given back when ``stack`` closes."""
        reuse = self.reuse
        assert reuse is not None
        pooled = reuse.take()
        stack.callback(reuse.give, pooled)
        return _Session(None, pooled.dbapi_connection, self.sql, pooled)

    def _autocommit(self, stack: ExitStack, engine: Engine) -> _Session:
        """PostgreSQL, the store's own engine: a session on a pooled connection in
        autocommit mode, for one statement, until ``stack`` closes."""
        pooled = engine.raw_connection()
        stack.callback(pooled.close)
        dbapi: Any = pooled.dbapi_connection

        def reset(exc_type: type[BaseException] | None, *_: object) -> bool:
            if exc_type is None:
                dbapi.autocommit = False
            elif pooled.is_valid:
                try:
                    dbapi.autocommit = False
                except Exception as exc:
                    pooled.invalidate(exc)
            return False

        dbapi.autocommit = True
        stack.push(reset)
        return _Session(None, dbapi, self.sql, pooled, engine)

    def vacuum(self) -> None:
        """The store's own engine: ``VACUUM`` between two WAL checkpoints on SQLite
        (the kept connections given back first), ``VACUUM FULL`` of the store's tables
        on PostgreSQL (see :meth:`~scr_engine.storage.sql.SqlStore.vacuum`)."""
        engine = self.engine
        assert engine is not None
        with _translated("vacuuming the database"):
            if self.sql.sqlite:
                if self.reuse is not None:
                    self.reuse.close()
                with engine.connect() as conn:
                    raw = conn.connection.dbapi_connection
                    assert raw is not None
                    for statement in (
                        "PRAGMA wal_checkpoint(TRUNCATE)",
                        "VACUUM",
                        "PRAGMA wal_checkpoint(TRUNCATE)",
                    ):
                        raw.execute(statement)
            else:
                with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                    names = ", ".join(t.name for t in schema.metadata.sorted_tables)
                    conn.exec_driver_sql(f"VACUUM FULL {names}")

    def close(self) -> None:
        """Give back the kept connections and dispose of the store's own engine."""
        if self.reuse is not None:
            self.reuse.close()
        if self.engine is not None:
            self.engine.dispose()
