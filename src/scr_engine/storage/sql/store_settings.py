"""What is set once for a whole SQL store (``scr_store_settings``): the Board's
identity. A store written before revision 0006 has the table once upgraded, and no
identity in it until one is set."""

from __future__ import annotations

import sqlalchemy as sa

from scr_engine.board import BoardIdentity
from scr_engine.errors import InvalidRequest, StorageError
from scr_engine.storage import schema
from scr_engine.storage.port import check_board
from scr_engine.storage.sql.connections import Connections
from scr_engine.storage.sql.errors import _translated
from scr_engine.storage.sql.statements import _upsert

__all__ = ["BOARD_KEY", "read_board", "write_board"]

BOARD_KEY = "board"
"""The key of the Board's identity."""


def read_board(db: Connections) -> BoardIdentity | None:
    """The identity kept, None if none; :class:`~scr_engine.StorageError` if what is
    kept cannot be read as one."""
    t = schema.store_settings
    query = sa.select(t.c.value).where(t.c.key == BOARD_KEY)
    with _translated("reading the Board's identity"), db.reading(core=True) as session:
        text = session.connection.execute(query).scalar()
    if text is None:
        return None
    try:
        return BoardIdentity.from_json(text)
    except InvalidRequest as exc:
        raise StorageError(f"the stored Board identity cannot be read: {exc}") from exc


def write_board(db: Connections, identity: BoardIdentity) -> None:
    """Keep ``identity``, replacing the one kept before, in one statement."""
    value = check_board(identity).to_json()
    t = schema.store_settings
    with _translated("saving the Board's identity"), db.writing(core=True) as session:
        conn = session.connection
        insert = _upsert(conn, t).values(key=BOARD_KEY, value=value)
        conn.execute(insert.on_conflict_do_update(index_elements=[t.c.key], set_={"value": value}))
