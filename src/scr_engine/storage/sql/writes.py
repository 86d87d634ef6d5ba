"""The writes of a save (:meth:`SqlStore.save <scr_engine.storage.sql.SqlStore.save>`),
each inside the transaction the store opened: the review's row (inserted, or updated
only from the version expected), its deadline rows (only those that differ), the tasks
the event fulfils closed, and PostgreSQL's whole save as one statement.

A write that finds another version stored raises
:class:`~scr_engine.ConcurrencyConflict`; one that would break the review's binding to
its history raises :class:`~scr_engine.IntegrityError`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa

from scr_engine.errors import ConcurrencyConflict, IntegrityError, StorageError
from scr_engine.history import Event
from scr_engine.records.envelope import Envelope
from scr_engine.storage.sql.connections import Connections, _Session
from scr_engine.storage.sql.rows import REVIEW_COLUMNS, completion_digest
from scr_engine.storage.sql.statements import _Sql

__all__ = ["close_tasks", "save_in_one_statement", "write_deadlines", "write_review"]


def save_in_one_statement(
    db: Connections,
    sql: _Sql,
    review: Envelope,
    event: Event,
    text: str,
    event_values: tuple[Any, ...],
    deadlines: dict[str, tuple[Any, ...]] | None,
    tasks: list[tuple[Any, ...]],
    deliveries: list[tuple[Any, ...]],
) -> bool:
    """PostgreSQL: the whole save as one statement (data-modifying CTEs, see
    :meth:`_Sql.save_statement`), in autocommit mode on the store's own engine (a
    statement is atomic: no BEGIN and COMMIT round trips), in a SAVEPOINT on a
    host's connection. Every part is conditional on the versioned ``UPDATE``;
    False when it matched no row (another version is stored, or the stage or
    another indexed column changed otherwise than guessed): then it wrote nothing,
    and the general path decides."""
    stage_changed = event.stage_before != review.stage
    statement = sql.save_statement(stage_changed, deadlines is not None, bool(tasks))
    params = sql.save_params(review, text, event_values, deadlines, tasks, deliveries)
    try:
        with db.writing(one_statement=True) as session:
            written = session.run(statement, params).fetchone()[0]
    except sa.exc.IntegrityError as exc:
        raise ConcurrencyConflict(review.id, review.version - 1, None) from exc
    return bool(written)


def write_review(
    sql: _Sql, session: _Session, review: Envelope, event: Event, text: str, expected_version: int
) -> None:
    """Write the review's row: insert it (``expected_version`` 0; a reference already
    used is a :class:`StorageError`), or update it only where the stored version is
    ``expected_version`` and its head the event's ``prev_hash``, guessing first that
    the stage stayed as the event says. A row that does not follow raises
    :class:`ConcurrencyConflict` or, when the version matches but not the head,
    :class:`IntegrityError`."""
    review_id = review.id
    received_on = sql.date_in(review.received_on)
    stage = str(review.stage)
    if expected_version == 0:
        row = {
            "id": review_id,
            "reference": review.reference,
            "stage": stage,
            "version": review.version,
            "settings_version": review.settings_version,
            "received_on": received_on,
            "data": text,
            "head": review.head,
        }
        values = tuple(row[name] for name in REVIEW_COLUMNS)
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
        if event.stage_before == review.stage:  # the usual case: set version and data
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


def write_deadlines(
    sql: _Sql, session: _Session, review_id: str, rows: dict[str, tuple[Any, ...]]
) -> None:
    """Make the review's stored deadline rows ``rows`` (by key), writing only the
    rows that differ: read in the write transaction, so exact whoever wrote last."""
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


def close_tasks(
    sql: _Sql, session: _Session, review_id: str, close: Sequence[str], at: str
) -> None:
    """Mark the review's tasks ``close`` completed at ``at`` (each once: one
    completed before keeps its completion); :class:`StorageError` for an id that
    is not a task of the review."""
    for task_id in close:
        proof = completion_digest(task_id, at)
        found = session.run(sql.close_task, (at, proof, task_id, review_id)).rowcount
        if found == 0:
            raise StorageError(f"no task {task_id!r} of review {review_id!r} to close")
