"""The SQL store under concurrent writers: 4 threads and 2 processes at once.

Each race runs six writers together, released by one start signal: four threads
sharing one :class:`SqlStore` (the store promises to be thread-safe) and two processes
started with the ``spawn`` context, each building its own store and engine on the same
database URL. They write either all to **one** review (most attempts must lose the
race) or each to **its own** review (none may lose). Databases: a SQLite file in WAL
mode and a fresh PostgreSQL schema (``conftest_pg``).

Every writer makes ``ATTEMPTS`` retry-free attempts: load the review, then issue
``pause_clock`` if its clocks run and ``resume_clock`` if they are paused, with
``expected_version=`` the version it loaded and a ``reasons`` text unique to the
attempt. An attempt ends in a success or a :class:`ConcurrencyConflict` (told apart:
raised by the engine's check of the loaded version, or by the store's versioned write
in ``save``, which the race on one review must reach); anything else (a driver error,
a "database is locked", a refusal) is recorded with its type and fails the test.

Afterwards, per review: the version rose by exactly the number of successes; the
sequence numbers are 1..version; the history verifies and replays to the stored
review; the texts of the new events are exactly the successful attempts, each once
(nothing lost, nothing duplicated, no failed attempt recorded); pauses and resumes
alternate (no two writers acted on the same state); the stored deadline rows are the
review's deadlines.

A last test gives SQLite writers a busy timeout too short to wait for the write lock:
"database is locked" must reach them as :class:`StorageError`, never as the driver's
error, and leave nothing behind.

Two more put another writer's commit between the statements of one read: a load racing
an erasure (which rewrites the history in place) and a whole-store verify racing
commands; neither may report tampering that is not there.
"""

from __future__ import annotations

import functools
import multiprocessing
import threading
import traceback
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from multiprocessing.queues import Queue
from multiprocessing.synchronize import Event as MpEvent
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from scr_engine import ConcurrencyConflict, FixedClock, ReviewEngine, replay, verify_history
from scr_engine.commands import Command, PauseClock, ResumeClock
from scr_engine.demo import BOARD_CHAIR, REQUESTER, demo_request, run_to_closure
from scr_engine.storage.port import DeadlineRow
from scr_engine.storage.sql import SqlStore
from scr_engine.storage.sql import store as sql_store
from support.builders import START

THREADS = 4
PROCESSES = 2
ATTEMPTS = 25
PROCESS = "criminal investigation"
OK = "ok"
CONFLICT = "conflict"
CONFLICT_AT_SAVE = "conflict in save"
TIMEOUT = 180.0
"""Seconds a race may take before the test gives up (it takes a few)."""

Outcome = tuple[str, str]
"""(the attempt's unique text, OK | CONFLICT | CONFLICT_AT_SAVE | "<module.Type>: message")."""


# --------------------------------------------------------------------------- writers


def _engine(store: SqlStore) -> ReviewEngine:
    return ReviewEngine(store, FixedClock(START))


def _raised_by_save(exc: BaseException) -> bool:
    """Whether the conflict came from the store's versioned write (not from the
    engine's check of ``expected_version`` against the review it loaded)."""
    frames = traceback.extract_tb(exc.__traceback__)
    return any(f.name == "save" and f.filename == sql_store.__file__ for f in frames)


def _attempts(engine: ReviewEngine, review_id: str, writer: str) -> list[Outcome]:
    """``ATTEMPTS`` retry-free attempts to toggle the review's clocks."""
    outcomes: list[Outcome] = []
    for i in range(ATTEMPTS):
        text = f"{writer} attempt {i}"
        try:
            review = engine.get(review_id)
            command: Command = ResumeClock(text) if review.paused else PauseClock(PROCESS, text)
            engine.execute(review_id, command, BOARD_CHAIR, expected_version=review.version)
        except ConcurrencyConflict as exc:
            outcomes.append((text, CONFLICT_AT_SAVE if _raised_by_save(exc) else CONFLICT))
        except Exception as exc:  # recorded, and failed on by the test
            kind = f"{type(exc).__module__}.{type(exc).__qualname__}"
            outcomes.append((text, f"{kind}: {exc}"))
        else:
            outcomes.append((text, OK))
    return outcomes


def _process_writer(
    url: str,
    review_id: str,
    writer: str,
    ready: Queue[str],
    go: MpEvent,
    results: Queue[tuple[str, list[Outcome]]],
) -> None:
    """A writer process (``spawn``): its own store and engine on the same database."""
    try:
        store = SqlStore(url)
    except Exception:
        ready.put(writer)
        results.put((writer, [("opening the store", traceback.format_exc())]))
        return
    try:
        ready.put(writer)
        if not go.wait(TIMEOUT):
            results.put((writer, [("waiting", "never released")]))
            return
        results.put((writer, _attempts(_engine(store), review_id, writer)))
    finally:
        store.close()


