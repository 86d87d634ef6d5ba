"""The SQL store: reviews in SQLite (the embedded default) or PostgreSQL (scale-out).

:class:`SqlStore` satisfies :class:`~scr_engine.storage.port.ReviewStore` with
SQLAlchemy 2 Core over the tables of :mod:`scr_engine.storage.schema`, and behaves
exactly like :class:`~scr_engine.storage.memory.MemoryStore` (the shared contract
suite, :mod:`scr_engine.testing`, proves it). It needs the ``sql`` extra
(``pip install 'scr_engine[sql]'``, or ``[postgres]`` for PostgreSQL); importing
:mod:`scr_engine` never imports this module or SQLAlchemy.

Opening a store::

    store = SqlStore("sqlite:///board.db", migrate="create")        # embedded
    store = SqlStore("postgresql+psycopg://app@db/board")            # scale-out

Schema. The schema is versioned with the Alembic migrations shipped in the package.
At start-up the store reads the database's schema revision and refuses to run against
one that is behind or ahead of this version of the library, raising
:class:`~scr_engine.errors.SchemaMismatch` naming the command that upgrades it
(``python -m scr_engine db upgrade --url URL``, or :func:`upgrade`). ``migrate``
chooses what happens instead:

- ``"check"`` (the default): never change the schema, only check it. Right for a
  shared PostgreSQL database, upgraded once per release by a deliberate step.
- ``"create"``: build the schema in a database that has none yet (a new SQLite file,
  an empty PostgreSQL schema); an existing schema must already be current.
- ``"upgrade"``: bring a database with no schema or an older one to the current
  revision. Convenient for an embedded SQLite file owned by one application.

A database whose schema is *ahead* (upgraded by a newer scr_engine) is always refused:
upgrade the library, not the database.

Atomicity and concurrency. :meth:`SqlStore.save` writes the review, its history
event, its deadline rows and its tasks in one transaction, guarded by an optimistic
check on the review's version (``UPDATE … WHERE id = :id AND version = :expected``):
of two writers racing on one review, one commits and the other gets
:class:`~scr_engine.errors.ConcurrencyConflict`, never a lost update or a duplicate
event. On SQLite every write transaction starts with ``BEGIN IMMEDIATE`` (SQLAlchemy's
documented pysqlite recipe: the driver's own transaction handling is switched off and
the store emits ``BEGIN`` itself), so two writers queue for the write lock, waiting up
to ``timeout`` seconds, instead of one failing late with "database is locked"; reads
use a plain deferred ``BEGIN`` and, in WAL mode, never block or get blocked by writers.

Durability (SQLite). The database runs in WAL mode with ``foreign_keys=ON``. With
``durable=True`` (the default) it also runs ``synchronous=FULL``: every commit is
fsynced before :meth:`SqlStore.save` returns, so a saved review survives a power cut
or an operating-system crash. ``durable=False`` uses ``synchronous=NORMAL``: commits
are fsynced only at WAL checkpoints, which makes each write markedly cheaper (no disk
flush per commit). The database is never corrupted and a crash of the application
itself loses nothing, but a power cut or OS crash may lose the last commits before
it (each rolled back whole, never half-applied). Choose it only where the host can
redo recent work: bulk imports, tests, caches. PostgreSQL's durability is the
server's own configuration (``synchronous_commit``).

A host's transaction. :meth:`SqlStore.from_connection` runs the store on a
connection the host owns: every write happens inside the host's transaction, in a
SAVEPOINT, and is *not* committed by the store. The host commits its own rows and the
review's change together, or rolls both back; a save that fails (a conflict, a
database error) rolls back to its savepoint and leaves the host's transaction usable.

Errors. Driver errors (sqlite3, psycopg, SQLAlchemy, Alembic) never reach callers:
each is raised as :class:`~scr_engine.errors.StorageError` (or
:class:`~scr_engine.errors.ConcurrencyConflict`) with the original chained as
``__cause__``. Messages carry the driver's first line, never the SQL's parameters
(which hold personal data).

Storage format: see :mod:`scr_engine.storage.schema`.
"""

from __future__ import annotations

import functools
import json
import sqlite3
import sys
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any, Literal, TypeAlias

try:
    import sqlalchemy as sa
    from sqlalchemy import event as sa_event
    from sqlalchemy.dialects import postgresql as pg_dialect
    from sqlalchemy.dialects import sqlite as sqlite_dialect
    from sqlalchemy.engine import URL, Connection, Engine
