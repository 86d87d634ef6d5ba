"""The part of the store contract about what is set once per store: the Board's
identity (:meth:`~scr_engine.storage.port.ReviewStore.board_identity`). Part of
:class:`~scr_engine.testing.StoreContract`, which every store's tests subclass."""

from __future__ import annotations

import pytest

from scr_engine.board import BoardIdentity
from scr_engine.errors import InvalidRequest
from scr_engine.storage.port import ReviewStore

__all__ = ["BoardContract"]

_STRANGE = BoardIdentity(
    name='Zoë\'s <b>Board</b> & "Partners"; DROP TABLE scr_reviews; -- 東京 🚑',
    area="%(area)s {0} ? :name $1 \u202e",
    marking="OFFICIAL-SENSITIVE [PERSONAL]",
    public_marking="OFFICIAL",
    logo_text="<script>alert(1)</script>",
)


class BoardContract:
    """Tests of the store's Board identity (mixed into the store contract)."""

    def test_a_new_store_has_no_board_identity(self, store: ReviewStore) -> None:
        assert store.board_identity() is None

    def test_the_board_identity_is_kept_exactly_and_replaced(self, store: ReviewStore) -> None:
        store.set_board_identity(_STRANGE)
        assert store.board_identity() == _STRANGE
        plain = BoardIdentity("Northshire Safeguarding Adults Board", area="Northshire")
        store.set_board_identity(plain)
        assert store.board_identity() == plain

    def test_anything_but_a_board_identity_is_refused(self, store: ReviewStore) -> None:
        store.set_board_identity(_STRANGE)
        with pytest.raises(InvalidRequest) as raised:
            store.set_board_identity("Northshire SAB")  # type: ignore[arg-type]
        assert [r.field for r in raised.value.refusals] == ["identity"]
        assert store.board_identity() == _STRANGE
