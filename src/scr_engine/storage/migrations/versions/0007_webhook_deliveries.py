"""The webhook outbox: one delivery per task, queued with the task (issue 22, item 5).

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-06
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | Sequence[str] | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _key() -> sa.types.TypeEngine[str]:
    return sa.String().with_variant(sa.String(collation="C"), "postgresql")


def upgrade() -> None:
    """Create ``scr_webhook_deliveries``; the tasks emitted before it have no
    delivery (they were there to poll)."""
    op.create_table(
        "scr_webhook_deliveries",
        sa.Column("id", _key(), nullable=False),
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
        sa.PrimaryKeyConstraint("id", name="pk_scr_webhook_deliveries"),
    )
    op.create_index(
        "ix_scr_webhook_deliveries_due",
        "scr_webhook_deliveries",
        ["status", "next_attempt_at", "id"],
    )
    op.create_index(
        "ix_scr_webhook_deliveries_created", "scr_webhook_deliveries", ["created_at", "id"]
    )


def downgrade() -> None:
    """Drop the webhook outbox (queued deliveries are forgotten)."""
    op.drop_index("ix_scr_webhook_deliveries_created", table_name="scr_webhook_deliveries")
    op.drop_index("ix_scr_webhook_deliveries_due", table_name="scr_webhook_deliveries")
    op.drop_table("scr_webhook_deliveries")
