"""Each review records its protocol and version (issue 23): it survives saving and
loading on every store, and the stores written before it open, upgrade and verify
with every event hash as it was."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime

import attrs
import pytest
import sqlalchemy as sa

from scr_engine import FixedClock, MemoryStore, ReviewEngine, protocols, replay, verify_history
from scr_engine import commands as c
from scr_engine.demo import BOARD_CHAIR, REQUESTER, demo_request, run_to_closure
from scr_engine.protocols.scr import SCR
from scr_engine.storage.port import ReviewStore
from scr_engine.storage.sql import SqlStore, upgrade
from support.legacy import legacy_store


@pytest.fixture
def variant() -> Iterator[protocols.Protocol]:
    """A Board's variant of the SCR, registered for the test only."""
    made = attrs.evolve(SCR, name="scr-variant", version="2")
    protocols.register(made)
    try:
        yield made
    finally:
        protocols.unregister(made.name, made.version)


def _clock() -> FixedClock:
    return FixedClock(datetime(2026, 2, 2, 9, tzinfo=UTC))


def _reviews_as_released(url: str) -> None:
    """Rewrite every stored review as the release before protocols wrote it (no
    ``protocol`` or ``protocol_version`` keys in its JSON)."""
    db = sa.create_engine(url)
    try:
        with db.begin() as conn:
            rows = conn.execute(sa.text("SELECT id, data FROM scr_reviews")).all()
            for review_id, data in rows:
                loaded = json.loads(data)
                loaded.pop("protocol", None)
                loaded.pop("protocol_version", None)
                conn.execute(
                    sa.text("UPDATE scr_reviews SET data = :d WHERE id = :id"),
                    {"d": json.dumps(loaded), "id": review_id},
                )
    finally:
        db.dispose()


def _hashes(url: str) -> list[tuple[str, int, str]]:
    db = sa.create_engine(url)
    try:
        with db.connect() as conn:
            found = conn.execute(
                sa.text("SELECT review_id, sequence, hash FROM scr_events ORDER BY 1, 2")
            ).all()
    finally:
        db.dispose()
    return [(r, s, h) for r, s, h in found]


@pytest.mark.parametrize("kind", ["memory", "sql"])
def test_a_reviews_protocol_survives_saving_and_loading(
    kind: str, url: str, variant: protocols.Protocol
) -> None:
    clock = _clock()
    memory = MemoryStore()
    opened: Callable[[], ReviewStore] = (
        (lambda: memory) if kind == "memory" else (lambda: SqlStore(url, durable=False))
    )
    if kind == "sql":
        SqlStore(url, migrate="create", durable=False).close()
    store = opened()
    engine = ReviewEngine(store, clock)
    other = engine.submit(demo_request(), REQUESTER, protocol="scr-variant")
    other = engine.execute(other.id, c.RecordChairNotified(date(2026, 2, 2)), BOARD_CHAIR)
    plain = engine.submit(demo_request(), REQUESTER)
    getattr(store, "close", lambda: None)()

    again = opened()
    try:
        loaded = again.load(other.id)
        assert loaded == other
        assert (loaded.protocol, loaded.protocol_version) == ("scr-variant", "2")
        assert replay(again.history(other.id)) == loaded
        assert (again.load(plain.id).protocol, again.load(plain.id).protocol_version) == (
            "scr",
            "1",
        )
        engine = ReviewEngine(again, clock)
        assert engine.definition(loaded) is variant
        assert engine.verify().ok
    finally:
        getattr(again, "close", lambda: None)()


def test_a_store_of_the_release_before_reads_as_scr_with_every_hash_kept(url: str) -> None:
    clock = _clock()
    with SqlStore(url, migrate="create", durable=False, clock=clock) as store:
        engine = ReviewEngine(store, clock)
        ids = [engine.submit(demo_request(), REQUESTER).id for _ in range(2)]
        run_to_closure(engine, ids[0], lambda: clock.advance(hours=7))
    _reviews_as_released(url)
    before = _hashes(url)
    with SqlStore(url, durable=False) as store:
        engine = ReviewEngine(store, clock)
        for review_id in ids:
            review = store.load(review_id)
            assert (review.protocol, review.protocol_version) == ("scr", "1")
            assert engine.definition(review) is SCR
            assert replay(store.history(review_id)) == review
        assert engine.verify().ok
        assert _hashes(url) == before
        # A new command on such a review follows its chain.
        after = engine.execute(ids[1], c.RecordChairNotified(date(2026, 2, 2)), BOARD_CHAIR)
        assert verify_history(store.history(ids[1])) == []
        assert replay(store.history(ids[1])) == after
        assert engine.verify().ok


def test_a_store_of_the_first_release_upgrades_and_verifies_with_every_hash_kept(
    url: str,
) -> None:
    clock = _clock()
    ids = legacy_store(url, clock)
    _reviews_as_released(url)
    before = _hashes(url)
    upgrade(url)
    with SqlStore(url, durable=False) as store:
        engine = ReviewEngine(store, clock)
        closed = store.load(ids[0])
        assert (closed.protocol, closed.protocol_version) == ("scr", "1")
        assert replay(store.history(ids[0])) == closed
        assert engine.verify().ok
    assert _hashes(url) == before
