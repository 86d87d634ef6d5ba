"""The SQL store beyond the shared contract: its schema and migrations, a host's
transaction, driver errors, SQLite's settings, and the engine end to end on a file.

Tests taking ``url`` run on SQLite and on PostgreSQL (a fresh schema each); the
contract itself, text round-trips included, is in ``test_store_contract.py``.
"""

from __future__ import annotations

import gc
import json
import sqlite3
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from attrs import evolve

from scr_engine import (
    ConcurrencyConflict,
    DeadlineStatus,
    FixedClock,
    IntegrityError,
    Review,
    ReviewEngine,
    SchemaMismatch,
    Stage,
    StorageError,
    replay,
    verify_history,
)
from scr_engine.cli import main
from scr_engine.commands import (
    AssessCriteria,
    ConfirmReview,
    PauseClock,
    RecordChairNotified,
    ResumeClock,
)
from scr_engine.demo import BOARD_CHAIR, BUSINESS_MANAGER, REQUESTER, demo_request, run_to_closure
from scr_engine.serialization import unstructure
from scr_engine.storage.port import DeadlineRow
from scr_engine.storage.schema import VERSION_TABLE, metadata
from scr_engine.storage.sql import (
    MIGRATIONS,
    SqlStore,
    create_engine,
    schema_revision,
    upgrade,
)
from scr_engine.testing import START, closure_saves, submission_saves
from support.postgres import postgres_schema

HEAD = ("0009",)

host_metadata = sa.MetaData()
host_audit = sa.Table(
    "host_audit",
    host_metadata,
    sa.Column("id", sa.Integer(), primary_key=True),
    sa.Column("note", sa.Text(), nullable=False),
)
"""A table of the host's own, written in the same transaction as a review."""


def _shown(url: str) -> str:
    return sa.make_url(url).render_as_string(hide_password=True)


def _host_rows(url: str) -> list[str]:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return list(conn.execute(sa.select(host_audit.c.note).order_by("id")).scalars())
    finally:
        engine.dispose()


def _set_revision(url: str, revision: str) -> None:
    engine = create_engine(url)
    try:
        with engine.begin() as conn:
            conn.execute(sa.text(f"UPDATE {VERSION_TABLE} SET version_num = :r"), {"r": revision})
    finally:
        engine.dispose()


# --------------------------------------------------------------------------- schema


def test_the_migrations_ship_in_the_package() -> None:
    assert (MIGRATIONS / "env.py").is_file()
    assert (MIGRATIONS / "script.py.mako").is_file()
    assert (MIGRATIONS / "versions" / "0001_initial.py").is_file()


def test_an_empty_database_is_refused_naming_the_upgrade_command(url: str) -> None:
    with pytest.raises(SchemaMismatch) as caught:
        SqlStore(url)
    error = caught.value
    assert isinstance(error, StorageError)
    assert (error.current, error.expected, error.ahead) == ((), HEAD, False)
    assert f"python -m scr_engine db upgrade --url {_shown(url)}" in str(error)
    assert "no scr_engine schema" in str(error)
    assert schema_revision(url) == ()


def test_a_database_ahead_of_the_library_is_refused(url: str) -> None:
    upgrade(url)
    _set_revision(url, "9999")
    for migrate in ("check", "create", "upgrade"):
        with pytest.raises(SchemaMismatch) as caught:
            SqlStore(url, migrate=migrate)
        assert caught.value.ahead
        assert caught.value.current == ("9999",)
        assert "newer scr_engine" in str(caught.value)
        assert "Upgrade scr_engine rather than the database" in str(caught.value)


def test_migrate_create_and_upgrade_build_the_schema(url: str) -> None:
    with SqlStore(url, migrate="create") as store:
        assert store.next_reference(2026) == "SCR-2026-001"
    assert schema_revision(url) == HEAD
    with SqlStore(url) as store:  # now current: a plain check passes
        assert store.next_reference(2026) == "SCR-2026-002"
    with SqlStore(url, migrate="upgrade") as store:  # nothing to do
        assert store.next_reference(2026) == "SCR-2026-003"