except ImportError as exc:  # pragma: no cover - depends on the installed extras
    raise ImportError(
        "scr_engine.storage.sql needs SQLAlchemy and Alembic: "
        "pip install 'scr_engine[sql]' (or 'scr_engine[postgres]')"
    ) from exc

if TYPE_CHECKING:
    from alembic.config import Config

from scr_engine.clock import Clock, SystemClock
from scr_engine.errors import (
    ConcurrencyConflict,
    InvalidRequest,
    ReviewNotFound,
    SchemaMismatch,
    ScrEngineError,
    StorageError,
)
from scr_engine.history import Event, event_from_dict
from scr_engine.records import Review, Task, TaskKind
from scr_engine.rules.deadlines import DeadlineStatus
from scr_engine.rules.reasons import Refusal, RefusalKind
from scr_engine.serialization import canonical_json, structure, unstructure
from scr_engine.states.stages import Stage
from scr_engine.storage import schema
from scr_engine.storage.port import DeadlineRow, check_page, check_rows
from scr_engine.storage.schema import VERSION_TABLE, running_deadline, task_pending

__all__ = [
    "MIGRATIONS",
    "Migrate",
    "SqlStore",
    "alembic_config",
    "create_engine",
    "schema_revision",
    "upgrade",
]

Migrate: TypeAlias = Literal["check", "create", "upgrade"]
"""What :class:`SqlStore` does with the database's schema at start-up."""

MIGRATIONS = Path(__file__).with_name("migrations")
"""The Alembic script directory shipped in the package."""

_SUPPORTED = ("sqlite", "postgresql")
_WRITE = "scr_engine_write"
_CONFIGURED = "scr_engine_sqlite"  # marks a pooled connection made by create_engine()
_ADVISORY_LOCK = 0x5C2E_0001  # pg_advisory_xact_lock key serializing schema upgrades
_UPGRADE_HINT = "python -m scr_engine db upgrade --url {url}"


# --------------------------------------------------------------------------- errors


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


# --------------------------------------------------------------------------- engines


def _sqlite_on_connect(synchronous: str) -> Callable[[Any, Any], None]:
    def on_connect(dbapi_connection: Any, record: Any) -> None:
        # Switch off the driver's own BEGIN handling: _sqlite_on_begin emits BEGIN.
        dbapi_connection.isolation_level = None
        record.info[_CONFIGURED] = True
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute(f"PRAGMA synchronous={synchronous}")
            cursor.execute("PRAGMA foreign_keys=ON")
        finally:
            cursor.close()

    return on_connect


def _sqlite_on_begin(conn: Connection) -> None:
    # Writers take the write lock up front, so they queue (busy timeout) rather than
    # fail at their first write; readers take a snapshot.
    write = conn.get_execution_options().get(_WRITE, False)
    conn.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")


def create_engine(
    url: str | URL, *, durable: bool = True, timeout: float = 30.0, **options: Any
) -> Engine:
    """A SQLAlchemy engine configured as the SQL store needs it.

    For SQLite: WAL mode, ``foreign_keys=ON``, ``synchronous=FULL`` (``NORMAL`` when
    ``durable`` is false, see the module documentation), a busy timeout of ``timeout``
    seconds, and transactions begun by SQLAlchemy (``BEGIN IMMEDIATE`` for the store's
    writes) so that SAVEPOINTs work. A host that hands the store its own SQLite
    connection (:meth:`SqlStore.from_connection`) should make its engine here.
    ``options`` go to :func:`sqlalchemy.create_engine`.

    Raises :class:`StorageError` for a database other than SQLite or PostgreSQL, or a
    malformed URL.
    """
    with _translated("creating the database engine"):
        parsed = sa.make_url(url)
        backend = parsed.get_backend_name()
        if backend not in _SUPPORTED:
            raise StorageError(
                f"scr_engine stores reviews in SQLite or PostgreSQL, not {backend!r}"
            )
        if backend == "sqlite":
            connect_args = dict(options.pop("connect_args", {}))
            connect_args.setdefault("timeout", timeout)
            engine = sa.create_engine(parsed, connect_args=connect_args, **options)
            sa_event.listen(engine, "connect", _sqlite_on_connect("FULL" if durable else "NORMAL"))
            sa_event.listen(engine, "begin", _sqlite_on_begin)
        else:
            options.setdefault("pool_pre_ping", True)
            engine = sa.create_engine(parsed, **options)
    return engine


