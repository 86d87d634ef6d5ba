"""The initial schema: reviews, events, deadlines, tasks, reference counters.

Revision ID: 0001
Revises:
Create Date: 2026-05-01
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _key() -> sa.types.TypeEngine[str]:
    # Code-point order on PostgreSQL, as on SQLite and in Python.
    return sa.String().with_variant(sa.String(collation="C"), "postgresql")


def upgrade() -> None:
    """Create every table and index of the SQL store."""
    op.create_table(
        "scr_reviews",
        sa.Column("id", _key(), nullable=False),
        sa.Column("reference", _key(), nullable=False),
        sa.Column("stage", sa.String(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("settings_version", sa.String(), nullable=False),
        sa.Column("received_on", sa.Date(), nullable=False),
        sa.Column("data", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_scr_reviews"),
        sa.UniqueConstraint("reference", name="uq_scr_reviews_reference"),
    )
    op.create_index("ix_scr_reviews_stage_reference", "scr_reviews", ["stage", "reference"])

    op.create_table(
        "scr_events",
        sa.Column("review_id", _key(), nullable=False),
        sa.Column("sequence", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("at", sa.String(), nullable=False),
        sa.Column("actor_id", sa.String(), nullable=False),
        sa.Column("role", sa.String(), nullable=False),
        sa.Column("command", sa.String(), nullable=False),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.Column("stage_before", sa.String(), nullable=True),
        sa.Column("stage_after", sa.String(), nullable=False),
        sa.Column("prev_hash", sa.String(), nullable=False),
        sa.Column("hash", sa.String(), nullable=False),
        sa.ForeignKeyConstraint(
            ["review_id"], ["scr_reviews.id"], name="fk_scr_events_review_id_scr_reviews"
        ),
        sa.PrimaryKeyConstraint("review_id", "sequence", name="pk_scr_events"),
    )

    op.create_table(
        "scr_deadlines",
        sa.Column("review_id", _key(), nullable=False),
        sa.Column("key", _key(), nullable=False),
        sa.Column("reference", _key(), nullable=False),
        sa.Column("rule", sa.String(), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("met_on", sa.Date(), nullable=True),
        sa.Column("status", sa.String(), nullable=False),
        sa.Column("running", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["review_id"], ["scr_reviews.id"], name="fk_scr_deadlines_review_id_scr_reviews"
        ),
        sa.PrimaryKeyConstraint("review_id", "key", name="pk_scr_deadlines"),
    )
    running = sa.column("running", sa.Boolean()) == sa.true()
    op.create_index(
        "ix_scr_deadlines_running_due",
        "scr_deadlines",
        ["due_on", "review_id", "key"],
        sqlite_where=running,
        postgresql_where=running,
    )

    op.create_table(
        "scr_tasks",
        sa.Column("id", _key(), nullable=False),
        sa.Column("review_id", _key(), nullable=False),
        sa.Column("kind", sa.String(), nullable=False),
        sa.Column("agency", sa.String(), nullable=False),
        sa.Column("created_at", _key(), nullable=False),
        sa.Column("rule", sa.String(), nullable=False),
        sa.Column("completed_at", sa.String(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_scr_tasks"),
    )
    op.create_index("ix_scr_tasks_review_id", "scr_tasks", ["review_id"])
    pending = sa.column("completed_at", sa.String()).is_(None)
    op.create_index(
        "ix_scr_tasks_pending",
        "scr_tasks",
        ["created_at", "id"],
        sqlite_where=pending,
        postgresql_where=pending,
    )

    op.create_table(
        "scr_reference_counters",
        sa.Column("year", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("last", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("year", name="pk_scr_reference_counters"),
    )


def downgrade() -> None:
    """Drop every table of the SQL store (and everything stored in them)."""
    op.drop_table("scr_reference_counters")
    op.drop_index("ix_scr_tasks_pending", table_name="scr_tasks")
    op.drop_index("ix_scr_tasks_review_id", table_name="scr_tasks")
    op.drop_table("scr_tasks")
    op.drop_index("ix_scr_deadlines_running_due", table_name="scr_deadlines")
    op.drop_table("scr_deadlines")
    op.drop_table("scr_events")
    op.drop_index("ix_scr_reviews_stage_reference", table_name="scr_reviews")
    op.drop_table("scr_reviews")
