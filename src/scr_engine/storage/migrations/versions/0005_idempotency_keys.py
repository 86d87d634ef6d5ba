"""Idempotency keys: hosts that retry a command after a timeout get the original
result, never a second event (hardening 11).

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | Sequence[str] | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Add ``scr_events.idempotency_key``, unique per review and among submissions."""
    op.add_column("scr_events", sa.Column("idempotency_key", sa.String(), nullable=True))
    op.create_index(
        "ux_scr_events_review_key", "scr_events", ["review_id", "idempotency_key"], unique=True
    )
    first = sa.text("sequence = 1")
    op.create_index(
        "ux_scr_events_submit_key",
        "scr_events",
        ["idempotency_key"],
        unique=True,
        sqlite_where=first,
        postgresql_where=first,
    )


def downgrade() -> None:
    """Drop the key and its indexes."""
    op.drop_index("ux_scr_events_submit_key", table_name="scr_events")
    op.drop_index("ux_scr_events_review_key", table_name="scr_events")
    op.drop_column("scr_events", "idempotency_key")
