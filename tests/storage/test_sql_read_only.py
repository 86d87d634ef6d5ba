"""Hardening 12: a SqlStore on a read-only SQLite file or directory opens for reading
(load, history, overdue, list_by_stage work) and refuses writes with StorageError
saying the database is read-only, naming the file or the directory.

The tests run as root, where permissions do not stop SQLite from writing: the store
reads a file's or directory's permissions as well as ``os.access`` (a file nobody may
write is read-only for root too) and opens it with SQLite's ``mode=ro``, which stops
writes whoever runs. What root makes untestable (SQLite unable to open a WAL database
for reading in a directory it cannot write) is skipped with that reason."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from scr_engine import FixedClock, ReviewEngine, Stage, StorageError
from scr_engine import commands as c
from scr_engine.demo import BOARD_CHAIR, REQUESTER, demo_request
from scr_engine.storage.sql import SqlStore
from support.builders import START


@pytest.fixture
def stored(tmp_path: Path) -> Iterator[tuple[Path, str]]:
    """A SQLite file holding one review; permissions restored afterwards."""
    folder = tmp_path / "ro"
    folder.mkdir()
    path = folder / "board.db"
    with SqlStore(f"sqlite:///{path}", migrate="create") as store:
        review = ReviewEngine(store, FixedClock(START)).submit(demo_request(), REQUESTER)
    yield path, review.id
    folder.chmod(stat.S_IRWXU)
    if path.exists():
        path.chmod(stat.S_IRUSR | stat.S_IWUSR)


def _reads_and_refuses_writes(store: SqlStore, review_id: str, names: str) -> None:
    engine = ReviewEngine(store, FixedClock(START))
    assert store.read_only is not None and names in store.read_only
    assert engine.get(review_id).reference == "SCR-2026-001"
    assert len(engine.history(review_id)) == 1
    assert [r.id for r in store.list_by_stage(Stage.REQUESTED)] == [review_id]
    assert engine.overdue(date(2027, 1, 1))
    for write in (
        # A person's question is a read that must be logged (PR-e): not here.
        lambda: engine.allowed(review_id, BOARD_CHAIR),
        lambda: engine.submit(demo_request(), REQUESTER),
        lambda: engine.execute(review_id, c.AssessCriteria(), BOARD_CHAIR),
        lambda: store.next_reference(2026),
    ):
        with pytest.raises(StorageError) as refused:
            write()
        assert "read-only" in str(refused.value) and names in str(refused.value)
    assert len(engine.history(review_id)) == 1
    for read in (  # what a read naming a person meets: why, and what works instead
        lambda: engine.get(review_id, BOARD_CHAIR),
        lambda: engine.overdue(date(2027, 1, 1), actor=BOARD_CHAIR),
    ):
        with pytest.raises(StorageError) as refused:
            read()
        assert names in str(refused.value)
        assert "a read naming an actor must be logged (PR-e)" in str(refused.value)
        assert "read without an actor" in str(refused.value)


def test_read_only_file_opens_for_reading(stored: tuple[Path, str]) -> None:
    """A database file nobody may write opens for reading; writes are refused naming
    the file."""
    path, review_id = stored
    path.chmod(stat.S_IRUSR | stat.S_IRGRP | stat.S_IROTH)
    with SqlStore(f"sqlite:///{path}") as store:
        _reads_and_refuses_writes(store, review_id, f"the file {path} is read-only")


def test_read_only_directory_opens_for_reading(stored: tuple[Path, str]) -> None:
    """A database in a directory nobody may write opens for reading; writes are
    refused naming the directory."""
    path, review_id = stored
    path.parent.chmod(stat.S_IRUSR | stat.S_IXUSR)
    with SqlStore(f"sqlite:///{path}", migrate="create") as store:
        _reads_and_refuses_writes(store, review_id, f"the directory {path.parent} is read-only")


def test_mode_ro_url_opens_for_reading(stored: tuple[Path, str]) -> None:
    """SQLite's own ``mode=ro`` URI, whoever runs the tests: reads work, and SQLite
    refuses every write (a StorageError with its "readonly database" chained)."""
    path, review_id = stored
    with SqlStore(f"sqlite:///file:{path}?mode=ro&uri=true") as store:
        engine = ReviewEngine(store, FixedClock(START))
        assert store.read_only is None
        assert len(engine.history(review_id)) == 1
        assert [r.id for r in store.list_by_stage(Stage.REQUESTED)] == [review_id]
        with pytest.raises(StorageError) as refused:
            engine.execute(review_id, c.AssessCriteria(), BOARD_CHAIR)
        assert "readonly database" in str(refused.value)


def test_no_database_in_a_read_only_directory(tmp_path: Path) -> None:
    """A database that does not exist cannot be created in a read-only directory: the
    error says so, naming the directory."""
    folder = tmp_path / "ro"
    folder.mkdir()
    folder.chmod(stat.S_IRUSR | stat.S_IXUSR)
    try:
        with pytest.raises(StorageError) as refused:
            SqlStore(f"sqlite:///{folder / 'board.db'}", migrate="create")
        assert f"the directory {folder} is read-only" in str(refused.value)
    finally:
        folder.chmod(stat.S_IRWXU)


@pytest.mark.skipif(
    os.geteuid() == 0,
    reason="as root SQLite creates its -shm file in a read-only directory, so the case "
    "where it cannot open a WAL database for reading cannot be made",
)
def test_unreadable_wal_database_names_the_directory(stored: tuple[Path, str]) -> None:
    """Where SQLite cannot open the database even for reading, the error still says
    which of the file and the directory is read-only."""
    path, _ = stored
    path.parent.chmod(stat.S_IRUSR | stat.S_IXUSR)
    try:
        store = SqlStore(f"sqlite:///{path}")
    except StorageError as refused:
        assert f"the directory {path.parent} is read-only" in str(refused)
    else:
        store.close()
