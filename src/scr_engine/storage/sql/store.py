"""The SQL store's methods: :class:`SqlStore`.

Each method reads or writes through :class:`~.connections.Connections` (``reading``
or ``writing``), with the prebuilt statements of :mod:`.statements` or SQLAlchemy
Core over :mod:`scr_engine.storage.schema`, and the row codecs of :mod:`.rows`; the
writes of a save (the review's row, its deadline rows, the tasks closed, PostgreSQL's
one-statement save) are in :mod:`.writes`.
"""

from __future__ import annotations

import bisect
from collections.abc import Mapping, Sequence
from datetime import date, datetime, timedelta
from types import TracebackType
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import URL, Connection, Engine

from scr_engine.access import GENESIS as ACCESS_GENESIS
from scr_engine.access import AccessEntry, access_entry
from scr_engine.board import BoardIdentity
from scr_engine.checkpoints import Checkpoint
from scr_engine.clock import Clock, SystemClock
from scr_engine.errors import (
    ConcurrencyConflict,
    IntegrityError,
    InvalidRequest,
    ReviewNotFound,
    SchemaMismatch,
    StorageError,
)
from scr_engine.errors.refusals import Refusal
from scr_engine.history import Event
from scr_engine.records import Task, TaskState, TaskStatus
from scr_engine.records.envelope import Envelope
from scr_engine.storage import schema
from scr_engine.storage.port import DeadlineRow, StoredReview, check_page, check_rows
from scr_engine.storage.sql.connections import (
    _SUPPORTED,
    Connections,
    _savepoints_work,
    _shown,
    _sqlite_read_only,
    create_engine,
    database_url,
    ensure_schema,
)
from scr_engine.storage.sql.errors import _conflicts_on_serialization, _translated
from scr_engine.storage.sql.migrate import Migrate, _check_schema, _prepare, refuse_missing
from scr_engine.storage.sql.outbox import (
    claim_delivery,
    find_delivery,
    list_deliveries,
    read_webhook,
    record_attempt,
    write_webhook,
)
from scr_engine.storage.sql.reads import load_review
from scr_engine.storage.sql.review_json import (
    _decode_review,
    _encode_review,
    _ReviewCache,
)
from scr_engine.storage.sql.rows import (
    ACCESSES,
    EVENT_COLUMNS,
    EVENTS,
    REVIEW_COLUMNS,
    WEBHOOK_KEY,
    _decode_access,
    _decode_event,
    _decode_task,
    _stored_review,
    _task_of,
    _task_values,
    _utc_text,
    completion_digest,
    delivery_values,
)
from scr_engine.storage.sql.statements import (
    _HISTORY,
    _PENDING_TASKS,
    _PENDING_TASKS_AFTER,
    _REVIEW_TASKS,
    _Sql,
    _upsert,
    columns,
)
from scr_engine.storage.sql.store_settings import read_board, write_board
from scr_engine.storage.sql.writes import (
    close_tasks,
    save_in_one_statement,
    write_deadlines,
    write_review,
)
from scr_engine.webhooks import Delivery, DeliveryStatus, Webhook, deliveries_of


