"""The prebuilt SQL of the SQL store's hot paths (private to :mod:`scr_engine.storage.sql`).

The statements of load, save and overdue as SQL text in the driver's own parameter
style, prepared once per store, with the conversions SQLAlchemy's column types would
make, and the decoding of deadline rows.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date
from typing import Any

import sqlalchemy as sa

from scr_engine.errors import StorageError
from scr_engine.rules.deadlines import DeadlineStatus
from scr_engine.storage.port import DeadlineRow

_STATUS: dict[str, DeadlineStatus] = {status.value: status for status in DeadlineStatus}
_EVENT_COLUMNS = (
    "review_id",
    "sequence",
    "at",
    "actor_id",
    "role",
    "command",
    "payload",
    "stage_before",
    "stage_after",
    "prev_hash",
    "hash",
    "state",
    "commitments",
    "salts",
    "state_salt",
    "format",
    "idempotency_key",
)
"""The columns of ``scr_events``, in the order of the store's event tuples."""
_TASK_COLUMNS = ("id", "review_id", "kind", "agency", "created_at", "rule")
"""The columns of ``scr_tasks`` a save writes, in the order of
:func:`~scr_engine.storage.sql._task_values`."""
_DEADLINE_COLUMNS = ("reference", "rule", "title", "due_on", "met_on", "status", "running")
"""The columns of ``scr_deadlines`` besides its key (review_id, key), in the order of
the tuples :meth:`_Sql.deadline_values` makes."""


def _iso_date(value: date) -> str:
    """A date as SQLAlchemy's SQLite ``Date`` stores it (``YYYY-MM-DD``)."""
    if type(value) is date:
        return value.isoformat()
    if not isinstance(value, date):
        raise StorageError(f"a stored date must be a date, not {type(value).__name__}")
    return f"{value.year:04d}-{value.month:02d}-{value.day:02d}"


