"""The prebuilt SQL of the SQL store's hot paths.

The statements of load, save and overdue as SQL text in the driver's own parameter
style, prepared once per store, with the conversions SQLAlchemy's column types would
make, and the decoding of deadline rows. Column lists and PostgreSQL casts are made
from the row codecs of :mod:`.rows`, that is from ``schema.<table>.c``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from datetime import date
from operator import attrgetter
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from scr_engine.errors import StorageError
from scr_engine.records.envelope import Envelope
from scr_engine.rules.deadlines import DeadlineStatus
from scr_engine.states.stages import TERMINAL_STAGES
from scr_engine.storage import schema
from scr_engine.storage.port import DeadlineRow
from scr_engine.storage.schema import task_pending
from scr_engine.storage.sql.review_json import _to_json
from scr_engine.storage.sql.rows import (
    DEADLINE_COLUMNS,
    DEADLINE_ROW_COLUMNS,
    DELIVERY_COLUMNS,
    EVENT_COLUMNS,
    REVIEW_COLUMNS,
    TASK_COLUMNS,
    WEBHOOK_KEY,
    RowCodec,
    _iso_date,
    _unchanged,
)

_STATUS: dict[str, DeadlineStatus] = {status.value: status for status in DeadlineStatus}


def _quoted(name: str) -> str:
    return f'"{name}"' if name == "key" else name  # a keyword on some databases


def columns(names: Iterable[str], prefix: str = "") -> str:
    """A column list for SQL text (``key`` quoted)."""
    return ", ".join(prefix + _quoted(n) for n in names)


def pg_type(column: sa.Column[Any]) -> str:
    """The PostgreSQL type a parameter of ``column`` is cast to in one-statement saves."""
    kind = column.type
    if isinstance(kind, sa.Boolean):
        return "boolean"
    if isinstance(kind, sa.Integer):
        return "integer"
    if isinstance(kind, sa.Date):
        return "date"
    return "text"


def _deadline_codec(sqlite: bool, names: Sequence[str]) -> RowCodec[DeadlineRow]:
    return RowCodec(
        DeadlineRow,
        schema.deadlines,
        columns=names,
        convert={"status": (attrgetter("value"), _STATUS.__getitem__)},
        sqlite=sqlite,
    )


class _Sql:
    """The statements of the hot paths (load, save, overdue) as SQL text in the
    driver's own parameter style, prepared once, with the conversions SQLAlchemy's
    column types would make (dates as ISO text on SQLite, as ``date`` on PostgreSQL).
    Built once per store (statements SQLAlchemy compiled per call cost more than the
    SQL itself); a :class:`~scr_engine.storage.sql.connections._Session` runs them."""

    def __init__(self, dialect: sa.Dialect) -> None:
        self.dialect = dialect
        self.sqlite = dialect.name == "sqlite"
        self.one_statement = dialect.name == "postgresql"
        self._saves: dict[tuple[bool, bool, bool], str] = {}
        if dialect.paramstyle == "qmark":
            mark = "?"
        elif dialect.paramstyle in ("format", "pyformat"):
            mark = "%s"
        else:  # pragma: no cover - no supported driver does this
            raise StorageError(f"unsupported driver parameter style {dialect.paramstyle!r}")
        self._mark = mark
        self.date_in: Callable[[date], Any] = _iso_date if self.sqlite else _unchanged
        self.deadline_out = _deadline_codec(self.sqlite, DEADLINE_COLUMNS)
        """Deadline rows as :meth:`deadline_values` writes them."""
        self.deadline_in = _deadline_codec(self.sqlite, DEADLINE_ROW_COLUMNS)
        """Deadline rows as :meth:`decode_deadlines` reads them."""
        true = "1" if self.sqlite else "true"  # as schema.running_deadline compiles
        q = self._q
        events = columns(EVENT_COLUMNS)
        # The row with its last event, read in one statement (one snapshot).
        self.load = q(
            "SELECT r.data, r.stage, r.version, r.head, e.sequence, e.hash, e.state "
            "FROM scr_reviews r LEFT JOIN scr_events e ON e.review_id = r.id AND "
            "e.sequence = (SELECT max(sequence) FROM scr_events WHERE review_id = ?) "
            "WHERE r.id = ?"
        )
        self.history_upto = q(
            f"SELECT {events} FROM scr_events "
            "WHERE review_id = ? AND sequence <= ? ORDER BY sequence"
        )
        self.history_between = q(
            f"SELECT {events} FROM scr_events "
            "WHERE review_id = ? AND sequence > ? AND sequence <= ? ORDER BY sequence"
        )
        self.version = q("SELECT version FROM scr_reviews WHERE id = ?")
        self.heads = "SELECT id, version, head FROM scr_reviews ORDER BY id"
        self.find_key = q(
            f"SELECT {events} FROM scr_events WHERE idempotency_key = ? AND review_id = ?"
        )
        self.find_first_key = q(
            f"SELECT {events} FROM scr_events WHERE idempotency_key = ? AND sequence = 1"
        )
        self.scrub_event = q(
            "UPDATE scr_events SET payload = ?, salts = ?, state_salt = ? "
            "WHERE review_id = ? AND sequence = ? AND hash = ?"
        )
        self.insert_review = q(
            f"INSERT INTO scr_reviews ({columns(REVIEW_COLUMNS)}) "
            f"VALUES ({', '.join('?' for _ in REVIEW_COLUMNS)}) "
            "ON CONFLICT (id) DO NOTHING RETURNING id"
        )
        # The versioned write sets only what changed: stage, reference and the others
        # are indexed copies, and setting one (even to its own value) rewrites its index.
        kept = "reference = ? AND settings_version = ? AND received_on = ?"
        # Every write also requires the stored head to be the one the new event
        # follows: a row whose head was changed is never written over.
        self.update_review = q(
            "UPDATE scr_reviews SET version = ?, data = ?, head = ? "
            f"WHERE id = ? AND version = ? AND head = ? AND stage = ? AND {kept}"
        )
        self.update_review_stage = q(
            "UPDATE scr_reviews SET version = ?, data = ?, head = ?, stage = ? "
            f"WHERE id = ? AND version = ? AND head = ? AND {kept}"
        )
        self.update_review_all = q(
            "UPDATE scr_reviews SET version = ?, data = ?, head = ?, stage = ?, reference = ?, "
            "settings_version = ?, received_on = ? WHERE id = ? AND version = ? AND head = ?"
        )
        self.insert_event = q(
            f"INSERT INTO scr_events ({events}) VALUES ({', '.join('?' for _ in EVENT_COLUMNS)})"
        )
        deadline = columns(DEADLINE_COLUMNS)
        self.deadlines_of = q(f'SELECT "key", {deadline} FROM scr_deadlines WHERE review_id = ?')
        self.delete_deadline = q('DELETE FROM scr_deadlines WHERE review_id = ? AND "key" = ?')
        self.insert_deadline = q(
            f'INSERT INTO scr_deadlines (review_id, "key", {deadline}) '
            f"VALUES (?, ?, {', '.join('?' for _ in DEADLINE_COLUMNS)})"
        )
        self._update_deadline: dict[tuple[int, ...], str] = {}
        self._rows: dict[tuple[Any, ...], DeadlineRow] = {}
        self.upsert_task = q(
            f"INSERT INTO scr_tasks ({columns(TASK_COLUMNS)}) "
            f"VALUES ({', '.join('?' for _ in TASK_COLUMNS)}) ON CONFLICT (id) DO UPDATE SET "
            + ", ".join(f"{name} = excluded.{name}" for name in TASK_COLUMNS if name != "id")
        )
        self.insert_delivery = q(
            f"INSERT INTO scr_webhook_deliveries ({columns(DELIVERY_COLUMNS)}) "
            f"VALUES ({', '.join('?' for _ in DELIVERY_COLUMNS)}) ON CONFLICT (id) DO NOTHING"
        )
        # Whether a webhook is set, read in the save's own transaction: deliveries are
        # queued only while one is (the memory store decides under its lock).
        self.webhook_set = q('SELECT 1 FROM scr_store_settings WHERE "key" = ?')
        # A task the saved event fulfils: completed as complete_task would (once).
        self.close_task = q(
            "UPDATE scr_tasks SET completed_at = COALESCE(completed_at, ?), "
            "completion = COALESCE(completion, ?) WHERE id = ? AND review_id = ?"
        )
        row = columns(DEADLINE_ROW_COLUMNS)
        order = 'ORDER BY due_on, review_id, "key" LIMIT ?'
        # The same predicate as the partial index, so SQLite's planner can use it.
        running = f"running = {true} AND due_on < ?"
        self.overdue = q(f"SELECT {row} FROM scr_deadlines WHERE {running} {order}")
        self.overdue_after = q(
            f"SELECT {row} FROM scr_deadlines WHERE {running} "
            f'AND (due_on, review_id, "key") > (?, ?, ?) {order}'
        )
        self.deadline_rows = q(
            f'SELECT {row} FROM scr_deadlines WHERE review_id = ? ORDER BY "key"'
        )
        self.list_by_stage = q(
            "SELECT id, data FROM scr_reviews WHERE stage = ? ORDER BY reference LIMIT ? OFFSET ?"
        )

    def _q(self, text: str) -> str:
        return text if self._mark == "?" else text.replace("?", self._mark)

    def save_statement(self, stage_changed: bool, deadlines: bool, tasks: bool) -> str:
        """PostgreSQL: one save as one statement, named parameters (see
        :func:`~scr_engine.storage.sql.writes.save_in_one_statement`): the
        versioned ``UPDATE`` (of the stage only when ``stage_changed``), then, for its
        row only, the event, the deadline rows (those gone deleted, the others inserted
        or updated where they differ), the tasks and, while a webhook is set, their
        deliveries. Parameters are cast to their
        columns' types (:func:`pg_type`)."""
        key = (stage_changed, deadlines, tasks)
        statement = self._saves.get(key)
        if statement is not None:
            return statement
        kept = (
            "reference = %(reference)s AND settings_version = %(settings_version)s "
            "AND received_on = %(received_on)s"
        )
        sets = "version = %(version)s, data = %(data)s, head = %(hash)s"
        where = "id = %(id)s AND version = %(expected)s AND head = %(prev_hash)s"
        if stage_changed:
            update = f"UPDATE scr_reviews SET {sets}, stage = %(stage)s WHERE {where} AND {kept}"
        else:
            update = f"UPDATE scr_reviews SET {sets} WHERE {where} AND stage = %(stage)s AND {kept}"
        event_values = ", ".join(
            f"%({name})s::{pg_type(schema.events.c[name])}" for name in EVENT_COLUMNS
        )
        parts = [
            f"upd AS ({update} RETURNING id)",
            f"ev AS (INSERT INTO scr_events ({columns(EVENT_COLUMNS)}) "
            f"SELECT {event_values} FROM upd)",
        ]
        if deadlines:
            names = DEADLINE_COLUMNS
            record = ", ".join(
                f"{_quoted(name)} {pg_type(schema.deadlines.c[name])}" for name in ("key", *names)
            )
            old = columns(names, "scr_deadlines.")
            new = columns(names, "excluded.")
            sets = ", ".join(f"{name} = excluded.{name}" for name in names)
            parts += [
                # The rows as one JSON parameter: cheaper to send than nine arrays.
                f"dl AS (SELECT * FROM json_to_recordset(%(deadlines)s::json) AS n({record}))",
                "dl_gone AS (DELETE FROM scr_deadlines d USING upd WHERE d.review_id = upd.id "
                'AND NOT EXISTS (SELECT FROM dl WHERE dl."key" = d."key"))',
                f'dl_put AS (INSERT INTO scr_deadlines (review_id, "key", {columns(names)}) '
                f'SELECT upd.id, dl."key", {columns(names, "dl.")} '
                f"FROM upd, dl "
                f'ON CONFLICT (review_id, "key") DO UPDATE SET {sets} '
                f"WHERE ({old}) IS DISTINCT FROM ({new}))",
            ]
        if tasks:
            # The webhook outbox: one delivery per task, in the same statement, and
            # only while a webhook is set (its row read in the statement's snapshot).
            record = ", ".join(
                f"{_quoted(name)} {pg_type(schema.webhook_deliveries.c[name])}"
                for name in DELIVERY_COLUMNS
            )
            parts.append(
                f"wh AS (INSERT INTO scr_webhook_deliveries ({columns(DELIVERY_COLUMNS)}) "
                f"SELECT n.* FROM upd, json_to_recordset(%(deliveries)s::json) AS n({record}) "
                'WHERE EXISTS (SELECT FROM scr_store_settings WHERE "key" = %(webhook_key)s) '
                "ON CONFLICT (id) DO NOTHING)"
            )
            record = ", ".join(f"{name} {pg_type(schema.tasks.c[name])}" for name in TASK_COLUMNS)
            sets = ", ".join(f"{name} = excluded.{name}" for name in TASK_COLUMNS if name != "id")
            parts.append(
                f"tk AS (INSERT INTO scr_tasks ({columns(TASK_COLUMNS)}) SELECT n.* FROM upd, "
                f"json_to_recordset(%(tasks)s::json) AS n({record}) "
                f"ON CONFLICT (id) DO UPDATE SET {sets})"
            )
        statement = "WITH " + ", ".join(parts) + " SELECT count(*) FROM upd"
        self._saves[key] = statement
        return statement

    def save_params(
        self,
        review: Envelope,
        text: str,
        event_values: tuple[Any, ...],
        deadlines: dict[str, tuple[Any, ...]] | None,
        tasks: list[tuple[Any, ...]],
        deliveries: Sequence[tuple[Any, ...]] = (),
    ) -> dict[str, Any]:
        """The named parameters of :meth:`save_statement`: the review's columns, the
        event's by column name, and the deadline rows and tasks as JSON records."""
        params: dict[str, Any] = {
            "id": review.id,
            "version": review.version,
            "data": text,
            "expected": review.version - 1,
            "stage": str(review.stage),
            "reference": review.reference,
            "settings_version": review.settings_version,
            "received_on": review.received_on,
        }
        params.update(zip(EVENT_COLUMNS, event_values, strict=True))
        if deadlines is not None:
            params["deadlines"] = _to_json(
                [
                    {
                        "key": key,
                        **{
                            name: _json_value(value)
                            for name, value in zip(DEADLINE_COLUMNS, values, strict=True)
                        },
                    }
                    for key, values in deadlines.items()
                ]
            )
        if tasks:
            rows = [dict(zip(TASK_COLUMNS, values, strict=True)) for values in tasks]
            unique = {row["id"]: row for row in rows}  # the last one wins, as in order
            params["tasks"] = _to_json(list(unique.values()))
            params["deliveries"] = _to_json(
                [dict(zip(DELIVERY_COLUMNS, values, strict=True)) for values in deliveries]
            )
            params["webhook_key"] = WEBHOOK_KEY
        return params

    def update_deadline(self, changed: tuple[int, ...]) -> str:
        """``UPDATE`` of the columns at positions ``changed`` of one deadline row."""
        sql = self._update_deadline.get(changed)
        if sql is None:
            sets = ", ".join(f"{DEADLINE_COLUMNS[i]} = ?" for i in changed)
            sql = self._q(f'UPDATE scr_deadlines SET {sets} WHERE review_id = ? AND "key" = ?')
            self._update_deadline[changed] = sql
        return sql

    def deadline_values(self, row: DeadlineRow) -> tuple[Any, ...]:
        """A row's columns (in :data:`DEADLINE_COLUMNS` order) as the database holds
        them, so that they compare equal to what a ``SELECT`` returns."""
        return self.deadline_out.values(row)

    def decode_deadlines(self, rows: Sequence[Sequence[Any]]) -> list[DeadlineRow]:
        """:class:`DeadlineRow` s of rows of :data:`DEADLINE_ROW_COLUMNS`.

        A row is a value: the rows read last are kept by their column values (at most
        :data:`_ROW_MEMO` of them), and a row read again with the same values is the
        same ``DeadlineRow`` (building one costs more than reading it)."""
        memo = self._rows
        decode = self.deadline_in.decode
        decoded: list[DeadlineRow] = []
        try:
            for row in rows:
                key = row if type(row) is tuple else tuple(row)
                found = memo.get(key)
                if found is None:
                    found = decode(key)
                    if len(memo) >= _ROW_MEMO:
                        memo.clear()
                    memo[key] = found
                decoded.append(found)
        except (ValueError, TypeError, KeyError) as exc:
            raise StorageError(f"a stored deadline cannot be read: {exc!r}") from exc
        return decoded