def _shown(url: URL) -> str:
    return url.render_as_string(hide_password=True)


# --------------------------------------------------------------------------- schema


def alembic_config(connection: Connection | None = None) -> Config:
    """An Alembic ``Config`` for the shipped migrations, made in code (no
    ``alembic.ini``); ``connection`` is passed to ``env.py`` in
    ``config.attributes["connection"]``. For tooling; :func:`upgrade` uses it."""
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    if connection is not None:
        config.attributes["connection"] = connection
    return config


@functools.cache
def _head_revisions() -> tuple[str, ...]:
    from alembic.script import ScriptDirectory

    return tuple(sorted(ScriptDirectory.from_config(alembic_config()).get_heads()))


def _current_revisions(conn: Connection) -> tuple[str, ...]:
    from alembic.runtime.migration import MigrationContext

    context = MigrationContext.configure(conn, opts={"version_table": VERSION_TABLE})
    return tuple(sorted(context.get_current_heads()))


def _is_known(revision: str) -> bool:
    from alembic.script import ScriptDirectory
    from alembic.util.exc import CommandError

    try:
        return ScriptDirectory.from_config(alembic_config()).get_revision(revision) is not None
    except CommandError:
        return False


def _check_schema(conn: Connection, url: URL) -> None:
    """Raise :class:`SchemaMismatch` unless the database is at the head revision."""
    current = _current_revisions(conn)
    head = _head_revisions()
    if current == head:
        return
    where = _shown(url)
    wanted = ", ".join(head)
    unknown = [r for r in current if not _is_known(r)]
    if unknown:
        raise SchemaMismatch(
            f"the database at {where} has scr_engine schema revision {', '.join(current)}, "
            f"which is ahead of this version of scr_engine (it needs {wanted}): the database "
            "was upgraded by a newer scr_engine. Upgrade scr_engine rather than the database; "
            "schemas are never downgraded automatically.",
            current=current,
            expected=head,
            ahead=True,
        )
    found = f"schema revision {', '.join(current)}" if current else "no scr_engine schema"
    raise SchemaMismatch(
        f"the database at {where} has {found}; this version of scr_engine needs revision "
        f"{wanted}. Upgrade it with `{_UPGRADE_HINT.format(url=where)}` (or open the store "
        "with SqlStore(url, migrate='upgrade')).",
        current=current,
        expected=head,
        ahead=False,
    )


def _run_upgrade(conn: Connection, revision: str) -> tuple[str, ...]:
    from alembic import command

    if conn.dialect.name == "postgresql":
        # One upgrader at a time when several application servers start together.
        conn.execute(sa.text("SELECT pg_advisory_xact_lock(:key)"), {"key": _ADVISORY_LOCK})
    command.upgrade(alembic_config(conn), revision)
    return _current_revisions(conn)


def upgrade(
    url_or_connection: str | URL | Engine | Connection,
    revision: str = "head",
    *,
    durable: bool = True,
) -> tuple[str, ...]:
    """Migrate the database's scr_engine schema to ``revision`` (the latest by
    default); returns the revision(s) it is then at.

    Given a URL or an engine, it commits the upgrade itself. Given a connection, it
    runs inside the connection's transaction if one is open (the caller commits), and
    in a transaction of its own otherwise. On PostgreSQL an advisory lock serializes
    concurrent upgrades; on SQLite the write lock does. Raises :class:`StorageError`.
    """
    what = "upgrading the scr_engine schema"
    if isinstance(url_or_connection, Connection):
        conn = url_or_connection
        with _translated(what):
            if conn.in_transaction():
                return _run_upgrade(conn, revision)
            with conn.begin():
                return _run_upgrade(conn, revision)
    owned = not isinstance(url_or_connection, Engine)
    engine = (
        create_engine(url_or_connection, durable=durable)
        if not isinstance(url_or_connection, Engine)
        else url_or_connection
    )
    try:
        with _translated(what), engine.execution_options(**{_WRITE: True}).begin() as conn:
            return _run_upgrade(conn, revision)
    finally:
        if owned:
            engine.dispose()


