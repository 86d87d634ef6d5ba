"""Tasks keep what they ask in the protocol's words (``scr_tasks.detail``): a SAR's
notice to the chair names the s.45 request it is about.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-07
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | Sequence[str] | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Add ``scr_tasks.detail``; the tasks stored before keep none (``verify``
    compares a task's detail only when it has one)."""
    op.add_column("scr_tasks", sa.Column("detail", sa.Text(), nullable=True))


def downgrade() -> None:
    """Drop ``scr_tasks.detail`` (the tasks' details are forgotten; their history
    still emits them, and ``verify`` accepts a task without one)."""
    op.drop_column("scr_tasks", "detail")
