"""The store contract (:mod:`scr_engine.testing`) against every store: in memory,
SQLite, PostgreSQL, and the SQL store working inside a host's connection."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from scr_engine import MemoryStore, ReviewStore
from scr_engine.storage.sql import SqlStore, create_engine, upgrade
from scr_engine.testing import StoreContract
from support.postgres import postgres_schema


class TestMemoryStore(StoreContract):
    def make_store(self) -> ReviewStore:
        return MemoryStore()


class TestSqliteStore(StoreContract):
    @pytest.fixture
    def store(self, tmp_path: Path) -> Iterator[ReviewStore]:
        # durable=False: the tests prove behaviour, not fsync; it spares a disk flush a commit.
        url = f"sqlite:///{tmp_path / 'scr.db'}"
        with SqlStore(url, migrate="create", durable=False) as store:
            yield store


class TestSqliteStoreInAHostTransaction(StoreContract):
    """Every write in a savepoint of one host transaction, never committed."""

    @pytest.fixture
    def store(self, tmp_path: Path) -> Iterator[ReviewStore]:
        url = f"sqlite:///{tmp_path / 'scr.db'}"
        upgrade(url)
        engine = create_engine(url, durable=False)
        try:
            with engine.connect() as conn:
                yield SqlStore.from_connection(conn)
                conn.rollback()
        finally:
            engine.dispose()


@pytest.mark.postgres
class TestPostgresStore(StoreContract):
    @pytest.fixture
    def store(self) -> Iterator[ReviewStore]:
        with postgres_schema() as url, SqlStore(url, migrate="create") as store:
            yield store


@pytest.mark.postgres
class TestPostgresStoreInAHostTransaction(StoreContract):
    """Every write in a savepoint of one host transaction, never committed."""

    @pytest.fixture
    def store(self) -> Iterator[ReviewStore]:
        with postgres_schema() as url:
            upgrade(url)
            engine = create_engine(url)
            try:
                with engine.connect() as conn:
                    yield SqlStore.from_connection(conn)
                    conn.rollback()
            finally:
                engine.dispose()
