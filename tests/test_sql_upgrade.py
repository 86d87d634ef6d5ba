"""Upgrading a database with reviews in it, from the first migration to head, loses
nothing.

The reviews are made at head in one database, then copied, table by table, into a
second database built at the *first* revision (every column the old schema has), and
that database is upgraded to head. The upgraded database must then hold exactly the
same reviews, histories, deadlines and tasks. Every migration added later runs through
the same test, and each must undo cleanly.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import sqlalchemy as sa
from alembic import command
from alembic.script import ScriptDirectory

from scr_engine import FixedClock, ReviewEngine, Stage, replay, verify_history
from scr_engine.demo import REQUESTER, demo_request, run_to_closure
from scr_engine.storage.sql import (
    SqlStore,
    alembic_config,
    create_engine,
    schema_revision,
    upgrade,
)


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


def test_an_upgrade_from_the_first_revision_loses_nothing(tmp_path: Path) -> None:
    made, upgraded = f"sqlite:///{tmp_path / 'made.db'}", f"sqlite:///{tmp_path / 'old.db'}"
    ids = _fill(made)
    first = _first_revision()
    assert upgrade(upgraded, first) == (first,)
    _copy(made, upgraded)
    head = upgrade(upgraded)
    assert head == schema_revision(made)
    assert _everything(upgraded, ids) == _everything(made, ids)
    store = SqlStore(upgraded, durable=False)
    try:
        closed = store.load(ids[0])
        assert closed.stage is Stage.CLOSED
        history = store.history(ids[0])
        assert verify_history(history) == [] and replay(history) == closed
    finally:
        store.close()


def _task_indexes(url: str) -> set[str]:
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            return {str(index["name"]) for index in sa.inspect(conn).get_indexes("scr_tasks")}
    finally:
        engine.dispose()


def test_every_migration_can_be_undone_and_done_again(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'db.db'}"
    ids = _fill(url)
    before = _everything(url, ids)
    head = schema_revision(url)
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
