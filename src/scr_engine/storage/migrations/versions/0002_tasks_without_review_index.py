"""Drop the index of tasks by review: no query of the store reads tasks by review,
and every task a command emits paid for one more index entry.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-26
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0002"
down_revision: str | Sequence[str] | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Drop ``ix_scr_tasks_review_id``."""
    op.drop_index("ix_scr_tasks_review_id", table_name="scr_tasks")


def downgrade() -> None:
    """Create ``ix_scr_tasks_review_id`` again."""
    op.create_index("ix_scr_tasks_review_id", "scr_tasks", ["review_id"])
