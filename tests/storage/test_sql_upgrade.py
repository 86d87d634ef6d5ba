"""Upgrading a database with reviews in it, from the first migration to head, loses
nothing.

The reviews are written as scr_engine 0.1 wrote them (revision 0001, format-1 events:
:mod:`legacy`), and the database is upgraded to head: the reviews load, their chains
verify, the whole store verifies, and new commands append format-2 events to the old
chains. Every migration must undo cleanly, except that 0003 refuses to drop the
columns that format-2 events' hashes cover.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.script import ScriptDirectory

from scr_engine import (
    BoardIdentity,
    FaultKind,
    FixedClock,
    IntegrityError,
    ReviewEngine,
    SchemaMismatch,
    Stage,
    replay,
    verify_history,
)
from scr_engine import commands as c
from scr_engine.demo import BOARD_CHAIR, REQUESTER, demo_request, run_to_closure
from scr_engine.storage.sql import (
    SqlStore,
    alembic_config,
    create_engine,
    schema_revision,
    upgrade,
)
from support.legacy import legacy_store


def _first_revision() -> str:
    script = ScriptDirectory.from_config(alembic_config())
    bases = script.get_bases()
    assert len(bases) == 1, "the migrations have exactly one start"
    return bases[0]


def _fill(url: str) -> list[str]:
    clock = FixedClock(datetime(2026, 2, 2, 9, tzinfo=UTC))
    store = SqlStore(url, migrate="create", durable=False, clock=clock)
    try:
        engine = ReviewEngine(store, clock)
        ids = [engine.submit(demo_request(), REQUESTER).id for _ in range(3)]
        run_to_closure(engine, ids[0], lambda: clock.advance(hours=7))
        return ids
    finally:
        store.close()


def _copy(source_url: str, target_url: str) -> None:
    source, target = sa.create_engine(source_url), sa.create_engine(target_url)
    try:
        old = sa.MetaData()
        old.reflect(target, only=lambda name, _: name.startswith("scr_") and "alembic" not in name)
        with source.connect() as read, target.begin() as write:
            for table in old.sorted_tables:
                made = sa.Table(table.name, sa.MetaData(), autoload_with=read)
                columns = [made.c[c.name] for c in table.columns]
                rows = read.execute(sa.select(*columns))
                batch = [dict(row._mapping) for row in rows]
                if batch:
                    write.execute(table.insert(), batch)
    finally:
        source.dispose()
        target.dispose()


def _everything(url: str, ids: list[str]) -> list[object]:
    store = SqlStore(url, durable=False)
    try:
        out: list[object] = [store.pending_tasks(limit=1000)]
        for review_id in ids:
            out += [store.load(review_id), store.history(review_id), store.deadline_rows(review_id)]
        return out
    finally:
        store.close()


def test_a_copy_that_drops_the_new_columns_is_refused_not_served(tmp_path: Path) -> None:
    made, upgraded = f"sqlite:///{tmp_path / 'made.db'}", f"sqlite:///{tmp_path / 'old.db'}"
    ids = _fill(made)
    first = _first_revision()
    assert upgrade(upgraded, first) == (first,)
    _copy(made, upgraded)
    head = upgrade(upgraded)
    assert head == schema_revision(made)
    # The copy kept only the first revision's columns: the events' commitments and
    # state are gone, so what their hashes cover no longer matches, and the store
    # says so instead of serving the reviews.
    with SqlStore(upgraded, durable=False) as store, pytest.raises(IntegrityError):
        store.load(ids[0])


def test_a_store_written_before_events_committed_to_state_upgrades_and_verifies(
    tmp_path: Path,
) -> None:
    url = f"sqlite:///{tmp_path / 'old.db'}"
    clock = FixedClock(datetime(2026, 2, 2, 9, tzinfo=UTC))
    ids = legacy_store(url, clock)
    assert upgrade(url) == tuple(ScriptDirectory.from_config(alembic_config()).get_heads())
    with SqlStore(url, durable=False) as store:
        engine = ReviewEngine(store, clock)
        closed = store.load(ids[0])
        assert closed.stage is Stage.CLOSED
        history = store.history(ids[0])
        assert {e.format for e in history} == {1}
        assert verify_history(history) == [] and replay(history) == closed
        assert engine.verify().ok
        # A new command on a legacy review appends a format-2 event to its chain.
        after = engine.execute(ids[1], c.RecordChairNotified(date(2026, 2, 2)), BOARD_CHAIR)
        history = store.history(ids[1])
        assert [e.format for e in history] == [1, 2]
        assert verify_history(history) == [] and replay(history) == after
        assert store.load(ids[1]) == after
        assert engine.verify().ok


def test_a_store_upgraded_from_before_board_identities_has_none_until_one_is_set(
    tmp_path: Path,
) -> None:
    url = f"sqlite:///{tmp_path / 'old.db'}"
    clock = FixedClock(datetime(2026, 2, 2, 9, tzinfo=UTC))
    ids = legacy_store(url, clock)
    with pytest.raises(SchemaMismatch):
        SqlStore(url, durable=False)  # refused, not served, until upgraded
    upgrade(url)
    board = BoardIdentity("Northshire Safeguarding Adults Board", area="Northshire")
    with SqlStore(url, durable=False) as store:
        assert store.board_identity() is None
        store.set_board_identity(board)
        assert ReviewEngine(store, clock).verify().ok
    with SqlStore(url, durable=False) as store:  # kept across opening the store again
        assert store.board_identity() == board
        assert store.load(ids[0]).stage is Stage.CLOSED


def test_a_legacy_review_row_edited_before_the_upgrade_is_caught_by_replay(
    tmp_path: Path,
) -> None:
    url = f"sqlite:///{tmp_path / 'old.db'}"
    clock = FixedClock(datetime(2026, 2, 2, 9, tzinfo=UTC))
    ids = legacy_store(url, clock)
    upgrade(url)
    db = sa.create_engine(url)
    with db.begin() as conn:
        data = conn.execute(
            sa.text("SELECT data FROM scr_reviews WHERE id = :i"), {"i": ids[1]}
        ).scalar_one()
        edited = data.replace('"outcome_reasons":""', '"outcome_reasons":"edited"')
        assert edited != data
        conn.execute(
            sa.text("UPDATE scr_reviews SET data = :d WHERE id = :i"), {"d": edited, "i": ids[1]}
        )
    db.dispose()
    with SqlStore(url, durable=False) as store:
        with pytest.raises(IntegrityError, match="not the replay of its history"):
            store.load(ids[1])
        report = ReviewEngine(store, clock).verify()
        assert [f.kind for f in report.faults_of(ids[1])] == [FaultKind.REPLAY]


def _task_indexes(url: str) -> set[str]:
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            return {str(index["name"]) for index in sa.inspect(conn).get_indexes("scr_tasks")}
    finally:
        engine.dispose()


def test_every_migration_can_be_undone_and_done_again(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'db.db'}"
    clock = FixedClock(datetime(2026, 2, 2, 9, tzinfo=UTC))
    ids = legacy_store(url, clock)
    head = upgrade(url)
    before = _everything(url, ids)
    assert "ix_scr_tasks_review_id" not in _task_indexes(url)  # dropped by 0002
    first = _first_revision()
    engine = create_engine(url)
    try:
        with engine.begin() as conn:
            command.downgrade(alembic_config(conn), first)
    finally:
        engine.dispose()
    assert schema_revision(url) == (first,)
    assert "ix_scr_tasks_review_id" in _task_indexes(url)
    assert upgrade(url) == head
    assert "ix_scr_tasks_review_id" not in _task_indexes(url)
    assert _everything(url, ids) == before


def test_a_downgrade_that_would_break_format_2_histories_is_refused(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'db.db'}"
    ids = _fill(url)
    before = _everything(url, ids)
    engine = create_engine(url)
    try:
        with engine.begin() as conn:
            command.downgrade(alembic_config(conn), "0003")
        with engine.begin() as conn, pytest.raises(RuntimeError, match="format 2"):
            command.downgrade(alembic_config(conn), "0002")
    finally:
        engine.dispose()
    assert schema_revision(url) == ("0003",)
    upgrade(url)
    assert _everything(url, ids) == before


def test_a_store_of_sar_notices_from_before_0008_upgrades_and_verifies(tmp_path: Path) -> None:
    """0008 adds ``scr_tasks.detail``: the SAR's notices stored before it have none,
    load and verify; the next notices keep theirs."""
    from support import sar as s
    from support.sar_engine import EngineRun

    url = f"sqlite:///{tmp_path / 'db.db'}"
    with SqlStore(url, migrate="create", durable=False) as store:
        run = s.screened(EngineRun(store))
        before = {t.id for t in store.pending_tasks(limit=1000)}
    assert before
    engine = create_engine(url)
    try:
        with engine.begin() as conn:
            command.downgrade(alembic_config(conn), "0007")
    finally:
        engine.dispose()
    assert "detail" not in {
        c["name"] for c in sa.inspect(sa.create_engine(url)).get_columns("scr_tasks")
    }
    assert upgrade(url)[0] >= "0008"
    with SqlStore(url, durable=False) as store:
        run.engine = ReviewEngine(store, run.engine.clock)
        old = store.pending_tasks(limit=1000)
        assert {t.id for t in old} == before and all(t.detail is None for t in old)
        assert run.engine.verify().ok
        s.screened(run)  # a new SAR decided: its notices to the referrer and agencies
        new = [t for t in store.pending_tasks(limit=1000) if t.id not in before]
        assert new and all(t.detail for t in new)
        assert run.engine.verify().ok


def _compressions(url: str) -> tuple[str | None, list[str]]:
    """``scr_reviews.data``'s compression method (None: the server's default) and
    the method each stored value was compressed with."""
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            column = conn.exec_driver_sql(
                "SELECT attcompression FROM pg_attribute "
                "WHERE attrelid = 'scr_reviews'::regclass AND attname = 'data'"
            ).scalar()
            values = conn.exec_driver_sql(
                "SELECT pg_column_compression(data) FROM scr_reviews ORDER BY id"
            ).scalars()
            return {"l": "lz4", "p": "pglz"}.get(column or ""), [str(v) for v in values]
    finally:
        engine.dispose()


def _server_has_lz4(url: str) -> bool:
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            methods = conn.exec_driver_sql(
                "SELECT enumvals FROM pg_settings WHERE name = 'default_toast_compression'"
            ).scalar()
        return methods is not None and "lz4" in methods
    finally:
        engine.dispose()


def test_a_postgresql_store_from_before_0009_compresses_its_reviews_with_lz4_after() -> None:
    """0009 (PostgreSQL): a review's JSON is compressed with LZ4 from the upgrade on.
    The values stored before it (pglz) are read as they are, the store verifies, and
    the migration undoes and does again."""
    from support.postgres import postgres_schema

    with postgres_schema() as url:
        ids = _fill(url)
        lz4 = _server_has_lz4(url)
        assert _compressions(url)[0] == ("lz4" if lz4 else None)
        engine = create_engine(url)
        try:
            with engine.begin() as conn:
                command.downgrade(alembic_config(conn), "0008")
                # Every review's JSON written again as a store at 0008 wrote it.
                conn.exec_driver_sql("UPDATE scr_reviews SET data = data || ''")
        finally:
            engine.dispose()
        assert _compressions(url) == (None, ["pglz"] * 3)
        clock = FixedClock(datetime(2026, 3, 2, 9, tzinfo=UTC))
        with SqlStore(url, migrate="upgrade", durable=False, clock=clock) as store:
            engine_ = ReviewEngine(store, clock)
            before = [engine_.get(i) for i in ids]
            assert engine_.verify().ok
            run_to_closure(engine_, ids[1], lambda: clock.advance(hours=7))
            assert [engine_.get(i) for i in (ids[0], ids[2])] == [before[0], before[2]]
            assert engine_.verify().ok
        column, values = _compressions(url)
        if not lz4:
            assert column is None
            return
        assert column == "lz4"
        # The review written since (a long review's JSON is compressed) is LZ4; the
        # others keep the method they were written with.
        stored = dict(zip(sorted(ids), values, strict=True))
        assert stored[ids[1]] == "lz4"
        assert (stored[ids[0]], stored[ids[2]]) == ("pglz", "pglz")
