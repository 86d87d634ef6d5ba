"""A PostgreSQL store in a schema of its own: ``SqlStore(url, schema=...)``."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from conftest import START
from conftest_pg import POSTGRES_URL, require_postgres
from scr_engine import (
    FixedClock,
    ReviewEngine,
    ReviewNotFound,
    SchemaMismatch,
    StorageError,
)
from scr_engine.demo import REQUESTER, demo_request
from scr_engine.storage.sql import SqlStore, create_engine

pytestmark = pytest.mark.postgres


@pytest.fixture
def schemas() -> Iterator[list[str]]:
    """Two schema names no other test uses, dropped afterwards if created."""
    require_postgres()
    names = [f"scr_s_{uuid.uuid4().hex[:12]}" for _ in range(2)]
    yield names
    admin = sa.create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            for name in names:
                conn.exec_driver_sql(f'DROP SCHEMA IF EXISTS "{name}" CASCADE')
    finally:
        admin.dispose()


def _tables_in(schema: str) -> set[str]:
    admin = sa.create_engine(POSTGRES_URL)
    try:
        return set(sa.inspect(admin).get_table_names(schema=schema))
    finally:
        admin.dispose()


def test_two_stores_in_two_schemas_of_one_database(schemas: list[str]) -> None:
    """Each store creates its schema and keeps its reviews there: one database holds
    both, and neither sees the other's reviews."""
    first, second = schemas
    with (
        SqlStore(POSTGRES_URL, migrate="create", schema=first) as a,
        SqlStore(POSTGRES_URL, migrate="create", schema=second) as b,
    ):
        review = ReviewEngine(a, FixedClock(START)).submit(demo_request(), REQUESTER)
        assert a.load(review.id) == review
        with pytest.raises(ReviewNotFound):
            b.load(review.id)
        other = ReviewEngine(b, FixedClock(START)).submit(demo_request(), REQUESTER)
        assert other.reference == review.reference  # references are per store
    assert {"scr_reviews", "scr_events"} <= _tables_in(first)
    assert {"scr_reviews", "scr_events"} <= _tables_in(second)
    with SqlStore(POSTGRES_URL, schema=first) as again:  # "check": opens as it is
        assert again.load(review.id) == review


def test_a_missing_schema_is_not_created_by_check(schemas: list[str]) -> None:
    """The default ``migrate="check"`` changes nothing: a schema with no store in it
    is refused, and is not created."""
    with pytest.raises(SchemaMismatch):
        SqlStore(POSTGRES_URL, schema=schemas[0])
    assert _tables_in(schemas[0]) == set()


@pytest.mark.parametrize(
    "name",
    ['x"; DROP TABLE scr_reviews; --', "Upper", "1starts_with_digit", "a b", "", "x" * 64],
)
def test_a_schema_name_that_would_need_quoting_is_refused(name: str) -> None:
    """Only plain lower-case names are taken (they reach a connection option and a
    ``CREATE SCHEMA``): anything else is refused before a connection is made."""
    require_postgres()
    with pytest.raises(StorageError, match="schema must be"):
        SqlStore(POSTGRES_URL, migrate="create", schema=name)


def test_schema_is_refused_for_sqlite(tmp_path: Path) -> None:
    with pytest.raises(StorageError, match="SQLite database has no schemas"):
        create_engine(f"sqlite:///{tmp_path / 'scr.db'}", schema="board")