def _pool_options(pool_size: object, max_overflow: object) -> dict[str, int]:
    """The engine options for the pool's size and overflow, each checked: a whole
    number, ``pool_size`` at least 1, ``max_overflow`` at least 0."""
    options: dict[str, int] = {}
    refusals: list[Refusal] = []
    for name, value, least in (("pool_size", pool_size, 1), ("max_overflow", max_overflow, 0)):
        if value is None:
            continue
        if type(value) is not int or value < least:
            refusals.append(
                Refusal.input(
                    f"{name} must be a whole number of at least {least}, not {value!r}", name
                )
            )
        else:
            options[name] = value
    if refusals:
        raise InvalidRequest("SqlStore", refusals)
    return options


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
    :param schema: PostgreSQL only: the schema holding the store's tables (each
        connection's ``search_path``), created if missing when ``migrate`` is
        ``"create"`` or ``"upgrade"``; by default the server's ``search_path``.
        Lower-case letters, digits and underscores (see :func:`create_engine`).
    :param pool_size: how many connections the engine's pool keeps open (SQLAlchemy's
        ``pool_size``; its default, 5, when None); at least 1.
    :param max_overflow: how many more it may open past ``pool_size`` under load
        (SQLAlchemy's ``max_overflow``; its default, 10, when None); at least 0.
        Either refused with :class:`~scr_engine.errors.InvalidRequest` when it is not
        such a whole number.

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

    _db: Connections
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
        schema: str | None = None,
        pool_size: int | None = None,
        max_overflow: int | None = None,
    ) -> None:
        options = dict(engine_options or {})
        options.update(_pool_options(pool_size, max_overflow))
        if migrate not in ("check", "create", "upgrade"):
            raise InvalidRequest(
                "SqlStore",
                [
                    Refusal.input(
                        f"migrate must be 'check', 'create' or 'upgrade', not {migrate!r}",
                        "migrate",
                    )
                ],
            )
        with _translated("opening the store"):
            parsed = database_url(url)
            refuse_missing(parsed, migrate)
            found = _sqlite_read_only(parsed)
        read_only = None
        if found is not None:
            read_only, url = found
        engine = create_engine(url, durable=durable, timeout=timeout, schema=schema, **options)
        self._clock: Clock = clock if clock is not None else SystemClock()
        self._cache = _ReviewCache(cache_size, self.CACHE_MAX_CHARS)
        try:
            self._sql = _Sql(engine.dialect)
            self._db = Connections(self._sql, engine=engine, read_only=read_only)
            if schema is not None and migrate != "check":
                with _translated(f"creating the schema {schema!r}"):
                    ensure_schema(engine, schema)
            _prepare(self._db, migrate, schema)
        except StorageError as exc:
            engine.dispose()
            if read_only is None or isinstance(exc, SchemaMismatch):
                raise
            raise StorageError(f"{read_only}: {exc}") from exc
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
            store._db = Connections(store._sql, connection=connection)
            if check_schema:
                _check_schema(connection, connection.engine.url)
        return store

    # ------------------------------------------------------------- lifecycle

    @property
    def read_only(self) -> str | None:
        """Why the store can only read (a read-only SQLite file or directory), or None."""
        return self._db.read_only

    @property
    def engine(self) -> Engine | None:
        """The store's own engine (``None`` for a store on a host's connection)."""
        return self._db.engine

    @property
    def pool_size(self) -> int | None:
        """How many connections the store's own engine keeps open (its pool's size):
        how many calls it serves at once without opening one past the pool, only to
        close it again after (the service runs at most this many at once). ``None`` for
        a store on a host's connection, or an engine whose pool has no size."""
        engine = self._db.engine
        size = getattr(engine.pool, "size", None) if engine is not None else None
        return size() if callable(size) else None

    def review_json(self, review: Envelope) -> str | None:
        """The stored JSON text of exactly this review (the very object the store
        last loaded or saved for its ID), or None when the store does not hold it in
        memory. No read: what a face that sends the review as JSON can reuse instead
        of encoding it again (the text is the converter's, compact, in field order)."""
        cached = self._cache.get(review.id)
        if cached is None or cached.review is not review:
            return None
        return cached.text

    def close(self) -> None:
        """Release the store's connections (a host's connection is left alone)."""
        self._cache.clear()
        self._db.close()

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
        if self._db.engine is not None:
            return f"SqlStore({_shown(self._db.engine.url)!r})"
        return "SqlStore.from_connection(...)"

    # ------------------------------------------------------------- the port

    def load(self, review_id: str) -> Envelope:
        """The review at its latest version, checked against its history;
        :class:`~scr_engine.ReviewNotFound` if none, :class:`~scr_engine.IntegrityError`
        if they disagree.

        One statement reads the row and its last event: the row's columns, its JSON
        and the last event must agree (version, head, stage, and the state digest the
        event committed to). A review the store has not checked in this exact text
        before (see the cache above) is decoded and its chain verified too: whole, or,
        for a later version of one it checked (another process wrote it since), the
        events since, chained to the head it checked, and only its changed fields
        decoded; a review that moved during the read (an erasure rewrites its history)
        is read again (:mod:`.reads`)."""
        return load_review(self._db, self._sql, self._cache, review_id)

    def save(
        self,
        review: Envelope,
        event: Event,
        tasks: Sequence[Task] = (),
        deadlines: Sequence[DeadlineRow] | None = None,
        *,
        expected_version: int,
        scrub: Sequence[Event] = (),
        close: Sequence[str] = (),
    ) -> None:
        """Store ``review`` with its new ``event``, its ``tasks`` and its ``deadlines``
        (and the events an erasure ``scrub`` s, and the completion of the tasks the
        event fulfils, ``close``, at the event's time) in one transaction, if the stored
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
        event_values = EVENTS.values(event)
        deadline_values = (
            None if deadlines is None else {row.key: sql.deadline_values(row) for row in deadlines}
        )
        task_values = _task_values(tasks)
        if sql.one_statement and follows and expected_version > 0 and not (scrub or close):
            # The statement queues the deliveries only while a webhook is set.
            delivery_rows = [delivery_values(d) for d in deliveries_of(review, event, tasks)]
            with (
                _translated(f"saving review {review.id!r}"),
                _conflicts_on_serialization(review.id, expected_version),
            ):
                saved = save_in_one_statement(
                    self._db,
                    sql,
                    review,
                    event,
                    stored.text,
                    event_values,
                    deadline_values,
                    task_values,
                    delivery_rows,
                )
            if saved:
                stored.state = event.state
                self._cache.put(review.id, stored)
                return
        with (
            _translated(f"saving review {review.id!r}"),
            _conflicts_on_serialization(review.id, expected_version),
            self._db.writing() as session,
        ):
            write_review(sql, session, review, event, stored.text, expected_version)
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
                write_deadlines(sql, session, review.id, deadline_values)
            if task_values:
                session.run_many(sql.upsert_task, task_values)
                # The webhook outbox, only while a webhook is set (read in this transaction).
                if session.run(sql.webhook_set, (WEBHOOK_KEY,)).fetchone() is not None:
                    queued = deliveries_of(review, event, tasks)
                    session.run_many(sql.insert_delivery, [delivery_values(d) for d in queued])
            if close:
                close_tasks(sql, session, review.id, close, _utc_text(event.at))
            for scrubbed in scrub:
                values = EVENTS.named(scrubbed)
                kept = (values["payload"], values["salts"], values["state_salt"])
                written = session.run(
                    sql.scrub_event, (*kept, review.id, scrubbed.sequence, values["hash"])
                ).rowcount
                if scrubbed.review_id != review.id or written != 1:
                    raise IntegrityError(
                        review.id, [f"event {scrubbed.sequence} to scrub is not the one stored"]
                    )
        stored.state = event.state
        self._cache.put(review.id, stored)

    def history(self, review_id: str) -> tuple[Event, ...]:
        """Every event of the review, in sequence order."""
        with (
            _translated(f"reading the history of review {review_id!r}"),
            self._db.reading(core=True) as session,
        ):
            conn = session.connection
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
        with _translated("listing overdue deadlines"), self._db.reading() as session:
            rows = session.run(query, params).fetchall()
        return sql.decode_deadlines(rows)

    def deadline_rows(self, review_id: str) -> list[DeadlineRow]:
        """The rows stored for one review, by key (for tests and tooling)."""
        sql = self._sql
        what = f"reading the deadlines of review {review_id!r}"
        with _translated(what), self._db.reading() as session:
            rows = session.run(sql.deadline_rows, (review_id,)).fetchall()
        return sql.decode_deadlines(rows)

    def list_by_stage(self, stage: str, *, limit: int = 100, offset: int = 0) -> list[Envelope]:
        """Reviews at ``stage``, ordered by reference."""
        check_page(limit, offset)
        if limit == 0:
            return []
        if not isinstance(stage, str):
            raise InvalidRequest(
                "list_by_stage", [Refusal.input("a stage is a stage code (text)", "stage")]
            )
        params = (str(stage), limit, offset)
        with _translated(f"listing reviews at stage {stage!s}"), self._db.reading() as session:
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
        with _translated(f"numbering a review of {year}"), self._db.writing(core=True) as session:
            conn = session.connection
            insert = _upsert(conn, counters).values(year=year, last=1)
            number = conn.execute(
                insert.on_conflict_do_update(
                    index_elements=[counters.c.year], set_={"last": counters.c.last + 1}
                ).returning(counters.c.last)
            ).scalar_one()
        return f"SCR-{year}-{number:03d}"

    def pending_tasks(
        self, *, limit: int = 100, after: tuple[datetime, str] | None = None
    ) -> list[Task]:
        """Tasks not yet completed, oldest first (by creation time, then ID)."""
        check_page(limit)
        if limit == 0:
            return []
        with _translated("listing pending tasks"), self._db.reading(core=True) as session:
            conn = session.connection
            if after is None:
                rows = conn.execute(_PENDING_TASKS, {"limit": limit}).all()
            else:
                at, task_id = _utc_text(after[0]), after[1]
                params = {"limit": limit, "at": at, "task_id": task_id}
                rows = conn.execute(_PENDING_TASKS_AFTER, params).all()
        return [_decode_task(row) for row in rows]

    def tasks(self, review_id: str) -> list[TaskState]:
        """Every task of the review, oldest first, with its status: read with the
        review's stage in one statement."""
        params = {"review_id": review_id, "low": review_id + ":", "high": review_id + ";"}
        with (
            _translated(f"listing the tasks of review {review_id!r}"),
            self._db.reading(core=True) as session,
        ):
            conn = session.connection
            rows = conn.execute(_REVIEW_TASKS, params).all()
        if not rows:
            raise ReviewNotFound(review_id)
        # A stage code of any protocol (an SAR's ``commissioned``, an annual report's
        # ``drafting`` …): every protocol's ending stages are the SCR's codes.
        stage = str(rows[0].stage)
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
        with _translated(f"completing task {task_id!r}"), self._db.writing(core=True) as session:
            conn = session.connection
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
        engine = self._db.engine
        if engine is None:
            raise StorageError(
                "vacuum needs the store's own engine: on a host's connection, vacuum the "
                "database yourself"
            )
        self._db.vacuum()

    # ------------------------------------------------------------- integrity

    def heads(self) -> list[tuple[str, int, str]]:
        """``(review id, version, head)`` of every review, by review id (the columns
        beside the review's JSON: one index scan)."""
        with _translated("reading every review's head"), self._db.reading() as session:
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
        with _translated("listing review ids"), self._db.reading(core=True) as session:
            conn = session.connection
            return list(conn.execute(query).scalars())

    def review_id_of(self, reference: str) -> str | None:
        """The id of the review with this reference, if any (one indexed lookup)."""
        r = schema.reviews
        query = sa.select(r.c.id).where(r.c.reference == reference)
        with _translated("finding a review by reference"), self._db.reading(core=True) as session:
            found = session.connection.execute(query).scalar()
        return str(found) if found is not None else None

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
        with _translated(f"reading {len(ids)} reviews"), self._db.reading(snapshot=True) as session:
            conn = session.connection

            def run(text: str, values: tuple[Any, ...] = params) -> list[Any]:
                return list(conn.exec_driver_sql(q(text), values).all())

            review_rows = run(
                f"SELECT {columns(REVIEW_COLUMNS)} FROM scr_reviews WHERE id IN ({marks})"
            )
            deadline_rows = run(
                f"SELECT {columns(schema.deadlines.c.keys())} FROM scr_deadlines "
                f'WHERE review_id IN ({marks}) ORDER BY review_id, "key"'
            )
            event_rows = run(
                f"SELECT {columns(EVENT_COLUMNS)} FROM scr_events "
                f"WHERE review_id IN ({marks}) ORDER BY review_id, sequence"
            )
            # Tasks are found by their id, which starts with the review's (no index by
            # review is kept); a task whose id was changed is then missing, which
            # verify reports.
            task_rows = run(
                f"SELECT {columns(schema.tasks.c.keys())} FROM scr_tasks "
                "WHERE id >= ? AND id < ? ORDER BY id",
                (ids[0] + ":", ids[-1] + ";"),
            )
            access_rows = run(
                f"SELECT {columns(ACCESSES.columns)} FROM scr_access_log "
                f"WHERE review_id IN ({marks}) ORDER BY review_id, sequence"
            )

        def group(rows: list[Any]) -> dict[str, list[Any]]:
            """Rows by their review id."""
            grouped: dict[str, list[Any]] = {}
            for row in rows:
                grouped.setdefault(row._mapping["review_id"], []).append(row)
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
                _stored_review(
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
                    self._sql.decode_deadlines,
                )
            )
        return found

    def find_key(self, key: str, review_id: str | None = None) -> Event | None:
        """The event saved with this idempotency key (see the port)."""
        sql = self._sql
        statement, params = (
            (sql.find_first_key, (key,)) if review_id is None else (sql.find_key, (key, review_id))
        )
        with _translated("looking up an idempotency key"), self._db.reading() as session:
            row = session.run(statement, params).fetchone()
        return None if row is None else _decode_event(row)

    def log_access(
        self, review_id: str, at: datetime, actor_id: str, what: str, granted: bool
    ) -> AccessEntry:
        """Append one read to the review's access log, chained to the entry before it
        (read in the same transaction; a concurrent append of the same sequence makes
        this one try again)."""
        if self._db.read_only is not None:
            raise StorageError(
                f"the database is read-only ({self._db.read_only}): a read naming an actor "
                "must be logged (PR-e), so it is refused here; read without an actor, as "
                "the host's own code, or open a copy that can be written"
            )
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
                    with self._db.writing(core=True) as session:
                        conn = session.connection
                        found = conn.execute(last).first()
                        sequence, prev = (found[0] + 1, found[1]) if found else (1, ACCESS_GENESIS)
                        entry = access_entry(review_id, sequence, at, actor_id, what, granted, prev)
                        conn.execute(sa.insert(a).values(**ACCESSES.named(entry)))
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
        with _translated("reading the access log"), self._db.reading(core=True) as session:
            conn = session.connection
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
        with _translated("saving a checkpoint"), self._db.writing(core=True) as session:
            conn = session.connection
            conn.execute(sa.insert(c).values(**values))

    def latest_checkpoint(self) -> Checkpoint | None:
        """The checkpoint saved last, if any (a stored copy: check its signature)."""
        c = schema.checkpoints
        query = sa.select(c.c.data).order_by(c.c.id.desc()).limit(1)
        with _translated("reading the latest checkpoint"), self._db.reading(core=True) as session:
            conn = session.connection
            data = conn.execute(query).scalar()
        if data is None:
            return None
        try:
            return Checkpoint.from_json(data)
        except InvalidRequest as exc:
            raise StorageError(f"the stored checkpoint cannot be read: {exc}") from exc

    def board_identity(self) -> BoardIdentity | None:
        """The Board's identity kept in ``scr_store_settings``, if one was set."""
        return read_board(self._db)

    def set_board_identity(self, identity: BoardIdentity) -> None:
        """Keep the Board's identity in ``scr_store_settings`` (replacing the one before)."""
        write_board(self._db, identity)

    def webhook(self) -> Webhook | None:
        """The webhook kept in ``scr_store_settings``, if one was set."""
        return read_webhook(self._db)

    def set_webhook(self, webhook: Webhook | None) -> None:
        """Keep the webhook in ``scr_store_settings`` (replacing the one before); None
        removes it."""
        write_webhook(self._db, webhook)

    def deliveries(
        self,
        *,
        status: DeliveryStatus | None = None,
        due_by: datetime | None = None,
        limit: int = 100,
        offset: int = 0,
    ) -> list[Delivery]:
        """The webhook deliveries queued (see the port)."""
        return list_deliveries(self._db, status=status, due_by=due_by, limit=limit, offset=offset)

    def delivery(self, delivery_id: str) -> Delivery | None:
        """The delivery queued with this id, if any."""
        return find_delivery(self._db, delivery_id)

    def record_attempt(self, delivery: Delivery) -> None:
        """Keep what an attempt changed of a queued delivery."""
        record_attempt(self._db, delivery)

    def claim_delivery(self, delivery: Delivery, until: datetime) -> bool:
        """Lease a pending delivery until ``until`` if it is as read (see the port)."""
        return claim_delivery(self._db, delivery, until)
