"""The access log: every read of a review through the engine by an actor (PR-e).

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-01
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | Sequence[str] | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _key() -> sa.types.TypeEngine[str]:
    return sa.String().with_variant(sa.String(collation="C"), "postgresql")


def upgrade() -> None:
    """Create ``scr_access_log`` and its index by actor."""
    op.create_table(
        "scr_access_log",
        sa.Column("review_id", _key(), nullable=False),
        sa.Column("sequence", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("at", sa.String(), nullable=False),
        sa.Column("actor_id", _key(), nullable=False),
        sa.Column("what", sa.String(), nullable=False),
        sa.Column("granted", sa.Boolean(), nullable=False),
        sa.Column("prev_hash", sa.String(), nullable=False),
        sa.Column("hash", sa.String(), nullable=False),
        sa.PrimaryKeyConstraint("review_id", "sequence", name="pk_scr_access_log"),
    )
    op.create_index("ix_scr_access_log_actor_id", "scr_access_log", ["actor_id"])


def downgrade() -> None:
    """Drop the access log."""
    op.drop_index("ix_scr_access_log_actor_id", table_name="scr_access_log")
    op.drop_table("scr_access_log")