_ROW_MEMO = 8192
"""Deadline rows a store keeps decoded (see :meth:`_Sql.decode_deadlines`)."""


def _json_value(value: Any) -> Any:
    """A column's value in a JSON parameter (dates as ISO text)."""
    return value.isoformat() if isinstance(value, date) else value


def _upsert(conn: Connection, table: sa.Table) -> Any:
    """The dialect's INSERT, which has ``on_conflict_do_*`` (the dialect module is
    imported here, when first needed: a SQLite store never loads PostgreSQL's)."""
    if conn.dialect.name == "postgresql":
        from sqlalchemy.dialects import postgresql as pg_dialect

        return pg_dialect.insert(table)
    from sqlalchemy.dialects import sqlite as sqlite_dialect

    return sqlite_dialect.insert(table)


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

_PENDING_TASKS_AFTER = _PENDING_TASKS.where(
    sa.or_(
        schema.tasks.c.created_at > sa.bindparam("at"),
        sa.and_(
            schema.tasks.c.created_at == sa.bindparam("at"),
            schema.tasks.c.id > sa.bindparam("task_id"),
        ),
    )
)
"""The next page of :data:`_PENDING_TASKS`: after ``(at, task_id)``, ``at`` in the
stored UTC text (which sorts in time order)."""

_REVIEW_TASKS = sa.text(
    "SELECT r.stage AS stage, "
    + ", ".join(f"t.{name} AS {name}" for name in (*TASK_COLUMNS, "completed_at"))
    + " FROM scr_reviews r LEFT JOIN scr_tasks t "
    "ON t.id >= :low AND t.id < :high AND t.review_id = r.id "
    "WHERE r.id = :review_id ORDER BY t.created_at, t.id"
)
"""The review's stage with each of its tasks (none: one row of nulls). Tasks are found
by their id, which starts with the review's (no index by review is kept)."""