def test_migrate_upgrade_builds_an_empty_database(url: str) -> None:
    with SqlStore(url, migrate="upgrade"):
        pass
    assert schema_revision(url) == HEAD


def test_migrate_must_be_a_known_policy(sqlite_url: str) -> None:
    with pytest.raises(ValueError, match="migrate"):
        SqlStore(sqlite_url, migrate="sometimes")  # type: ignore[arg-type]


def test_the_cli_upgrades_a_database(url: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["db", "upgrade", "--url", url]) == 0
    # The message may wrap (a long database path): its words, in order.
    assert f"schema revision {HEAD[0]}" in " ".join(capsys.readouterr().out.split())
    assert schema_revision(url) == HEAD
    assert main(["db", "upgrade", "--url", url]) == 0  # again: nothing to do
    with SqlStore(url) as store:
        assert store.list_by_stage(Stage.REQUESTED) == []


def test_the_cli_reports_a_database_it_cannot_open(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "no" / "such" / "dir"
    assert main(["db", "upgrade", "--url", f"sqlite:///{folder / 'scr.db'}"]) == 1
    assert f"there is no directory {folder}" in capsys.readouterr().err


def test_the_tables_and_the_migrations_agree(url: str) -> None:
    upgrade(url)
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            context = MigrationContext.configure(
                conn, opts={"version_table": VERSION_TABLE, "compare_type": True}
            )
            assert compare_metadata(context, metadata) == []
    finally:
        engine.dispose()


def test_an_upgrade_in_a_host_transaction_is_the_host_s_to_commit(url: str) -> None:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            conn.begin()
            assert upgrade(conn) == HEAD
            conn.rollback()
        assert schema_revision(url) == ()
        with engine.connect() as conn:
            conn.begin()
            upgrade(conn)
            conn.commit()
        assert schema_revision(url) == HEAD
    finally:
        engine.dispose()


# --------------------------------------------------------------------------- a host's transaction


def _host_engine(url: str) -> sa.Engine:
    upgrade(url)
    engine = create_engine(url)
    host_metadata.create_all(engine)
    return engine


def test_a_host_rollback_stores_nothing(url: str) -> None:
    engine = _host_engine(url)
    try:
        with engine.connect() as conn:
            store = SqlStore.from_connection(conn)
            review = ReviewEngine(store, FixedClock(START)).submit(demo_request(), REQUESTER)
            conn.execute(sa.insert(host_audit).values(note=f"received {review.reference}"))
            assert store.load(review.id) == review  # the host's transaction sees it
            conn.rollback()
    finally:
        engine.dispose()
    with SqlStore(url) as fresh:
        assert fresh.list_by_stage(Stage.REQUESTED) == []
        assert fresh.next_reference(2026) == "SCR-2026-001"  # the counter rolled back too
    assert _host_rows(url) == []


def test_a_host_commit_stores_the_review_and_the_host_s_row_together(url: str) -> None:
    engine = _host_engine(url)
    try:
        with engine.connect() as conn:
            store = SqlStore.from_connection(conn)
            review = ReviewEngine(store, FixedClock(START)).submit(demo_request(), REQUESTER)
            conn.execute(sa.insert(host_audit).values(note=f"received {review.reference}"))
            with SqlStore(url) as outsider:  # nothing is committed by the store itself
                assert outsider.list_by_stage(Stage.REQUESTED) == []
            conn.commit()
    finally:
        engine.dispose()
    with SqlStore(url) as fresh:
        assert fresh.load(review.id) == review
        assert fresh.history(review.id)[0].command == "submit_request"
    assert _host_rows(url) == [f"received {review.reference}"]


def test_a_failed_save_leaves_the_host_transaction_usable(url: str) -> None:
    first = closure_saves()[0]
    engine = _host_engine(url)
    try:
        with engine.connect() as conn:
            store = SqlStore.from_connection(conn)
            first.apply(store)
            conn.execute(sa.insert(host_audit).values(note="before"))
            with pytest.raises(ConcurrencyConflict):
                first.apply(store)
            # A database error (a unique reference used twice) inside the transaction.
            clash = evolve(first.review, id="rev-other")
            with pytest.raises(StorageError):
                store.save(clash, evolve(first.event, review_id="rev-other"), expected_version=0)
            conn.execute(sa.insert(host_audit).values(note="after"))
            conn.commit()
    finally:
        engine.dispose()
    with SqlStore(url) as fresh:
        assert fresh.load(first.review.id) == first.review
        assert fresh.list_by_stage(first.review.stage) == [first.review]
    assert _host_rows(url) == ["before", "after"]


@pytest.mark.postgres
def test_a_lost_race_under_repeatable_read_is_a_conflict() -> None:
    first, second = closure_saves()[:2]
    with postgres_schema() as pg_url, SqlStore(pg_url, migrate="create") as store:
        first.apply(store)
        engine = create_engine(pg_url, isolation_level="REPEATABLE READ")
        try:
            with engine.connect() as conn:
                host = SqlStore.from_connection(conn)  # its snapshot starts here
                assert host.load("rev-closure") == first.review
                second.apply(store)  # another writer commits first
                with pytest.raises(ConcurrencyConflict) as caught:
                    second.apply(host)
                assert isinstance(caught.value.__cause__, sa.exc.DBAPIError)
                conn.rollback()
        finally:
            engine.dispose()
        assert store.load("rev-closure") == second.review


def test_a_legacy_sqlite_connection_is_refused(sqlite_url: str) -> None:
    upgrade(sqlite_url)
    engine = sa.create_engine(sqlite_url)  # the driver's own transaction handling
    try:
        with engine.connect() as conn, pytest.raises(StorageError, match="create_engine"):
            SqlStore.from_connection(conn)
    finally:
        engine.dispose()
    ours = create_engine(sqlite_url).execution_options(logging_token="host")
    try:
        with ours.connect() as conn:  # an engine made here, even with options, will do
            SqlStore.from_connection(conn)
    finally:
        ours.dispose()


def test_a_host_connection_to_an_old_database_is_refused(sqlite_url: str) -> None:
    engine = create_engine(sqlite_url)
    try:
        with engine.connect() as conn:
            with pytest.raises(SchemaMismatch):
                SqlStore.from_connection(conn)
            SqlStore.from_connection(conn, check_schema=False)
    finally:
        engine.dispose()


# --------------------------------------------------------------------------- errors


def _chain(error: BaseException) -> list[BaseException]:
    found = []
    cause: BaseException | None = error
    while cause is not None:
        found.append(cause)
        cause = cause.__cause__
    return found


def test_check_creates_no_database(tmp_path: Path) -> None:
    """The default ``migrate="check"`` changes nothing: a SQLite file that does not
    exist is SchemaMismatch saying how to create it, and no empty file is left behind
    (a mistyped path made one, which ``create`` then took for an empty database)."""
    path = tmp_path / "typo.db"
    with pytest.raises(SchemaMismatch) as refused:
        SqlStore(f"sqlite:///{path}")
    assert f"there is no database at {path}" in str(refused.value)
    assert "migrate='create'" in str(refused.value) and refused.value.current == ()
    assert not path.exists()


def test_a_missing_directory_is_a_storage_error(tmp_path: Path) -> None:
    """Named as the directory that is missing (SQLite creates the file, not its
    directory), before SQLite is asked: not its "unable to open database file"."""
    path = tmp_path / "no" / "such" / "scr.db"
    with pytest.raises(StorageError) as caught:
        SqlStore(f"sqlite:///{path}", migrate="create")
    assert not isinstance(caught.value, sqlite3.Error | sa.exc.SQLAlchemyError)
    assert f"there is no directory {path.parent}" in str(caught.value)
    assert not path.parent.exists()


def test_a_read_only_database_is_a_storage_error(tmp_path: Path) -> None:
    path = tmp_path / "scr.db"
    upgrade(f"sqlite:///{path}")
    with SqlStore(f"sqlite:///file:{path}?mode=ro&uri=true") as store:
        with pytest.raises(StorageError) as caught:
            closure_saves()[0].apply(store)
        assert "readonly" in str(caught.value)
        assert any(isinstance(e, sqlite3.Error) for e in _chain(caught.value))
        with pytest.raises(StorageError):
            store.next_reference(2026)
        assert store.pending_tasks() == []  # reading still works


def test_an_unreachable_server_is_a_storage_error() -> None:
    with pytest.raises(StorageError) as caught:
        SqlStore("postgresql+psycopg://postgres@127.0.0.1:1/nothing")
    assert not isinstance(caught.value, sa.exc.SQLAlchemyError)
    assert isinstance(caught.value.__cause__, sa.exc.OperationalError)


@pytest.mark.parametrize("bad", ["mysql://user@host/db", "not a url"])
def test_an_unusable_url_is_a_storage_error(bad: str) -> None:
    with pytest.raises(StorageError):
        SqlStore(bad)


@pytest.mark.parametrize("path", ["reviews.db", "/var/scr/reviews.db", "secret:pw@db"])
def test_a_path_given_for_a_url_says_how_a_url_is_written(path: str) -> None:
    """A developer's first try, a file's path, is refused saying how a database URL is
    written (not SQLAlchemy's "Could not parse"), without repeating the text (a
    malformed URL may hold a password)."""
    with pytest.raises(StorageError) as refused:
        SqlStore(path)
    assert "sqlite:///board.sqlite3" in str(refused.value)
    assert path not in str(refused.value)


@pytest.mark.parametrize(
    "memory", ["sqlite://", "sqlite:///:memory:", "sqlite:///file:board?mode=memory&uri=true"]
)
def test_an_in_memory_sqlite_database_is_refused_saying_what_to_use(memory: str) -> None:
    with pytest.raises(StorageError, match="MemoryStore"):
        SqlStore(memory, migrate="create")


def test_a_reference_used_twice_is_a_storage_error(url: str) -> None:
    first = closure_saves()[0]
    with SqlStore(url, migrate="create") as store:
        first.apply(store)
        clash = evolve(first.review, id="rev-other")
        with pytest.raises(StorageError, match="already used") as caught:
            store.save(clash, evolve(first.event, review_id="rev-other"), expected_version=0)
        assert not isinstance(caught.value, ConcurrencyConflict)
        assert store.list_by_stage(first.review.stage) == [first.review]


def test_a_save_failing_part_way_through_is_undone(url: str) -> None:
    first, second = closure_saves()[:2]
    row = DeadlineRow(
        first.review.id,
        first.review.reference,
        "twice",
        "R",
        "t",
        date(2026, 3, 1),
        None,
        DeadlineStatus.DUE,
    )
    with SqlStore(url, migrate="create") as store:
        first.apply(store)
        before = (store.load(first.review.id), store.history(first.review.id))
        rows_before = store.overdue(date(9000, 1, 1))
        # The review and its event are written before the second row breaks the key.
        broken = evolve(second, deadlines=(row, row))
        with pytest.raises(StorageError):
            broken.apply(store)
        assert (store.load(first.review.id), store.history(first.review.id)) == before
        assert store.overdue(date(9000, 1, 1)) == rows_before
        second.apply(store)  # and the store is still usable
        assert store.load(first.review.id) == second.review


def test_a_deadline_of_another_review_is_refused(sqlite_url: str) -> None:
    first = closure_saves()[0]
    row = DeadlineRow(
        "rev-else", "SCR-2026-999", "k", "R", "t", date(2026, 3, 1), None, DeadlineStatus.DUE
    )
    with (
        SqlStore(sqlite_url, migrate="create") as store,
        pytest.raises(StorageError, match="rev-else"),
    ):
        evolve(first, deadlines=(row,)).apply(store)


def test_unreadable_stored_data_is_an_integrity_error(sqlite_url: str) -> None:
    first = closure_saves()[0]
    with SqlStore(sqlite_url, migrate="create") as store:
        first.apply(store)
        assert store.engine is not None
        with store.engine.begin() as conn:
            conn.exec_driver_sql("UPDATE scr_reviews SET data = '{\"nonsense\": 1}'")
        with pytest.raises(IntegrityError, match="stored review cannot be read"):
            store.load(first.review.id)


# --------------------------------------------------------------------------- SQLite


def _pragmas(store: SqlStore) -> tuple[object, ...]:
    assert store.engine is not None
    with store.engine.connect() as conn:
        return tuple(
            conn.exec_driver_sql(f"PRAGMA {name}").scalar()
            for name in ("journal_mode", "synchronous", "foreign_keys")
        )


def test_sqlite_is_durable_by_default(sqlite_url: str) -> None:
    with SqlStore(sqlite_url, migrate="create") as store:
        assert _pragmas(store) == ("wal", 2, 1)  # synchronous=FULL
    with SqlStore(sqlite_url, durable=False) as store:
        assert _pragmas(store) == ("wal", 1, 1)  # synchronous=NORMAL


def test_sqlite_writes_take_the_write_lock_up_front(sqlite_url: str) -> None:
    statements: list[str] = []
    with SqlStore(sqlite_url, migrate="create") as store:
        assert store.engine is not None

        @sa.event.listens_for(store.engine, "before_cursor_execute")
        def record(conn: object, cursor: object, statement: str, *args: object) -> None:
            statements.append(statement.split()[0] + (" IMMEDIATE" * ("IMMEDIATE" in statement)))

        closure_saves()[0].apply(store)
        store.load("rev-closure")
    assert statements[0] == "BEGIN IMMEDIATE"
    assert statements.count("BEGIN IMMEDIATE") == 1
    assert "BEGIN" in statements[1:]  # the read: a plain, deferred BEGIN


def test_the_engine_runs_a_review_to_closure_and_it_survives_reopening(sqlite_url: str) -> None:
    clock = FixedClock(START)
    with SqlStore(sqlite_url, migrate="create") as store:
        engine = ReviewEngine(store, clock)
        review = engine.submit(demo_request(), REQUESTER)
        closed = run_to_closure(engine, review.id, step=lambda: clock.advance(hours=20))
    with SqlStore(sqlite_url) as reopened:
        events = reopened.history(review.id)
        assert verify_history(events) == []
        assert replay(events) == reopened.load(review.id) == closed
        assert closed.stage is Stage.CLOSED


# --------------------------------------------------------------------------- speed, same behaviour
# The store keeps decoded reviews, encodes a review from the JSON of its unchanged
# parts, writes only the deadline rows that changed, runs its hot statements on the
# driver's connection and, on PostgreSQL, saves in one statement: none of it may change
# what is stored or read.


def _stored_text(url: str, review_id: str) -> str:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            text: str = conn.execute(
                sa.text("SELECT data FROM scr_reviews WHERE id = :id"), {"id": review_id}
            ).scalar_one()
            return text
    finally:
        engine.dispose()


def test_the_stored_json_is_the_converter_s_at_every_save(url: str) -> None:
    with SqlStore(url, migrate="create") as store:
        for save in closure_saves():
            save.apply(store)
            expected = json.dumps(
                unstructure(save.review), separators=(",", ":"), ensure_ascii=False
            )
            assert _stored_text(url, save.review.id) == expected, save.event.command
    with SqlStore(url) as cold:  # nothing kept: decoded from the stored text
        assert cold.load("rev-closure") == closure_saves()[-1].review
    # Tuples that grow (pauses) and whose last item is replaced (a resumed pause).
    clock = FixedClock(START)
    with SqlStore(url) as store:
        engine = ReviewEngine(store, clock)
        assert store.next_reference(2026) == "SCR-2026-001"  # rev-closure's (saved as is)
        review = engine.submit(demo_request(), REQUESTER)
        engine.execute(review.id, RecordChairNotified(review.received_on), BUSINESS_MANAGER)
        engine.execute(review.id, AssessCriteria(), BOARD_CHAIR)
        engine.execute(review.id, ConfirmReview("CR-1 is met."), BOARD_CHAIR)
        for turn in range(6):
            clock.advance(days=3)
            command = PauseClock("Police investigation", f"Pause {turn}.")
            changed = engine.execute(review.id, command, BOARD_CHAIR)
            clock.advance(days=2)
            changed = engine.execute(review.id, ResumeClock(f"Resumed {turn}."), BOARD_CHAIR)
            expected = json.dumps(unstructure(changed), separators=(",", ":"), ensure_ascii=False)
            assert _stored_text(url, review.id) == expected
        assert len(changed.pauses) == 6
        today = clock.now().date()
        rows = sorted(
            (DeadlineRow.of(changed, d) for d in engine.deadlines(review.id, today)),
            key=lambda row: row.key,
        )
    with SqlStore(url) as cold:
        assert cold.load(review.id) == changed
        assert cold.deadline_rows(review.id) == rows


def test_a_review_another_store_changed_is_loaded_at_its_new_version(url: str) -> None:
    clock = FixedClock(START)
    with SqlStore(url, migrate="create") as one, SqlStore(url) as other:
        first, second = ReviewEngine(one, clock), ReviewEngine(other, clock)
        review = first.submit(demo_request(), REQUESTER)
        assert one.load(review.id) == review  # kept by ``one``
        clock.advance(hours=1)
        changed = second.execute(
            review.id, RecordChairNotified(review.received_on), BUSINESS_MANAGER
        )
        assert one.load(review.id) == changed != review
        clock.advance(hours=1)
        assessed = first.execute(review.id, AssessCriteria(), BOARD_CHAIR)
        assert other.load(review.id) == assessed
        assert one.history(review.id) == other.history(review.id)
        assert verify_history(one.history(review.id)) == []
        with pytest.raises(ConcurrencyConflict):  # ``other`` has not loaded it since
            other.save(
                changed,
                closure_saves()[1].event,
                expected_version=changed.version - 1,
            )


def test_a_stored_review_changed_in_place_is_decoded_and_checked_again(sqlite_url: str) -> None:
    # The cache never hides a change made behind the store's back: the older copy is
    # read, decoded, and refused, since it is not what the history's head says.
    saves = closure_saves()
    with SqlStore(sqlite_url, migrate="create") as store:
        for save in saves[:3]:
            save.apply(store)
        assert store.load("rev-closure") == saves[2].review
        older = json.dumps(unstructure(saves[1].review))
        assert store.engine is not None
        with store.engine.begin() as conn:  # same version, other text
            conn.execute(sa.text("UPDATE scr_reviews SET data = :d"), {"d": older})
        with pytest.raises(IntegrityError, match="behind its history"):
            store.load("rev-closure")


@pytest.mark.parametrize("layout", ["spaced", "reordered", "compact"])
def test_a_review_decoded_from_any_json_layout_is_saved_as_the_converter_s(
    sqlite_url: str, layout: str
) -> None:
    # The next save takes unchanged fields' JSON from the text it decoded, when that
    # text is laid out as the store writes it; any other layout is encoded afresh.
    saves = closure_saves()
    with SqlStore(sqlite_url, migrate="create") as store:
        for save in saves[:3]:
            save.apply(store)
    data = unstructure(saves[2].review)
    text = {
        "spaced": json.dumps(data),
        "reordered": json.dumps(dict(reversed(data.items())), separators=(",", ":")),
        "compact": json.dumps(data, separators=(",", ":"), ensure_ascii=False),
    }[layout]
    engine = create_engine(sqlite_url)
    with engine.begin() as conn:
        conn.execute(sa.text("UPDATE scr_reviews SET data = :d"), {"d": text})
    engine.dispose()
    with SqlStore(sqlite_url) as store:
        assert store.load("rev-closure") == saves[2].review
        for save in saves[3:6]:
            save.apply(store)
            expected = json.dumps(
                unstructure(save.review), separators=(",", ":"), ensure_ascii=False
            )
            assert _stored_text(sqlite_url, "rev-closure") == expected, save.event.command
    with SqlStore(sqlite_url) as cold:
        assert cold.load("rev-closure") == saves[5].review


def test_connections_kept_between_sessions_go_back_to_the_pool(sqlite_url: str) -> None:
    # The SQLite hot paths keep a few driver connections from one session to the next
    # (out of the pool's reach meanwhile): never more than the pool's size, and all
    # of them back in the pool when the store is closed or dropped.
    saves = submission_saves(3)
    store = SqlStore(sqlite_url, migrate="create")
    for save in saves:
        save.apply(store)
    engine = store.engine
    assert engine is not None and isinstance(engine.pool, sa.pool.QueuePool)
    barrier = threading.Barrier(12)

    def read(review_id: str) -> Review:
        barrier.wait()
        return store.load(review_id)

    with ThreadPoolExecutor(12) as pool:
        ids = [saves[n % 3].review.id for n in range(12)]
        assert list(pool.map(read, ids)) == [saves[n % 3].review for n in range(12)]
    assert 1 <= engine.pool.checkedout() <= engine.pool.size()
    store.close()
    assert engine.pool.checkedout() == 0

    dropped = SqlStore(sqlite_url)
    assert dropped.load(saves[0].review.id) == saves[0].review
    engine = dropped.engine
    assert engine is not None and engine.pool.checkedout() == 1
    del dropped
    gc.collect()
    assert engine.pool.checkedout() == 0


def test_decoded_reviews_kept_are_bounded(sqlite_url: str) -> None:
    saves = submission_saves(3)
    first, second, third = (save.review.id for save in saves)
    with SqlStore(sqlite_url, migrate="create", cache_size=2) as store:
        for save in saves:
            save.apply(store)
        # The two saved last are kept (the very reviews saved, as MemoryStore keeps them).
        assert store.load(third) is saves[2].review
        assert store.load(second) is saves[1].review
        decoded = store.load(first)  # not kept: decoded, and kept from now on
        assert decoded == saves[0].review
        assert decoded is not saves[0].review
        assert store.load(first) is decoded
        assert store.load(third) == saves[2].review  # dropped for it, least recently used
        assert store.load(third) is not saves[2].review
    with SqlStore(sqlite_url, cache_size=0) as store:
        assert store.load(first) == store.load(first)
        assert store.load(first) is not store.load(first)  # none kept

    class Tight(SqlStore):
        CACHE_MAX_CHARS = len(_stored_text(sqlite_url, first)) * 3 // 2  # room for one

    with Tight(sqlite_url) as store:
        kept = store.load(first)
        assert store.load(first) is kept
        store.load(second)
        assert store.load(first) is not kept  # dropped to keep the total under the bound


def test_a_stage_change_the_event_does_not_announce_is_stored(url: str) -> None:
    saves = closure_saves()
    confirm = next(s for s in saves if s.event.command == "confirm_review")
    at = saves.index(confirm)
    unannounced = evolve(confirm, event=evolve(confirm.event, stage_before=Stage.SCREENED))
    after = saves[at + 1]  # screened -> screened, but announced as a stage change
    announced = evolve(after, event=evolve(after.event, stage_before=Stage.REQUESTED))
    with SqlStore(url, migrate="create") as store:
        for save in saves[:at]:
            save.apply(store)
        unannounced.apply(store)
        assert store.list_by_stage(Stage.REQUESTED) == []
        assert store.list_by_stage(Stage.SCREENED) == [confirm.review]
        announced.apply(store)
        assert store.list_by_stage(Stage.SCREENED) == [after.review]
        assert len(store.pending_tasks(limit=100)) == len(confirm.tasks) - len(after.close)
    with SqlStore(url) as cold:
        assert cold.list_by_stage(Stage.SCREENED) == [after.review]


def test_every_statement_is_seen_by_sqlalchemy_listeners(sqlite_url: str) -> None:
    """Nobody watching, the hot statements run on the driver's connection; with a
    cursor-execute listener (or SQL logging) on the engine they all go through
    SQLAlchemy, so the listener sees each one."""
    statements: list[str] = []
    saves = closure_saves()
    with SqlStore(sqlite_url, migrate="create") as store:
        assert store.engine is not None
        saves[0].apply(store)  # unwatched

        @sa.event.listens_for(store.engine, "before_cursor_execute")
        def record(conn: object, cursor: object, statement: str, *args: object) -> None:
            statements.append(" ".join(statement.split()[:2]))

        for save in saves[1:4]:
            save.apply(store)
        assert store.load("rev-closure") == saves[3].review
        store.overdue(date(9000, 1, 1))
    assert statements.count("BEGIN IMMEDIATE") == 3
    assert statements.count("UPDATE scr_reviews") == 3
    assert statements.count("INSERT INTO") >= 4  # three events, the confirmation's tasks
    assert "SELECT r.data," in statements
    assert "SELECT review_id," in statements


@pytest.mark.postgres
def test_a_connection_the_server_dropped_fails_one_operation() -> None:
    """Pooled connections are not pinged before use (see ``create_engine``): after the
    server drops them, one operation fails with StorageError, and the pool is renewed."""
    with postgres_schema() as pg_url, SqlStore(pg_url, migrate="create") as store:
        for save in closure_saves()[:2]:
            save.apply(store)
        assert store.engine is not None
        pooled = [store.engine.raw_connection() for _ in range(2)]
        pids = {connection.dbapi_connection.info.backend_pid for connection in pooled}  # type: ignore[union-attr]
        for connection in pooled:
            connection.close()
        admin = create_engine(pg_url)
        try:
            with admin.connect() as conn:
                for pid in pids:
                    conn.execute(sa.text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
        finally:
            admin.dispose()
        with pytest.raises(StorageError) as caught:
            store.load("rev-closure")
        assert isinstance(caught.value.__cause__, sa.exc.DBAPIError)
        assert caught.value.__cause__.connection_invalidated
        assert store.load("rev-closure") == closure_saves()[1].review
        closure_saves()[2].apply(store)
        assert store.load("rev-closure") == closure_saves()[2].review


def _child_writes_and_closes(engine: ReviewEngine, review_id: str, done: Any) -> None:
    """In a forked child: a command through the parent's engine, then the store
    closed, as a worker does when it stops."""
    try:
        review = engine.execute(review_id, AssessCriteria(), BOARD_CHAIR)
        engine.store.close()  # type: ignore[attr-defined]
        done.put(review.version)
    except BaseException as exc:  # the parent reports it
        done.put(repr(exc))


def test_a_store_opened_before_a_fork_serves_the_child_and_is_left_to_the_parent(
    url: str,
) -> None:
    """A pre-forking server (``scr serve --workers``) opens the store, then forks:
    the child opens connections of its own, and closing its store when it stops
    closes none of the parent's, whose next commands go on."""
    import multiprocessing

    clock = FixedClock(START)
    with SqlStore(url, migrate="create", durable=False) as store:
        engine = ReviewEngine(store, clock)
        review = engine.submit(demo_request(), REQUESTER)
        engine.execute(review.id, RecordChairNotified(review.received_on), BUSINESS_MANAGER)
        context = multiprocessing.get_context("fork")
        done = context.Queue()
        child = context.Process(target=_child_writes_and_closes, args=(engine, review.id, done))
        child.start()
        assert done.get(timeout=60) == 3
        child.join(60)
        assert child.exitcode == 0
        assert engine.get(review.id).version == 3  # the parent's connections still serve
        engine.execute(review.id, ConfirmReview("CR-1 is met."), BOARD_CHAIR)
        assert engine.get(review.id).version == 4
        assert engine.verify().ok
