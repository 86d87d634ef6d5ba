"""Settings of the whole store: the Board's identity, printed on every document
(issue 21, item 6).

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-06
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | Sequence[str] | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _key() -> sa.types.TypeEngine[str]:
    return sa.String().with_variant(sa.String(collation="C"), "postgresql")


def upgrade() -> None:
    """Create ``scr_store_settings`` (key, JSON value); a store upgraded has none set."""
    op.create_table(
        "scr_store_settings",
        sa.Column("key", _key(), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("key", name="pk_scr_store_settings"),
    )


def downgrade() -> None:
    """Drop the store's settings (the Board's identity is forgotten)."""
    op.drop_table("scr_store_settings")
