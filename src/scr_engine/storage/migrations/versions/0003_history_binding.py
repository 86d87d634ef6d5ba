"""Bind each review to its history: the head hash beside the review row, the event
columns of format 2 (state digest, commitments, salts), a completion digest beside
each task's completion time, and the checkpoints table.

Existing events stay format 1 (their hashes are unchanged and keep verifying); the
``head`` column is filled from each review's stored JSON.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-01
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | Sequence[str] | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Add the columns and the table, and backfill ``scr_reviews.head``."""
    op.add_column("scr_reviews", sa.Column("head", sa.String(), nullable=True))
    op.add_column("scr_events", sa.Column("state", sa.String(), nullable=True))
    op.add_column("scr_events", sa.Column("commitments", sa.Text(), nullable=True))
    op.add_column("scr_events", sa.Column("salts", sa.Text(), nullable=True))
    op.add_column("scr_events", sa.Column("state_salt", sa.String(), nullable=True))
    op.add_column(
        "scr_events", sa.Column("format", sa.Integer(), nullable=False, server_default="1")
    )
    op.add_column("scr_tasks", sa.Column("completion", sa.String(), nullable=True))
    op.create_table(
        "scr_checkpoints",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("created_at", sa.String(), nullable=False),
        sa.Column("root", sa.String(), nullable=False),
        sa.Column("data", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_scr_checkpoints"),
    )
    conn = op.get_bind()
    reviews = sa.table(
        "scr_reviews", sa.column("id", sa.String()), sa.column("data"), sa.column("head")
    )
    rows = conn.execute(sa.select(reviews.c.id, reviews.c.data)).all()
    for review_id, data in rows:
        try:
            head = json.loads(data).get("head")
        except (ValueError, AttributeError):
            head = None  # unreadable: the store reports it on load and in verify
        conn.execute(reviews.update().where(reviews.c.id == review_id).values(head=head))
    tasks = sa.table(
        "scr_tasks",
        sa.column("id", sa.String()),
        sa.column("completed_at", sa.String()),
        sa.column("completion", sa.String()),
    )
    done = conn.execute(
        sa.select(tasks.c.id, tasks.c.completed_at).where(tasks.c.completed_at.is_not(None))
    ).all()
    for task_id, completed_at in done:
        conn.execute(
            tasks.update()
            .where(tasks.c.id == task_id)
            .values(completion=completion_digest(task_id, completed_at))
        )


def completion_digest(task_id: str, completed_at: str) -> str:
    """As :func:`scr_engine.storage.sql.completion_digest` (kept here as it was)."""
    text = f"scr-task-done:1\x00{task_id}\x00{completed_at}"
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def downgrade() -> None:
    """Drop what :func:`upgrade` added. Refused while any event is of format 2: its
    hash covers columns that would be dropped, so its history would no longer
    verify."""
    conn = op.get_bind()
    newer = conn.execute(sa.text("SELECT count(*) FROM scr_events WHERE format <> 1")).scalar()
    if newer:
        raise RuntimeError(
            f"cannot downgrade below 0003: {newer} events are of format 2 and their "
            "history would no longer verify; restore a backup taken before the upgrade"
        )
    op.drop_table("scr_checkpoints")
    op.drop_column("scr_tasks", "completion")
    for column in ("format", "state_salt", "salts", "commitments", "state"):
        op.drop_column("scr_events", column)
    op.drop_column("scr_reviews", "head")
