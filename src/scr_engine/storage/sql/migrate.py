"""Migrations of the SQL store: the Alembic glue.

The schema is versioned with the Alembic migrations shipped in the package
(:data:`MIGRATIONS`). A store checks the database's revision when it opens
(:func:`_check_schema`) and, when asked, builds or upgrades it (:func:`upgrade`);
:func:`schema_revision` reads it. Alembic is imported only when a database is not
at the head revision, or to change it.
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import TYPE_CHECKING, Literal, TypeAlias

import sqlalchemy as sa
from sqlalchemy.engine import URL, Connection, Engine

from scr_engine.errors import SchemaMismatch
from scr_engine.storage.schema import VERSION_TABLE
from scr_engine.storage.sql.connections import _WRITE, Connections, _shown, create_engine
from scr_engine.storage.sql.errors import _translated

if TYPE_CHECKING:
    from alembic.config import Config

Migrate: TypeAlias = Literal["check", "create", "upgrade"]
"""What :class:`~scr_engine.storage.sql.SqlStore` does with the database's schema at
start-up."""

MIGRATIONS = Path(__file__).parent.parent / "migrations"
"""The Alembic script directory shipped in the package."""

_ADVISORY_LOCK = 0x5C2E_0001  # pg_advisory_xact_lock key serializing schema upgrades
_UPGRADE_HINT = "python -m scr_engine db upgrade --url {url}"


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


def refuse_missing(url: URL, migrate: Migrate) -> None:
    """``migrate="check"`` changes nothing: a SQLite file that does not exist is
    :class:`SchemaMismatch` (no scr_engine schema), and is not created empty."""
    database = url.database or ""
    if migrate != "check" or url.get_backend_name() != "sqlite" or not database:
        return
    if database == ":memory:" or database.startswith("file:"):
        return
    path = Path(database).absolute()
    if path.exists():
        return
    head = _shipped_head()
    raise SchemaMismatch(
        f"there is no database at {path} (no scr_engine schema); this version needs revision "
        f"{', '.join(head)}. Create it with SqlStore(url, migrate='create') (or "
        f"`{_UPGRADE_HINT.format(url=_shown(url))}`): migrate='check' creates nothing.",
        current=(),
        expected=head,
        ahead=False,
    )


def _check_schema(conn: Connection, url: URL, schema: str | None = None) -> None:
    """Raise :class:`SchemaMismatch` unless the database is at the head revision (in
    the PostgreSQL ``schema`` the store was opened on, which the message then names).

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
    where = _shown(url) + (f", in its schema {schema!r}," if schema is not None else "")
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
    hint = f"`{_UPGRADE_HINT.format(url=_shown(url))}` (or open the store with SqlStore(url, "
    if schema is not None:
        # The command line names the schema in the URL, as PostgreSQL's connection option.
        on = _shown(url.update_query_dict({"options": f"-csearch_path={schema}"}))
        hint = f"`{_UPGRADE_HINT.format(url=repr(on))}` once the schema exists (or open the "
        hint += f"store with SqlStore(url, schema={schema!r}, "
    looked = ""
    if not current and schema is None and conn.dialect.name == "postgresql":
        # Found nowhere: perhaps the store is in a schema of its own, not searched.
        name = conn.exec_driver_sql("SELECT current_schema()").scalar()
        looked = (
            f" It looked in the schema {name!r}: a store in a schema of its own is opened "
            "with SqlStore(url, schema=...), or on a connection whose search_path names it."
        )
    raise SchemaMismatch(
        f"the database at {where} has {found}; this version of scr_engine needs revision "
        f"{wanted}. Upgrade it with {hint}migrate='upgrade')).{looked}",
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


def _prepare(db: Connections, migrate: Migrate, schema: str | None = None) -> None:
    """Check the schema of a store's own database as it opens (in its PostgreSQL
    ``schema``), and build or upgrade it as ``migrate`` allows (see
    :class:`~scr_engine.storage.sql.SqlStore`)."""
    engine, writer = db.engine, db.writer
    assert engine is not None and writer is not None
    url = engine.url
    with _translated(f"opening the store at {_shown(url)}"):
        with engine.connect() as conn:
            try:
                _check_schema(conn, url, schema)
                return
            except SchemaMismatch as mismatch:
                if mismatch.ahead or migrate == "check":
                    raise
                if migrate == "create" and mismatch.current:
                    raise
        with writer.begin() as conn:
            if migrate == "create" and _current_revisions(conn):
                _check_schema(conn, url, schema)  # someone else created it meanwhile
            _run_upgrade(conn, "head")
            _check_schema(conn, url, schema)
