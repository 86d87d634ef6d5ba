"""The SQL store: reviews in SQLite (the embedded default) or PostgreSQL (scale-out).

:class:`SqlStore` satisfies :class:`~scr_engine.storage.port.ReviewStore` with
SQLAlchemy 2 Core over the tables of :mod:`scr_engine.storage.schema`, and behaves
exactly like :class:`~scr_engine.storage.memory.MemoryStore`. It needs the ``sql``
extra (``pip install 'scr_engine[sql]'``, or ``[postgres]`` for PostgreSQL); importing
:mod:`scr_engine` never imports this package or SQLAlchemy::

    store = SqlStore("sqlite:///board.db", migrate="create")        # embedded
    store = SqlStore("postgresql+psycopg://app@db/board")            # scale-out

Schema versions, atomicity and concurrency, durability, a host's transaction, the
cost per command and errors are described in the guide "The SQL store"
(``docs/sql-store.md``), with how the package is laid out: :mod:`.store` (the
methods), :mod:`.connections` (engines and the two ways to use a connection),
:mod:`.migrate` (Alembic), :mod:`.rows` and :mod:`.review_json` (codecs),
:mod:`.statements` (prebuilt SQL) and :mod:`.errors` (driver errors).
"""

from __future__ import annotations

try:
    import sqlalchemy  # noqa: F401
except ImportError as exc:  # pragma: no cover - depends on the installed extras
    raise ImportError(
        "scr_engine.storage.sql needs SQLAlchemy and Alembic: "
        "pip install 'scr_engine[sql]' (or 'scr_engine[postgres]')"
    ) from exc

from scr_engine.storage.sql.connections import create_engine
from scr_engine.storage.sql.migrate import (
    MIGRATIONS,
    Migrate,
    alembic_config,
    schema_revision,
    upgrade,
)
from scr_engine.storage.sql.rows import completion_digest
from scr_engine.storage.sql.store import SqlStore

# Private names that tests and benchmarks import from here, as before the split.
from scr_engine.storage.sql.migrate import _head_revisions as _head_revisions  # isort: skip
from scr_engine.storage.sql.migrate import _shipped_head as _shipped_head  # isort: skip
from scr_engine.storage.sql.rows import _event_values as _event_values  # isort: skip
from scr_engine.storage.sql.rows import _task_values as _task_values  # isort: skip

__all__ = [
    "MIGRATIONS",
    "Migrate",
    "SqlStore",
    "alembic_config",
    "completion_digest",
    "create_engine",
    "schema_revision",
    "upgrade",
]
