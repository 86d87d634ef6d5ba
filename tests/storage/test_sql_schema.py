"""A PostgreSQL store in a schema of its own: ``SqlStore(url, schema=...)``."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from scr_engine import (
    FixedClock,
    ReviewEngine,
    ReviewNotFound,
    SchemaMismatch,
    StorageError,
)
from scr_engine.demo import REQUESTER, demo_request
from scr_engine.storage.sql import SqlStore, create_engine, upgrade
from support.builders import START
from support.postgres import POSTGRES_URL, require_postgres

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


def test_a_store_behind_names_its_schema_and_how_to_upgrade_that_schema(
    schemas: list[str],
) -> None:
    """The refusal of a schema with no store names the schema, and both ways to
    upgrade it there: the command line's URL with the schema as its ``search_path``,
    and ``SqlStore(url, schema=..., migrate='upgrade')`` (never the database's default
    schema, where an upgrade run as told would build another store)."""
    name = schemas[0]
    with pytest.raises(SchemaMismatch) as refused:
        SqlStore(POSTGRES_URL, schema=name)
    message = str(refused.value)
    assert f"in its schema {name!r}" in message
    assert f"?options=-csearch_path%3D{name}'`" in message
    assert f"SqlStore(url, schema={name!r}, migrate='upgrade')" in message
    admin = sa.create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.exec_driver_sql(f'CREATE SCHEMA "{name}"')
    finally:
        admin.dispose()
    upgrade(sa.make_url(POSTGRES_URL).update_query_dict({"options": f"-csearch_path={name}"}))
    with SqlStore(POSTGRES_URL, schema=name):  # as the message said: current now
        assert {"scr_reviews", "scr_events"} <= _tables_in(name)


def test_a_store_not_found_says_which_schema_was_searched(schemas: list[str]) -> None:
    """A host's connection that does not search the store's schema is refused naming
    the schema it searched, and how a store in a schema of its own is opened."""
    elsewhere = schemas[1]
    SqlStore(POSTGRES_URL, migrate="create", schema=schemas[0]).close()
    admin = sa.create_engine(POSTGRES_URL)
    try:
        with admin.connect() as conn:
            conn.exec_driver_sql(f'CREATE SCHEMA "{elsewhere}"')
            conn.exec_driver_sql(f'SET search_path TO "{elsewhere}"')
            with pytest.raises(SchemaMismatch) as refused:
                SqlStore.from_connection(conn)
            conn.rollback()
            conn.exec_driver_sql(f'SET search_path TO "{schemas[0]}"')
            assert SqlStore.from_connection(conn) is not None  # as the message says
    finally:
        admin.dispose()
    message = str(refused.value)
    assert f"It looked in the schema {elsewhere!r}" in message
    assert "SqlStore(url, schema=...)" in message and "search_path" in message


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
