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
to ``timeout`` seconds, instead of one failing late with "database is locked". Every
read is one statement: it reads one snapshot and, in WAL mode, never blocks or gets
blocked by writers.

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

Cost per command. The engine calls :meth:`SqlStore.load` and :meth:`SqlStore.save`
once each per command, and the store keeps both close to what SQLAlchemy Core alone
would spend on a versioned write:

- ``load`` reads the stored JSON (one ``SELECT``) and decodes it only when it is not
  the text of a review the store decoded or saved lately (a bounded cache per store,
  see :class:`SqlStore`): the cached review is used only for the very same text, so
  another process's write is always seen.
- ``save`` encodes the review from the JSON of the parts it shares with the version
  it was made from (taken from that version's stored text the first time), sets only
  the columns that changed (an indexed column set to its
  own value still rewrites its index), and writes only the deadline rows that differ
  from the stored ones.
- The hot statements are SQL text prepared once. On SQLite they run on the driver's
  connection (a read in autocommit mode, a write inside the transaction the store
  begins), unless someone watches the
  engine's SQL (cursor-execute listeners, ``echo``, the ``sqlalchemy.engine`` log),
  in which case everything goes through SQLAlchemy. On PostgreSQL a read is one
  statement in autocommit mode, and a save is one statement too (data-modifying
  ``WITH`` clauses: the versioned ``UPDATE``, then, for its row only, the event, the
  deadline rows and the tasks), atomic by itself: no ``BEGIN``/``COMMIT`` round trips.
  Connections are not pinged before use (see :func:`create_engine`).
- On SQLite the store keeps up to the pool's size of driver connections from one
  session to the next (checked out of the pool meanwhile), since a round through
  SQLAlchemy's pool costs about as much as the SQL of a session; :meth:`SqlStore.close`
  (or dropping the store) returns them. A process started by ``fork`` should open its
  own store rather than use its parent's.

Errors. Driver errors (sqlite3, psycopg, SQLAlchemy, Alembic) never reach callers:
each is raised as :class:`~scr_engine.errors.StorageError` (or
:class:`~scr_engine.errors.ConcurrencyConflict`) with the original chained as
``__cause__``. Messages carry the driver's first line, never the SQL's parameters
(which hold personal data).

Storage format: see :mod:`scr_engine.storage.schema`. Private helpers live beside this
module: :mod:`._codec` (a review's stored JSON, the decoded-review cache),
:mod:`._statements` (the hot paths' prebuilt SQL) and :mod:`._session` (running it).
"""

from __future__ import annotations

import bisect
import functools
import hashlib
import json
import os
import sqlite3
import sys
import urllib.parse
import weakref
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any, Literal, TypeAlias

try:
    import sqlalchemy as sa
    from sqlalchemy import event as sa_event
    from sqlalchemy.engine import URL, Connection, Engine
except ImportError as exc:  # pragma: no cover - depends on the installed extras
    raise ImportError(
        "scr_engine.storage.sql needs SQLAlchemy and Alembic: "
        "pip install 'scr_engine[sql]' (or 'scr_engine[postgres]')"
    ) from exc

if TYPE_CHECKING:
    from alembic.config import Config

from scr_engine.access import GENESIS as ACCESS_GENESIS
from scr_engine.access import AccessEntry, access_entry
from scr_engine.binding import column_problems, review_problems
from scr_engine.checkpoints import Checkpoint
from scr_engine.clock import Clock, SystemClock
from scr_engine.errors import (
    ConcurrencyConflict,
    IntegrityError,
    InvalidRequest,
    ReviewNotFound,
    SchemaMismatch,
    ScrEngineError,
    StorageError,
)
from scr_engine.history import Event
from scr_engine.records import Review, Role, Task, TaskKind, TaskState, TaskStatus
from scr_engine.rules.reasons import Refusal, RefusalKind
from scr_engine.serialization import canonical_json
from scr_engine.states.stages import TERMINAL_STAGES, Stage
from scr_engine.storage import schema
from scr_engine.storage._codec import (
    _Cached,
    _decode_review,
    _encode_review,
    _ReviewCache,
    _to_json,
)
from scr_engine.storage._session import _as_sqlalchemy_error as _wrapped
from scr_engine.storage._session import _observed, _Reuse, _Session
from scr_engine.storage._statements import _EVENT_COLUMNS, _TASK_COLUMNS, _Sql
from scr_engine.storage.port import DeadlineRow, StoredReview, check_page, check_rows
from scr_engine.storage.schema import VERSION_TABLE, task_pending

__all__ = [
    "MIGRATIONS",
    "Migrate",
    "SqlStore",
    "alembic_config",
    "completion_digest",
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
        raise _wrapped(conn.dialect, sql, exc) from exc


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
        parsed = sa.make_url(url)
        backend = parsed.get_backend_name()
        if backend not in _SUPPORTED:
            raise StorageError(
                f"scr_engine stores reviews in SQLite or PostgreSQL, not {backend!r}"
            )
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
            connect_args = dict(options.pop("connect_args", {}))
            connect_args.setdefault("timeout", timeout)
            options.setdefault("pool_use_lifo", True)
            engine = sa.create_engine(parsed, connect_args=connect_args, **options)
            sa_event.listen(engine, "connect", _sqlite_on_connect("FULL" if durable else "NORMAL"))
            sa_event.listen(engine, "begin", _sqlite_on_begin)
        else:
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


@functools.cache
def _shipped_head() -> tuple[str, ...]:
    """The head revision as the shipped migrations' file names give it (``NNNN_*.py``,
    numbered in order), read without importing Alembic; a test holds it equal to
    Alembic's own heads."""
    numbers = sorted(
        p.name[:4] for p in (MIGRATIONS / "versions").glob("[0-9][0-9][0-9][0-9]_*.py")
    )
    return (numbers[-1],) if numbers else ()


def _stored_revisions(conn: Connection) -> tuple[str, ...] | None:
    """The version table's revisions, read with one plain ``SELECT`` (no Alembic);
    None when there is no version table (or it cannot be read so simply)."""
    if not conn.dialect.has_table(conn, VERSION_TABLE):
        return None
    rows = conn.execute(sa.text(f"SELECT version_num FROM {VERSION_TABLE}")).scalars()
    return tuple(sorted(str(r) for r in rows))


def _check_schema(conn: Connection, url: URL) -> None:
    """Raise :class:`SchemaMismatch` unless the database is at the head revision.

    A database at the head is recognised without importing Alembic (a command-line
    process opening a current store should not pay for it); anything else is judged
    by Alembic."""
    head = _shipped_head()
    if head and _stored_revisions(conn) == head:
        return
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


_ROLES = {role.value: role for role in Role}
_STAGES = {stage.value: stage for stage in Stage}


def _text_or_none(value: Any) -> str | None:
    if value is not None and type(value) is not str:
        raise TypeError(f"expected text, got {type(value).__name__}")
    return value


def _decode_event(row: Any) -> Event:
    """An event from its row (a mapping, or a sequence in :data:`_EVENT_COLUMNS`
    order), built directly (the row's types are checked here, as the converter would);
    :class:`StorageError` when the row cannot be read."""
    try:
        mapping = getattr(row, "_mapping", None)
        values = tuple(mapping[c] for c in _EVENT_COLUMNS) if mapping is not None else tuple(row)
        (
            review_id,
            sequence,
            at,
            actor_id,
            role,
            command,
            payload,
            before,
            after,
            prev,
            hash_,
            state,
            commitments,
            salts,
            state_salt,
            fmt,
            key,
        ) = values
        for text in (review_id, at, actor_id, command, payload, prev, hash_):
            if type(text) is not str:
                raise TypeError(f"expected text, got {type(text).__name__}")
        if type(sequence) is not int or type(fmt) is not int:
            raise TypeError("sequence and format must be integers")
        when = datetime.fromisoformat(at)
        if when.tzinfo is None:
            raise ValueError("an event time must carry a time zone")
        data = json.loads(payload)
        if type(data) is not dict:
            raise TypeError("a payload must be a JSON object")
        if fmt == 1:
            state = state_salt = None
            kept: dict[str, Any] = {}
            committed: dict[str, Any] = {}
        else:
            committed = json.loads(_text_or_none(commitments) or "{}")
            kept = json.loads(_text_or_none(salts) or "{}")
            if (
                type(committed) is not dict
                or type(kept) is not dict
                or not all(
                    type(k) is str and type(v) is str
                    for mapping_ in (committed, kept)
                    for k, v in mapping_.items()
                )
            ):
                raise TypeError("commitments and salts must map text to text")
            _text_or_none(state)
            _text_or_none(state_salt)
        _text_or_none(key)
        return Event(
            review_id,
            sequence,
            when,
            actor_id,
            _ROLES[role],
            command,
            data,
            None if before is None else _STAGES[before],
            _STAGES[after],
            prev,
            hash_,
            state,
            committed,
            kept,
            state_salt,
            fmt,
            key,
        )
    except (ValueError, TypeError, KeyError) as exc:
        raise StorageError(f"a stored event cannot be read: {exc!r}") from exc


def _event_values(event: Event) -> tuple[Any, ...]:
    """An event's row, in :data:`_EVENT_COLUMNS` order."""
    v2 = event.format != 1
    return (
        event.review_id,
        event.sequence,
        event.at.isoformat(),
        event.actor_id,
        event.role.value,
        event.command,
        canonical_json(event.payload),
        event.stage_before.value if event.stage_before is not None else None,
        event.stage_after.value,
        event.prev_hash,
        event.hash,
        event.state,
        canonical_json(event.commitments) if v2 else None,
        canonical_json(event.salts) if v2 else None,
        event.state_salt,
        event.format,
        event.key,
    )


def _task_values(tasks: Sequence[Task]) -> list[tuple[Any, ...]]:
    """The tasks' rows, in :data:`_TASK_COLUMNS` order (a command's tasks share one
    creation time: its text is made once)."""
    times: dict[datetime, str] = {}
    rows = []
    for task in tasks:
        at = task.created_at
        text = times.get(at)
        if text is None:
            text = times[at] = _utc_text(at)
        rows.append((task.id, task.review_id, task.kind.value, task.agency, text, task.rule))
    return rows


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


def completion_digest(task_id: str, completed_at: str) -> str:
    """What ``scr_tasks.completion`` holds beside a completion time: a digest of the
    task id and that time, so that a completion time set or changed alone is found
    by :meth:`~scr_engine.ReviewEngine.verify`."""
    text = f"scr-task-done:1\x00{task_id}\x00{completed_at}"
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _decode_access(row: Any) -> AccessEntry:
    try:
        return AccessEntry(
            row.review_id,
            row.sequence,
            datetime.fromisoformat(row.at),
            row.actor_id,
            row.what,
            bool(row.granted),
            row.prev_hash,
            row.hash,
        )
    except (ValueError, TypeError) as exc:
        raise StorageError(f"a stored access entry cannot be read: {exc}") from exc


def _task_of(task_id: str, review_id: str) -> bool:
    """Whether a task id is one the engine makes for this review
    (``<review>:<version>:<kind>:<agency>``)."""
    rest = task_id[len(review_id) + 1 :] if task_id.startswith(review_id + ":") else ""
    return rest.split(":", 1)[0].isdigit()


def _upsert(conn: Connection, table: sa.Table) -> Any:
    """The dialect's INSERT, which has ``on_conflict_do_*`` (the dialect module is
    imported here, when first needed: a SQLite store never loads PostgreSQL's)."""
    if conn.dialect.name == "postgresql":
        from sqlalchemy.dialects import postgresql as pg_dialect

        return pg_dialect.insert(table)
    from sqlalchemy.dialects import sqlite as sqlite_dialect

    return sqlite_dialect.insert(table)


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
        if folder.is_dir() and not _writable(folder):
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
    :param cache_size: how many decoded reviews the store keeps (see
        :attr:`CACHE_SIZE`); 0 keeps none.

    Raises :class:`~scr_engine.errors.SchemaMismatch` when the schema is behind or
    ahead, :class:`~scr_engine.errors.StorageError` when the database cannot be used.
    The store is safe to share between threads; call :meth:`close` (or use it as a
    context manager) to release its connections.

    Decoded reviews. :meth:`load` reads the review's stored JSON every time, but
    decoding it (``json.loads`` and the converter) costs more than the read, and more
    as a review grows. The store keeps the last ``cache_size`` reviews it loaded or
    saved with their exact stored text, and returns the kept review when the text it
    just read is the same: reviews are immutable, and equal text decodes to an equal
    review, so the result is the same as decoding it, whatever other connections or
    processes wrote meanwhile. The kept reviews' texts total at most
    :attr:`CACHE_MAX_CHARS` characters (the least recently used go first); with what
    is kept beside each (the review, the JSON of its parts for the next save) that
    bounds the memory to a few times as much.
    """

    CACHE_SIZE = 256
    """Reviews a store keeps decoded, by default."""
    CACHE_MAX_CHARS = 16 << 20
    """The most characters of stored text the reviews a store keeps may total."""

    _engine: Engine | None
    _writer: Engine | None
    _reader: Engine | None
    _connection: Connection | None
    _reuse: _Reuse | None
    _sql: _Sql
    _cache: _ReviewCache

    def __init__(
        self,
        url: str | URL,
        *,
        migrate: Migrate = "check",
        durable: bool = True,
        timeout: float = 30.0,
        clock: Clock | None = None,
        engine_options: Mapping[str, Any] | None = None,
        cache_size: int = CACHE_SIZE,
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
        with _translated("opening the store"):
            read_only = _sqlite_read_only(sa.make_url(url))
        self.read_only: str | None = None
        """Why the store can only read (a read-only SQLite file or directory), or None."""
        if read_only is not None:
            self.read_only, url = read_only
        engine = create_engine(url, durable=durable, timeout=timeout, **dict(engine_options or {}))
        self._engine = engine
        self._writer = engine.execution_options(**{_WRITE: True})
        # PostgreSQL: a read is one statement, so it runs in autocommit mode (no BEGIN
        # and ROLLBACK round trips around it). SQLite: a plain deferred BEGIN.
        self._reader = (
            engine
            if engine.dialect.name == "sqlite"
            else engine.execution_options(isolation_level="AUTOCOMMIT")
        )
        self._connection = None
        self._clock: Clock = clock if clock is not None else SystemClock()
        self._cache = _ReviewCache(cache_size, self.CACHE_MAX_CHARS)
        # SQLite's hot paths keep connections between sessions (PostgreSQL's do not).
        self._reuse = None
        if engine.dialect.name == "sqlite":
            pool = engine.pool
            keep = pool.size() if isinstance(pool, sa.pool.QueuePool) else 0
            self._reuse = _Reuse(engine, keep)
            # A store dropped without close() returns its kept connections to the pool.
            weakref.finalize(self, self._reuse.close)
        try:
            self._sql = _Sql(engine.dialect)
            self._prepare(migrate)
        except StorageError as exc:
            engine.dispose()
            if self.read_only is None or isinstance(exc, SchemaMismatch):
                raise
            raise StorageError(f"{self.read_only}: {exc}") from exc
        except BaseException:
            engine.dispose()
            raise

    @classmethod
    def from_connection(
        cls,
        connection: Connection,
        *,
        check_schema: bool = True,
        clock: Clock | None = None,
        cache_size: int = CACHE_SIZE,
    ) -> SqlStore:
        """A store working inside a connection the host owns.

        Every write runs in a SAVEPOINT of the host's transaction (begun if none is
        open) and is left for the host to commit or roll back; a failed write rolls
        back to its savepoint and leaves the host's transaction usable. Reads see the
        host's uncommitted writes. Such a store is not thread-safe, like the
        connection. With ``check_schema`` (default) it raises
        :class:`~scr_engine.errors.SchemaMismatch` unless the schema is current.
        ``cache_size`` is as for :class:`SqlStore` (a kept review is used only for
        the very text read in the host's transaction, so a rollback cannot fool it).

        On SQLite the connection must come from an engine made by
        :func:`create_engine` (or one using ``sqlite3``'s ``autocommit=False`` mode):
        with the driver's legacy transaction handling, releasing the store's
        savepoint would commit the host's transaction.
        """
        store = cls.__new__(cls)
        store._engine = None
        store._writer = None
        store._reader = None
        store._connection = connection
        store._reuse = None
        store.read_only = None
        store._clock = clock if clock is not None else SystemClock()
        store._cache = _ReviewCache(cache_size, cls.CACHE_MAX_CHARS)
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
            store._sql = _Sql(connection.dialect)
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
        self._cache.clear()
        if self._reuse is not None:
            self._reuse.close()
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
            conn = self._connection
            if not conn.in_transaction():
                conn.begin()  # what SQLAlchemy's autobegin would do: the host's to end
            yield conn
        else:
            assert self._reader is not None
            with self._reader.connect() as conn:
                if self._sql.sqlite:
                    conn.begin()  # a plain, deferred BEGIN: one snapshot, no write lock
                yield conn

    def _refuse_if_read_only(self) -> None:
        if self.read_only is not None:
            raise StorageError(f"the database is read-only ({self.read_only}): nothing is written")

    @contextmanager
    def _write(self) -> Iterator[Connection]:
        self._refuse_if_read_only()
        if self._connection is not None:
            with self._connection.begin_nested():
                yield self._connection
        else:
            assert self._writer is not None
            with self._writer.begin() as conn:
                yield conn

    @contextmanager
    def _reading(self) -> Iterator[_Session]:
        """A session for a read of one statement: in autocommit mode on the store's
        own engine (a statement reads one snapshot by itself: no BEGIN and ROLLBACK
        around it), in the host's transaction otherwise."""
        engine = self._engine
        if engine is not None and not _observed(engine):
            if self._sql.sqlite:  # the driver's connection is in autocommit mode already
                reuse = self._reuse
                assert reuse is not None
                fairy = reuse.take()
                try:
                    yield _Session(None, fairy.dbapi_connection, self._sql, fairy)
                finally:
                    reuse.give(fairy)
            else:
                with self._autocommit(engine) as session:
                    yield session
            return
        with self._read() as conn:
            yield _Session.on(conn, self._sql)

    @contextmanager
    def _autocommit(self, engine: Engine) -> Iterator[_Session]:
        """PostgreSQL, the store's own engine: a pooled connection in autocommit mode,
        for one statement (atomic by itself: no BEGIN and COMMIT round trips)."""
        fairy = engine.raw_connection()
        dbapi: Any = fairy.dbapi_connection
        try:
            dbapi.autocommit = True
            session = _Session(None, dbapi, self._sql, fairy, engine)
            yield session
            dbapi.autocommit = False
        except BaseException:
            if fairy.is_valid:
                try:
                    dbapi.autocommit = False
                except Exception as exc:
                    fairy.invalidate(exc)
            raise
        finally:
            fairy.close()

    @contextmanager
    def _one_statement(self) -> Iterator[_Session]:
        """PostgreSQL: a session for one statement that needs no transaction around
        it (autocommit on the store's own engine), or a SAVEPOINT of a host's."""
        engine = self._engine
        if engine is None:
            with self._write() as conn:
                yield _Session.on(conn, self._sql)
        elif _observed(engine):
            assert self._reader is not None
            with self._reader.connect() as conn:
                yield _Session(conn, None, self._sql)
        else:
            with self._autocommit(engine) as session:
                yield session

    @contextmanager
    def _writing(self) -> Iterator[_Session]:
        """A session for a write: one transaction (SQLite: ``BEGIN IMMEDIATE``), or a
        SAVEPOINT of the host's; committed (released) when the block ends without an
        exception, rolled back otherwise. On SQLite and the store's own engine the
        transaction runs straight on the driver's connection."""
        self._refuse_if_read_only()
        sql = self._sql
        engine = self._engine
        if engine is None or not sql.sqlite or _observed(engine):
            with self._write() as conn:
                yield _Session.on(conn, sql)
            return
        reuse = self._reuse
        assert reuse is not None
        fairy = reuse.take()
        try:
            session = _Session(None, fairy.dbapi_connection, sql, fairy)
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
        finally:
            reuse.give(fairy)

    # ------------------------------------------------------------- the port

    def load(self, review_id: str) -> Review:
        """The review at its latest version, checked against its history;
        :class:`~scr_engine.ReviewNotFound` if none, :class:`~scr_engine.IntegrityError`
        if they disagree.

        One statement reads the row and its last event: the row's columns, its JSON
        and the last event must agree (version, head, stage, and the state digest the
        event committed to). A review the store has not checked in this exact text
        before (see the cache above) is decoded and its whole chain verified too."""
        with _translated(f"loading review {review_id!r}"), self._reading() as session:
            row = session.run(self._sql.load, (review_id, review_id)).fetchone()
            if row is None:
                raise ReviewNotFound(review_id)
            text, stage, version, head, last, last_hash, last_state = row
            cached = self._cache.get(review_id)
            if cached is not None and cached.text == text:
                review = cached.review
                if (
                    last == version == review.version
                    and last_hash == head == review.head
                    and stage == review.stage.value
                    and last_state == cached.state
                ):
                    return review
            try:
                review = _decode_review(text)
            except StorageError as exc:
                raise IntegrityError(
                    review_id, [f"the stored review cannot be read: {exc}"]
                ) from exc
            upto = last if last is not None and last > version else version
            rows = session.run(self._sql.history_upto, (review_id, upto)).fetchall()
        events = tuple(_decode_event(found) for found in rows)
        problems = column_problems(review, stage=stage, version=version, head=head or "")
        problems.extend(review_problems(review, events))
        if problems:
            raise IntegrityError(review_id, problems)
        entry = _Cached(text, review)
        entry.state = events[-1].state
        self._cache.put(review_id, entry)
        return review

    def save(
        self,
        review: Review,
        event: Event,
        tasks: Sequence[Task] = (),
        deadlines: Sequence[DeadlineRow] | None = None,
        *,
        expected_version: int,
        scrub: Sequence[Event] = (),
    ) -> None:
        """Store ``review`` with its new ``event``, its ``tasks`` and its ``deadlines``
        (and the events an erasure ``scrub`` s) in one transaction, if the stored
        version is ``expected_version`` (0 for a new review); otherwise write nothing
        and raise
        :class:`~scr_engine.ConcurrencyConflict`.

        ``deadlines`` replaces every row stored for the review (only the rows that
        differ from the stored ones are written); ``None`` leaves them as they are. A
        row of another review raises :class:`StorageError`."""
        follows = (
            event.review_id == review.id
            and event.sequence == expected_version + 1
            and review.version == event.sequence
        )
        if deadlines is not None:
            check_rows(review, deadlines)
        sql = self._sql
        stored = _encode_review(review, self._cache.get(review.id))
        event_values = _event_values(event)
        deadline_values = (
            None if deadlines is None else {row.key: sql.deadline_values(row) for row in deadlines}
        )
        task_values = _task_values(tasks)
        if sql.one_statement and follows and expected_version > 0 and not scrub:
            with (
                _translated(f"saving review {review.id!r}"),
                _conflicts_on_serialization(review.id, expected_version),
            ):
                saved = self._save_in_one_statement(
                    review, event, stored.text, event_values, deadline_values, task_values
                )
            if saved:
                stored.state = event.state
                self._cache.put(review.id, stored)
                return
        with (
            _translated(f"saving review {review.id!r}"),
            _conflicts_on_serialization(review.id, expected_version),
            self._writing() as session,
        ):
            self._write_review(session, review, event, stored.text, expected_version)
            if not follows:
                raise StorageError(
                    f"event {event.sequence} does not follow version "
                    f"{expected_version} of review {review.id!r}"
                )
            try:
                session.run(sql.insert_event, event_values)
            except sa.exc.IntegrityError as exc:
                raise ConcurrencyConflict(review.id, expected_version, None) from exc
            if deadline_values is not None:
                self._write_deadlines(session, review.id, deadline_values)
            if task_values:
                session.run_many(sql.upsert_task, task_values)
            for scrubbed in scrub:
                values = _event_values(scrubbed)
                written = session.run(
                    sql.scrub_event,
                    (values[6], values[13], values[14], review.id, scrubbed.sequence, values[10]),
                ).rowcount
                if scrubbed.review_id != review.id or written != 1:
                    raise IntegrityError(
                        review.id, [f"event {scrubbed.sequence} to scrub is not the one stored"]
                    )
        stored.state = event.state
        self._cache.put(review.id, stored)

    def _save_in_one_statement(
        self,
        review: Review,
        event: Event,
        text: str,
        event_values: tuple[Any, ...],
        deadlines: dict[str, tuple[Any, ...]] | None,
        tasks: list[tuple[Any, ...]],
    ) -> bool:
        """PostgreSQL: the whole save as one statement (data-modifying CTEs, see
        :meth:`_Sql.save_statement`), in autocommit mode on the store's own engine (a
        statement is atomic: no BEGIN and COMMIT round trips), in a SAVEPOINT on a
        host's connection. Every part is conditional on the versioned ``UPDATE``;
        False when it matched no row (another version is stored, or the stage or
        another indexed column changed otherwise than guessed): then it wrote nothing,
        and the general path decides."""
        sql = self._sql
        stage_changed = event.stage_before is not review.stage
        statement = sql.save_statement(stage_changed, deadlines is not None, bool(tasks))
        params: dict[str, Any] = {
            "id": review.id,
            "version": review.version,
            "data": text,
            "expected": review.version - 1,
            "stage": review.stage.value,
            "reference": review.reference,
            "settings_version": review.settings_version,
            "received_on": review.received_on,
        }
        params.update(zip(_EVENT_COLUMNS, event_values, strict=True))
        if deadlines is not None:
            params["deadlines"] = _to_json(
                [
                    {
                        "key": key,
                        "reference": reference,
                        "rule": rule,
                        "title": title,
                        "due_on": due_on.isoformat(),
                        "met_on": None if met_on is None else met_on.isoformat(),
                        "status": status,
                        "running": running,
                    }
                    for key, (reference, rule, title, due_on, met_on, status, running) in (
                        deadlines.items()
                    )
                ]
            )
        if tasks:
            unique = {values[0]: values for values in tasks}  # the last one wins, as in order
            params["tasks"] = _to_json(
                [dict(zip(_TASK_COLUMNS, values, strict=True)) for values in unique.values()]
            )
        try:
            with self._one_statement() as session:
                written = session.run(statement, params).fetchone()[0]
        except sa.exc.IntegrityError as exc:
            raise ConcurrencyConflict(review.id, review.version - 1, None) from exc
        return bool(written)

    def _write_review(
        self, session: _Session, review: Review, event: Event, text: str, expected_version: int
    ) -> None:
        sql = self._sql
        review_id = review.id
        received_on = sql.date_in(review.received_on)
        stage = review.stage.value
        if expected_version == 0:
            values = (
                review_id,
                review.reference,
                stage,
                review.version,
                review.settings_version,
                received_on,
                text,
                review.head,
            )
            try:
                inserted = session.run(sql.insert_review, values).fetchone()
                written = 0 if inserted is None else 1
            except sa.exc.IntegrityError as exc:
                if "reference" in str(exc.orig):
                    raise StorageError(
                        f"reference {review.reference!r} is already used by another review"
                    ) from exc
                raise ConcurrencyConflict(review_id, expected_version, None) from exc
        else:
            kept = (review.reference, review.settings_version, received_on)
            head, prev = review.head, event.prev_hash
            if event.stage_before is review.stage:  # the usual case: set version and data
                written = session.run(
                    sql.update_review,
                    (review.version, text, head, review_id, expected_version, prev, stage, *kept),
                ).rowcount
            else:
                written = session.run(
                    sql.update_review_stage,
                    (review.version, text, head, stage, review_id, expected_version, prev, *kept),
                ).rowcount
            if written != 1:  # the guess was wrong (or the version is not the expected one)
                written = session.run(
                    sql.update_review_all,
                    (review.version, text, head, stage, *kept, review_id, expected_version, prev),
                ).rowcount
        if written != 1:
            found = session.run(sql.version, (review_id,)).fetchone()
            if found is not None and found[0] == expected_version:
                raise IntegrityError(
                    review_id, ["the new event does not follow the stored review's head"]
                )
            raise ConcurrencyConflict(review_id, expected_version, found[0] if found else 0)

    def _write_deadlines(
        self, session: _Session, review_id: str, rows: dict[str, tuple[Any, ...]]
    ) -> None:
        """Make the review's stored deadline rows ``rows`` (by key), writing only the
        rows that differ: read in the write transaction, so exact whoever wrote last."""
        sql = self._sql
        stored = {
            found[0]: tuple(found[1:])
            for found in session.run(sql.deadlines_of, (review_id,)).fetchall()
        }
        gone = [(review_id, key) for key in stored if key not in rows]
        new: list[tuple[Any, ...]] = []
        changed: dict[tuple[int, ...], list[tuple[Any, ...]]] = {}
        for key, values in rows.items():
            before = stored.get(key)
            if before is None:
                new.append((review_id, key, *values))
            elif before != values:
                columns = tuple(i for i, value in enumerate(values) if before[i] != value)
                update = (*(values[i] for i in columns), review_id, key)
                changed.setdefault(columns, []).append(update)
        if gone:
            session.run_many(sql.delete_deadline, gone)
        for columns, updates in changed.items():
            session.run_many(sql.update_deadline(columns), updates)
        if new:
            session.run_many(sql.insert_deadline, new)

    def history(self, review_id: str) -> tuple[Event, ...]:
        """Every event of the review, in sequence order."""
        with _translated(f"reading the history of review {review_id!r}"), self._read() as conn:
            rows = conn.execute(_HISTORY, {"review_id": review_id}).all()
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
        sql = self._sql
        cutoff = sql.date_in(as_of + timedelta(days=within_days))
        params: tuple[Any, ...]
        if after is None:
            query, params = sql.overdue, (cutoff, limit)
        else:
            query = sql.overdue_after
            params = (cutoff, sql.date_in(after[0]), after[1], after[2], limit)
        with _translated("listing overdue deadlines"), self._reading() as session:
            rows = session.run(query, params).fetchall()
        return sql.decode_deadlines(rows)

    def deadline_rows(self, review_id: str) -> list[DeadlineRow]:
        """The rows stored for one review, by key (for tests and tooling)."""
        sql = self._sql
        what = f"reading the deadlines of review {review_id!r}"
        with _translated(what), self._reading() as session:
            rows = session.run(sql.deadline_rows, (review_id,)).fetchall()
        return sql.decode_deadlines(rows)

    def list_by_stage(self, stage: Stage, *, limit: int = 100, offset: int = 0) -> list[Review]:
        """Reviews at ``stage``, ordered by reference."""
        check_page(limit, offset)
        if limit == 0:
            return []
        params = (Stage(stage).value, limit, offset)
        with _translated(f"listing reviews at stage {stage!s}"), self._reading() as session:
            found = session.run(self._sql.list_by_stage, params).fetchall()
        reviews = []
        for review_id, text in found:
            cached = self._cache.get(review_id)
            reviews.append(
                cached.review
                if cached is not None and cached.text == text
                else _decode_review(text)
            )
        return reviews

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
        with _translated("listing pending tasks"), self._read() as conn:
            rows = conn.execute(_PENDING_TASKS, {"limit": limit}).all()
        return [_decode_task(row) for row in rows]

    def tasks(self, review_id: str) -> list[TaskState]:
        """Every task of the review, oldest first, with its status: read with the
        review's stage in one statement."""
        params = {"review_id": review_id, "low": review_id + ":", "high": review_id + ";"}
        with _translated(f"listing the tasks of review {review_id!r}"), self._read() as conn:
            rows = conn.execute(_REVIEW_TASKS, params).all()
        if not rows:
            raise ReviewNotFound(review_id)
        try:
            stage = Stage(rows[0].stage)
        except ValueError as exc:
            raise StorageError(f"review {review_id!r} has no stage this library knows") from exc
        return [
            TaskState(_decode_task(row), TaskStatus.of(stage, row.completed_at is not None))
            for row in rows
            if row.id is not None
        ]

    def complete_task(self, task_id: str) -> None:
        """Mark a task delivered (once: completing it again changes nothing); an
        unknown ID raises :class:`~scr_engine.errors.StorageError`."""
        t = schema.tasks
        now = _utc_text(self._clock.now())
        with _translated(f"completing task {task_id!r}"), self._write() as conn:
            found = conn.execute(
                sa.update(t)
                .where(t.c.id == task_id)
                .values(
                    completed_at=sa.func.coalesce(t.c.completed_at, now),
                    completion=sa.func.coalesce(t.c.completion, completion_digest(task_id, now)),
                )
            ).rowcount
            if found == 0:
                raise StorageError(f"no task {task_id!r}")

    def vacuum(self) -> None:
        """Reclaim the space of deleted and overwritten rows, so that no copy of an
        erased value remains in the database's files: on SQLite a ``VACUUM`` between
        two WAL checkpoints (the write-ahead log truncated); on PostgreSQL a
        ``VACUUM FULL`` of the store's tables (each rewritten). Needs the store's own
        engine (not a host's connection: run the database's own vacuum there)."""
        engine = self._engine
        if engine is None:
            raise StorageError(
                "vacuum needs the store's own engine: on a host's connection, vacuum the "
                "database yourself"
            )
        with _translated("vacuuming the database"):
            if self._sql.sqlite:
                if self._reuse is not None:
                    self._reuse.close()
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

    # ------------------------------------------------------------- integrity

    def heads(self) -> list[tuple[str, int, str]]:
        """``(review id, version, head)`` of every review, by review id (the columns
        beside the review's JSON: one index scan)."""
        with _translated("reading every review's head"), self._reading() as session:
            rows = session.run(self._sql.heads).fetchall()
        if any(row[2] is None for row in rows):  # a head never filled: say "" (no hash)
            return [(i, v, h or "") for i, v, h in rows]
        return rows  # type: ignore[no-any-return]

    def review_ids(self, *, after: str | None = None, limit: int = 1000) -> list[str]:
        """Review ids in order, ``limit`` at a time after ``after``: those with a row,
        and those whose row is gone but whose events remain."""
        check_page(limit)
        r, e = schema.reviews, schema.events
        ids = sa.union(
            sa.select(r.c.id.label("id")), sa.select(e.c.review_id.label("id"))
        ).subquery()
        query = sa.select(ids.c.id).order_by(ids.c.id).limit(limit)
        if after is not None:
            query = query.where(ids.c.id > after)
        with _translated("listing review ids"), self._read() as conn:
            return list(conn.execute(query).scalars())

    def stored(self, review_id: str) -> StoredReview:
        """Everything held of one review, unchecked, read in one transaction."""
        found = self.stored_many([review_id])
        if not found:
            raise ReviewNotFound(review_id)
        return found[0]

    def stored_many(self, review_ids: Sequence[str]) -> list[StoredReview]:
        """Everything held of each review (those the store holds nothing of left out),
        unchecked, read in one transaction with one statement per table."""
        ids = sorted(set(review_ids))
        if not ids:
            return []
        q = self._sql._q
        marks = ", ".join("?" for _ in ids)
        params = tuple(ids)
        with _translated(f"reading {len(ids)} reviews"), self._read() as conn:

            def run(text: str, values: tuple[Any, ...] = params) -> list[Any]:
                return list(conn.exec_driver_sql(q(text), values).all())

            review_rows = run(
                "SELECT id, data, stage, version, head, reference, settings_version, "
                f"received_on FROM scr_reviews WHERE id IN ({marks})"
            )
            # Each deadline row as ``decode_deadlines`` reads it, then its running flag.
            deadline_rows = run(
                'SELECT review_id, reference, "key", rule, title, due_on, met_on, status, '
                f'running FROM scr_deadlines WHERE review_id IN ({marks}) ORDER BY review_id, "key"'
            )
            event_rows = run(
                f"SELECT {', '.join(_EVENT_COLUMNS)} FROM scr_events "
                f"WHERE review_id IN ({marks}) ORDER BY review_id, sequence"
            )
            # Tasks are found by their id, which starts with the review's (no index by
            # review is kept); a task whose id was changed is then missing, which
            # verify reports.
            task_rows = run(
                "SELECT id, review_id, kind, agency, created_at, rule, completed_at, "
                "completion FROM scr_tasks WHERE id >= ? AND id < ? ORDER BY id",
                (ids[0] + ":", ids[-1] + ";"),
            )
            access_rows = run(
                "SELECT review_id, sequence, at, actor_id, what, granted, prev_hash, hash "
                f"FROM scr_access_log WHERE review_id IN ({marks}) ORDER BY review_id, sequence"
            )

        def group(rows: list[Any]) -> dict[str, list[Any]]:
            """Rows by their first column, the review id."""
            grouped: dict[str, list[Any]] = {}
            for row in rows:
                grouped.setdefault(row[0], []).append(row)
            return grouped

        events_of, deadlines_of = group(event_rows), group(deadline_rows)
        accesses_of = group(access_rows)
        rows_of = {row.id: row for row in review_rows}
        task_ids = [t.id for t in task_rows]  # in id order, as read
        found: list[StoredReview] = []
        for rid in ids:
            row = rows_of.get(rid)
            events_here = events_of.get(rid, [])
            if row is None and not events_here:
                continue
            found.append(
                self._stored_one(
                    rid,
                    row,
                    events_here,
                    [
                        t
                        for t in task_rows[
                            bisect.bisect_left(task_ids, rid + ":") : bisect.bisect_left(
                                task_ids, rid + ";"
                            )
                        ]
                        if _task_of(t.id, rid) or t.review_id == rid
                    ],
                    deadlines_of.get(rid, []),
                    accesses_of.get(rid, []),
                )
            )
        return found

    def _stored_one(
        self,
        review_id: str,
        row: Any,
        event_rows: list[Any],
        task_rows: list[Any],
        deadline_rows: list[Any],
        access_rows: list[Any],
    ) -> StoredReview:
        review: Review | None = None
        problem = None if row is not None else "the review row is missing"
        if row is not None:
            try:
                review = _decode_review(row.data)
            except StorageError as exc:
                problem = str(exc)
        events: tuple[Event, ...] = ()
        events_problem = None
        try:
            events = tuple(_decode_event(found) for found in event_rows)
        except StorageError as exc:
            events_problem = str(exc)
        tasks = []
        faults: list[str] = []
        for found in task_rows:
            try:
                task = _decode_task(found)
            except StorageError as exc:
                events_problem = events_problem or str(exc)
                continue
            tasks.append(task)
            if found.created_at != _utc_text(task.created_at):  # the order pages use
                faults.append(f"task {task.id}'s creation time is not in its stored form")
            done, proof = found.completed_at, found.completion
            if (done is None) != (proof is None) or (
                done is not None and proof != completion_digest(task.id, done)
            ):
                faults.append(f"task {task.id}'s completion record was altered")
        try:
            rows = self._sql.decode_deadlines([tuple(r)[:8] for r in deadline_rows])
        except StorageError as exc:
            rows = []
            faults.append(str(exc))
        flags: dict[str, Any] = {r[2]: r[8] for r in deadline_rows}
        for deadline in rows:
            if flags.get(deadline.key) != int(deadline.running):
                faults.append(f"deadline {deadline.key}'s running flag disagrees with its status")
        accesses: list[AccessEntry] = []
        access_problem = None
        try:
            accesses = [_decode_access(found) for found in access_rows]
        except StorageError as exc:
            access_problem = str(exc)
        if row is not None and review is not None:
            stored_copies = (row.reference, row.settings_version, str(row.received_on))
            expected = (review.reference, review.settings_version, review.received_on.isoformat())
            if stored_copies != expected:
                faults.append(
                    "the reference, settings_version or received_on column disagrees with "
                    "the stored review"
                )
        return StoredReview(
            review_id,
            review,
            problem,
            events,
            events_problem,
            tuple(rows),
            tuple(tasks),
            row.stage if row is not None else None,
            row.version if row is not None else None,
            (row.head or "") if row is not None else None,
            tuple(faults) + ((access_problem,) if access_problem else ()),
            tuple(accesses),
        )

    def find_key(self, key: str, review_id: str | None = None) -> Event | None:
        """The event saved with this idempotency key (see the port)."""
        sql = self._sql
        statement, params = (
            (sql.find_first_key, (key,)) if review_id is None else (sql.find_key, (key, review_id))
        )
        with _translated("looking up an idempotency key"), self._reading() as session:
            row = session.run(statement, params).fetchone()
        return None if row is None else _decode_event(row)

    def log_access(
        self, review_id: str, at: datetime, actor_id: str, what: str, granted: bool
    ) -> AccessEntry:
        """Append one read to the review's access log, chained to the entry before it
        (read in the same transaction; a concurrent append of the same sequence makes
        this one try again)."""
        a = schema.access_log
        last = (
            sa.select(a.c.sequence, a.c.hash)
            .where(a.c.review_id == review_id)
            .order_by(a.c.sequence.desc())
            .limit(1)
        )
        for _ in range(20):
            with _translated(f"logging a read of review {review_id!r}"):
                try:
                    with self._write() as conn:
                        found = conn.execute(last).first()
                        sequence, prev = (found[0] + 1, found[1]) if found else (1, ACCESS_GENESIS)
                        entry = access_entry(review_id, sequence, at, actor_id, what, granted, prev)
                        conn.execute(
                            sa.insert(a).values(
                                review_id=review_id,
                                sequence=sequence,
                                at=_utc_text(at),
                                actor_id=actor_id,
                                what=what,
                                granted=granted,
                                prev_hash=prev,
                                hash=entry.hash,
                            )
                        )
                except sa.exc.IntegrityError:
                    continue  # another reader took this sequence first
                return entry
        raise StorageError(f"could not log a read of review {review_id!r}: too much contention")

    def access_log(
        self,
        *,
        review_id: str | None = None,
        actor_id: str | None = None,
        limit: int = 100,
        offset: int = 0,
    ) -> list[AccessEntry]:
        """Entries of one review or one actor (or all), oldest first."""
        check_page(limit, offset)
        a = schema.access_log
        query = sa.select(a).order_by(a.c.at, a.c.review_id, a.c.sequence).limit(limit)
        query = query.offset(offset)
        if review_id is not None:
            query = query.where(a.c.review_id == review_id)
        if actor_id is not None:
            query = query.where(a.c.actor_id == actor_id)
        with _translated("reading the access log"), self._read() as conn:
            rows = conn.execute(query).all()
        return [_decode_access(row) for row in rows]

    def save_checkpoint(self, checkpoint: Checkpoint) -> None:
        """Keep a checkpoint in ``scr_checkpoints``."""
        c = schema.checkpoints
        values = {
            "created_at": _utc_text(checkpoint.created_at),
            "root": checkpoint.root,
            "data": checkpoint.to_json(),
        }
        with _translated("saving a checkpoint"), self._write() as conn:
            conn.execute(sa.insert(c).values(**values))

    def latest_checkpoint(self) -> Checkpoint | None:
        """The checkpoint saved last, if any (a stored copy: check its signature)."""
        c = schema.checkpoints
        query = sa.select(c.c.data).order_by(c.c.id.desc()).limit(1)
        with _translated("reading the latest checkpoint"), self._read() as conn:
            data = conn.execute(query).scalar()
        if data is None:
            return None
        try:
            return Checkpoint.from_json(data)
        except InvalidRequest as exc:
            raise StorageError(f"the stored checkpoint cannot be read: {exc}") from exc


_HISTORY = (
    sa.select(schema.events)
    .where(schema.events.c.review_id == sa.bindparam("review_id"))
    .order_by(schema.events.c.sequence)
)
_ENDED = sorted(stage.value for stage in TERMINAL_STAGES)

_PENDING_TASKS = (
    sa.select(schema.tasks)
    .where(
        task_pending,
        # A task of an ended review is cancelled (RF-5, PR-d): decided from the review's
        # stage as it stands, nothing stored with the task changes.
        ~sa.exists()
        .where(schema.reviews.c.id == schema.tasks.c.review_id)
        .where(schema.reviews.c.stage.in_(_ENDED)),
    )
    .order_by(schema.tasks.c.created_at, schema.tasks.c.id)
    .limit(sa.bindparam("limit", type_=sa.Integer()))
)

_REVIEW_TASKS = sa.text(
    "SELECT r.stage AS stage, t.id AS id, t.review_id AS review_id, t.kind AS kind, "
    "t.agency AS agency, t.created_at AS created_at, t.rule AS rule, "
    "t.completed_at AS completed_at "
    "FROM scr_reviews r LEFT JOIN scr_tasks t "
    "ON t.id >= :low AND t.id < :high AND t.review_id = r.id "
    "WHERE r.id = :review_id ORDER BY t.created_at, t.id"
)
"""The review's stage with each of its tasks (none: one row of nulls). Tasks are found
by their id, which starts with the review's (no index by review is kept)."""


def _savepoints_work(connection: Connection) -> bool:
    """True when SAVEPOINTs nest inside the host's SQLite transaction."""
    if connection.connection.info.get(_CONFIGURED):
        return True
    dbapi = connection.connection.dbapi_connection
    return getattr(dbapi, "autocommit", None) is False