def schema_revision(url_or_connection: str | URL | Connection) -> tuple[str, ...]:
    """The scr_engine schema revision(s) the database is at (empty when it has none).
    Raises :class:`StorageError`."""
    with _translated("reading the scr_engine schema revision"):
        if isinstance(url_or_connection, Connection):
            return _current_revisions(url_or_connection)
        engine = create_engine(url_or_connection)
        try:
            with engine.connect() as conn:
                return _current_revisions(conn)
        finally:
            engine.dispose()


# --------------------------------------------------------------------------- rows


def _utc_text(at: datetime) -> str:
    """Fixed-width UTC ISO text: sorts in time order."""
    if at.tzinfo is None or at.utcoffset() is None:
        raise StorageError(f"a stored time must carry a time zone, not {at.isoformat()}")
    return at.astimezone(UTC).isoformat(timespec="microseconds")


def _decode_review(data: str) -> Review:
    try:
        return structure(json.loads(data), Review, what="stored review")
    except (ValueError, ScrEngineError) as exc:
        raise StorageError(f"a stored review cannot be read: {exc}") from exc


def _event_values(event: Event) -> dict[str, Any]:
    return {
        "review_id": event.review_id,
        "sequence": event.sequence,
        "at": event.at.isoformat(),
        "actor_id": event.actor_id,
        "role": event.role.value,
        "command": event.command,
        "payload": canonical_json(event.payload),
        "stage_before": event.stage_before.value if event.stage_before is not None else None,
        "stage_after": event.stage_after.value,
        "prev_hash": event.prev_hash,
        "hash": event.hash,
    }


def _decode_event(row: sa.Row[Any]) -> Event:
    try:
        data = dict(row._mapping)
        data["payload"] = json.loads(data["payload"])
        return event_from_dict(data)
    except (ValueError, ScrEngineError) as exc:
        raise StorageError(f"a stored event cannot be read: {exc}") from exc


def _deadline_values(row: DeadlineRow) -> dict[str, Any]:
    return {
        "review_id": row.review_id,
        "key": row.key,
        "reference": row.reference,
        "rule": row.rule,
        "title": row.title,
        "due_on": row.due_on,
        "met_on": row.met_on,
        "status": row.status.value,
        "running": row.running,
    }


def _decode_deadline(row: sa.Row[Any]) -> DeadlineRow:
    try:
        return DeadlineRow(
            row.review_id,
            row.reference,
            row.key,
            row.rule,
            row.title,
            row.due_on,
            row.met_on,
            DeadlineStatus(row.status),
        )
    except ValueError as exc:
        raise StorageError(f"a stored deadline cannot be read: {exc}") from exc


def _task_values(task: Task) -> dict[str, Any]:
    return {
        "id": task.id,
        "review_id": task.review_id,
        "kind": task.kind.value,
        "agency": task.agency,
        "created_at": _utc_text(task.created_at),
        "rule": task.rule,
    }


def _decode_task(row: sa.Row[Any]) -> Task:
    try:
        return Task(
            row.id,
            row.review_id,
            TaskKind(row.kind),
            row.agency,
            datetime.fromisoformat(row.created_at),
            row.rule,
        )
    except ValueError as exc:
        raise StorageError(f"a stored task cannot be read: {exc}") from exc


def _upsert(conn: Connection, table: sa.Table) -> Any:
    """The dialect's INSERT, which has ``on_conflict_do_*``."""
    if conn.dialect.name == "postgresql":
        return pg_dialect.insert(table)
    return sqlite_dialect.insert(table)


# --------------------------------------------------------------------------- store


