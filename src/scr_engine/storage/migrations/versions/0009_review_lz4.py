"""A review's JSON (``scr_reviews.data``) is compressed with LZ4 on PostgreSQL.

Every command rewrites a review's whole JSON (tens of kilobytes for a review with a
long history), and PostgreSQL compresses a value that large before it stores it:
with its default method, ``pglz``, that compression was a third of the database's
work for a command. LZ4 compresses and decompresses several times faster, for a
slightly larger value. Only values written from now on are compressed with it (the
stored ones are read as they are); a server built without LZ4, or older than
PostgreSQL 14 (which cannot choose), keeps ``pglz``. SQLite does not compress.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-07
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0009"
down_revision: str | Sequence[str] | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _lz4_available() -> bool:
    """Whether the server can compress a column with LZ4 (PostgreSQL 14 or later,
    built with it): ``default_toast_compression`` lists the methods it has."""
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return False
    methods = bind.exec_driver_sql(
        "SELECT enumvals FROM pg_settings WHERE name = 'default_toast_compression'"
    ).scalar()
    return methods is not None and "lz4" in methods


def upgrade() -> None:
    """Compress ``scr_reviews.data`` with LZ4 where the server can."""
    if _lz4_available():
        op.execute("ALTER TABLE scr_reviews ALTER COLUMN data SET COMPRESSION lz4")


def downgrade() -> None:
    """Back to the server's default method for ``scr_reviews.data`` (values written
    meanwhile stay LZ4 and are read as they are)."""
    if _lz4_available():
        op.execute("ALTER TABLE scr_reviews ALTER COLUMN data SET COMPRESSION default")
