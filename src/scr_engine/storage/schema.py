"""The SQL store's tables, as SQLAlchemy Core metadata.

This module is the live description of the schema; the Alembic migrations in
:mod:`scr_engine.storage.migrations` build it, and a test proves the two agree.
Every table name starts with ``scr_`` (and Alembic's version table is
``scr_alembic_version``) so the store can share a database, and a host's own Alembic
history, without clashing.

Choices worth knowing:

- A review is stored whole as JSON (``scr_reviews.data``: the library's converter's
  primitives, compact, keys in field order; nothing hashes this text); the columns
  beside it (stage, version, reference …) are copies kept for indexing and for the
  optimistic version check.
- Times are ISO 8601 text. An event keeps the exact text its hash covers (a
  ``timestamptz`` would lose the original offset and break the hash chain); task
  times are normalized to UTC with microseconds, a fixed-width text that sorts in
  time order on every database.
- Identifiers and keys that queries sort or page on use the ``"C"`` collation on
  PostgreSQL, so their order is code-point order, the same as SQLite's and Python's.
"""

from __future__ import annotations

import sqlalchemy as sa

__all__ = [
    "VERSION_TABLE",
    "access_log",
    "checkpoints",
    "deadlines",
    "events",
    "metadata",
    "reference_counters",
    "reviews",
    "running_deadline",
    "store_settings",
    "task_pending",
    "tasks",
    "webhook_deliveries",
]

VERSION_TABLE = "scr_alembic_version"
"""Alembic's version table for the store's schema (not the default ``alembic_version``,
so that a host's own migrations can live in the same database)."""