class _Sql:
    """The statements of the hot paths (load, save, overdue) as SQL text in the
    driver's own parameter style, prepared once, with the conversions SQLAlchemy's
    column types would make (dates as ISO text on SQLite, as ``date`` on PostgreSQL).
    Built once per store (statements SQLAlchemy compiled per call cost more than the
    SQL itself); a :class:`~scr_engine.storage._session._Session` runs them."""

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
        self.date_in: Callable[[date], Any] = _iso_date if self.sqlite else _same
        true = "1" if self.sqlite else "true"  # as schema.running_deadline compiles
        q = self._q
        # The row with its last event, read in one statement (one snapshot).
        self.load = q(
            "SELECT r.data, r.stage, r.version, r.head, e.sequence, e.hash, e.state "
            "FROM scr_reviews r LEFT JOIN scr_events e ON e.review_id = r.id AND "
            "e.sequence = (SELECT max(sequence) FROM scr_events WHERE review_id = ?) "
            "WHERE r.id = ?"
        )
        self.history_upto = q(
            f"SELECT {', '.join(_EVENT_COLUMNS)} FROM scr_events "
            "WHERE review_id = ? AND sequence <= ? ORDER BY sequence"
        )
        self.version = q("SELECT version FROM scr_reviews WHERE id = ?")
        self.heads = "SELECT id, version, head FROM scr_reviews ORDER BY id"
        self.find_key = q(
            f"SELECT {', '.join(_EVENT_COLUMNS)} FROM scr_events "
            "WHERE idempotency_key = ? AND review_id = ?"
        )
        self.find_first_key = q(
            f"SELECT {', '.join(_EVENT_COLUMNS)} FROM scr_events "
            "WHERE idempotency_key = ? AND sequence = 1"
        )
        self.scrub_event = q(
            "UPDATE scr_events SET payload = ?, salts = ?, state_salt = ? "
            "WHERE review_id = ? AND sequence = ? AND hash = ?"
        )
        self.insert_review = q(
            "INSERT INTO scr_reviews (id, reference, stage, version, settings_version, "
            "received_on, data, head) VALUES (?, ?, ?, ?, ?, ?, ?, ?) "
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
            f"INSERT INTO scr_events ({', '.join(_EVENT_COLUMNS)}) "
            f"VALUES ({', '.join('?' for _ in _EVENT_COLUMNS)})"
        )
        columns = ", ".join(_DEADLINE_COLUMNS)
        self.deadlines_of = q(f'SELECT "key", {columns} FROM scr_deadlines WHERE review_id = ?')
        self.delete_deadline = q('DELETE FROM scr_deadlines WHERE review_id = ? AND "key" = ?')
        self.insert_deadline = q(
            f'INSERT INTO scr_deadlines (review_id, "key", {columns}) '
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"
        )
        self._update_deadline: dict[tuple[int, ...], str] = {}
        self._rows: dict[tuple[Any, ...], DeadlineRow] = {}
        self.upsert_task = q(
            "INSERT INTO scr_tasks (id, review_id, kind, agency, created_at, rule) "
            "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET "
            "review_id = excluded.review_id, kind = excluded.kind, "
            "agency = excluded.agency, created_at = excluded.created_at, rule = excluded.rule"
        )
        row = 'review_id, reference, "key", rule, title, due_on, met_on, status'
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
        :meth:`~scr_engine.storage.sql.SqlStore._save_in_one_statement`): the
        versioned ``UPDATE`` (of the stage only when ``stage_changed``), then, for its
        row only, the event, the deadline rows (those gone deleted, the others inserted
        or updated where they differ) and the tasks."""
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
        # As the columns take them.
        event_types = ("text", "integer", *(["text"] * 13), "integer", "text")
        event_values = ", ".join(
            f"%({name})s::{kind}" for name, kind in zip(_EVENT_COLUMNS, event_types, strict=True)
        )
        parts = [
            f"upd AS ({update} RETURNING id)",
            f"ev AS (INSERT INTO scr_events ({', '.join(_EVENT_COLUMNS)}) "
            f"SELECT {event_values} FROM upd)",
        ]
        if deadlines:
            columns = ", ".join(_DEADLINE_COLUMNS)
            kinds = ("text", "text", "text", "date", "date", "text", "boolean")
            record = ", ".join(
                f"{name} {kind}" for name, kind in zip(_DEADLINE_COLUMNS, kinds, strict=True)
            )
            old = ", ".join(f"scr_deadlines.{name}" for name in _DEADLINE_COLUMNS)
            new = ", ".join(f"excluded.{name}" for name in _DEADLINE_COLUMNS)
            sets = ", ".join(f"{name} = excluded.{name}" for name in _DEADLINE_COLUMNS)
            parts += [
                # The rows as one JSON parameter: cheaper to send than nine arrays.
                f'dl AS (SELECT * FROM json_to_recordset(%(deadlines)s::json) AS n("key" text, '
                f"{record}))",
                "dl_gone AS (DELETE FROM scr_deadlines d USING upd WHERE d.review_id = upd.id "
                'AND NOT EXISTS (SELECT FROM dl WHERE dl."key" = d."key"))',
                f'dl_put AS (INSERT INTO scr_deadlines (review_id, "key", {columns}) '
                f'SELECT upd.id, dl."key", {", ".join(f"dl.{n}" for n in _DEADLINE_COLUMNS)} '
                f"FROM upd, dl "
                f'ON CONFLICT (review_id, "key") DO UPDATE SET {sets} '
                f"WHERE ({old}) IS DISTINCT FROM ({new}))",
            ]
        if tasks:
            columns = ", ".join(_TASK_COLUMNS)
            record = ", ".join(f"{name} text" for name in _TASK_COLUMNS)
            sets = ", ".join(f"{name} = excluded.{name}" for name in _TASK_COLUMNS[1:])
            parts.append(
                f"tk AS (INSERT INTO scr_tasks ({columns}) SELECT n.* FROM upd, "
                f"json_to_recordset(%(tasks)s::json) AS n({record}) "
                f"ON CONFLICT (id) DO UPDATE SET {sets})"
            )
        statement = "WITH " + ", ".join(parts) + " SELECT count(*) FROM upd"
        self._saves[key] = statement
        return statement

    def update_deadline(self, changed: tuple[int, ...]) -> str:
        """``UPDATE`` of the columns at positions ``changed`` of one deadline row."""
        sql = self._update_deadline.get(changed)
        if sql is None:
            sets = ", ".join(f"{_DEADLINE_COLUMNS[i]} = ?" for i in changed)
            sql = self._q(f'UPDATE scr_deadlines SET {sets} WHERE review_id = ? AND "key" = ?')
            self._update_deadline[changed] = sql
        return sql

    def deadline_values(self, row: DeadlineRow) -> tuple[Any, ...]:
        """A row's columns (in :data:`_DEADLINE_COLUMNS` order) as the database holds
        them, so that they compare equal to what a ``SELECT`` returns."""
        met_on = row.met_on
        return (
            row.reference,
            row.rule,
            row.title,
            self.date_in(row.due_on),
            None if met_on is None else self.date_in(met_on),
            row.status.value,
            row.running,
        )

    def decode_deadlines(self, rows: Sequence[Sequence[Any]]) -> list[DeadlineRow]:
        """:class:`DeadlineRow` s of ``SELECT review_id, reference, key, rule, title,
        due_on, met_on, status`` rows.

        A row is a value: the rows read last are kept by their column values (at most
        :data:`_ROW_MEMO` of them), and a row read again with the same values is the
        same ``DeadlineRow`` (building one costs more than reading it)."""
        memo = self._rows
        decoded: list[DeadlineRow] = []
        try:
            for row in rows:
                key = row if type(row) is tuple else tuple(row)
                found = memo.get(key)
                if found is None:
                    review_id, reference, deadline, rule, title, due, met, status = key
                    if self.sqlite:
                        due = date.fromisoformat(due)
                        met = None if met is None else date.fromisoformat(met)
                    found = DeadlineRow(
                        review_id, reference, deadline, rule, title, due, met, _STATUS[status]
                    )
                    if len(memo) >= _ROW_MEMO:
                        memo.clear()
                    memo[key] = found
                decoded.append(found)
        except (ValueError, TypeError, KeyError) as exc:
            raise StorageError(f"a stored deadline cannot be read: {exc!r}") from exc
        return decoded


_ROW_MEMO = 8192
"""Deadline rows a store keeps decoded (see :meth:`_Sql.decode_deadlines`)."""


def _same(value: date) -> date:
    return value