def _race(url: str, store: SqlStore, targets: Sequence[str]) -> dict[str, list[Outcome]]:
    """Run ``THREADS`` threads on ``store`` and ``PROCESSES`` spawned processes, writer
    ``i`` on review ``targets[i]``, all released together; every writer's outcomes."""
    assert len(targets) == THREADS + PROCESSES
    ctx = multiprocessing.get_context("spawn")
    ready: Queue[str] = ctx.Queue()
    results: Queue[tuple[str, list[Outcome]]] = ctx.Queue()
    go = ctx.Event()
    processes = [
        ctx.Process(
            target=_process_writer,
            args=(url, targets[THREADS + p], f"process-{p}", ready, go, results),
            daemon=True,
        )
        for p in range(PROCESSES)
    ]
    outcomes: dict[str, list[Outcome]] = {}
    engine = _engine(store)

    def thread_writer(t: int) -> None:
        writer = f"thread-{t}"
        if go.wait(TIMEOUT):
            outcomes[writer] = _attempts(engine, targets[t], writer)

    threads = [threading.Thread(target=thread_writer, args=(t,)) for t in range(THREADS)]
    try:
        for process in processes:
            process.start()
        for thread in threads:
            thread.start()
        for _ in processes:  # every process has opened its store
            ready.get(timeout=TIMEOUT)
        go.set()
        for _ in processes:
            writer, found = results.get(timeout=TIMEOUT)
            outcomes[writer] = found
        for thread in threads:
            thread.join(TIMEOUT)
            assert not thread.is_alive(), "a writer thread hung"
        for process in processes:
            process.join(TIMEOUT)
            assert process.exitcode == 0, f"a writer process exited with {process.exitcode}"
    finally:
        go.set()
        for process in processes:
            if process.is_alive():
                process.kill()
                process.join()
    assert sorted(outcomes) == sorted(
        [f"thread-{t}" for t in range(THREADS)] + [f"process-{p}" for p in range(PROCESSES)]
    )
    return outcomes


# --------------------------------------------------------------------------- checks


def _check_review(
    store: SqlStore, engine: ReviewEngine, review_id: str, outcomes: Sequence[Outcome]
) -> int:
    """Check one review after a race on it (it had only its first event before);
    return how many attempts succeeded."""
    won = [text for text, outcome in outcomes if outcome == OK]
    review = store.load(review_id)
    history = store.history(review_id)
    assert review.version == 1 + len(won)
    assert [event.sequence for event in history] == list(range(1, review.version + 1))
    assert verify_history(history) == []
    assert replay(history) == review
    recorded = Counter(event.payload["reasons"] for event in history[1:])
    assert recorded == Counter(won), "the history is not exactly the successful attempts"
    commands = [event.command for event in history[1:]]
    assert commands == [("pause_clock", "resume_clock")[i % 2] for i in range(len(won))]
    expected = [DeadlineRow.of(review, d) for d in engine.deadlines(review_id, START.date())]
    assert store.deadline_rows(review_id) == sorted(expected, key=lambda row: row.key)
    return len(won)


def _escaped(outcomes: dict[str, list[Outcome]]) -> list[str]:
    return [
        f"{writer}, {text}: {outcome}"
        for writer, found in outcomes.items()
        for text, outcome in found
        if outcome not in (OK, CONFLICT, CONFLICT_AT_SAVE)
    ]


# --------------------------------------------------------------------------- tests


@pytest.fixture
def store(url: str) -> Iterator[SqlStore]:
    with SqlStore(url, migrate="create") as opened:
        if opened.engine is not None and opened.engine.dialect.name == "sqlite":
            with opened.engine.connect() as conn:
                assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        yield opened


def _submit(engine: ReviewEngine) -> str:
    return engine.submit(demo_request(), REQUESTER).id


def test_writers_racing_on_one_review_lose_nothing(url: str, store: SqlStore) -> None:
    engine = _engine(store)
    review_id = _submit(engine)
    outcomes = _race(url, store, [review_id] * (THREADS + PROCESSES))
    assert _escaped(outcomes) == []
    everything = [o for found in outcomes.values() for o in found]
    assert len(everything) == (THREADS + PROCESSES) * ATTEMPTS
    won = _check_review(store, engine, review_id, everything)
    counts = Counter(outcome for _, outcome in everything)
    assert won >= 1
    assert counts[OK] + counts[CONFLICT] + counts[CONFLICT_AT_SAVE] == len(everything)
    # The race reached the store's versioned write: writers that passed the engine's
    # check of the version they loaded still lost there, and wrote nothing.
    assert counts[CONFLICT_AT_SAVE] >= 1


def test_writers_on_different_reviews_never_conflict(url: str, store: SqlStore) -> None:
    engine = _engine(store)
    review_ids = [_submit(engine) for _ in range(THREADS + PROCESSES)]
    outcomes = _race(url, store, review_ids)
    assert _escaped(outcomes) == []
    writers = [f"thread-{t}" for t in range(THREADS)] + [f"process-{p}" for p in range(PROCESSES)]
    for writer, review_id in zip(writers, review_ids, strict=True):
        assert [outcome for _, outcome in outcomes[writer]] == [OK] * ATTEMPTS, writer
        assert _check_review(store, engine, review_id, outcomes[writer]) == ATTEMPTS
    assert store.engine is not None
    with store.engine.connect() as conn:
        total = conn.execute(sa.text("SELECT count(*) FROM scr_events")).scalar_one()
    assert total == len(review_ids) * (1 + ATTEMPTS)