class SqlStore:
    """A :class:`~scr_engine.storage.port.ReviewStore` in SQLite or PostgreSQL.

    :param url: a SQLAlchemy URL: ``sqlite:///path/to/board.db`` or
        ``postgresql+psycopg://user@host/db``. (``sqlite://``, in memory, gives each
        thread its own empty database: use :class:`~scr_engine.MemoryStore` instead.)
    :param migrate: ``"check"`` (default) refuses a database whose schema is not
        current; ``"create"`` also builds the schema in a database that has none;
        ``"upgrade"`` also upgrades an older schema. See the module documentation.
    :param durable: SQLite only: ``synchronous=FULL`` (default) or ``NORMAL``.
    :param timeout: SQLite only: how long a writer waits for the write lock, seconds.
    :param clock: when tasks are marked completed (the system clock by default).
    :param engine_options: passed on to :func:`sqlalchemy.create_engine` (pool size…).

    Raises :class:`~scr_engine.errors.SchemaMismatch` when the schema is behind or
    ahead, :class:`~scr_engine.errors.StorageError` when the database cannot be used.
    The store is safe to share between threads; call :meth:`close` (or use it as a
    context manager) to release its connections.
    """

    _engine: Engine | None
    _writer: Engine | None
    _connection: Connection | None

    def __init__(
        self,
        url: str | URL,
        *,
        migrate: Migrate = "check",
        durable: bool = True,
        timeout: float = 30.0,
        clock: Clock | None = None,
        engine_options: Mapping[str, Any] | None = None,
    ) -> None:
        if migrate not in ("check", "create", "upgrade"):
            raise InvalidRequest(
                "SqlStore",
                [
                    Refusal(
                        "INPUT",
                        f"migrate must be 'check', 'create' or 'upgrade', not {migrate!r}",
                        RefusalKind.INPUT,
                        "migrate",
                    )
                ],
            )
        engine = create_engine(url, durable=durable, timeout=timeout, **dict(engine_options or {}))
        self._engine = engine
        self._writer = engine.execution_options(**{_WRITE: True})
        self._connection = None
        self._clock: Clock = clock if clock is not None else SystemClock()
        try:
            self._prepare(migrate)
        except BaseException:
            engine.dispose()
            raise

    @classmethod
    def from_connection(
        cls, connection: Connection, *, check_schema: bool = True, clock: Clock | None = None
    ) -> SqlStore:
        """A store working inside a connection the host owns.

        Every write runs in a SAVEPOINT of the host's transaction (begun if none is
        open) and is left for the host to commit or roll back; a failed write rolls
        back to its savepoint and leaves the host's transaction usable. Reads see the
        host's uncommitted writes. Such a store is not thread-safe, like the
        connection. With ``check_schema`` (default) it raises
        :class:`~scr_engine.errors.SchemaMismatch` unless the schema is current.

        On SQLite the connection must come from an engine made by
        :func:`create_engine` (or one using ``sqlite3``'s ``autocommit=False`` mode):
        with the driver's legacy transaction handling, releasing the store's
        savepoint would commit the host's transaction.
        """
        store = cls.__new__(cls)
        store._engine = None
        store._writer = None
        store._connection = connection
        store._clock = clock if clock is not None else SystemClock()
        with _translated("opening the store on the host's connection"):
            dialect = connection.dialect.name
            if dialect not in _SUPPORTED:
                raise StorageError(
                    f"scr_engine stores reviews in SQLite or PostgreSQL, not {dialect!r}"
                )
            if dialect == "sqlite" and not _savepoints_work(connection):
                raise StorageError(
                    "this SQLite connection uses the driver's legacy transaction handling, "
                    "in which a savepoint's release commits the host's transaction: make "
                    "its engine with scr_engine.storage.sql.create_engine(url)"
                )
            if check_schema:
                _check_schema(connection, connection.engine.url)
        return store

    # ------------------------------------------------------------- lifecycle

    def _prepare(self, migrate: Migrate) -> None:
        assert self._engine is not None and self._writer is not None
        url = self._engine.url
        with _translated(f"opening the store at {_shown(url)}"):
            with self._engine.connect() as conn:
                try:
                    _check_schema(conn, url)
                    return
                except SchemaMismatch as mismatch:
                    if mismatch.ahead or migrate == "check":
                        raise
                    if migrate == "create" and mismatch.current:
                        raise
            with self._writer.begin() as conn:
                if migrate == "create" and _current_revisions(conn):
                    _check_schema(conn, url)  # someone else created it meanwhile
                _run_upgrade(conn, "head")
                _check_schema(conn, url)

    @property
    def engine(self) -> Engine | None:
        """The store's own engine (``None`` for a store on a host's connection)."""
        return self._engine

    def close(self) -> None:
        """Release the store's connections (a host's connection is left alone)."""
        if self._engine is not None:
            self._engine.dispose()

    def __enter__(self) -> SqlStore:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def __repr__(self) -> str:
        if self._engine is not None:
            return f"SqlStore({_shown(self._engine.url)!r})"
        return "SqlStore.from_connection(...)"

    @contextmanager
    def _read(self) -> Iterator[Connection]:
        if self._connection is not None:
            yield self._connection
        else:
            assert self._engine is not None
            with self._engine.connect() as conn:
                yield conn

    @contextmanager
    def _write(self) -> Iterator[Connection]:
        if self._connection is not None:
            with self._connection.begin_nested():
                yield self._connection
        else:
            assert self._writer is not None
            with self._writer.begin() as conn:
                yield conn

    # ------------------------------------------------------------- the port

    def load(self, review_id: str) -> Review:
        """The review at its latest version; :class:`~scr_engine.ReviewNotFound` if none."""
        with _translated(f"loading review {review_id!r}"), self._read() as conn:
            data = conn.execute(
                sa.select(schema.reviews.c.data).where(schema.reviews.c.id == review_id)
            ).scalar_one_or_none()
        if data is None:
            raise ReviewNotFound(review_id)
        return _decode_review(data)

    def save(
        self,
        review: Review,
        event: Event,
        tasks: Sequence[Task] = (),
        deadlines: Sequence[DeadlineRow] | None = None,
        *,
        expected_version: int,
    ) -> None:
        """Store ``review`` with its new ``event``, its ``tasks`` and its ``deadlines``
        in one transaction, if the stored version is ``expected_version`` (0 for a new
        review); otherwise write nothing and raise
        :class:`~scr_engine.ConcurrencyConflict`.

        ``deadlines`` replaces every row stored for the review; ``None`` leaves them
        as they are. A row of another review raises :class:`StorageError`."""
        follows = (
            event.review_id == review.id
            and event.sequence == expected_version + 1
            and review.version == event.sequence
        )
        if deadlines is not None:
            check_rows(review, deadlines)
        review_values = {
            "id": review.id,
            "reference": review.reference,
            "stage": review.stage.value,
            "version": review.version,
            "settings_version": review.settings_version,
            "received_on": review.received_on,
            "data": canonical_json(unstructure(review)),
        }
        event_values = _event_values(event)
        deadline_values = (
            None if deadlines is None else [_deadline_values(row) for row in deadlines]
        )
        task_values = [_task_values(task) for task in tasks]
        with (
            _translated(f"saving review {review.id!r}"),
            _conflicts_on_serialization(review.id, expected_version),
            self._write() as conn,
        ):
            self._write_review(conn, review_values, expected_version)
            if not follows:
                raise StorageError(
                    f"event {event.sequence} does not follow version "
                    f"{expected_version} of review {review.id!r}"
                )
            try:
                conn.execute(sa.insert(schema.events), event_values)
            except sa.exc.IntegrityError as exc:
                raise ConcurrencyConflict(review.id, expected_version, None) from exc
            if deadline_values is not None:
                conn.execute(
                    sa.delete(schema.deadlines).where(schema.deadlines.c.review_id == review.id)
                )
                if deadline_values:
                    conn.execute(sa.insert(schema.deadlines), deadline_values)
            if task_values:
                insert = _upsert(conn, schema.tasks)
                conn.execute(
                    insert.on_conflict_do_update(
                        index_elements=[schema.tasks.c.id],
                        set_={
                            name: insert.excluded[name]
                            for name in ("review_id", "kind", "agency", "created_at", "rule")
                        },
                    ),
                    task_values,
                )

    def _write_review(
        self, conn: Connection, values: dict[str, Any], expected_version: int
    ) -> None:
        review_id: str = values["id"]
        if expected_version == 0:
            try:
                inserted = conn.execute(
                    _upsert(conn, schema.reviews)
                    .values(values)
                    .on_conflict_do_nothing(index_elements=[schema.reviews.c.id])
                    .returning(schema.reviews.c.id)
                ).scalar_one_or_none()
                written = 0 if inserted is None else 1
            except sa.exc.IntegrityError as exc:
                if "reference" in str(exc.orig):
                    raise StorageError(
                        f"reference {values['reference']!r} is already used by another review"
                    ) from exc
                raise ConcurrencyConflict(review_id, expected_version, None) from exc
        else:
            written = conn.execute(
                sa.update(schema.reviews)
                .where(
                    schema.reviews.c.id == review_id, schema.reviews.c.version == expected_version
                )
                .values({k: v for k, v in values.items() if k != "id"})
            ).rowcount
        if written != 1:
            actual = conn.execute(
                sa.select(schema.reviews.c.version).where(schema.reviews.c.id == review_id)
            ).scalar_one_or_none()
            raise ConcurrencyConflict(review_id, expected_version, actual or 0)

    def history(self, review_id: str) -> tuple[Event, ...]:
        """Every event of the review, in sequence order."""
        with _translated(f"reading the history of review {review_id!r}"), self._read() as conn:
            rows = conn.execute(
                sa.select(schema.events)
                .where(schema.events.c.review_id == review_id)
                .order_by(schema.events.c.sequence)
            ).all()
        if not rows:
            raise ReviewNotFound(review_id)
        return tuple(_decode_event(row) for row in rows)

    def overdue(
        self,
        as_of: date,
        within_days: int = 0,
        *,
        limit: int = 100,
        after: tuple[date, str, str] | None = None,
    ) -> list[DeadlineRow]:
        """Running deadlines due before ``as_of + within_days``, ordered by (due date,
        review ID, key), from the partial index on running deadlines; ``after`` is the
        ``sort_key`` of the previous page's last row."""
        check_page(limit)
        if limit == 0:
            return []
        cutoff = as_of + timedelta(days=within_days)
        d = schema.deadlines
        query = sa.select(d).where(running_deadline, d.c.due_on < cutoff)
        if after is not None:
            query = query.where(
                sa.tuple_(d.c.due_on, d.c.review_id, d.c.key)
                > sa.tuple_(
                    sa.literal(after[0], sa.Date()),
                    sa.literal(after[1], sa.String()),
                    sa.literal(after[2], sa.String()),
                )
            )
        query = query.order_by(d.c.due_on, d.c.review_id, d.c.key).limit(limit)
        with _translated("listing overdue deadlines"), self._read() as conn:
            rows = conn.execute(query).all()
        return [_decode_deadline(row) for row in rows]

    def deadline_rows(self, review_id: str) -> list[DeadlineRow]:
        """The rows stored for one review, by key (for tests and tooling)."""
        d = schema.deadlines
        with _translated(f"reading the deadlines of review {review_id!r}"), self._read() as conn:
            rows = conn.execute(
                sa.select(d).where(d.c.review_id == review_id).order_by(d.c.key)
            ).all()
        return [_decode_deadline(row) for row in rows]

    def list_by_stage(self, stage: Stage, *, limit: int = 100, offset: int = 0) -> list[Review]:
        """Reviews at ``stage``, ordered by reference."""
        check_page(limit, offset)
        if limit == 0:
            return []
        query = (
            sa.select(schema.reviews.c.data)
            .where(schema.reviews.c.stage == Stage(stage).value)
            .order_by(schema.reviews.c.reference)
            .limit(limit)
            .offset(offset)
        )
        with _translated(f"listing reviews at stage {stage!s}"), self._read() as conn:
            found = conn.execute(query).scalars().all()
        return [_decode_review(data) for data in found]

    def next_reference(self, year: int) -> str:
        """``SCR-<year>-<n>``, numbered from 001 each year by an atomic counter."""
        counters = schema.reference_counters
        with _translated(f"numbering a review of {year}"), self._write() as conn:
            insert = _upsert(conn, counters).values(year=year, last=1)
            number = conn.execute(
                insert.on_conflict_do_update(
                    index_elements=[counters.c.year], set_={"last": counters.c.last + 1}
                ).returning(counters.c.last)
            ).scalar_one()
        return f"SCR-{year}-{number:03d}"

    def pending_tasks(self, *, limit: int = 100) -> list[Task]:
        """Tasks not yet completed, oldest first (by creation time, then ID)."""
        check_page(limit)
        if limit == 0:
            return []
        t = schema.tasks
        query = sa.select(t).where(task_pending).order_by(t.c.created_at, t.c.id).limit(limit)
        with _translated("listing pending tasks"), self._read() as conn:
            rows = conn.execute(query).all()
        return [_decode_task(row) for row in rows]

    def complete_task(self, task_id: str) -> None:
        """Mark a task delivered (once: completing it again changes nothing); an
        unknown ID raises :class:`~scr_engine.errors.StorageError`."""
        t = schema.tasks
        now = _utc_text(self._clock.now())
        with _translated(f"completing task {task_id!r}"), self._write() as conn:
            found = conn.execute(
                sa.update(t)
                .where(t.c.id == task_id)
                .values(completed_at=sa.func.coalesce(t.c.completed_at, now))
            ).rowcount
            if found == 0:
                raise StorageError(f"no task {task_id!r}")


def _savepoints_work(connection: Connection) -> bool:
    """True when SAVEPOINTs nest inside the host's SQLite transaction."""
    if connection.connection.info.get(_CONFIGURED):
        return True
    dbapi = connection.connection.dbapi_connection
    return getattr(dbapi, "autocommit", None) is False