_metadata = sa.MetaData(
    naming_convention={
        "ix": "ix_%(column_0_label)s",
        "uq": "uq_%(table_name)s_%(column_0_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)
"""Every table of the SQL store."""


def _key() -> sa.types.TypeEngine[str]:
    """Text compared and sorted in code-point order on every database."""
    return sa.String().with_variant(sa.String(collation="C"), "postgresql")


reviews = sa.Table(
    "scr_reviews",
    _metadata,
    sa.Column("id", _key(), primary_key=True),
    sa.Column("reference", _key(), nullable=False, unique=True),
    sa.Column("stage", sa.String(), nullable=False),
    sa.Column("version", sa.Integer(), nullable=False),
    sa.Column("settings_version", sa.String(), nullable=False),
    sa.Column("received_on", sa.Date(), nullable=False),
    sa.Column("data", sa.Text(), nullable=False),
    sa.Column("head", sa.String(), nullable=True),
    sa.Index("ix_scr_reviews_stage_reference", "stage", "reference"),
)
"""One row per review at its latest version; ``data`` is the whole review as JSON,
``head`` the hash of its last event (a copy of the JSON's, read by checkpoints)."""

events = sa.Table(
    "scr_events",
    _metadata,
    sa.Column("review_id", _key(), sa.ForeignKey("scr_reviews.id"), primary_key=True),
    sa.Column("sequence", sa.Integer(), primary_key=True, autoincrement=False),
    sa.Column("at", sa.String(), nullable=False),
    sa.Column("actor_id", sa.String(), nullable=False),
    sa.Column("role", sa.String(), nullable=False),
    sa.Column("command", sa.String(), nullable=False),
    sa.Column("payload", sa.Text(), nullable=False),
    sa.Column("stage_before", sa.String(), nullable=True),
    sa.Column("stage_after", sa.String(), nullable=False),
    sa.Column("prev_hash", sa.String(), nullable=False),
    sa.Column("hash", sa.String(), nullable=False),
    sa.Column("state", sa.String(), nullable=True),
    sa.Column("commitments", sa.Text(), nullable=True),
    sa.Column("salts", sa.Text(), nullable=True),
    sa.Column("state_salt", sa.String(), nullable=True),
    sa.Column("format", sa.Integer(), nullable=False, server_default="1"),
    sa.Column("idempotency_key", sa.String(), nullable=True),
    sa.Index("ux_scr_events_review_key", "review_id", "idempotency_key", unique=True),
)
"""The append-only history: one row per accepted command, keyed by (review, sequence).
Format-1 events (written before 0.2) have no ``state``, ``commitments`` or salts.
``idempotency_key`` is unique per review, and among first events (submissions) per
store (a partial index: several NULLs never clash)."""


deadlines = sa.Table(
    "scr_deadlines",
    _metadata,
    sa.Column("review_id", _key(), sa.ForeignKey("scr_reviews.id"), primary_key=True),
    sa.Column("key", _key(), primary_key=True),
    sa.Column("reference", _key(), nullable=False),
    sa.Column("rule", sa.String(), nullable=False),
    sa.Column("title", sa.Text(), nullable=False),
    sa.Column("due_on", sa.Date(), nullable=False),
    sa.Column("met_on", sa.Date(), nullable=True),
    sa.Column("status", sa.String(), nullable=False),
    sa.Column("running", sa.Boolean(), nullable=False),
)
"""Each review's deadlines as of its last change (:class:`~scr_engine.storage.port.DeadlineRow`)."""

running_deadline = deadlines.c.running == sa.true()
"""The predicate of the running-deadline index: queries must use this same expression
so SQLite's planner can prove the partial index applies."""


tasks = sa.Table(
    "scr_tasks",
    _metadata,
    sa.Column("id", _key(), primary_key=True),
    sa.Column("review_id", _key(), nullable=False),
    sa.Column("kind", sa.String(), nullable=False),
    sa.Column("agency", sa.String(), nullable=False),
    sa.Column("created_at", _key(), nullable=False),
    sa.Column("rule", sa.String(), nullable=False),
    sa.Column("completed_at", sa.String(), nullable=True),
    sa.Column("completion", sa.String(), nullable=True),
    sa.Column("detail", sa.Text(), nullable=True),
)
"""The outbox: tasks emitted by commands, for the host to deliver (``completed_at``
is set when it has, with ``completion``, a digest of the task id and that time that
``verify`` checks)."""

task_pending = tasks.c.completed_at.is_(None)
"""The predicate of the pending-task index (see :data:`running_deadline`)."""


checkpoints = sa.Table(
    "scr_checkpoints",
    _metadata,
    sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
    sa.Column("created_at", sa.String(), nullable=False),
    sa.Column("root", sa.String(), nullable=False),
    sa.Column("data", sa.Text(), nullable=False),
)
"""Signed checkpoints of the whole store (:class:`~scr_engine.integrity.Checkpoint`),
each whole as JSON in ``data``; the newest has the highest ``id``."""

access_log = sa.Table(
    "scr_access_log",
    _metadata,
    sa.Column("review_id", _key(), primary_key=True),
    sa.Column("sequence", sa.Integer(), primary_key=True, autoincrement=False),
    sa.Column("at", sa.String(), nullable=False),
    sa.Column("actor_id", _key(), nullable=False),
    sa.Column("what", sa.String(), nullable=False),
    sa.Column("granted", sa.Boolean(), nullable=False),
    sa.Column("prev_hash", sa.String(), nullable=False),
    sa.Column("hash", sa.String(), nullable=False),
    sa.Index("ix_scr_access_log_actor_id", "actor_id"),
)
"""Every read of a review through the engine by an actor (PR-e), chained per review
(:class:`~scr_engine.access.AccessEntry`); ``at`` is fixed-width UTC text."""

reference_counters = sa.Table(
    "scr_reference_counters",
    _metadata,
    sa.Column("year", sa.Integer(), primary_key=True, autoincrement=False),
    sa.Column("last", sa.Integer(), nullable=False),
)
"""The last review number handed out per year (``SCR-<year>-<last>``)."""

store_settings = sa.Table(
    "scr_store_settings",
    _metadata,
    sa.Column("key", _key(), primary_key=True),
    sa.Column("value", sa.Text(), nullable=False),
)
"""What is set once for the whole store, one row per key, each value JSON text:
``board`` is the Board's identity (:class:`~scr_engine.board.BoardIdentity`),
``webhook`` the store's webhook (:class:`~scr_engine.webhooks.Webhook`: its URL and
where its secret is kept, never the secret)."""

webhook_deliveries = sa.Table(
    "scr_webhook_deliveries",
    _metadata,
    sa.Column("id", _key(), primary_key=True),
    sa.Column("task_id", _key(), nullable=False),
    sa.Column("review_id", _key(), nullable=False),
    sa.Column("sequence", sa.Integer(), nullable=False),
    sa.Column("body", sa.Text(), nullable=False),
    sa.Column("created_at", _key(), nullable=False),
    sa.Column("status", sa.String(), nullable=False),
    sa.Column("attempts", sa.Integer(), nullable=False),
    sa.Column("next_attempt_at", _key(), nullable=True),
    sa.Column("last_error", sa.Text(), nullable=True),
    sa.Column("delivered_at", sa.String(), nullable=True),
    sa.Index("ix_scr_webhook_deliveries_due", "status", "next_attempt_at", "id"),
    sa.Index("ix_scr_webhook_deliveries_created", "created_at", "id"),
)
"""The webhook outbox (:class:`~scr_engine.webhooks.Delivery`): one row per task,
written in the transaction that writes the task; the dispatcher updates its status,
attempts and next attempt time. Times are fixed-width UTC text."""


metadata: sa.MetaData
"""Every table of the SQL store, with its indexes (what the migrations build).

Made complete on first use: the partial indexes name PostgreSQL's ``WHERE`` option,
and declaring that loads SQLAlchemy's PostgreSQL dialect — which a store, reading and
writing rows through the tables above, never needs (a command line starts faster)."""

_complete = False


def __getattr__(name: str) -> sa.MetaData:
    global _complete
    if name != "metadata":
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    if not _complete:
        sa.Index(
            "ux_scr_events_submit_key",
            events.c.idempotency_key,
            unique=True,
            sqlite_where=events.c.sequence == 1,
            postgresql_where=events.c.sequence == 1,
        )
        sa.Index(
            "ix_scr_deadlines_running_due",
            deadlines.c.due_on,
            deadlines.c.review_id,
            deadlines.c.key,
            sqlite_where=running_deadline,
            postgresql_where=running_deadline,
        )
        sa.Index(
            "ix_scr_tasks_pending",
            tasks.c.created_at,
            tasks.c.id,
            sqlite_where=task_pending,
            postgresql_where=task_pending,
        )
        _complete = True
    return _metadata