def test_a_writer_that_cannot_wait_for_the_lock_gets_a_library_error(tmp_path: Path) -> None:
    """SQLite with a busy timeout too short to wait: "database is locked" reaches the
    caller as StorageError (the driver's error chained), and the attempt wrote nothing."""
    url = f"sqlite:///{tmp_path / 'scr.db'}"
    SqlStore(url, migrate="create").close()
    stores = [SqlStore(url, timeout=0.001) for _ in range(THREADS)]
    try:
        engines = [_engine(store) for store in stores]
        review_id = _submit(engines[0])
        outcomes: dict[str, list[Outcome]] = {}
        go = threading.Event()

        def writer(t: int) -> None:
            go.wait(TIMEOUT)
            outcomes[f"thread-{t}"] = _attempts(engines[t], review_id, f"thread-{t}")

        threads = [threading.Thread(target=writer, args=(t,)) for t in range(THREADS)]
        for thread in threads:
            thread.start()
        go.set()
        for thread in threads:
            thread.join(TIMEOUT)
        locked = "scr_engine.errors.StorageError: saving review"
        unexpected = [
            text
            for text in _escaped(outcomes)
            if not (locked in text and text.endswith("OperationalError: database is locked"))
        ]
        assert unexpected == []
        everything = [o for found in outcomes.values() for o in found]
        _check_review(stores[0], engines[0], review_id, everything)
    finally:
        for store in stores:
            store.close()


class _RacingSession:
    """A read session that runs the first of ``pending`` just ahead of the statement
    ``sql``: another writer's commit landing between two statements of one read."""

    def __init__(self, session: Any, sql: str, pending: list[Callable[[], object]]) -> None:
        self._session, self._sql, self._pending = session, sql, pending

    def run(self, sql: str, params: Any = ()) -> Any:
        if sql == self._sql and self._pending:
            self._pending.pop(0)()
        return self._session.run(sql, params)


def test_a_load_racing_an_erasure_gives_the_review_not_a_false_alarm(url: str) -> None:
    """A load reads the review's row, then (a review it has not checked before) its
    history. An erasure rewrites the history's values in place: committed between the
    two reads, the row is the one before the erasure and the history the one after.
    The store must not report that as tampering (IntegrityError); it reads again and
    gives the review the erasure left."""
    clock = FixedClock(START)
    with SqlStore(url, migrate="create", durable=False) as store, SqlStore(url) as reader:
        engine = ReviewEngine(store, clock)
        review_id = engine.submit(demo_request(), REQUESTER).id
        run_to_closure(engine, review_id, lambda: clock.advance(hours=7))

        def erase() -> None:
            engine.erase(
                review_id,
                BOARD_CHAIR,
                reasons="Retention ended.",
                legal_basis="GDPR 5(1)(e)",
                vacuum=False,
            )

        pending: list[Callable[[], object]] = [erase]
        reading = reader._db.reading
        history_upto = reader._sql.history_upto

        @contextmanager
        def racing(**options: Any) -> Iterator[Any]:
            with reading(**options) as session:
                yield _RacingSession(session, history_upto, pending)

        reader._db.reading = racing  # type: ignore[method-assign]
        loaded = reader.load(review_id)
        assert pending == []  # the erasure did land inside the read
        assert loaded == engine.get(review_id)
        assert store.history(review_id)[-1].command == "erase_personal_data"
        assert loaded.version == store.history(review_id)[-1].sequence


def test_verify_while_commands_land_reports_no_false_fault(url: str) -> None:
    """The whole-store verify reads each review's row, deadlines, events and tasks in
    several statements. Commands committed between them (here: before the events are
    read, on every review) must not show as faults: the statements read one snapshot
    (SQLite's deferred transaction; PostgreSQL's REPEATABLE READ)."""
    clock = FixedClock(START)
    with SqlStore(url, migrate="create", durable=False) as store, SqlStore(url) as verifier:
        engine = ReviewEngine(store, clock)
        review_ids = [_submit(engine) for _ in range(3)]
        pending = [
            functools.partial(
                engine.execute, review_id, PauseClock(PROCESS, "landed mid-verify"), BOARD_CHAIR
            )
            for review_id in review_ids
        ]
        assert verifier.engine is not None

        def land(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
            if "FROM scr_events" in statement and pending:
                pending.pop(0)()

        sa.event.listen(verifier.engine, "before_cursor_execute", land)
        report = ReviewEngine(verifier, clock).verify()
        assert pending == []  # every command landed inside the verify's reads
        assert report.faults == ()
        assert report.ok
        assert [store.load(i).version for i in review_ids] == [2, 2, 2]
